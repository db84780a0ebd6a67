"""The competitions API under /api/v1/competitions/: events (with their steps), entries (with their results) and
outcomes — the same scope, services and error shape as the pages; 404 outside the scope."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from competitions.choices import CompetitionKind, CompetitionLevel, CompetitionStatus
from competitions.models import Competition, CompetitionEntry, Outcome
from competitions.serializers import (
    CompetitionEntryInput,
    CompetitionEntrySerializer,
    CompetitionInput,
    CompetitionOutcomeInput,
    CompetitionOutcomeSerializer,
    CompetitionResultInput,
    CompetitionSerializer,
    CompetitionStepInput,
    CompetitionUpdateInput,
)
from competitions.services import competitions as svc
from competitions.services import entries as entry_svc
from competitions.services import outcomes
from core.actor import Actor
from core.api import ThrottleFirstMixin, etag, expected_version
from core.api import choice_param as _choice_param
from core.api import int_param as _int_param
from core.openapi import if_match_parameter
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import get_visible_or_404
from talent.models import Person

INT = OpenApiTypes.INT
STEPS = ("under_way", "finished", "planned", "publish", "reopen")
STR = OpenApiTypes.STR


def _org(request, code: str, field: str, action: str = Action.ORG_VIEW) -> Organisation:
    """The organisation of `code` among those the caller may see (or act on); 400 naming the field otherwise."""
    org = Organisation.objects.visible_to(request.user, action).filter(code=code.strip()).first()
    if org is None:
        raise ValidationError({field: [_("找不到机构代码“%(code)s”。") % {"code": code[:64]}]})
    return org


def _visible(queryset, request, pk, action: str = Action.VIEW):
    """The row `pk` through the door; 404 (the same answer for missing and for not yours)."""
    if not str(pk).isdigit() or len(str(pk)) > 15:
        raise NotFound()
    return get_visible_or_404(queryset, request.user, action, pk=int(pk))


EVENT_PARAMS = [
    OpenApiParameter("kind", STR, required=False, enum=CompetitionKind.values, description="类别"),
    OpenApiParameter("level", STR, required=False, enum=CompetitionLevel.values, description="级别"),
    OpenApiParameter("status", STR, required=False, enum=CompetitionStatus.values, description="状态"),
    OpenApiParameter("year", INT, required=False, description="开始年度"),
]


@extend_schema_view(list=extend_schema(parameters=EVENT_PARAMS))
class CompetitionViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Competitions the caller sees (as organiser or as entrant); POST creates one, PATCH edits it (version or
    If-Match), POST …/step/ starts, finishes, publishes or reopens it."""

    serializer_class = CompetitionSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        rows = Competition.objects.visible_to(self.request.user).select_related("organiser").prefetch_related("trades")
        if getattr(self, "swagger_fake_view", False):
            return rows.none()
        kind = _choice_param(self.request, "kind", CompetitionKind.values)
        level = _choice_param(self.request, "level", CompetitionLevel.values)
        state = _choice_param(self.request, "status", CompetitionStatus.values)
        year = _int_param(self.request, "year")
        if kind:
            rows = rows.filter(kind=kind)
        if level:
            rows = rows.filter(level=level)
        if state:
            rows = rows.filter(status=state)
        if year is not None:
            rows = rows.filter(starts_on__year=year)
        return rows.order_by("-starts_on", "pk")

    def retrieve(self, request, pk=None):
        competition = _visible(Competition.objects, request, pk)
        response = Response(CompetitionSerializer(competition).data)
        response["ETag"] = etag(competition.version)
        return response

    @extend_schema(request=CompetitionInput, responses={201: CompetitionSerializer})
    def create(self, request):
        payload = CompetitionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["organiser"] = _org(request, data["organiser"], "organiser", Action.EDIT)
        competition = svc.competition_create(by=Actor.from_request(request), **data)
        return Response(CompetitionSerializer(competition).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CompetitionUpdateInput, responses={200: CompetitionSerializer}, parameters=[if_match_parameter()]
    )
    def partial_update(self, request, pk=None):
        competition = _visible(Competition.objects, request, pk, Action.EDIT)
        payload = CompetitionUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = expected_version(request, data.pop("version", None), competition.version)
        if "organiser" in data:
            data["organiser"] = _org(request, data["organiser"], "organiser", Action.EDIT)
        competition = svc.competition_update(
            by=Actor.from_request(request), competition=competition, version=version, **data
        )
        return Response(CompetitionSerializer(competition).data)

    @extend_schema(
        request=CompetitionStepInput, responses={200: CompetitionSerializer}, parameters=[if_match_parameter()]
    )
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        competition = _visible(Competition.objects, request, pk, Action.EDIT)
        payload = CompetitionStepInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        version = expected_version(request, data.get("version"), competition.version)
        by = Actor.from_request(request)
        if data["step"] not in STEPS:
            raise ValidationError({"step": [_("step 应为 under_way、finished、planned、publish 或 reopen。")]})
        if data["step"] == "publish":
            competition = svc.results_publish(by=by, competition=competition, version=version)
        elif data["step"] == "reopen":
            competition = svc.results_reopen(by=by, competition=competition, version=version, reason=data["reason"])
        else:
            competition = svc.competition_step(by=by, competition=competition, version=version, status=data["step"])
        return Response(CompetitionSerializer(competition).data)


ENTRY_PARAMS = [OpenApiParameter("competition", INT, required=False, description="竞赛编号")]


@extend_schema_view(list=extend_schema(parameters=ENTRY_PARAMS))
class EntryViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Entries the caller sees (all of the events he organises, his own organisations' elsewhere); POST enters
    one (the organiser), POST …/result/ records its score, rank and award."""

    serializer_class = CompetitionEntrySerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        rows = (
            CompetitionEntry.objects.visible_to(self.request.user)
            .select_related("trade", "org")
            .order_by("competition", "pk")
        )
        if getattr(self, "swagger_fake_view", False):
            return rows.none()
        competition = _int_param(self.request, "competition")
        return rows.filter(competition_id=competition) if competition is not None else rows

    @extend_schema(request=CompetitionEntryInput, responses={201: CompetitionEntrySerializer})
    def create(self, request):
        payload = CompetitionEntryInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        competition = _visible(Competition.objects, request, data["competition"], Action.EDIT)
        trade = competition.trades.filter(name=data["trade"].strip()).first()
        if trade is None:
            raise ValidationError({"trade": [_("本竞赛没有这个工种。")]})
        person = None
        if data["person"] is not None:
            person = Person.objects.visible_to(request.user).filter(pk=data["person"]).first()
            if person is None:
                raise ValidationError({"person": [_("人才库中找不到这个编号。")]})
        entry = entry_svc.entry_create(
            by=Actor.from_request(request), competition=competition, trade=trade, org=_org(request, data["org"], "org"),
            person=person, name=data["name"],
        )  # fmt: skip
        return Response(CompetitionEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CompetitionResultInput, responses={200: CompetitionEntrySerializer}, parameters=[if_match_parameter()]
    )
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        entry = _visible(CompetitionEntry.objects.select_related("competition"), request, pk, Action.EDIT)
        payload = CompetitionResultInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = expected_version(request, data.pop("version", None), entry.version)
        entry = entry_svc.result_record(by=Actor.from_request(request), entry=entry, version=version, **data)
        return Response(CompetitionEntrySerializer(entry).data)


@extend_schema_view(list=extend_schema(parameters=ENTRY_PARAMS))
class OutcomeViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """What results brought, for the entries the caller sees; POST records one (the organiser)."""

    serializer_class = CompetitionOutcomeSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        rows = Outcome.objects.visible_to(self.request.user).select_related("entry").order_by("pk")
        if getattr(self, "swagger_fake_view", False):
            return rows.none()
        competition = _int_param(self.request, "competition")
        return rows.filter(entry__competition_id=competition) if competition is not None else rows

    @extend_schema(request=CompetitionOutcomeInput, responses={201: CompetitionOutcomeSerializer})
    def create(self, request):
        payload = CompetitionOutcomeInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        entry = _visible(
            CompetitionEntry.objects.select_related("competition", "person"), request, data.pop("entry"), Action.EDIT
        )
        outcome = outcomes.outcome_record(by=Actor.from_request(request), entry=entry, **data)
        return Response(CompetitionOutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)
