"""Shapes of the policy library in the API (read-only; writes go through the services)."""

from __future__ import annotations

from rest_framework import serializers

from policies.choices import NotUsedReason
from policies.models import Measure, NoticeRecipient, UptakeLine, UptakeReport


class MeasureSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    status = serializers.CharField(read_only=True, help_text="draft 草稿 / published 已发布 / repealed 已废止")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    rules = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = [
            "id", "title", "issuer", "doc_number", "issued_on", "category", "category_label", "eligible_text",
            "benefits", "apply_steps", "apply_where", "apply_contact", "apply_deadline", "valid_from", "valid_to",
            "status", "status_label", "rules", "version",
        ]  # fmt: skip

    def get_rules(self, measure) -> list[str]:
        return [str(rule) for rule in measure.rules.all()]


class MeasureDetailSerializer(MeasureSerializer):
    class Meta(MeasureSerializer.Meta):
        fields = [*MeasureSerializer.Meta.fields, "body"]


class MeasureBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measure
        fields = [
            "id",
            "title",
            "doc_number",
            "benefits",
            "apply_steps",
            "apply_where",
            "apply_contact",
            "apply_deadline",
        ]


class UsedMeasureSerializer(serializers.Serializer):
    measure = MeasureBriefSerializer()
    year = serializers.IntegerField()


class EligibilitySerializer(serializers.Serializer):
    org = serializers.CharField(source="org.code")
    org_name = serializers.CharField(source="org.name")
    open = MeasureBriefSerializer(many=True, help_text="符合条件、尚未享受的政策")
    used = UsedMeasureSerializer(many=True, help_text="符合条件、已享受的政策")


class NoticeSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code")
    org_name = serializers.CharField(source="org.name")
    title = serializers.CharField(source="notice.title")
    message = serializers.CharField(source="notice.message")
    measure = serializers.IntegerField(source="notice.measure_id")
    sent_at = serializers.DateTimeField(source="notice.sent_at")

    class Meta:
        model = NoticeRecipient
        fields = ["id", "org", "org_name", "title", "message", "measure", "sent_at", "opened_at"]


class UptakeLineSerializer(serializers.ModelSerializer):
    measure_title = serializers.CharField(source="measure.title")

    class Meta:
        model = UptakeLine
        fields = ["measure", "measure_title", "used", "beneficiaries", "amount", "reason", "reason_text"]


class UptakeReportSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code")
    org_name = serializers.CharField(source="org.name")
    year = serializers.IntegerField(source="round.year")
    due_on = serializers.DateField(source="round.due_on")
    status = serializers.CharField(read_only=True, help_text="draft 未提交 / submitted 已提交")

    class Meta:
        model = UptakeReport
        fields = ["id", "org", "org_name", "year", "due_on", "status", "submitted_at", "version"]


class UptakeReportDetailSerializer(UptakeReportSerializer):
    lines = UptakeLineSerializer(many=True)

    class Meta(UptakeReportSerializer.Meta):
        fields = [*UptakeReportSerializer.Meta.fields, "lines"]


class AnswerInput(serializers.Serializer):
    measure = serializers.IntegerField()
    used = serializers.BooleanField(allow_null=True)
    beneficiaries = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0)
    reason = serializers.ChoiceField(choices=NotUsedReason.choices, required=False, allow_blank=True)
    reason_text = serializers.CharField(required=False, allow_blank=True, max_length=500)


class UptakeSaveInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=0)
    submit = serializers.BooleanField(default=False)
    answers = AnswerInput(many=True)
