"""Shapes of data sets, versions, periods, reports, values and completeness in the JSON API.

Output serializers are read-only; input serializers (`…Input`) only validate and refuse any field
they do not declare (core.api.StrictInput), so a client cannot slip `status` or `org` into a save.
Nothing here writes: the views hand validated data to reporting.services.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import StrictInput
from orgs.serializers import OrgRefSerializer
from reporting.models import DataSet, DataSetVersion, Period, Report

# --- Metadata -------------------------------------------------------------------------------------------


class VersionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = DataSetVersion
        fields = ["id", "number", "note", "published_at"]
        read_only_fields = fields


class DataSetSerializer(serializers.ModelSerializer):
    """A data set with its deadline rule; `current_version` is the number new reports are filled against."""

    period_type_label = serializers.CharField(source="get_period_type_display", read_only=True)
    versions = serializers.SerializerMethodField()
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = DataSet
        fields = [
            "code",
            "name",
            "short_name",
            "period_type",
            "period_type_label",
            "description",
            "assigned_kinds",
            "open_offset_days",
            "deadline_days",
            "grace_days",
            "is_active",
            "current_version",
            "versions",
        ]
        read_only_fields = fields

    @extend_schema_field(VersionRefSerializer(many=True))
    def get_versions(self, dataset: DataSet) -> list[dict]:
        return VersionRefSerializer(dataset.api_versions, many=True).data

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_current_version(self, dataset: DataSet) -> int | None:
        published = [v.number for v in dataset.api_versions if v.published_at is not None]
        return max(published) if published else None


class CellSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class LayoutElementSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    value_type = serializers.CharField(read_only=True)
    unit = serializers.CharField(read_only=True)
    aggregation = serializers.CharField(read_only=True)
    category_combo = serializers.CharField(read_only=True)
    required = serializers.BooleanField(read_only=True)
    min_value = serializers.DecimalField(max_digits=20, decimal_places=4, read_only=True, allow_null=True)
    max_value = serializers.DecimalField(max_digits=20, decimal_places=4, read_only=True, allow_null=True)
    help_text = serializers.CharField(read_only=True)
    cells = CellSerializer(many=True, read_only=True)


class LayoutSectionSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    elements = LayoutElementSerializer(many=True, read_only=True)


class RuleSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    left = serializers.CharField(read_only=True)
    operator = serializers.CharField(read_only=True)
    right = serializers.CharField(read_only=True)
    importance = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)
    missing_value_strategy = serializers.CharField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    is_generated = serializers.BooleanField(read_only=True)


class DataSetVersionSerializer(serializers.ModelSerializer):
    """A version and, in detail, its form: sections, elements with their cells, and its rules."""

    dataset = serializers.CharField(source="dataset.code", read_only=True)
    is_published = serializers.BooleanField(read_only=True)

    class Meta:
        model = DataSetVersion
        fields = ["id", "dataset", "number", "note", "is_published", "created_at", "published_at"]
        read_only_fields = fields


class DataSetVersionDetailSerializer(DataSetVersionSerializer):
    sections = LayoutSectionSerializer(many=True, read_only=True, source="api_sections")
    rules = RuleSerializer(many=True, read_only=True, source="api_rules")

    class Meta(DataSetVersionSerializer.Meta):
        fields = [*DataSetVersionSerializer.Meta.fields, "sections", "rules"]
        read_only_fields = fields


class PeriodSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Period
        fields = ["code", "period_type", "start", "end", "label"]
        read_only_fields = fields


# --- Reports --------------------------------------------------------------------------------------------


class ReportSerializer(serializers.ModelSerializer):
    """One organisation's report for a data set and period, with its workflow state and version."""

    org = OrgRefSerializer(read_only=True)
    dataset = serializers.CharField(source="dataset.code", read_only=True)
    dataset_version = serializers.IntegerField(source="dataset_version.number", read_only=True)
    period = serializers.CharField(source="period.code", read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "org",
            "dataset",
            "dataset_version",
            "period",
            "period_label",
            "status",
            "status_label",
            "version",
            "first_submitted_at",
            "submitted_at",
            "on_behalf_of",
            "approved_at",
            "accepted_at",
            "locked_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ValueSerializer(serializers.Serializer):
    """One filled cell: (element, option) address, canonical text, number (for numeric types) and comment."""

    element = serializers.CharField(read_only=True)
    option = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    value = serializers.CharField(read_only=True)
    number = serializers.DecimalField(max_digits=20, decimal_places=4, read_only=True, allow_null=True)
    comment = serializers.CharField(read_only=True)
    changed_in = serializers.IntegerField(read_only=True)


class ReturnSerializer(serializers.Serializer):
    section = serializers.CharField(read_only=True, allow_null=True)
    element = serializers.CharField(read_only=True, allow_null=True)
    option = serializers.CharField(read_only=True, allow_null=True)
    reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class ReportDetailSerializer(ReportSerializer):
    values = ValueSerializer(many=True, read_only=True, source="api_values")
    open_returns = ReturnSerializer(many=True, read_only=True, source="api_returns")

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "values", "open_returns"]
        read_only_fields = fields


class ProblemSerializer(serializers.Serializer):
    """Why one value was refused (the same wording as the page and the Excel import)."""

    element = serializers.CharField(read_only=True)
    option = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    value = serializers.CharField(read_only=True, allow_null=True)
    message = serializers.CharField(read_only=True)


# --- Input ----------------------------------------------------------------------------------------------------


class ReportOpenInput(StrictInput):
    org = serializers.CharField(label=_("机构代码"), max_length=64)
    dataset = serializers.CharField(label=_("报表代码"), max_length=64)
    period = serializers.CharField(label=_("报告期代码"), max_length=10)


class CellInput(StrictInput):
    element = serializers.CharField(label=_("数据元代码"), max_length=64)
    option = serializers.CharField(label=_("分类选项键"), max_length=300, required=False, allow_blank=True, default="")
    value = serializers.CharField(
        label=_("值"), max_length=100000, required=False, allow_blank=True, allow_null=True, trim_whitespace=False
    )


class ValuesInput(StrictInput):
    """The cells to save, all or nothing; `""` or null clears a cell."""

    version = serializers.IntegerField(label=_("版本号"), min_value=1, required=False)
    values = CellInput(many=True, label=_("数值"), allow_empty=False, max_length=20000)

    def validate_values(self, cells):
        seen = set()
        for cell in cells:
            key = (cell["element"], cell.get("option", ""))
            if key in seen:
                raise serializers.ValidationError(_("单元格 %(cell)s 重复出现。") % {"cell": f"{key[0]}[{key[1]}]"})
            seen.add(key)
        return cells


class VersionInput(StrictInput):
    version = serializers.IntegerField(label=_("版本号"), min_value=1, required=False)


class SubmitInput(VersionInput):
    explanations = serializers.DictField(
        label=_("警告说明（规则代码 → 说明）"), child=serializers.CharField(max_length=1000), required=False
    )


class ReasonInput(VersionInput):
    reason = serializers.CharField(label=_("原因"), max_length=1000)


class CellRefInput(StrictInput):
    element = serializers.CharField(label=_("数据元代码"), max_length=64)
    option = serializers.CharField(label=_("分类选项键"), max_length=300, required=False, allow_blank=True, default="")


class ReturnInput(ReasonInput):
    section = serializers.CharField(label=_("分区代码"), max_length=64, required=False, allow_blank=True)
    cells = CellRefInput(many=True, label=_("退回的单元格"), required=False)


# --- Completeness -----------------------------------------------------------------------------------------------


class GroupSummarySerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    expected = serializers.IntegerField(read_only=True)
    on_time = serializers.IntegerField(read_only=True)
    late = serializers.IntegerField(read_only=True)
    missing = serializers.IntegerField(read_only=True)
    pending = serializers.IntegerField(read_only=True)
    reported = serializers.IntegerField(read_only=True)
    share = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True)
    on_time_share = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True)


class DueRowSerializer(serializers.Serializer):
    org = OrgRefSerializer(read_only=True)
    union = serializers.CharField(read_only=True)
    prefecture = serializers.CharField(read_only=True)
    report = serializers.IntegerField(read_only=True, allow_null=True)
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(read_only=True)
    timeliness = serializers.CharField(read_only=True)
    deadline = serializers.DateField(read_only=True)
    first_submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)


class CompletenessSerializer(serializers.Serializer):
    dataset = serializers.CharField(read_only=True)
    period = serializers.CharField(read_only=True)
    regular_deadline = serializers.DateField(read_only=True)
    total = GroupSummarySerializer(read_only=True)
    by_union = GroupSummarySerializer(many=True, read_only=True)
    by_prefecture = GroupSummarySerializer(many=True, read_only=True)
    rows = DueRowSerializer(many=True, read_only=True)


# --- Import (CSV / JSON) -----------------------------------------------------------------------------------------


class ImportCellInput(serializers.Serializer):
    element = serializers.CharField(label=_("数据元代码"))
    option = serializers.CharField(label=_("分类选项键"), required=False, allow_blank=True)
    value = serializers.JSONField(label=_("值（数字、文字、true/false；空或 null 清空）"), required=False)


class ImportJsonInput(serializers.Serializer):
    """The JSON form of an import (for the OpenAPI document; the body is read by reporting.excel.tabular)."""

    values = ImportCellInput(many=True, label=_("数值"))
    version = serializers.IntegerField(label=_("版本号"), required=False, min_value=1)
    dry_run = serializers.BooleanField(label=_("只检查不导入"), required=False)


class ImportChangeSerializer(serializers.Serializer):
    element = serializers.CharField(read_only=True)
    option = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    row = serializers.IntegerField(read_only=True, allow_null=True)
    old = serializers.CharField(read_only=True)
    new = serializers.CharField(read_only=True)


class ImportProblemSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    row = serializers.IntegerField(read_only=True, allow_null=True)
    column = serializers.CharField(read_only=True)
    field = serializers.CharField(read_only=True)
    value = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)
    fix = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True)


class ImportResultSerializer(serializers.Serializer):
    """The plan of a dry run, or what an import wrote."""

    dry_run = serializers.BooleanField(read_only=True)
    applied = serializers.BooleanField(read_only=True)
    report = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    changes = ImportChangeSerializer(many=True, read_only=True)
    unchanged = serializers.IntegerField(read_only=True)
    rule_errors = serializers.ListField(child=serializers.CharField(), read_only=True)
    rule_warnings = serializers.ListField(child=serializers.CharField(), read_only=True)
    notes = serializers.DictField(child=serializers.IntegerField(), read_only=True)


class ImportRefusalSerializer(serializers.Serializer):
    """A refused import (nothing written): `detail`, and every problem found in the content; a refused
    parameter comes as the API's usual {"detail", "errors"} instead."""

    detail = serializers.CharField(read_only=True)
    # Not read-only: the OpenAPI document would call it required, and the usual error shape has none.
    problems = ImportProblemSerializer(many=True, required=False)
