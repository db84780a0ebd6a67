"""Shapes of the studios API. Output serializers are read-only (people by id and name only, never an ID number or
phone); inputs (`…Input`) only validate and refuse any field they do not declare (core.api.StrictInput); the views
hand validated data to studios.services."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from core.api import StrictInput
from studios.choices import RUBRIC, MemberRole, ResultKind, StudioKind, StudioLevel
from studios.models import Alliance, AllianceActivity, Studio, StudioNaming, StudioResult, StudioReview

MAX_ID = 2**53
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class _Person(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class StudioNamingSerializer(serializers.ModelSerializer):
    level = serializers.CharField(read_only=True)

    class Meta:
        model = StudioNaming
        fields = ["level", "named_on", "named_by", "document"]
        read_only_fields = fields


class StudioSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    level = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    org_code = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    leader = _Person(read_only=True)
    namings = StudioNamingSerializer(many=True, read_only=True)

    class Meta:
        model = Studio
        fields = ["id", "name", "kind", "kind_label", "level", "level_label", "named_on", "org_code", "org_name",
                  "leader", "location", "topics", "status", "status_label", "revoked_on", "revoke_reason", "namings",
                  "version"]  # fmt: skip
        read_only_fields = fields


class StudioCreateInput(StrictInput):
    org = serializers.CharField(max_length=64, help_text="所属单位的机构代码")
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=StudioKind.choices)
    level = serializers.ChoiceField(choices=StudioLevel.choices)
    named_on = serializers.DateField()
    leader = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="人才库人员编号")
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    topics = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    named_by = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    document = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class StudioUpdateInput(StrictInput):
    version = serializers.IntegerField(min_value=0, max_value=MAX_ID, required=False)
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=StudioKind.choices)
    leader = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    topics = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class StudioNameInput(StrictInput):
    version = serializers.IntegerField(min_value=0, max_value=MAX_ID, required=False)
    level = serializers.ChoiceField(choices=StudioLevel.choices)
    named_on = serializers.DateField()
    named_by = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    document = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class StudioRevokeInput(StrictInput):
    version = serializers.IntegerField(min_value=0, max_value=MAX_ID, required=False)
    on = serializers.DateField()
    reason = serializers.CharField(max_length=500, allow_blank=True)


class StudioMemberInput(StrictInput):
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    role = serializers.ChoiceField(choices=MemberRole.choices, default=MemberRole.MEMBER)
    joined_on = serializers.DateField()


class StudioResultSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    studio_name = serializers.CharField(source="studio.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    credited = _Person(many=True, read_only=True)

    class Meta:
        model = StudioResult
        fields = ["id", "studio", "studio_name", "kind", "kind_label", "title", "achieved_on", "reference", "value",
                  "description", "credited", "version"]  # fmt: skip
        read_only_fields = fields


class StudioResultInput(StrictInput):
    studio = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    version = serializers.IntegerField(min_value=0, max_value=MAX_ID, required=False)
    kind = serializers.ChoiceField(choices=ResultKind.choices)
    title = serializers.CharField(max_length=200)
    achieved_on = serializers.DateField()
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    value = serializers.DecimalField(required=False, allow_null=True, default=None, **MONEY)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    credited = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=100
    )


class AllianceActivitySerializer(serializers.ModelSerializer):
    class Meta:
        model = AllianceActivity
        fields = ["held_on", "title", "description"]
        read_only_fields = fields


class AllianceSerializer(serializers.ModelSerializer):
    lead_name = serializers.CharField(source="lead.name", read_only=True)
    studios = serializers.SerializerMethodField()
    activities = AllianceActivitySerializer(many=True, read_only=True)

    class Meta:
        model = Alliance
        fields = ["id", "name", "founded_on", "lead", "lead_name", "studios", "description", "activities", "version"]
        read_only_fields = fields

    def get_studios(self, obj) -> list[dict]:
        return [{"id": s.pk, "name": s.name, "org_name": s.org.name} for s in obj.studios.all()]


class AllianceInput(StrictInput):
    name = serializers.CharField(max_length=100)
    founded_on = serializers.DateField()
    lead = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    studios = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, default=list, max_length=200
    )
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class AllianceActivityInput(StrictInput):
    held_on = serializers.DateField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class StudioReviewSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    grade = serializers.CharField(
        read_only=True, help_text="excellent 优秀 / good 良好 / pass 合格 / fail 不合格；未评定为空"
    )
    studio_name = serializers.CharField(source="studio.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    grade_label = serializers.CharField(source="get_grade_display", read_only=True)

    class Meta:
        model = StudioReview
        fields = ["id", "studio", "studio_name", "year", "status", "status_label", "summary", "scores", "total",
                  "grade", "grade_label", "comment", "reason", "submitted_at", "rated_at", "version"]  # fmt: skip
        read_only_fields = fields


class StudioReviewCreateInput(StrictInput):
    studio = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    year = serializers.IntegerField(min_value=1990, max_value=2100)


class StudioReviewSummaryInput(StrictInput):
    version = serializers.IntegerField(min_value=0, max_value=MAX_ID, required=False)
    summary = serializers.CharField(max_length=10000, allow_blank=True)


class StudioReviewStepInput(StrictInput):
    version = serializers.IntegerField(min_value=0, max_value=MAX_ID, required=False)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class StudioReviewRateInput(StrictInput):
    version = serializers.IntegerField(min_value=0, max_value=MAX_ID, required=False)
    scores = serializers.DictField(child=serializers.DecimalField(max_digits=4, decimal_places=1))
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate_scores(self, value):
        keys = {c.key for c in RUBRIC}
        unknown = sorted(set(value) - keys)
        if unknown:
            raise serializers.ValidationError(_("未知的评分项：%(keys)s") % {"keys": "、".join(unknown)})
        return value
