"""Shapes of the talent-pool API. Output serializers are read-only and show the ID number and phone masked
(core.pii.shown); inputs (`…Input`) only validate and refuse any field they do not declare
(core.api.StrictInput); the views hand validated data to talent.services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core import pii
from core.api import StrictInput
from talent.choices import Education, Gender, HonourKind, HonourLevel, SkillLevel
from talent.models import Honour, Nomination, Person, SelectionRound


class TalentHonourSerializer(serializers.ModelSerializer):
    honour_kind = serializers.ChoiceField(source="kind", choices=HonourKind.choices, read_only=True)
    honour_level = serializers.ChoiceField(source="level", choices=HonourLevel.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Honour
        fields = [
            "id", "person", "honour_kind", "kind_label", "honour_level", "level_label", "title", "awarded_on",
            "awarded_by",
        ]  # fmt: skip
        read_only_fields = fields


class TalentPersonSerializer(serializers.ModelSerializer):
    org_code = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    id_number = serializers.SerializerMethodField(help_text=_("脱敏显示，如 5301**********1234"))
    phone = serializers.SerializerMethodField(help_text=_("脱敏显示，如 138****5678"))
    honours = TalentHonourSerializer(many=True, read_only=True)
    education = serializers.CharField(
        read_only=True, help_text=_("学历代码（junior_high、high_school、college、bachelor、postgraduate），未填写为空")
    )

    class Meta:
        model = Person
        fields = [
            "id", "name", "gender", "birth_year", "org_code", "org_name", "occupation", "skill_level", "education",
            "is_industrial_worker", "is_migrant_worker", "is_speaker", "id_number", "phone", "notes", "removed_on",
            "removed_reason", "honours", "version", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_id_number(self, person) -> str:
        return pii.shown(person, "id_number") if person.id_number else ""

    def get_phone(self, person) -> str:
        return pii.shown(person, "phone") if person.phone else ""


class _TalentPersonFields(StrictInput):
    name = serializers.CharField(max_length=50, required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    birth_year = serializers.IntegerField(min_value=1930, max_value=2015, required=False, allow_null=True)
    occupation = serializers.CharField(max_length=100, required=False)
    skill_level = serializers.ChoiceField(choices=SkillLevel.choices, required=False)
    education = serializers.ChoiceField(choices=Education.choices, required=False, allow_blank=True)
    is_industrial_worker = serializers.BooleanField(required=False)
    is_migrant_worker = serializers.BooleanField(required=False)
    is_speaker = serializers.BooleanField(required=False)
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class TalentPersonCreateInput(_TalentPersonFields):
    org = serializers.CharField(max_length=64, help_text=_("所在单位的机构代码"))
    name = serializers.CharField(max_length=50)
    gender = serializers.ChoiceField(choices=Gender.choices)
    occupation = serializers.CharField(max_length=100)


class TalentPersonUpdateInput(_TalentPersonFields):
    org = serializers.CharField(max_length=64, required=False, help_text=_("所在单位的机构代码"))
    version = serializers.IntegerField(min_value=1, required=False)


class TalentRemoveInput(StrictInput):
    reason = serializers.CharField(max_length=200)
    removed_on = serializers.DateField(required=False)
    version = serializers.IntegerField(min_value=1, required=False)


class TalentRevealInput(StrictInput):
    field = serializers.ChoiceField(choices=[("id_number", "id_number"), ("phone", "phone")])
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TalentRevealSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class TalentHonourInput(StrictInput):
    person = serializers.IntegerField(min_value=1, max_value=2**62)
    honour_kind = serializers.ChoiceField(choices=HonourKind.choices)
    honour_level = serializers.ChoiceField(choices=HonourLevel.choices)
    title = serializers.CharField(max_length=200)
    awarded_on = serializers.DateField()
    awarded_by = serializers.CharField(max_length=100, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TalentRoundSerializer(serializers.ModelSerializer):
    honour_kind = serializers.ChoiceField(source="kind", choices=HonourKind.choices, read_only=True)
    honour_level = serializers.ChoiceField(source="level", choices=HonourLevel.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = SelectionRound
        fields = [
            "id", "honour_kind", "honour_level", "year", "title", "quota", "opens_on", "closes_on", "status",
            "status_label", "awarded_by", "notes", "version",
        ]  # fmt: skip
        read_only_fields = fields


class TalentRoundInput(StrictInput):
    honour_kind = serializers.ChoiceField(choices=HonourKind.choices)
    honour_level = serializers.ChoiceField(choices=HonourLevel.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=200)
    quota = serializers.IntegerField(min_value=1, max_value=10000)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    awarded_by = serializers.CharField(max_length=100, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class TalentNominationSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    org_code = serializers.CharField(source="org.code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Nomination
        fields = ["id", "round", "person", "person_name", "org_code", "reason", "status", "status_label",
                  "decision_note", "honour", "version"]  # fmt: skip
        read_only_fields = fields


class TalentNominationInput(StrictInput):
    round = serializers.IntegerField(min_value=1, max_value=2**62)
    person = serializers.IntegerField(min_value=1, max_value=2**62)
    reason = serializers.CharField(max_length=2000)
    submit = serializers.BooleanField(required=False, default=False)


class TalentStepInput(StrictInput):
    step = serializers.ChoiceField(choices=[(s, s) for s in ("submit", "return", "shortlist", "approve", "reject")])
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
