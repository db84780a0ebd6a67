"""Forms of the sites pages; they only parse input, the services (sites/services/) check and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.forms import DATE_WIDGET, BootstrapFormMixin
from orgs.pickers import OrgField
from sites.choices import RUBRIC, BatchLevel, BatchStatus, FollowUpOwner, Goal, SiteStatus

TEXTAREA = {"rows": 3}


class VersionForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class FilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("单位名称"), required=False, max_length=100)
    batch = forms.ChoiceField(label=_("批次"), required=False)
    level = forms.ChoiceField(label=_("级别"), required=False, choices=[("", _("全部")), *BatchLevel.choices])
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *SiteStatus.choices])
    prefecture = forms.ChoiceField(label=_("州市"), required=False)
    union = forms.ChoiceField(label=_("产业系统公司工会"), required=False)

    def __init__(self, *args, batches=(), prefectures=(), unions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].choices = [("", _("全部批次")), *[(str(b.pk), b.name) for b in batches]]
        self.fields["prefecture"].choices = [("", _("全部州市")), *prefectures]
        self.fields["union"].choices = [("", _("全部工会")), *unions]


class BatchForm(VersionForm):
    name = forms.CharField(label=_("批次名称"), max_length=100, help_text=_("如：第一批省级产改示范点"))
    level = forms.ChoiceField(label=_("级别"), choices=BatchLevel.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2018, max_value=2100)
    quota = forms.IntegerField(label=_("名额"), min_value=1, max_value=500, help_text=_("最多入选的示范点个数。"))
    opens_on = forms.DateField(label=_("推荐开始日期"), widget=DATE_WIDGET)
    closes_on = forms.DateField(label=_("推荐截止日期"), widget=DATE_WIDGET)
    status = forms.ChoiceField(
        label=_("状态"), required=False,
        choices=[(s.value, s.label) for s in (BatchStatus.COLLECTING, BatchStatus.SELECTING)],
    )  # fmt: skip
    notes = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs=TEXTAREA))


class NominationForm(VersionForm):
    goals = forms.MultipleChoiceField(
        label=_("示范的改革任务"), choices=Goal.choices, required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    goals_text = forms.CharField(
        label=_("示范内容"), required=False, widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("用几句话说明在哪些方面可以示范带动。"),
    )  # fmt: skip
    achievements = forms.CharField(label=_("已开展的工作"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    plans = forms.CharField(label=_("下一步计划"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    contact_name = forms.CharField(label=_("联系人"), required=False, max_length=100)
    contact_position = forms.CharField(label=_("联系人职务"), required=False, max_length=200)
    contact_phone = forms.CharField(
        label=_("联系电话"), required=False, max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"}),
        help_text=_("加密保存，页面上脱敏显示。"),
    )  # fmt: skip
    file = forms.FileField(label=_("推荐材料（可选）"), required=False, help_text=_("PDF、Word、Excel 或图片。"))


class NewNominationForm(NominationForm):
    org = OrgField(purpose="data", label=_("推荐单位"), help_text=_("本工会所属的企业或下属单位。"))
    field_order = ["org"]


class ReasonForm(VersionForm):
    reason = forms.CharField(label=_("原因"), required=False, widget=forms.Textarea(attrs=TEXTAREA), max_length=1000)


class GroupForm(VersionForm):
    name = forms.CharField(label=_("指导组名称"), max_length=100)
    leader = forms.ModelChoiceField(label=_("组长"), queryset=None)
    members = forms.ModelMultipleChoiceField(
        label=_("成员"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("按姓名选择成员单位和产改办的人员（按住 Ctrl 可多选）。"),
    )  # fmt: skip
    notes = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = people
        self.fields["members"].queryset = people


class AssignForm(VersionForm):
    group = forms.ModelChoiceField(label=_("指导组"), queryset=None, empty_label=_("请选择指导组"))

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class SummaryForm(VersionForm):
    summary = forms.CharField(
        label=_("进展概要"), required=False, widget=forms.Textarea(attrs=TEXTAREA), max_length=2000
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class VisitForm(BootstrapFormMixin, forms.Form):
    visited_on = forms.DateField(label=_("走访日期"), widget=DATE_WIDGET)
    members = forms.ModelMultipleChoiceField(
        label=_("参加走访的指导组成员"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    others = forms.CharField(label=_("其他参加人员"), required=False, max_length=300)
    findings = forms.CharField(label=_("发现的问题"), widget=forms.Textarea(attrs={"rows": 4}))
    recommendations = forms.CharField(label=_("意见建议"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    photos = MultipleFileField(
        label=_("照片"), required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        help_text=_("可直接拍照，JPG 或 PNG；照片中的位置信息会被去除。"),
    )  # fmt: skip
    files = MultipleFileField(label=_("其他文件"), required=False, help_text=_("PDF、Word 或 Excel。"))

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = people


class FollowUpForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("跟进事项"), max_length=300)
    owner = forms.ChoiceField(label=_("责任单位"), choices=FollowUpOwner.choices)
    deadline = forms.DateField(label=_("完成期限"), widget=DATE_WIDGET)


class CloseForm(VersionForm):
    note = forms.CharField(label=_("完成情况"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    done_on = forms.DateField(label=_("完成日期"), widget=DATE_WIDGET, required=False)


class RatingForm(VersionForm):
    year = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("评语"), required=False, widget=forms.Textarea(attrs=TEXTAREA), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in RUBRIC:
            self.fields[f"score_{criterion.key}"] = forms.DecimalField(
                label=f"{criterion.label}（{criterion.max_points}分）", min_value=0, max_value=criterion.max_points,
                decimal_places=1, widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
            )  # fmt: skip

    def scores(self) -> dict:
        return {c.key: self.cleaned_data.get(f"score_{c.key}") for c in RUBRIC}
