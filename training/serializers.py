"""Shapes of the capacity-building API. Output serializers are read-only; inputs (`…Input`) only validate and
refuse any field they do not declare (core.api.StrictInput); the views hand validated data to training.services.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core import pii
from core.api import StrictInput
from training.choices import ClassKind, Mark
from training.models import Enrolment, TrainingClass
from training.services.classes import AUDIENCE_KINDS


class ClassSerializer(serializers.ModelSerializer):
    organiser_code = serializers.CharField(source="organiser.code", read_only=True)
    organiser_name = serializers.CharField(source="organiser.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    audience_orgs = serializers.SerializerMethodField()
    enrolled = serializers.SerializerMethodField()

    class Meta:
        model = TrainingClass
        fields = [
            "id", "kind", "kind_label", "title", "organiser_code", "organiser_name", "year", "starts_on", "ends_on",
            "place", "audience_kinds", "audience_orgs", "audience_note", "capacity", "enrol_deadline", "programme",
            "status", "status_label", "enrolled", "version", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_audience_orgs(self, klass) -> list[str]:
        """The named audience organisations the caller may see."""
        from training.queries import audience_orgs_for

        return [org.code for org in audience_orgs_for(self.context["request"].user, klass)]

    def get_enrolled(self, klass) -> int:
        return getattr(klass, "enrolled", None) or klass.enrolments.filter(status="enrolled").count()


class _ClassFields(StrictInput):
    kind = serializers.ChoiceField(choices=ClassKind.choices, required=False)
    title = serializers.CharField(max_length=200, required=False)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    place = serializers.CharField(max_length=200, required=False)
    audience_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=[(k, k) for k in AUDIENCE_KINDS]), required=False, max_length=10
    )
    audience_orgs = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=500, help_text=_("指定单位的机构代码")
    )
    audience_note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    capacity = serializers.IntegerField(min_value=1, max_value=10000, required=False, allow_null=True)
    enrol_deadline = serializers.DateField(required=False)
    programme = serializers.CharField(max_length=20000, required=False, allow_blank=True)


class ClassCreateInput(_ClassFields):
    organiser = serializers.CharField(max_length=64, help_text=_("主办单位的机构代码"))
    kind = serializers.ChoiceField(choices=ClassKind.choices)
    title = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    place = serializers.CharField(max_length=200)
    enrol_deadline = serializers.DateField()


class ClassUpdateInput(_ClassFields):
    version = serializers.IntegerField(min_value=1)


class StepInput(StrictInput):
    step = serializers.ChoiceField(choices=["open", "start", "finish", "cancel"])
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CompletionInput(StrictInput):
    completed = serializers.DictField(
        child=serializers.BooleanField(), help_text=_("报名编号 → 是否结业"), allow_empty=False
    )


class EnrolmentSerializer(serializers.ModelSerializer):
    class_id = serializers.IntegerField(source="klass_id", read_only=True)
    org_code = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    phone = serializers.SerializerMethodField()
    username = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    attendance = serializers.CharField(read_only=True, help_text=_("全程考勤：present / absent / leave，空为未记录"))

    class Meta:
        model = Enrolment
        fields = [
            "id", "class_id", "org_code", "org_name", "name", "position", "phone", "username", "status",
            "status_label", "attendance", "completed", "completed_on", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_phone(self, enrolment) -> str:
        """Masked (138****5678); the full number only through POST …/reveal/."""
        return pii.shown(enrolment, "phone") if enrolment.phone else ""

    def get_username(self, enrolment) -> str:
        return enrolment.user.get_username() if enrolment.user_id else ""


class EnrolmentInput(StrictInput):
    klass = serializers.IntegerField(min_value=1, help_text=_("培训班编号"))
    org = serializers.CharField(max_length=64, help_text=_("报名单位的机构代码"))
    name = serializers.CharField(max_length=100)
    position = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    username = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["class"] = self.fields.pop("klass")


class PhoneSerializer(serializers.Serializer):
    phone = serializers.CharField()


class MarkInput(serializers.Serializer):
    enrolment = serializers.IntegerField(min_value=1)
    mark = serializers.ChoiceField(choices=[("", "")] + list(Mark.choices), allow_blank=True)


class AttendanceInput(StrictInput):
    klass = serializers.IntegerField(min_value=1, help_text=_("培训班编号"))
    day = serializers.DateField(required=False, allow_null=True, default=None, help_text=_("不填为全程考勤"))
    marks = MarkInput(many=True, allow_empty=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["class"] = self.fields.pop("klass")


class AttendanceRowSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField()
    name = serializers.CharField()
    org_code = serializers.CharField()
    attendance = serializers.CharField(help_text=_("全程考勤：present / absent / leave，空为未记录"))
    completed = serializers.BooleanField()
    days = serializers.DictField(child=serializers.CharField(), help_text=_("日期 → 考勤"))


class CoverageLineSerializer(serializers.Serializer):
    label = serializers.CharField()
    expected = serializers.IntegerField()
    trained = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True, help_text=_("无数据时为 null"))


class CoverageOrgSerializer(serializers.Serializer):
    code = serializers.CharField(source="org.code")
    name = serializers.CharField(source="org.name")
    kind = serializers.CharField(source="org.kind")
    group = serializers.CharField()
    people = serializers.IntegerField()
    trained = serializers.BooleanField()


class CoverageSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    audience = serializers.CharField()
    audience_label = serializers.CharField()
    total = CoverageLineSerializer()
    by_kind = CoverageLineSerializer(many=True)
    by_group = CoverageLineSerializer(many=True)
    orgs = CoverageOrgSerializer(many=True)
    never_trained = CoverageOrgSerializer(many=True)
