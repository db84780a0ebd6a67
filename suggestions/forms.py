"""Forms of the suggestion pages; they only parse input, the services (suggestions/services.py) check and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.forms import DATE_WIDGET, BootstrapFormMixin
from orgs.pickers import OrgField, bind_user
from suggestions.choices import SuggestionKind, SuggestionStatus

PROPOSER_ROWS = 3


class SuggestionFilterForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部类别")), *SuggestionKind.choices])
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *SuggestionStatus.choices]
    )
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    org = OrgField(purpose="data", label=_("单位"), required=False, help_text="")
    campaign = forms.TypedChoiceField(label=_("活动"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, user, years: list[int], campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("全部年度"))] + [(y, _("%(y)d年") % {"y": y}) for y in years]
        self.fields["campaign"].choices = [("", _("全部活动"))] + [(c.pk, c.name) for c in campaigns]
        self.campaigns = {c.pk: c for c in campaigns}
        bind_user(self, user)

    def filters(self) -> dict:
        """The list's filters from valid input (invalid ones are dropped)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "kind": data.get("kind") or "",
            "status": data.get("status") or "",
            "year": data.get("year"),
            "org": data.get("org"),
            "campaign": self.campaigns.get(data.get("campaign")),
        }


class SuggestionForm(BootstrapFormMixin, forms.Form):
    """A suggestion and its proposers; the organisation only when it is entered."""

    org = OrgField(
        purpose="entry",
        label=_("建议人所在单位"),
        help_text=_("输入企业或基层单位的名称、简称或拼音首字母，从列表中选择。"),
    )
    kind = forms.ChoiceField(label=_("类别"), choices=SuggestionKind.choices)
    title = forms.CharField(label=_("名称"), max_length=200)
    content = forms.CharField(
        label=_("主要内容"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("现状和问题、建议的做法、预期效果。"),
    )
    campaign = forms.TypedChoiceField(label=_("所属活动"), required=False, coerce=int, empty_value=None)
    submitted_on = forms.DateField(label=_("提出日期"), widget=DATE_WIDGET)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, user, campaigns, people, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.campaigns = {c.pk: c for c in campaigns}
        self.fields["campaign"].choices = [("", _("不属于任何活动"))] + [(c.pk, c.name) for c in campaigns]
        self.people = {p.pk: p for p in people}
        for n in range(1, PROPOSER_ROWS + 1):
            self.fields[f"name_{n}"] = forms.CharField(label=_("姓名"), max_length=50, required=False)
            self.fields[f"occupation_{n}"] = forms.CharField(label=_("职业（工种）"), max_length=100, required=False)
            self.fields[f"person_{n}"] = forms.TypedChoiceField(
                label=_("人才库人员（可不选）"),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", _("不关联"))]
                + [(p.pk, f"{p.name} · {p.occupation} · {p.org.display_name}") for p in people],
            )
        if editing:
            del self.fields["org"]
        bind_user(self, user)
        self.style_fields()

    def proposer_rows(self) -> list[tuple]:
        return [(self[f"name_{n}"], self[f"occupation_{n}"], self[f"person_{n}"]) for n in range(1, PROPOSER_ROWS + 1)]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        proposers = [
            {
                "name": data.get(f"name_{n}", ""),
                "occupation": data.get(f"occupation_{n}", ""),
                "person": self.people.get(data.get(f"person_{n}")),
            }
            for n in range(1, PROPOSER_ROWS + 1)
        ]
        return {
            "kind": data["kind"],
            "title": data["title"],
            "content": data["content"],
            "campaign": self.campaigns.get(data.get("campaign")),
            "submitted_on": data["submitted_on"],
            "proposers": proposers,
        }


class StepForm(forms.Form):
    """A step's input as text; the service checks each value and names the field it refuses."""

    step = forms.CharField(max_length=20)
    version = forms.IntegerField(min_value=1)
    reason = forms.CharField(max_length=1000, required=False)
    note = forms.CharField(max_length=1000, required=False)
    implemented_on = forms.CharField(max_length=20, required=False)
    value = forms.CharField(max_length=40, required=False)
    value_basis = forms.CharField(max_length=5000, required=False)
    reward_amount = forms.CharField(max_length=40, required=False)
    reward_form = forms.CharField(max_length=200, required=False)
    rewarded_on = forms.CharField(max_length=20, required=False)


class CampaignForm(BootstrapFormMixin, forms.Form):
    organiser = OrgField(
        purpose="entry",
        label=_("主办单位"),
        help_text=_("开展活动的工会：输入名称、简称或拼音首字母，从列表中选择。"),
    )
    name = forms.CharField(label=_("活动名称"), max_length=200)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE_WIDGET)
    kinds = forms.MultipleChoiceField(
        label=_("征集类别"),
        choices=SuggestionKind.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    description = forms.CharField(label=_("活动说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["organiser"]
        bind_user(self, user)

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("organiser", None)
        return data


class StatsForm(BootstrapFormMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    org = OrgField(purpose="data", label=_("单位"), required=False, help_text="")

    def __init__(self, *args, user, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, _("%(y)d年") % {"y": y}) for y in years]
        bind_user(self, user)
