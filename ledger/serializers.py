"""Shapes of the ledger's JSON (/api/v1/ledger/…). Serializers shape data; they never save it."""

from __future__ import annotations

from rest_framework import serializers

# --- Roadmap, the province's task view and the summaries (roadmap part) ------------------------------------


class TaskProgressSerializer(serializers.Serializer):
    """Where a quantified task stands on the straight path from its baseline to its target (ledger.progress).

    `share` and `expected_share` are fractions of the path (1 = the target); `behind_by` is in percentage
    points of the path (negative: ahead). null means "no figure yet", never 0.
    """

    quantified = serializers.BooleanField()
    baseline = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    target = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    path_start = serializers.DateField()
    path_end = serializers.DateField()
    latest_value = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    latest_label = serializers.CharField(allow_null=True)
    latest_on = serializers.DateField(allow_null=True)
    share = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    expected_share = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    behind_by = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    expected_today = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    text = serializers.CharField(allow_blank=True)


class TaskListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    org_code = serializers.CharField()
    org_name = serializers.CharField()
    union = serializers.CharField(allow_blank=True)
    key_task = serializers.CharField()
    key_task_label = serializers.CharField()
    title = serializers.CharField()
    owner_name = serializers.CharField()
    owner_unit = serializers.CharField(allow_blank=True)
    starts_on = serializers.DateField()
    deadline = serializers.DateField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    overdue = serializers.BooleanField()
    target_kind = serializers.CharField()
    target_kind_label = serializers.CharField()
    indicator = serializers.CharField(allow_null=True)
    target_year = serializers.IntegerField(allow_null=True)
    result_text = serializers.CharField(allow_blank=True)
    result_unit = serializers.CharField(allow_blank=True)
    roadmap_url = serializers.CharField()
    progress = TaskProgressSerializer()


class AdoptionYearSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="改革年度（0：改革启动前）")
    label = serializers.CharField()
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    plans = serializers.IntegerField()
    plans_total = serializers.IntegerField()
    groups = serializers.IntegerField()
    groups_total = serializers.IntegerField()


class AdoptionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    orgs = serializers.IntegerField()
    plans_none = serializers.IntegerField()
    groups_none = serializers.IntegerField()
    years = AdoptionYearSerializer(many=True, source="rows")


class ShareRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_blank=True)
    label = serializers.CharField()
    tasks = serializers.IntegerField()
    quantified = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True, help_text="百分比")


class CoverageRowSerializer(serializers.Serializer):
    kind = serializers.CharField(allow_blank=True)
    label = serializers.CharField()
    orgs = serializers.IntegerField()
    info = serializers.IntegerField()
    liaison = serializers.IntegerField()
    both = serializers.IntegerField()
    both_share = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)


class AlertKindSeriesSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    counts = serializers.ListField(child=serializers.IntegerField())


class AlertSeriesSerializer(serializers.Serializer):
    months = serializers.ListField(child=serializers.CharField(), source="labels")
    kinds = serializers.SerializerMethodField()

    def get_kinds(self, series) -> list[dict]:
        return AlertKindSeriesSerializer(
            [{"kind": kind, "label": label, "counts": counts} for kind, label, counts in series.kinds], many=True
        ).data


class SummarySerializer(serializers.Serializer):
    today = serializers.DateField()
    reform_start = serializers.DateField(source="settings.reform_start")
    unions = AdoptionSerializer()
    enterprises = AdoptionSerializer()
    quantified_by_key_task = ShareRowSerializer(many=True, source="by_key_task")
    quantified_by_union = ShareRowSerializer(many=True, source="by_union")
    officer_coverage = CoverageRowSerializer(many=True, source="coverage")
    alerts_by_month = AlertSeriesSerializer(source="alerts")
