"""Shapes of the assessment API: rounds, ranked results, score cards, rater tasks, ratings and appeals.

Output serializers are read-only (score cards and results are laid out as plain dicts by assessment/api.py
and shaped here); input serializers (`…Input`) only validate and refuse any field they do not declare
(core.api.StrictInput). Nothing here writes: the views hand validated data to assessment.services.
No person's account appears except a rater's display name on the score card, as on the page.
"""

from __future__ import annotations

from rest_framework import serializers

from assessment.models import Appeal, Rating, Round
from core.api import StrictInput

POINTS = {"max_digits": 8, "decimal_places": 2}


class ComputationSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    computed_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    fingerprint = serializers.CharField()


class RoundSerializer(serializers.ModelSerializer):
    """A round as listed: its year, framework version, stage and published computation's number."""

    year = serializers.IntegerField(source="framework.year", read_only=True)
    framework = serializers.CharField(source="framework.name", read_only=True)
    # Plain text, not an enum: "status" enums of other apps would collide in the OpenAPI document.
    status = serializers.CharField(read_only=True)
    framework_version = serializers.IntegerField(source="framework.number", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    published_computation = serializers.IntegerField(source="published.number", read_only=True, allow_null=True)

    class Meta:
        model = Round
        fields = [
            "id", "name", "year", "framework", "framework_version", "status", "status_label", "self_deadline",
            "appeal_deadline", "published_computation",
        ]  # fmt: skip
        read_only_fields = fields


class RoundDetailSerializer(RoundSerializer):
    """A round with the computation the caller sees (the office: the latest; others: the published one)."""

    computation = ComputationSerializer(source="api_computation", allow_null=True, read_only=True)
    participants = serializers.IntegerField(source="api_participants", read_only=True)
    normalisation = serializers.CharField(source="api_normalisation", read_only=True)

    class Meta(RoundSerializer.Meta):
        fields = [*RoundSerializer.Meta.fields, "computation", "participants", "normalisation"]
        read_only_fields = fields


class ResultSerializer(serializers.Serializer):
    """One organisation's line of the ranking (a stored Result)."""

    participant = serializers.IntegerField(source="participant_id")
    org_code = serializers.CharField(source="participant.org.code")
    org_name = serializers.CharField(source="participant.org.name")
    peer_key = serializers.CharField(source="participant.peer_key")
    peer_label = serializers.CharField(source="participant.peer_label")
    rank = serializers.IntegerField()
    group_rank = serializers.IntegerField()
    group_size = serializers.IntegerField()
    raw = serializers.DecimalField(**POINTS)
    max_points = serializers.DecimalField(**POINTS)
    normalised = serializers.DecimalField(**POINTS)
    bonus = serializers.DecimalField(**POINTS)
    deduction = serializers.DecimalField(**POINTS)
    total = serializers.DecimalField(**POINTS)
    grade = serializers.CharField()
    grade_label = serializers.CharField(source="get_grade_display")
    grade_before_cap = serializers.CharField()
    vetoed = serializers.BooleanField()
    weakest = serializers.CharField(source="weakest.name", allow_null=True)
    unresolved = serializers.IntegerField()
    computation = serializers.IntegerField(source="computation.number")


class ResultPageSerializer(serializers.Serializer):
    """The shape of rounds/{id}/results/ (documentation only): a page of the ranking."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ResultSerializer(many=True)


# --- Score cards ---------------------------------------------------------------------------------------------


class RaterLineSerializer(serializers.Serializer):
    rater = serializers.CharField()
    level = serializers.CharField()
    comment = serializers.CharField()
    evidence = serializers.CharField()


class EventSerializer(serializers.Serializer):
    item = serializers.CharField()
    points = serializers.CharField()
    note = serializers.CharField()


class VetoEventSerializer(serializers.Serializer):
    """One event that vetoed the grade (一票否决事项)."""

    source = serializers.ChoiceField(
        choices=[("entry", "entry"), ("fact", "fact")],
        help_text="entry: recorded by the reform office with its reason; fact: a platform fact that vetoes.",
    )
    note = serializers.CharField(help_text="What happened, as recorded (事由和依据), or the fact's sentence.")


class EvidenceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()


class AppealRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    reason = serializers.CharField()
    answer = serializers.CharField()


class CardCriterionSerializer(serializers.Serializer):
    """One criterion's stored points and everything that explains them."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    applicable = serializers.BooleanField()
    points = serializers.DecimalField(allow_null=True, **POINTS)
    max_points = serializers.DecimalField(allow_null=True, **POINTS)
    value = serializers.CharField()
    last = serializers.CharField()
    target = serializers.CharField()
    measure = serializers.CharField()
    rule = serializers.CharField()
    text = serializers.CharField()
    unresolved = serializers.BooleanField()
    raters = RaterLineSerializer(many=True)
    events = EventSerializer(many=True, help_text="Bonus or deduction events and their points (empty otherwise).")
    vetoed = serializers.BooleanField(help_text="A veto criterion whose events occurred: the grade is capped.")
    veto_events = VetoEventSerializer(
        many=True, help_text="The veto events of a veto criterion (一票否决事项), in the order recorded; else empty."
    )
    grade_cap = serializers.CharField(
        allow_blank=True, help_text="A veto criterion's highest grade once vetoed (grade code); blank otherwise."
    )
    evidence = EvidenceRefSerializer(many=True)
    appeals = AppealRefSerializer(many=True)


class CardDimensionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    points = serializers.DecimalField(**POINTS)
    raw = serializers.DecimalField(**POINTS)
    full = serializers.DecimalField(**POINTS)
    scaled = serializers.DecimalField(**POINTS)
    criteria = CardCriterionSerializer(many=True)


class CardResultSerializer(serializers.Serializer):
    raw = serializers.DecimalField(**POINTS)
    max_points = serializers.DecimalField(**POINTS)
    normalised = serializers.DecimalField(**POINTS)
    bonus = serializers.DecimalField(**POINTS)
    deduction = serializers.DecimalField(**POINTS)
    total = serializers.DecimalField(**POINTS)
    grade = serializers.CharField()
    grade_label = serializers.CharField()
    grade_before_cap = serializers.CharField()
    vetoed = serializers.BooleanField()
    rank = serializers.IntegerField()
    group_rank = serializers.IntegerField()
    group_size = serializers.IntegerField()
    weakest = serializers.CharField(allow_null=True)


class PreviousSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    total = serializers.DecimalField(**POINTS)
    grade = serializers.CharField()
    grade_label = serializers.CharField()


class ScoreCardSerializer(serializers.Serializer):
    """A participant's score card as the page shows it, from the computation the caller may see."""

    participant = serializers.IntegerField()
    org_code = serializers.CharField()
    org_name = serializers.CharField()
    peer_label = serializers.CharField()
    round = RoundSerializer()
    computation = ComputationSerializer(allow_null=True)
    result = CardResultSerializer(allow_null=True)
    dimensions = CardDimensionSerializer(many=True)
    bonus = CardCriterionSerializer(many=True)
    deductions = CardCriterionSerializer(many=True)
    vetoes = CardCriterionSerializer(many=True)
    normalisation = serializers.CharField()
    previous = PreviousSerializer(allow_null=True)
    may_appeal = serializers.BooleanField()


# --- Rating --------------------------------------------------------------------------------------------------


class LevelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    share = serializers.CharField()
    description = serializers.CharField()


class RatingSerializer(serializers.ModelSerializer):
    """One of the caller's own ratings."""

    round = serializers.IntegerField(source="participant.round_id", read_only=True)
    org_code = serializers.CharField(source="participant.org.code", read_only=True)
    org_name = serializers.CharField(source="participant.org.name", read_only=True)
    criterion_code = serializers.CharField(source="criterion.code", read_only=True)
    criterion_name = serializers.CharField(source="criterion.name", read_only=True)

    class Meta:
        model = Rating
        fields = [
            "id", "round", "participant", "org_code", "org_name", "criterion", "criterion_code", "criterion_name",
            "level", "comment", "evidence", "version", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class TaskSerializer(serializers.Serializer):
    """A criterion of a participant the caller was assigned to rate; `own`: their own organisation (not rateable)."""

    participant = serializers.IntegerField()
    org_code = serializers.CharField()
    org_name = serializers.CharField()
    criterion = serializers.IntegerField()
    criterion_code = serializers.CharField()
    criterion_name = serializers.CharField()
    description = serializers.CharField()
    levels = LevelSerializer(many=True)
    own = serializers.BooleanField()
    rating = RatingSerializer(allow_null=True)


class RatingInput(StrictInput):
    participant = serializers.IntegerField(min_value=1)
    criterion = serializers.IntegerField(min_value=1)
    level = serializers.CharField(max_length=32)
    comment = serializers.CharField(allow_blank=True, max_length=5000)
    evidence = serializers.CharField(allow_blank=True, required=False, default="", max_length=5000)
    version = serializers.IntegerField(min_value=1, required=False)


# --- Appeals -------------------------------------------------------------------------------------------------


class AppealSerializer(serializers.ModelSerializer):
    """An appeal on one criterion, with the office's answer (who filed it is not shown)."""

    round = serializers.IntegerField(source="participant.round_id", read_only=True)
    org_code = serializers.CharField(source="participant.org.code", read_only=True)
    org_name = serializers.CharField(source="participant.org.name", read_only=True)
    criterion_code = serializers.CharField(source="criterion.code", read_only=True)
    criterion_name = serializers.CharField(source="criterion.name", read_only=True)
    status = serializers.CharField(read_only=True)  # see RoundSerializer.status
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "id", "round", "participant", "org_code", "org_name", "criterion", "criterion_code", "criterion_name",
            "reason", "status", "status_label", "answer", "created_at", "answered_at", "version",
        ]  # fmt: skip
        read_only_fields = fields


class AppealInput(StrictInput):
    participant = serializers.IntegerField(min_value=1)
    criterion = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(allow_blank=True, max_length=5000)
