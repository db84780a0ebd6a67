"""Forms of the studios pages; they only parse input, the services (studios/services/) check and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.forms import DATE_WIDGET, BootstrapFormMixin
from orgs.pickers import OrgField, bind_user
from studios.choices import RUBRIC, MemberRole, ResultKind, ReviewStatus, StudioKind, StudioLevel, StudioStatus

TEXTAREA = {"rows": 3}


class VersionForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def versionless(self) -> None:
        """A form that creates: there is no version yet."""
        self.fields["version"].required = False


class PersonChoiceField(forms.ModelChoiceField):
    """A person of the talent pool, shown by name, occupation and organisation (never an id to type)."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.name} · {obj.occupation} · {obj.org.name}"


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} · {obj.occupation}"


class StudioChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.org.name}）"


class StudiosChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.org.name}）"


class FilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("名称、领办人或方向"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部")), *StudioKind.choices])
    level = forms.ChoiceField(label=_("级别"), required=False, choices=[("", _("全部")), *StudioLevel.choices])
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *StudioStatus.choices])
    org = OrgField(label=_("单位"), required=False, purpose="data")
    year = forms.IntegerField(label=_("命名年度"), required=False, min_value=1990, max_value=2100)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        bind_user(self, user)


class OrgChoiceForm(BootstrapFormMixin, forms.Form):
    org = OrgField(label=_("所属单位"), purpose="entry")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        bind_user(self, user)


class StudioForm(VersionForm):
    name = forms.CharField(label=_("工作室名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=StudioKind.choices)
    leader = PersonChoiceField(label=_("领办人"), queryset=None, empty_label=_("请选择"))
    location = forms.CharField(label=_("场所"), max_length=200, required=False)
    topics = forms.CharField(label=_("攻关方向"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    level = forms.ChoiceField(label=_("命名级别"), choices=StudioLevel.choices)
    named_on = forms.DateField(label=_("命名日期"), widget=DATE_WIDGET)
    named_by = forms.CharField(label=_("命名单位"), max_length=100, required=False)
    document = forms.CharField(label=_("文号"), max_length=100, required=False)

    def __init__(self, *args, people=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = people
        self.fields["leader"].error_messages["invalid_choice"] = _("请从本单位人才库人员中选择领办人。")
        if editing:
            for name in ("level", "named_on", "named_by", "document"):
                del self.fields[name]
        else:
            self.versionless()


class NamingForm(VersionForm):
    level = forms.ChoiceField(label=_("新级别"), choices=StudioLevel.choices)
    named_on = forms.DateField(label=_("命名日期"), widget=DATE_WIDGET)
    named_by = forms.CharField(label=_("命名单位"), max_length=100, required=False)
    document = forms.CharField(label=_("文号"), max_length=100, required=False)


class RevokeForm(VersionForm):
    revoked_on = forms.DateField(label=_("撤销日期"), widget=DATE_WIDGET)
    revoke_reason = forms.CharField(label=_("撤销原因"), max_length=500, widget=forms.Textarea(attrs=TEXTAREA))


class MemberForm(BootstrapFormMixin, forms.Form):
    person = PersonChoiceField(label=_("成员"), queryset=None, empty_label=_("请选择"))
    role = forms.ChoiceField(label=_("角色"), choices=MemberRole.choices, initial=MemberRole.MEMBER)
    joined_on = forms.DateField(label=_("加入日期"), widget=DATE_WIDGET)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class FundForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=1990, max_value=2100)
    amount = forms.DecimalField(label=_("金额（元）"), min_value=0, max_digits=14, decimal_places=2)
    source = forms.CharField(label=_("来源"), max_length=100, help_text=_("如：省总工会补助、企业配套。"))


class ResultForm(VersionForm):
    kind = forms.ChoiceField(label=_("类别"), choices=ResultKind.choices)
    title = forms.CharField(label=_("成果名称"), max_length=200)
    achieved_on = forms.DateField(label=_("取得日期"), widget=DATE_WIDGET)
    reference = forms.CharField(label=_("专利号或编号"), max_length=60, required=False)
    value = forms.DecimalField(
        label=_("创效金额（元）"), required=False, min_value=0, max_digits=14, decimal_places=2,
        help_text=_("成果应用后创造的经济效益，没有可不填。"),
    )  # fmt: skip
    credited = PeopleChoiceField(
        label=_("完成人"), queryset=None, widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
    )
    description = forms.CharField(label=_("简介"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, people=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credited"].queryset = people
        if not editing:
            self.versionless()
        self.fields["credited"].error_messages["required"] = _("请至少选择一名完成人。")


class ResultFilterForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部")), *ResultKind.choices])
    year = forms.IntegerField(label=_("年度"), required=False, min_value=1990, max_value=2100)
    org = OrgField(label=_("单位"), required=False, purpose="data")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        bind_user(self, user)


class AllianceForm(VersionForm):
    name = forms.CharField(label=_("联盟名称"), max_length=100)
    founded_on = forms.DateField(label=_("成立日期"), widget=DATE_WIDGET)
    lead = StudioChoiceField(label=_("牵头工作室"), queryset=None, empty_label=_("请选择"))
    studios = StudiosChoiceField(
        label=_("成员工作室"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    description = forms.CharField(label=_("简介"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, leads=None, candidates=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            self.versionless()
        self.fields["lead"].queryset = leads
        self.fields["studios"].queryset = candidates


class ActivityForm(BootstrapFormMixin, forms.Form):
    held_on = forms.DateField(label=_("活动日期"), widget=DATE_WIDGET)
    title = forms.CharField(label=_("活动名称"), max_length=200)
    description = forms.CharField(label=_("活动内容"), required=False, widget=forms.Textarea(attrs=TEXTAREA))


class ReviewStartForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=1990, max_value=2100)


class ReviewSummaryForm(VersionForm):
    summary = forms.CharField(label=_("年度工作总结"), required=False, widget=forms.Textarea(attrs={"rows": 8}))


class ReviewStepForm(VersionForm):
    reason = forms.CharField(label=_("退回原因"), required=False, widget=forms.Textarea(attrs=TEXTAREA))


class RatingForm(VersionForm):
    comment = forms.CharField(label=_("评语"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in RUBRIC:
            self.fields[criterion.key] = forms.DecimalField(
                label=f"{criterion.label}（{criterion.max_points}分）", min_value=0, max_value=criterion.max_points,
                decimal_places=1, max_digits=4,
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.1", "inputmode": "decimal"}),
            )  # fmt: skip

    def scores(self) -> dict:
        return {c.key: self.cleaned_data.get(c.key) for c in RUBRIC}


class ReviewFilterForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *ReviewStatus.choices])
    year = forms.IntegerField(label=_("年度"), required=False, min_value=1990, max_value=2100)
