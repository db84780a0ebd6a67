"""Shapes of the ledger API. Output serializers are read-only; inputs (`…Input`) only validate and refuse
any field they do not declare (core.api.StrictInput); the views hand validated data to ledger.services.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from core import pii
from core.api import StrictInput
from ledger.choices import Aspect, GroupRole, OfficerKind
from ledger.models import GroupMember, Ledger, Officer, TaskUpdate, WrittenReport, WrittenRound

# --- Ledgers, members, officers, updates -------------------------------------------------------------------


class LedgerSerializer(serializers.ModelSerializer):
    org_code = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    plan_reform_year = serializers.SerializerMethodField()

    class Meta:
        model = Ledger
        fields = [
            "id", "org_code", "org_name", "listed_on", "plan_issued_on", "plan_reform_year", "plan_title",
            "plan_issuer", "plan_doc_number", "group_established_on", "group_doc_number", "method_issued_on",
            "method_title", "method_doc_number", "notes", "version", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_plan_reform_year(self, ledger) -> int | None:
        return self.context["settings"].reform_year(ledger.plan_issued_on)


class LedgerInput(StrictInput):
    """PATCH /ledger/ledgers/{code}/: any of these fields, with the version the caller read."""

    version = serializers.IntegerField(min_value=1)
    plan_issued_on = serializers.DateField(required=False, allow_null=True)
    plan_title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    plan_issuer = serializers.CharField(required=False, allow_blank=True, max_length=200)
    plan_doc_number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    group_established_on = serializers.DateField(required=False, allow_null=True)
    group_doc_number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    method_issued_on = serializers.DateField(required=False, allow_null=True)
    method_title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    method_doc_number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class LedgerCreateInput(StrictInput):
    org = serializers.CharField(max_length=64, help_text=_("机构代码"))


class MemberSerializer(serializers.ModelSerializer):
    org_code = serializers.CharField(source="ledger.org.code", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = GroupMember
        fields = ["id", "org_code", "name", "position", "role", "role_label", "joined_on", "left_on", "user"]
        read_only_fields = fields


class MemberInput(StrictInput):
    org = serializers.CharField(max_length=64, help_text=_("机构代码"))
    name = serializers.CharField(max_length=100)
    position = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=GroupRole.choices)
    joined_on = serializers.DateField()
    user = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class EndInput(StrictInput):
    left_on = serializers.DateField()


class OfficerSerializer(serializers.ModelSerializer):
    """An officer with the contact details masked (the full ones only through the audited `reveal`)."""

    org_code = serializers.CharField(source="ledger.org.code", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    phone = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()

    class Meta:
        model = Officer
        fields = ["id", "org_code", "kind", "kind_label", "name", "position", "phone", "email", "started_on",
                  "left_on", "user"]  # fmt: skip
        read_only_fields = fields

    def get_phone(self, officer) -> str:
        return pii.shown(officer, "phone")

    def get_email(self, officer) -> str:
        return pii.shown(officer, "email")


class OfficerInput(StrictInput):
    org = serializers.CharField(max_length=64, help_text=_("机构代码"))
    kind = serializers.ChoiceField(choices=OfficerKind.choices)
    name = serializers.CharField(max_length=100)
    position = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    started_on = serializers.DateField()
    user = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class ContactSerializer(serializers.Serializer):
    phone = serializers.CharField()
    email = serializers.CharField()


class UpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskUpdate
        fields = ["id", "task", "on", "value", "note", "document", "by", "created_at"]
        read_only_fields = fields


class UpdateInput(StrictInput):
    task = serializers.IntegerField(min_value=1)
    on = serializers.DateField()
    note = serializers.CharField(max_length=5000)
    value = serializers.DecimalField(max_digits=20, decimal_places=4, required=False, allow_null=True)


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


@extend_schema_serializer(component_name="WrittenFigure")  # analytics has its own "Figure"
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


class SubmissionsSerializer(serializers.Serializer):
    """The round shown (null when there is none yet), the counts by status and the rows."""

    round = WrittenRoundSerializer(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField())
    results = SubmissionRowSerializer(many=True)


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


# --- Alerts and timeline ---


class AlertSerializer(serializers.Serializer):
    """One alert as the list shows it: organisation, kind, reason, evidence, since, days open."""

    id = serializers.IntegerField(source="alert.pk")
    org = serializers.CharField(source="alert.org.code")
    org_name = serializers.CharField(source="alert.org.name")
    union = serializers.CharField()
    prefecture = serializers.CharField()
    # Plain text, not an enum: "kind" enums of other apps would collide in the OpenAPI document.
    kind = serializers.CharField(source="alert.kind")
    kind_label = serializers.CharField(source="alert.get_kind_display")
    subject = serializers.CharField(source="alert.subject")
    reason = serializers.CharField(source="alert.reason")
    evidence = serializers.JSONField(source="alert.evidence")
    since = serializers.DateField(source="alert.since")
    raised_on = serializers.DateField(source="alert.raised_on")
    cleared_on = serializers.DateField(source="alert.cleared_on", allow_null=True)
    checked_on = serializers.DateField(source="alert.checked_on")
    days_open = serializers.IntegerField()


class TimelineEventSerializer(serializers.Serializer):
    """One dated event of an organisation's timeline."""

    on = serializers.DateField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    detail = serializers.CharField()
    url = serializers.CharField()
    activity = serializers.BooleanField()
