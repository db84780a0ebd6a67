"""Shapes of the suggestions API. Output serializers are read-only; inputs (`…Input`) only validate and refuse
any field they do not declare (core.api.StrictInput); the views hand validated data to suggestions.services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import StrictInput
from suggestions.choices import SuggestionKind
from suggestions.models import Campaign, Proposer, Suggestion
from suggestions.workflow import STEP_NAMES


class ProposerSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id", read_only=True, allow_null=True)

    class Meta:
        model = Proposer
        fields = ["order", "name", "occupation", "person"]
        read_only_fields = fields


class SuggestionSerializer(serializers.ModelSerializer):
    org_code = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    campaign = serializers.IntegerField(source="campaign_id", read_only=True, allow_null=True)
    proposers = ProposerSerializer(many=True, read_only=True)

    class Meta:
        model = Suggestion
        fields = [
            "id", "kind", "kind_label", "title", "content", "org_code", "org_name", "campaign", "proposers",
            "status", "status_label", "submitted_on", "reviewed_at", "review_note", "decided_on", "reject_reason",
            "implemented_on", "value", "value_basis", "assessed_on", "reward_amount", "reward_form", "rewarded_on",
            "version", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class ProposerInput(StrictInput):
    name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    occupation = serializers.CharField(max_length=100, required=False, allow_blank=True)
    person = serializers.IntegerField(min_value=1, required=False, allow_null=True, help_text=_("人才库人员编号"))


class _SuggestionFields(StrictInput):
    kind = serializers.ChoiceField(choices=SuggestionKind.choices, required=False)
    title = serializers.CharField(max_length=200, required=False)
    content = serializers.CharField(max_length=5000, required=False)
    campaign = serializers.IntegerField(min_value=1, required=False, allow_null=True, help_text=_("活动编号"))
    submitted_on = serializers.DateField(required=False)
    proposers = ProposerInput(many=True, required=False, max_length=20)


class SuggestionCreateInput(_SuggestionFields):
    org = serializers.CharField(max_length=64, help_text=_("建议人所在单位的机构代码"))
    kind = serializers.ChoiceField(choices=SuggestionKind.choices)
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=5000)
    proposers = ProposerInput(many=True, max_length=20)


class SuggestionUpdateInput(_SuggestionFields):
    version = serializers.IntegerField(min_value=1, required=False)


class SuggestionStepInput(StrictInput):
    step = serializers.ChoiceField(choices=[(s, s) for s in STEP_NAMES])
    version = serializers.IntegerField(min_value=1, required=False)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    implemented_on = serializers.DateField(required=False, allow_null=True)
    value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    value_basis = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    reward_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    reward_form = serializers.CharField(max_length=200, required=False, allow_blank=True)
    rewarded_on = serializers.DateField(required=False, allow_null=True)


class CampaignSerializer(serializers.ModelSerializer):
    organiser_code = serializers.CharField(source="organiser.code", read_only=True)
    organiser_name = serializers.CharField(source="organiser.name", read_only=True)
    submitted = serializers.IntegerField(read_only=True, default=None)
    adopted = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = Campaign
        fields = [
            "id", "name", "organiser_code", "organiser_name", "starts_on", "ends_on", "kinds", "description",
            "submitted", "adopted", "version", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class _CampaignFields(StrictInput):
    name = serializers.CharField(max_length=200, required=False)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=SuggestionKind.choices), required=False, max_length=6
    )
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class CampaignCreateInput(_CampaignFields):
    organiser = serializers.CharField(max_length=64, help_text=_("主办单位的机构代码"))
    name = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=SuggestionKind.choices), max_length=6)


class CampaignUpdateInput(_CampaignFields):
    version = serializers.IntegerField(min_value=1, required=False)


class StatsLineSerializer(serializers.Serializer):
    org_code = serializers.SerializerMethodField()
    org_name = serializers.SerializerMethodField()
    own = serializers.BooleanField()
    submitted = serializers.IntegerField()
    wuxiao = serializers.IntegerField()
    adopted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    adoption_rate = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True)
    value = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    proposers = serializers.IntegerField()
    workers = serializers.DecimalField(max_digits=14, decimal_places=0, allow_null=True)
    participation = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True)
    per_hundred = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)

    def get_org_code(self, line) -> str:
        return line.org.code if line.org else ""

    def get_org_name(self, line) -> str:
        return line.org.name if line.org else "合计"


class StatsSerializer(serializers.Serializer):
    """The statistics of a year: the organisation asked for ("" for the caller's scope) and its lines, the total
    last."""

    year = serializers.IntegerField()
    org = serializers.CharField()
    lines = StatsLineSerializer(many=True)
