"""Filters shared by the reporting pages and the JSON API.

Querysets handed to these filters are already scoped (`Report.objects.visible_to(...)`); an
organisation named in a filter is looked up in the same scope, so naming one outside it finds
nothing rather than revealing that it exists.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import IntegerFilter
from orgs import scoping
from orgs.choices import Action
from orgs.models import Organisation
from reporting.choices import Aggregation, MigrantScope, ReportStatus, ValueType
from reporting.models import CategoryCombo, DataElement, DataSetVersion, Period, Report


class DataElementFilter(django_filters.FilterSet):
    """The data element list: text (code, name, short name, description), type, aggregation, scope, combo."""

    q = django_filters.CharFilter(
        label=_("搜索"),
        method="filter_text",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("代码、名称或说明"), "autocomplete": "off"}),
    )
    value_type = django_filters.ChoiceFilter(label=_("数值类型"), choices=ValueType.choices, empty_label=_("全部类型"))
    aggregation = django_filters.ChoiceFilter(
        label=_("汇总方式"), choices=Aggregation.choices, empty_label=_("全部汇总方式")
    )
    migrant_scope = django_filters.ChoiceFilter(
        label=_("农民工口径"), choices=MigrantScope.choices, empty_label=_("全部口径")
    )
    category_combo = django_filters.ModelChoiceFilter(
        label=_("分类组合"), queryset=CategoryCombo.objects.order_by("-is_default", "code"), empty_label=_("全部")
    )
    is_active = django_filters.BooleanFilter(
        label=_("状态"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("启用")), ("false", _("停用"))]),
    )

    class Meta:
        model = DataElement
        fields = ["q", "value_type", "aggregation", "migrant_scope", "category_combo", "is_active"]

    def filter_text(self, queryset, name, value):
        text = (value or "").strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(code__icontains=text)
            | Q(name__icontains=text)
            | Q(short_name__icontains=text)
            | Q(description__icontains=text)
        )


class DataSetVersionFilter(django_filters.FilterSet):
    dataset = django_filters.CharFilter(label=_("报表代码"), field_name="dataset__code")
    published = django_filters.BooleanFilter(
        label=_("已发布"), field_name="published_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = DataSetVersion
        fields = ["dataset", "published"]


class PeriodFilter(django_filters.FilterSet):
    period_type = django_filters.CharFilter(label=_("报告期类型"))
    year = IntegerFilter(label=_("年份"), field_name="start__year", min_value=1949, max_value=2200)

    class Meta:
        model = Period
        fields = ["period_type", "year"]


class ReportFilter(django_filters.FilterSet):
    """Reports by data set, period, status and organisation (`org`: that one; `within`: its whole subtree)."""

    dataset = django_filters.CharFilter(label=_("报表代码"), field_name="dataset__code")
    period = django_filters.CharFilter(label=_("报告期代码"), field_name="period__code", method="filter_period")
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=ReportStatus.choices)
    org = django_filters.CharFilter(label=_("机构代码"), method="filter_org")
    within = django_filters.CharFilter(label=_("机构代码（含全部下级）"), method="filter_within")

    class Meta:
        model = Report
        fields = ["dataset", "period", "status", "org", "within"]

    def filter_period(self, queryset, name, value):
        return queryset.filter(period__code=(value or "").strip().upper())

    def _scoped_org(self, code: str) -> Organisation | None:
        user = getattr(self.request, "user", None)
        return Organisation.objects.visible_to(user, Action.VIEW).filter(code=(code or "").strip()).first()

    def filter_org(self, queryset, name, value):
        org = self._scoped_org(value)
        return queryset.none() if org is None else queryset.filter(org=org)

    def filter_within(self, queryset, name, value):
        org = self._scoped_org(value)
        return queryset.none() if org is None else queryset.filter(scoping.within("org__path", [org], queryset.db))


def style_form(form) -> None:
    """Give a filter form's widgets Bootstrap's small classes (filters are rendered field by field)."""
    for field in form.fields.values():
        widget = field.widget
        if "class" in widget.attrs:
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select form-select-sm"
        else:
            widget.attrs["class"] = "form-control form-control-sm"
