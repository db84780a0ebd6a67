"""Shapes of the analytics API: indicators, answers, drill-through rows and saved views (never saved here)."""

from __future__ import annotations

import decimal

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from analytics.models import Indicator, SavedView
from core.api import StrictInput


class IndicatorSerializer(serializers.ModelSerializer):
    task_label = serializers.CharField(source="get_task_display", read_only=True)
    migrant_scope_label = serializers.CharField(source="get_migrant_scope_display", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "code", "name", "short_name", "task", "task_label", "numerator", "denominator", "factor", "decimals",
            "unit", "migrant_scope", "migrant_scope_label", "scope", "description", "higher_is_better", "is_key",
            "is_active", "version",
        ]  # fmt: skip
        read_only_fields = fields


class FigureSerializer(serializers.Serializer):
    group = serializers.CharField()
    org_id = serializers.IntegerField(allow_null=True)
    org_code = serializers.CharField()
    org_name = serializers.CharField()
    period = serializers.CharField()
    period_label = serializers.CharField()
    option = serializers.CharField()
    option_label = serializers.CharField()
    numerator = serializers.DecimalField(max_digits=30, decimal_places=4, allow_null=True)
    denominator = serializers.DecimalField(max_digits=30, decimal_places=4, allow_null=True)
    value = serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)
    display = serializers.CharField()
    has_children = serializers.BooleanField()
    no_data = serializers.BooleanField()  # no accepted report collected the inputs: value null, not 0
    accepted = serializers.IntegerField(allow_null=True)  # organisations of the group with an accepted report
    due = serializers.IntegerField(allow_null=True)  # organisations due; null: rolled up from shorter periods
    coverage = serializers.CharField(source="coverage_label")  # 已验收 x/y 家, "" without due


def _decimal_text(places: int, max_digits: int = 30):
    """What serializers.DecimalField(max_digits, decimal_places=places) gives for a Decimal, without the
    per-value field machinery: the same quantization (precision, the context's rounding) and text."""
    exponent = decimal.Decimal(".1") ** places
    context = decimal.getcontext().copy()
    context.prec = max_digits

    def text(value: decimal.Decimal | None) -> str | None:
        return None if value is None else f"{value.quantize(exponent, context=context):f}"

    return text


_DECIMAL4 = _decimal_text(4)
_DECIMAL6 = _decimal_text(6)


@extend_schema_field(FigureSerializer(many=True))
class FiguresField(serializers.Field):
    """Figures as FigureSerializer(many=True) writes them, built directly: an answer holds hundreds of
    figures and the generic serializer costs more than the query behind them (read-only)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, figures) -> list[dict]:
        return [
            {
                "group": f.group,
                "org_id": f.org_id,
                "org_code": f.org_code,
                "org_name": f.org_name,
                "period": f.period,
                "period_label": f.period_label,
                "option": f.option,
                "option_label": f.option_label,
                "numerator": _DECIMAL4(f.numerator),
                "denominator": _DECIMAL4(f.denominator),
                "value": _DECIMAL6(f.value),
                "display": f.display,
                "has_children": bool(f.has_children),
                "no_data": bool(f.no_data),
                "accepted": f.accepted,
                "due": f.due,
                "coverage": f.coverage_label,
            }
            for f in figures
        ]


class CodeLabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class AnswerSerializer(serializers.Serializer):
    measure = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    decimals = serializers.IntegerField()
    is_rate = serializers.BooleanField()
    scope = serializers.CharField()
    source = serializers.CharField()
    root_id = serializers.IntegerField(allow_null=True)  # null: several subtrees (assigned enterprises)
    root_name = serializers.CharField()
    level = serializers.CharField(source="query.level")
    periods = serializers.SerializerMethodField()
    options = serializers.SerializerMethodField()
    rows = FiguresField()
    totals = FiguresField()
    as_of = serializers.DateTimeField(allow_null=True)
    as_of_label = serializers.CharField()
    engine = serializers.CharField()
    notes = serializers.ListField(child=serializers.CharField())

    def get_periods(self, answer) -> list[dict[str, str]]:
        return [{"code": code, "label": label} for code, label in answer.periods]

    def get_options(self, answer) -> list[dict[str, str]]:
        return [{"code": code, "label": label} for code, label in answer.options]


class ChangeSerializer(serializers.Serializer):
    group = serializers.CharField()
    org_name = serializers.CharField()
    option = serializers.CharField()
    period = serializers.CharField()
    base_period = serializers.CharField()
    value = serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)
    base_value = serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)
    change = serializers.DecimalField(max_digits=30, decimal_places=2, allow_null=True)
    display = serializers.CharField()


class ComparisonSerializer(serializers.Serializer):
    kind = serializers.CharField()
    baseline = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField()
    unit = serializers.CharField(help_text="百分点 (rates) or % (amounts)")
    changes = ChangeSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())


class QueryAnswerSerializer(AnswerSerializer):
    """The shape of analytics/query/ (documentation only): the answer, and its comparison when asked."""

    compare = ComparisonSerializer(allow_null=True, help_text="compare=yoy 或 baseline=<报告期> 时给出")


class DrillRowSerializer(serializers.Serializer):
    report_id = serializers.IntegerField()
    org_code = serializers.CharField()
    org_name = serializers.CharField()
    period = serializers.CharField()
    period_label = serializers.CharField()
    status = serializers.CharField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    values = serializers.DictField(child=serializers.DecimalField(max_digits=30, decimal_places=4, allow_null=True))
    numerator = serializers.DecimalField(max_digits=30, decimal_places=4, allow_null=True)
    denominator = serializers.DecimalField(max_digits=30, decimal_places=4, allow_null=True)
    value = serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)
    display = serializers.CharField()
    source = serializers.CharField(
        help_text=gettext_lazy("“历史数据导入”：由产改办或工会从往年统计表导入；空：在平台上填报")
    )


class DrillThroughSerializer(serializers.Serializer):
    measure = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    scope = serializers.CharField()
    period = serializers.CharField()
    period_label = serializers.CharField()
    references = serializers.ListField(child=serializers.CharField())
    rows = DrillRowSerializer(many=True)
    history_reports = serializers.IntegerField(help_text=gettext_lazy("其中来自历史数据导入的报表份数"))


class SavedViewSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    is_mine = serializers.SerializerMethodField()

    class Meta:
        model = SavedView
        fields = ["id", "name", "description", "shared", "kind", "query", "owner", "is_mine", "version", "updated_at"]
        read_only_fields = ["id", "owner", "is_mine", "version", "updated_at"]

    def get_is_mine(self, view) -> bool:
        request = self.context.get("request")
        return bool(request and view.owner_id == request.user.pk)


class SavedViewInput(StrictInput):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    shared = serializers.BooleanField(required=False, default=False)
    kind = serializers.CharField(max_length=20, required=False, default="pivot")
    query = serializers.JSONField()


class SavedViewUpdateInput(StrictInput):
    version = serializers.IntegerField(min_value=1, required=False)
    name = serializers.CharField(max_length=100, required=False)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    shared = serializers.BooleanField(required=False)
    query = serializers.JSONField(required=False)
