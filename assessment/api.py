"""Assessment in the JSON API (/api/v1/assessment/): rounds, ranked results, score cards, rating and appeals.

The same reads and the same rules as the pages (assessment.queries):
- rounds: those the caller runs (the office), rates in, or has a published result in; any other id is 404;
- results: the ranking of the computation the caller sees (the office: the latest; others: the published
  one), limited to the caller's scope;
- a score card when `queries.card_visible` says so (404 otherwise);
- a rating goes through `services.rating_save`: 403 when the caller was not assigned that criterion or
  rates their own organisation; a participant the caller neither sees nor rates is 404;
- an appeal goes through `services.appeal_file`: 403 unless the caller belongs to the assessed
  organisation itself; a participant outside the caller's scope is 404.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from assessment import queries, services
from assessment.choices import CriterionKind
from assessment.models import Appeal, Criterion, Participant, Rating, Round
from assessment.queries import CardCriterion, ScoreCard
from assessment.scoring import NORMALISATION_TEXT
from assessment.serializers import (
    AppealInput,
    AppealSerializer,
    ComputationSerializer,
    RatingInput,
    RatingSerializer,
    ResultPageSerializer,
    ResultSerializer,
    RoundDetailSerializer,
    RoundSerializer,
    ScoreCardSerializer,
    TaskSerializer,
)
from core.actor import Actor
from core.api import ThrottleFirstMixin
from orgs.choices import Action
from orgs.scoping import can

ROUND_PARAM = OpenApiParameter("round", OpenApiTypes.INT, required=False, description="只看某一考核轮次")
PEER_PARAM = OpenApiParameter("peer", OpenApiTypes.STR, required=False, description="只看某一同类分组（peer_key）")


def _round_filter(request) -> int | None:
    raw = (request.query_params.get("round") or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationError({"round": [_("round 应为考核轮次的编号。")]})
    return int(raw)


def _computation(computation) -> dict | None:
    if computation is None:
        return None
    return ComputationSerializer(computation).data


def _url(name: str, *args) -> str:
    return reverse(name, args=args)


def _evidence_url(evidence) -> str:
    if evidence.url:
        return evidence.url
    if evidence.file:
        return _url("assessment:evidence_download", evidence.pk)
    return ""


def _criterion(item: CardCriterion) -> dict:
    c, r, d = item.criterion, item.result, item.detail
    return {
        "id": c.pk, "code": c.code, "name": c.name, "kind": c.kind, "kind_label": c.get_kind_display(),
        "applicable": bool(r is not None and r.applicable),
        "points": r.points if r is not None else None, "max_points": r.max_points if r is not None else None,
        "value": d.get("value", ""), "last": d.get("last", ""), "target": d.get("target", ""),
        "measure": d.get("measure", ""), "rule": d.get("rule", ""), "text": d.get("text", ""),
        "unresolved": bool(d.get("unresolved")),
        "raters": [{"rater": x.get("rater", ""), "level": x.get("level", ""), "comment": x.get("comment", ""),
                    "evidence": x.get("evidence", "")} for x in d.get("raters", [])],
        "events": [{"item": e.get("item", ""), "points": e.get("points", ""), "note": e.get("note", "")}
                   for e in d.get("events", [])],
        "vetoed": bool(d.get("vetoed")),
        "veto_events": [{"source": e.get("source", ""), "note": e.get("note", "")} for e in d.get("veto_events", [])],
        "grade_cap": d.get("grade_cap", c.grade_cap if c.kind == CriterionKind.VETO else ""),
        "evidence": [{"id": e.pk, "kind": e.kind, "title": e.title, "url": _evidence_url(e)} for e in item.evidence],
        "appeals": [{"id": a.pk, "status": a.status, "status_label": a.get_status_display(), "reason": a.reason,
                     "answer": a.answer} for a in item.appeals],
    }  # fmt: skip


def card_payload(card: ScoreCard, user) -> dict:
    """The score card as plain data for ScoreCardSerializer."""
    participant, result = card.participant, card.result
    return {
        "participant": participant.pk,
        "org_code": participant.org.code,
        "org_name": participant.org.name,
        "peer_label": participant.peer_label,
        "round": card.round,  # serialized by ScoreCardSerializer, whose RoundSerializer reads the model
        "computation": _computation(card.computation),
        "result": None
        if result is None
        else {
            "raw": result.raw,
            "max_points": result.max_points,
            "normalised": result.normalised,
            "bonus": result.bonus,
            "deduction": result.deduction,
            "total": result.total,
            "grade": result.grade,
            "grade_label": result.get_grade_display(),
            "grade_before_cap": result.grade_before_cap,
            "vetoed": result.vetoed,
            "rank": result.rank,
            "group_rank": result.group_rank,
            "group_size": result.group_size,
            "weakest": result.weakest.name if result.weakest else None,
        },  # fmt: skip
        "dimensions": [
            {
                "id": d.dimension.pk,
                "code": d.dimension.code,
                "name": d.dimension.name,
                "points": d.dimension.points,
                "raw": d.raw,
                "full": d.full,
                "scaled": d.scaled,
                "criteria": [_criterion(i) for i in d.criteria],
            }
            for d in card.dimensions
        ],  # fmt: skip
        "bonus": [_criterion(i) for i in card.bonus],
        "deductions": [_criterion(i) for i in card.deductions],
        "vetoes": [_criterion(i) for i in card.vetoes],
        "normalisation": _(NORMALISATION_TEXT),
        "previous": None
        if card.previous is None
        else {
            "year": card.round.framework.year - 1,
            "total": card.previous.total,
            "grade": card.previous.grade,
            "grade_label": card.previous.get_grade_display(),
        },  # fmt: skip
        "may_appeal": services.may_appeal(user, participant) and card.round.published_id is not None,
    }


class RoundViewSet(ThrottleFirstMixin, GenericViewSet):
    """Rounds the caller runs, rates in or has a published result in; their ranking and the caller's rating tasks."""

    serializer_class = RoundSerializer
    lookup_value_regex = r"\d+"
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator has no user
            return Round.objects.none()
        return queries.rounds_visible(self.request.user).select_related("published").order_by("-framework__year", "-id")

    def get_object(self) -> Round:
        round_ = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if round_ is None:
            raise NotFound()
        return round_

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RoundSerializer(page, many=True).data)

    @extend_schema(responses=RoundDetailSerializer)
    def retrieve(self, request, pk=None):
        round_ = self.get_object()
        round_.api_computation = queries.visible_computation(request.user, round_)
        round_.api_participants = round_.participants.count()
        round_.api_normalisation = _(NORMALISATION_TEXT)
        return Response(RoundDetailSerializer(round_).data)

    @extend_schema(parameters=[PEER_PARAM], responses=ResultPageSerializer)
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        """The ranking (best first) of the computation the caller sees, within the caller's scope."""
        round_ = self.get_object()
        computation = queries.visible_computation(request.user, round_)
        peer = request.query_params.get("peer")
        results = [] if computation is None else queries.ranking(computation, user=request.user, peer_key=peer)
        for result in results:
            result.computation = computation  # one object for all rows: no query per row
        page = self.paginate_queryset(results)
        return self.get_paginated_response(ResultSerializer(page, many=True).data)

    @extend_schema(responses=TaskSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # every task at once, as the page shows them
    def tasks(self, request, pk=None):
        """What the caller was assigned to rate in this round, with their rating so far."""
        round_ = self.get_object()
        tasks = []
        for t in queries.rater_tasks(request.user, round_):
            if t.rating is not None:  # the rows already loaded: no query per task
                t.rating.participant, t.rating.criterion = t.participant, t.criterion
            tasks.append({
                "participant": t.participant.pk, "org_code": t.participant.org.code, "org_name": t.participant.org.name,
                "criterion": t.criterion.pk, "criterion_code": t.criterion.code, "criterion_name": t.criterion.name,
                "description": t.criterion.description,
                "levels": [{"code": lv["code"], "label": lv["label"], "share": str(lv["share"]),
                            "description": lv.get("description", "")} for lv in t.criterion.levels],
                "own": t.own, "rating": t.rating,
            })  # fmt: skip
        return Response(TaskSerializer(tasks, many=True).data)


class ScoreCardViewSet(ThrottleFirstMixin, GenericViewSet):
    """A participant's score card (by participant id): every dimension and criterion with its explanation."""

    serializer_class = ScoreCardSerializer
    lookup_value_regex = r"\d+"
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Participant.objects.none()
        participants = Participant.objects.select_related("round__framework", "round__published", "org")
        if queries.runs_assessment(self.request.user):
            return participants
        return participants.visible_to(self.request.user).filter(round__published__isnull=False)

    def retrieve(self, request, pk=None):
        participant = self.get_queryset().filter(pk=pk).first()
        if participant is None or not queries.card_visible(request.user, participant):
            raise NotFound()
        computation = queries.visible_computation(request.user, participant.round)
        card = queries.score_card(participant, computation)
        return Response(ScoreCardSerializer(card_payload(card, request.user)).data)


def _criterion_or_400(pk: int) -> Criterion:
    criterion = Criterion.objects.select_related("dimension").filter(pk=pk).first()
    if criterion is None:
        raise ValidationError({"criterion": [_("未找到该考核指标。")]})
    return criterion


class RatingViewSet(ThrottleFirstMixin, mixins.ListModelMixin, GenericViewSet):
    """The caller's own ratings; POST rates one qualitative criterion of a participant (again: with `version`)."""

    serializer_class = RatingSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Rating.objects.none()
        ratings = Rating.objects.filter(rater=self.request.user).select_related("participant__org", "criterion")
        round_id = _round_filter(self.request)
        if round_id is not None:
            ratings = ratings.filter(participant__round_id=round_id)
        return ratings.order_by("participant__round_id", "participant__org__path", "criterion_id")

    @extend_schema(parameters=[ROUND_PARAM])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _participant(self, pk: int) -> Participant:
        """A participant the caller sees or was named to rate; 404 for any other (its existence is not told)."""
        user = self.request.user
        participant = Participant.objects.select_related("round__framework", "org").filter(pk=pk).first()
        if participant is None:
            raise NotFound()
        if (
            queries.runs_assessment(user)
            or can(user, Action.VIEW, participant.org)
            or services.assigned(user, participant)
        ):
            return participant
        raise NotFound()

    @extend_schema(request=RatingInput, responses={201: RatingSerializer, 200: RatingSerializer})
    def create(self, request):
        payload = RatingInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        participant = self._participant(data["participant"])
        criterion = _criterion_or_400(data["criterion"])
        existed = Rating.objects.filter(participant=participant, criterion=criterion, rater=request.user).exists()
        rating = services.rating_save(
            by=Actor.from_request(request), participant=participant, criterion=criterion, level=data["level"],
            comment=data["comment"], evidence=data.get("evidence", ""), version=data.get("version"),
        )  # fmt: skip
        return Response(
            RatingSerializer(rating).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )


class AppealViewSet(ThrottleFirstMixin, mixins.ListModelMixin, GenericViewSet):
    """Appeals of the participants in the caller's scope (the office: all); POST files one."""

    serializer_class = AppealSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Appeal.objects.none()
        appeals = Appeal.objects.select_related("participant__org", "criterion")
        if not queries.runs_assessment(self.request.user):
            appeals = appeals.filter(participant__in=Participant.objects.visible_to(self.request.user).values("pk"))
        round_id = _round_filter(self.request)
        if round_id is not None:
            appeals = appeals.filter(participant__round_id=round_id)
        return appeals.order_by("-created_at", "-id")

    @extend_schema(parameters=[ROUND_PARAM])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AppealInput, responses={201: AppealSerializer})
    def create(self, request):
        payload = AppealInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        participant = (
            Participant.objects.visible_to(request.user)
            .select_related("round__framework", "org")
            .filter(Q(pk=data["participant"]))
            .first()
        )
        if participant is None:
            raise NotFound()
        criterion = _criterion_or_400(data["criterion"])
        appeal = services.appeal_file(
            by=Actor.from_request(request), participant=participant, criterion=criterion, reason=data["reason"]
        )
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)
