"""Shapes of the competitions API. Output serializers are read-only; inputs (`…Input`) only validate and refuse
any field they do not declare (core.api.StrictInput); the views hand validated data to competitions.services."""

from __future__ import annotations

from rest_framework import serializers

from competitions.choices import Award
from competitions.models import Competition, CompetitionEntry, Outcome
from core.api import StrictInput
from talent.choices import SkillLevel

MAX_ID = 2**53


class CompetitionSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    level = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    organiser_code = serializers.CharField(source="organiser.code", read_only=True)
    organiser_name = serializers.CharField(source="organiser.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    trades = serializers.SerializerMethodField()

    class Meta:
        model = Competition
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "level",
            "level_label",
            "organiser_code",
            "organiser_name",
            "starts_on",
            "ends_on",
            "status",
            "status_label",
            "published_on",
            "trades",
            "notes",
            "version",
        ]
        read_only_fields = fields

    def get_trades(self, obj) -> list[str]:
        return [t.name for t in obj.trades.all()]


class CompetitionInput(StrictInput):
    name = serializers.CharField(max_length=200)
    # Plain text checked by the service (Chinese message), so the schema's enums keep one name per choice set.
    kind = serializers.CharField(max_length=20, help_text="labour（劳动竞赛）或 skill（技能竞赛）")
    level = serializers.CharField(max_length=20, help_text="national、provincial、prefecture、industry 或 enterprise")
    organiser = serializers.CharField(max_length=64, help_text="主办单位的机构代码")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    trades = serializers.ListField(child=serializers.CharField(max_length=100), min_length=1, max_length=100)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class CompetitionUpdateInput(CompetitionInput):
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


class CompetitionStepInput(StrictInput):
    step = serializers.CharField(max_length=20, help_text="under_way、finished、planned、publish 或 reopen")
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CompetitionEntrySerializer(serializers.ModelSerializer):
    award = serializers.CharField(read_only=True)
    trade = serializers.CharField(source="trade.name", read_only=True)
    org_code = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    award_label = serializers.CharField(source="get_award_display", read_only=True)

    class Meta:
        model = CompetitionEntry
        fields = [
            "id",
            "competition",
            "trade",
            "org_code",
            "org_name",
            "person",
            "name",
            "score",
            "rank",
            "award",
            "award_label",
            "version",
        ]
        read_only_fields = fields


class CompetitionEntryInput(StrictInput):
    competition = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    trade = serializers.CharField(max_length=100, help_text="工种名称")
    org = serializers.CharField(max_length=64, help_text="参赛单位的机构代码")
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class CompetitionResultInput(StrictInput):
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    score = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0, max_value=1000, required=False,
                                     allow_null=True, default=None)  # fmt: skip
    rank = serializers.IntegerField(min_value=1, max_value=9999, required=False, allow_null=True, default=None)
    award = serializers.ChoiceField(choices=Award.choices, required=False, allow_blank=True, default="")


class CompetitionOutcomeSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    skill_level = serializers.CharField(read_only=True)
    previous_level = serializers.CharField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    competition = serializers.IntegerField(source="entry.competition_id", read_only=True)

    class Meta:
        model = Outcome
        fields = [
            "id",
            "entry",
            "competition",
            "kind",
            "kind_label",
            "skill_level",
            "previous_level",
            "title",
            "honour",
            "pay_amount",
            "pay_percent",
            "effective_on",
            "notes",
            "version",
        ]
        read_only_fields = fields


class CompetitionOutcomeInput(StrictInput):
    entry = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    kind = serializers.CharField(max_length=20, help_text="skill_level、title、honour 或 pay_rise")
    effective_on = serializers.DateField()
    skill_level = serializers.ChoiceField(choices=SkillLevel.choices, required=False, allow_blank=True, default="")
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    pay_amount = serializers.DecimalField(max_digits=9, decimal_places=2, required=False, allow_null=True, default=None)
    pay_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True,
                                           default=None)  # fmt: skip
    notes = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
