"""Forms of the talent-pool pages; they only parse input, the services (talent/services/) check and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.forms import DATE_WIDGET, BootstrapFormMixin
from orgs.pickers import OrgField, bind_user
from talent.choices import Education, Gender, HonourKind, HonourLevel, SkillLevel
from talent.queries import ACTIVE, ALL, REMOVED, PersonFilter

YES_NO = [("", _("不限")), ("1", _("是")), ("0", _("否"))]
STATES = [(ACTIVE, _("在库")), (REMOVED, _("已移出")), (ALL, _("全部"))]


class PersonFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("姓名或工种"), required=False, max_length=100)
    org = OrgField(purpose="data", label=_("单位（含下属）"), required=False, help_text="")
    honour_kind = forms.ChoiceField(label=_("荣誉类别"), required=False, choices=[("", _("全部")), *HonourKind.choices])
    honour_level = forms.ChoiceField(
        label=_("荣誉级别"), required=False, choices=[("", _("全部")), *HonourLevel.choices]
    )
    skill_level = forms.ChoiceField(
        label=_("技能等级"),
        required=False,
        choices=[("", _("全部")), ("high", _("高技能人才（技师及以上）")), *SkillLevel.choices],
    )
    education = forms.ChoiceField(label=_("学历"), required=False, choices=[("", _("全部")), *Education.choices])
    industrial = forms.ChoiceField(label=_("产业工人"), required=False, choices=YES_NO)
    speaker = forms.ChoiceField(label=_("宣讲人"), required=False, choices=YES_NO)
    state = forms.ChoiceField(label=_("在库状态"), required=False, choices=STATES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_user(self, user)

    def to_filter(self) -> PersonFilter:
        data = self.cleaned_data if self.is_valid() else {}
        skill = data.get("skill_level", "")
        chosen = {k: (v.code if hasattr(v, "code") else v) for k, v in data.items() if v}

        def yes_no(value):
            return None if value in ("", None) else value == "1"

        return PersonFilter(
            q=data.get("q", ""),
            org=data.get("org"),
            honour_kind=data.get("honour_kind", ""),
            honour_level=data.get("honour_level", ""),
            skill_level="" if skill == "high" else skill,
            high_skill=skill == "high",
            education=data.get("education", ""),
            industrial=yes_no(data.get("industrial")),
            speaker=yes_no(data.get("speaker")),
            state=data.get("state") or ACTIVE,
            chosen=chosen,
        )


class PersonForm(BootstrapFormMixin, forms.Form):
    """A person's attributes; the services check them again (they are reached from the API too)."""

    org = OrgField(purpose="entry", label=_("所在单位"))
    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
    birth_year = forms.IntegerField(label=_("出生年份"), required=False, min_value=1930, max_value=2015)
    occupation = forms.CharField(label=_("职业（工种）"), max_length=100)
    skill_level = forms.ChoiceField(label=_("技能等级"), choices=SkillLevel.choices, initial=SkillLevel.NONE)
    education = forms.ChoiceField(label=_("学历"), required=False, choices=[("", _("未填写")), *Education.choices])
    is_industrial_worker = forms.BooleanField(label=_("产业工人（一线生产、技术岗位）"), required=False, initial=True)
    is_migrant_worker = forms.BooleanField(label=_("农民工"), required=False)
    is_speaker = forms.BooleanField(label=_("宣讲人"), required=False)
    id_number = forms.CharField(
        label=_("身份证号"),
        required=False,
        max_length=30,
        help_text=_("选填。18 位居民身份证号码，用于评选时核实身份、避免重复登记；页面上只显示部分号码。"),
    )
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=30, help_text=_("选填。"))
    notes = forms.CharField(
        label=_("简要事迹"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            self.fields["id_number"].help_text = _("选填。留空表示不修改已登记的号码；要删除号码请填“删除”。")
            self.fields["phone"].help_text = _("选填。留空表示不修改；要删除号码请填“删除”。")
        bind_user(self, user)

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("org", None)
        if self.editing:
            for name in ("id_number", "phone"):
                if not data.get(name):
                    data.pop(name, None)  # blank: keep what is stored (the page never shows it in full)
                elif data[name].strip() == "删除":
                    data[name] = ""
        return data


class HonourForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=HonourKind.choices)
    level = forms.ChoiceField(label=_("级别"), choices=HonourLevel.choices)
    title = forms.CharField(label=_("称号全称"), max_length=200, help_text=_("例如：云南省劳动模范、云岭大工匠。"))
    awarded_on = forms.DateField(label=_("授予日期"), widget=DATE_WIDGET)
    awarded_by = forms.CharField(label=_("授予单位"), max_length=100, required=False)


class RemoveForm(BootstrapFormMixin, forms.Form):
    removed_on = forms.DateField(label=_("移出日期"), widget=DATE_WIDGET, required=False)
    reason = forms.CharField(label=_("移出原因"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ExportForm(forms.Form):
    full = forms.BooleanField(required=False)
    reason = forms.CharField(required=False, max_length=200)
