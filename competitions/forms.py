"""Forms of the competitions pages; they only parse input, the services (competitions/services/) check and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from competitions.choices import Award, CompetitionKind, CompetitionLevel, CompetitionStatus, OutcomeKind
from orgs.forms import DATE_WIDGET, BootstrapFormMixin
from orgs.pickers import OrgField
from talent.choices import Gender, SkillLevel

ALL = [("", _("全部"))]


class VersionForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class FilterForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[*ALL, *CompetitionKind.choices])
    level = forms.ChoiceField(label=_("级别"), required=False, choices=[*ALL, *CompetitionLevel.choices])
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[*ALL, *CompetitionStatus.choices])
    organiser = OrgField(purpose="view", label=_("主办单位"), required=False, help_text="")

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("全部年度")), *[(str(y), str(y)) for y in years]]


class CompetitionForm(VersionForm):
    name = forms.CharField(label=_("竞赛名称"), max_length=200, help_text=_("如：全省电力行业职业技能竞赛"))
    kind = forms.ChoiceField(label=_("类别"), choices=CompetitionKind.choices)
    level = forms.ChoiceField(label=_("级别"), choices=CompetitionLevel.choices)
    organiser = OrgField(purpose="entry", label=_("主办单位"))
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE_WIDGET)
    trades = forms.CharField(
        label=_("竞赛工种"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
        help_text=_("每行一个工种，如：变电检修工、配电线路工。"),
    )  # fmt: skip
    notes = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class StepForm(VersionForm):
    status = forms.ChoiceField(choices=CompetitionStatus.choices, widget=forms.HiddenInput)


class ReopenForm(VersionForm):
    reason = forms.CharField(label=_("重新开放的原因"), max_length=500)


class EntryForm(BootstrapFormMixin, forms.Form):
    trade = forms.TypedChoiceField(label=_("工种"), coerce=int)
    org = OrgField(purpose="view", label=_("参赛单位"))
    q = forms.CharField(label=_("在人才库中查找"), required=False, max_length=50,
                        help_text=_("输入姓名查找参赛单位及其下属单位的人员。"))  # fmt: skip
    person = forms.TypedChoiceField(label=_("人才库人员"), required=False, coerce=int, empty_value=None)
    name = forms.CharField(label=_("姓名（不在人才库的人员）"), required=False, max_length=50)

    def __init__(self, *args, trades=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trade"].choices = [(t.pk, t.name) for t in trades]
        self.fields["person"].choices = [
            ("", _("不在人才库，填写姓名")),
            *[(p.pk, f"{p.name}（{p.org.name}）") for p in people],
        ]


class ImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("报名表（.xlsx）"))


class ResultForm(VersionForm):
    score = forms.DecimalField(label=_("成绩"), required=False, max_digits=6, decimal_places=2, min_value=0)
    rank = forms.IntegerField(label=_("名次"), required=False, min_value=1, max_value=9999)
    award = forms.ChoiceField(label=_("奖项"), required=False, choices=[("", _("无")), *Award.choices])


class OutcomeForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("成果类别"), choices=OutcomeKind.choices)
    effective_on = forms.DateField(label=_("生效日期"), widget=DATE_WIDGET)
    skill_level = forms.ChoiceField(label=_("晋升至"), required=False, choices=[("", "—"), *SkillLevel.choices[1:]])
    title = forms.CharField(label=_("称号或荣誉名称"), required=False, max_length=100,
                            help_text=_("如：云南省技术能手。记入荣誉时可不填，按竞赛名称和奖项生成。"))  # fmt: skip
    pay_amount = forms.DecimalField(label=_("每月增加（元）"), required=False, max_digits=9, decimal_places=2)
    pay_percent = forms.DecimalField(label=_("增加比例（%）"), required=False, max_digits=5, decimal_places=2)
    notes = forms.CharField(label=_("备注"), required=False, max_length=200)


class PoolForm(VersionForm):
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
