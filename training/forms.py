"""Forms of the capacity-building pages; they only parse input, the services (training/services/) check and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.choices import OrgKind
from orgs.forms import DATE_WIDGET, BootstrapFormMixin
from orgs.pickers import OrgField, bind_user
from training.choices import ClassKind, ClassStatus, Mark
from training.services.classes import AUDIENCE_KINDS


class ClassFilterForm(BootstrapFormMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部类别")), *ClassKind.choices])
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *ClassStatus.choices])

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("全部年度"))] + [(y, _("%(y)d年") % {"y": y}) for y in years]


class ClassForm(BootstrapFormMixin, forms.Form):
    """A class's attributes; the organiser only when it is created."""

    organiser = OrgField(
        purpose="entry",
        label=_("主办单位"),
        help_text=_("产改办、省级产业系统公司工会或州市总工会：输入名称、简称或拼音首字母，从列表中选择。"),
    )
    kind = forms.ChoiceField(label=_("类别"), choices=ClassKind.choices)
    title = forms.CharField(label=_("名称"), max_length=200)
    starts_on = forms.DateField(label=_("开班日期"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE_WIDGET)
    enrol_deadline = forms.DateField(label=_("报名截止日期"), widget=DATE_WIDGET)
    place = forms.CharField(label=_("地点"), max_length=200, help_text=_("外出考察学习写明考察的省份和单位。"))
    capacity = forms.IntegerField(
        label=_("名额"), required=False, min_value=1, max_value=10000, help_text=_("不填为不限名额。")
    )
    audience_kinds = forms.MultipleChoiceField(
        label=_("培训对象（机构类型）"),
        required=False,
        choices=[(k.value, k.label) for k in OrgKind if k.value in AUDIENCE_KINDS],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("哪些类型的单位应派人参加；省级产业系统公司工会主办的，只含其下属单位。"),
    )
    audience_names = forms.CharField(
        label=_("培训对象（指定单位）"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("另外指定的单位（如示范点企业），填写单位名称或简称，多个用顿号或换行分隔。"),
    )
    audience_note = forms.CharField(
        label=_("参训人员"),
        max_length=300,
        required=False,
        help_text=_("应参加的岗位和职务，如“改革办公室负责人”“信息员”。"),
    )
    programme = forms.CharField(label=_("培训内容和日程"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if editing:
            del self.fields["organiser"]
        bind_user(self, user)

    def clean_audience_names(self) -> list:
        """The named organisations, each looked up through the door like the organisation picker."""
        from orgs.choices import Action
        from orgs.queries import OrgNotResolved, org_resolve

        text = self.cleaned_data.get("audience_names") or ""
        names = [n.strip() for n in text.replace("\n", "、").replace("，", "、").replace(",", "、").split("、")]
        found, problems = [], []
        for name in dict.fromkeys(n for n in names if n):
            try:
                found.append(org_resolve(user=self.user, text=name, action=Action.VIEW))
            except OrgNotResolved as error:
                problems.append(error.message)
        if problems:
            raise forms.ValidationError(problems)
        return found

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("organiser", None)
        data["audience_orgs"] = data.pop("audience_names", [])
        return data


class StepForm(forms.Form):
    step = forms.CharField(max_length=20)
    reason = forms.CharField(label=_("原因"), max_length=500, required=False)


class MaterialForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("文件"), help_text=_("PDF、Word、Excel 或图片。"))
    title = forms.CharField(label=_("说明"), max_length=200, required=False, help_text=_("如：日程安排、讲义。"))


class EnrolForm(BootstrapFormMixin, forms.Form):
    org = OrgField(purpose="entry", label=_("报名单位"))
    name = forms.CharField(label=_("姓名"), max_length=100)
    position = forms.CharField(label=_("职务"), max_length=200, required=False, help_text=_("如：工会办公室主任"))
    phone = forms.CharField(
        label=_("联系电话"), max_length=30, required=False, help_text=_("可不填；仅主办单位用于培训通知，加密保存。")
    )
    username = forms.CharField(
        label=_("平台账号（可不填）"), max_length=150, required=False, help_text=_("参训人员在本平台的用户名。")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_user(self, user)


MARK_CHOICES = [("", _("未记录")), *Mark.choices]


class AttendanceForm(forms.Form):
    """One mark per enrolment, named mark_<id>, for a day (day=YYYY-MM-DD) or the whole class (day empty)."""

    day = forms.DateField(required=False, widget=DATE_WIDGET)

    def __init__(self, *args, enrolments, **kwargs):
        super().__init__(*args, **kwargs)
        for enrolment in enrolments:
            self.fields[f"mark_{enrolment.pk}"] = forms.ChoiceField(
                label=enrolment.name, choices=MARK_CHOICES, required=False
            )

    def marks(self) -> dict[int, str]:
        return {
            int(name.removeprefix("mark_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("mark_")
        }
