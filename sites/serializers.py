"""Shapes of the sites API. Output serializers are read-only (contacts masked); inputs (`…Input`) only validate
and refuse any field they do not declare (core.api.StrictInput); the views hand validated data to sites.services.
"""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core import pii
from core.api import StrictInput
from sites.choices import RUBRIC, BatchLevel, FollowUpOwner, Goal
from sites.models import Batch, FollowUp, GuidanceGroup, Nomination, Site, SiteRating, Visit

MAX_ID = 2**53


class SiteBatchSerializer(serializers.ModelSerializer):
    level = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Batch
        fields = ["id", "name", "level", "level_label", "year", "quota", "opens_on", "closes_on", "status",
                  "status_label", "announced_on", "notes", "version"]  # fmt: skip
        read_only_fields = fields


class SiteBatchInput(StrictInput):
    name = serializers.CharField(max_length=100)
    level = serializers.ChoiceField(choices=BatchLevel.choices)
    year = serializers.IntegerField(min_value=2018, max_value=2100)
    quota = serializers.IntegerField(min_value=1, max_value=500)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class _Contact(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    org_code = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    contact_phone = serializers.SerializerMethodField(help_text=_("脱敏显示；完整号码用 reveal"))

    def get_contact_phone(self, obj) -> str:
        return pii.shown(obj, "contact_phone")


class SiteNominationSerializer(_Contact):
    class Meta:
        model = Nomination
        fields = ["id", "batch", "org_code", "org_name", "status", "status_label", "goals", "goals_text",
                  "achievements", "plans", "contact_name", "contact_position", "contact_phone", "reason",
                  "submitted_at", "decided_at", "version"]  # fmt: skip
        read_only_fields = fields


class SiteContentInput(StrictInput):
    goals = serializers.ListField(child=serializers.ChoiceField(choices=Goal.choices), required=False, max_length=10)
    goals_text = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    achievements = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    plans = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    contact_position = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


class SiteNominationCreateInput(SiteContentInput):
    batch = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    org = serializers.CharField(max_length=64, help_text=_("被推荐单位的机构代码"))


class SiteNominationUpdateInput(SiteContentInput):
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class SiteStepInput(StrictInput):
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class SiteContactSerializer(serializers.Serializer):
    contact_phone = serializers.CharField()


class SiteProfileSerializer(_Contact):
    batch_name = serializers.CharField(source="batch.name", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True, default="")

    class Meta:
        model = Site
        fields = ["id", "org_code", "org_name", "batch", "batch_name", "status", "status_label", "goals",
                  "goals_text", "contact_name", "contact_position", "contact_phone", "announced_on", "group",
                  "group_name", "guided_since", "accepted_on", "withdrawn_on", "withdraw_reason", "summary",
                  "version"]  # fmt: skip
        read_only_fields = fields


class SiteAssignInput(StrictInput):
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    group = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class SiteGroupSerializer(serializers.ModelSerializer):
    leader_name = serializers.CharField(source="leader.full_name", read_only=True)
    members = serializers.SerializerMethodField()

    class Meta:
        model = GuidanceGroup
        fields = ["id", "name", "leader", "leader_name", "members", "notes", "version"]
        read_only_fields = fields

    def get_members(self, group) -> list[str]:
        return [str(m) for m in group.members.all()]


class SiteVisitSerializer(serializers.ModelSerializer):
    members = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = ["id", "site", "visited_on", "members", "others", "findings", "recommendations", "files",
                  "created_at"]  # fmt: skip
        read_only_fields = fields

    def get_members(self, visit) -> list[str]:
        return [str(m) for m in visit.members.all()]

    def get_files(self, visit) -> list[str]:
        return [f.original_name for f in visit.files.all()]


class SiteVisitInput(StrictInput):
    site = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    visited_on = serializers.DateField()
    findings = serializers.CharField(max_length=5000)
    recommendations = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    others = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    members = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, max_length=50, default=list
    )


class SiteFollowUpSerializer(serializers.ModelSerializer):
    owner_code = serializers.CharField(source="owner.code", read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    overdue = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True)

    class Meta:
        model = FollowUp
        fields = ["id", "site", "visit", "title", "owner_code", "owner_name", "deadline", "status", "overdue",
                  "done_on", "done_note", "version"]  # fmt: skip
        read_only_fields = fields

    def get_overdue(self, followup) -> bool:
        return followup.is_overdue()


class SiteFollowUpInput(StrictInput):
    visit = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    title = serializers.CharField(max_length=300)
    owner = serializers.ChoiceField(choices=FollowUpOwner.choices)
    deadline = serializers.DateField()


class SiteCloseInput(StrictInput):
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    note = serializers.CharField(max_length=5000)
    done_on = serializers.DateField(required=False, allow_null=True, default=None)


class SiteRatingSerializer(serializers.ModelSerializer):
    group_name = serializers.CharField(source="group.name", read_only=True)

    class Meta:
        model = SiteRating
        fields = ["id", "site", "group", "group_name", "year", "scores", "total", "comment", "version"]
        read_only_fields = fields


class SiteRatingInput(StrictInput):
    site = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    year = serializers.IntegerField(min_value=2018, max_value=2100)
    scores = serializers.DictField(
        child=serializers.DecimalField(max_digits=4, decimal_places=1, min_value=0, max_value=100),
        help_text=format_lazy("{}{}", _("各项得分："), "、".join(f"{c.key}（满分 {c.max_points}）" for c in RUBRIC)),
    )
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=0, max_value=MAX_ID, required=False, allow_null=True, default=None)
