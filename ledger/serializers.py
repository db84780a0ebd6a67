"""Shapes of the ledger API. Output serializers are read-only; inputs (`…Input`) only validate and refuse
any field they do not declare (core.api.StrictInput); the views hand validated data to ledger.services."""

from __future__ import annotations

from rest_framework import serializers

from core.api import StrictInput
from ledger.choices import Aspect
from ledger.models import WrittenReport, WrittenRound

# --- Nine-aspect written reports -----------------------------------------------------------------------------------


class WrittenRoundSerializer(serializers.ModelSerializer):
    """A round of written reports: metadata of the province, the same for everyone."""

    class Meta:
        model = WrittenRound
        fields = ["id", "code", "title", "period_start", "period_end", "due_on"]
        read_only_fields = fields


class WrittenReportSerializer(serializers.ModelSerializer):
    """A report as listed: its organisation, round and state."""

    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    round = serializers.IntegerField(source="round_id", read_only=True)
    round_code = serializers.CharField(source="round.code", read_only=True)
    # Plain text, not an enum: "status" enums of other apps would collide in the OpenAPI document.
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = WrittenReport
        fields = [
            "id", "org", "org_name", "round", "round_code", "status", "status_label", "version", "submitted_at",
            "first_submitted_at", "accepted_at",
        ]  # fmt: skip
        read_only_fields = fields


class FigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    text = serializers.CharField()
    has_data = serializers.BooleanField()


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField()


class WrittenSectionSerializer(serializers.Serializer):
    aspect = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField(help_text="已清洗的富文本（HTML 子集）")
    comment = serializers.CharField()
    return_reason = serializers.CharField()
    attachments = AttachmentSerializer(many=True)
    figures = FigureSerializer(many=True)


class WrittenReportDetailSerializer(WrittenReportSerializer):
    """A report with its nine sections, their figures, and the steps the caller may take now."""

    sections = WrittenSectionSerializer(many=True, source="api_sections", read_only=True)
    steps = serializers.ListField(child=serializers.CharField(), source="api_steps", read_only=True)
    figures_year = serializers.IntegerField(source="api_figures_year", read_only=True, allow_null=True)

    class Meta(WrittenReportSerializer.Meta):
        fields = [*WrittenReportSerializer.Meta.fields, "figures_year", "steps", "sections"]
        read_only_fields = fields


class WrittenStartInput(StrictInput):
    round = serializers.IntegerField(min_value=1)
    org = serializers.CharField(max_length=64)


class SectionInput(StrictInput):
    version = serializers.IntegerField(min_value=1)
    aspect = serializers.ChoiceField(choices=Aspect.choices)
    body = serializers.CharField(allow_blank=True, max_length=200_000, trim_whitespace=False)


class CommentInput(StrictInput):
    version = serializers.IntegerField(min_value=1)
    aspect = serializers.ChoiceField(choices=Aspect.choices)
    comment = serializers.CharField(allow_blank=True, max_length=2000)


class WrittenStepInput(StrictInput):
    version = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    section_reasons = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000),
        required=False,
        help_text="方面（1–9）→ 退回原因",
    )
    section_comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000),
        required=False,
        help_text="方面（1–9）→ 审核意见",
    )


class SubmissionRowSerializer(serializers.Serializer):
    """One organisation on the ledger and how its report for the round stands."""

    org = serializers.CharField()
    org_name = serializers.CharField()
    union = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    timing = serializers.CharField()
    timing_label = serializers.CharField()
    report = serializers.IntegerField(allow_null=True)
    first_submitted_at = serializers.DateTimeField(allow_null=True)
