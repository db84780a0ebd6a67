"""The talent pool in the JSON API (/api/v1/talent/), with the pages' door and the pages' services.

Outside the caller's scope everything is 404; inside it without the right, 403; bad input 400 with a Chinese
message naming the field; a stale version 409 (412 with a stale If-Match). ID numbers and phones are masked;
POST people/{id}/reveal/ answers one in full for a PII_VIEW holder, audited. Organisations are named by code.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from core import pii
from core.actor import Actor
from core.api import ThrottleFirstMixin, etag, expected_version
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import can
from talent import queries, services
from talent.choices import Education, HonourKind, HonourLevel, SkillLevel
from talent.models import Honour, Nomination, Person
from talent.serializers import (
    TalentHonourInput,
    TalentHonourSerializer,
    TalentNominationInput,
    TalentNominationSerializer,
    TalentPersonCreateInput,
    TalentPersonSerializer,
    TalentPersonUpdateInput,
    TalentRemoveInput,
    TalentRevealInput,
    TalentRevealSerializer,
    TalentRoundInput,
    TalentRoundSerializer,
    TalentStepInput,
)
from talent.services import rounds as round_services

IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False, description='带引号的版本号，如 "3"'
)
PEOPLE_PARAMS = [
    OpenApiParameter("q", OpenApiTypes.STR, required=False, description="姓名或工种"),
    OpenApiParameter("org", OpenApiTypes.STR, required=False, description="单位代码（含下属）"),
    OpenApiParameter("honour_kind", OpenApiTypes.STR, required=False, description="荣誉类别"),
    OpenApiParameter("honour_level", OpenApiTypes.STR, required=False, description="荣誉级别"),
    OpenApiParameter("skill_level", OpenApiTypes.STR, required=False, description="技能等级，high 为技师及以上"),
    OpenApiParameter("education", OpenApiTypes.STR, required=False, description="学历"),
    OpenApiParameter("industrial", OpenApiTypes.BOOL, required=False, description="产业工人"),
    OpenApiParameter("speaker", OpenApiTypes.BOOL, required=False, description="宣讲人"),
    OpenApiParameter("state", OpenApiTypes.STR, required=False, description="active（默认）/ removed / all"),
]


def _choice(params, name: str, allowed) -> str:
    value = (params.get(name) or "").strip()
    if value and value not in allowed:
        raise ValidationError({name: [_("不是有效的选项。")]})
    return value


def _bool(params, name: str) -> bool | None:
    value = (params.get(name) or "").strip().lower()
    if not value:
        return None
    if value in ("1", "true", "yes"):
        return True
    if value in ("0", "false", "no"):
        return False
    raise ValidationError({name: [_("%(name)s 应为 true 或 false。") % {"name": name}]})


def _org(request, code: str, field: str, action: str = Action.VIEW) -> Organisation:
    org = Organisation.objects.visible_to(request.user, action).filter(code=code).first()
    if org is None:
        raise ValidationError({field: [_("未找到该机构，或不在您的范围内。")]})
    return org


def person_filter(request) -> queries.PersonFilter:
    params = request.query_params
    skill = _choice(params, "skill_level", {*SkillLevel.values, "high"})
    code = (params.get("org") or "").strip()
    return queries.PersonFilter(
        q=(params.get("q") or "").strip()[:100],
        org=_org(request, code, "org") if code else None,
        honour_kind=_choice(params, "honour_kind", HonourKind.values),
        honour_level=_choice(params, "honour_level", HonourLevel.values),
        skill_level="" if skill == "high" else skill,
        high_skill=skill == "high",
        education=_choice(params, "education", Education.values),
        industrial=_bool(params, "industrial"),
        speaker=_bool(params, "speaker"),
        state=_choice(params, "state", {queries.ACTIVE, queries.REMOVED, queries.ALL}) or queries.ACTIVE,
    )


def _kind_level(data) -> dict:
    """The API's honour_kind / honour_level as the services' kind / level."""
    data = dict(data)
    data["kind"], data["level"] = data.pop("honour_kind"), data.pop("honour_level")
    return data


def _editor(request, person: Person) -> None:
    if not queries.may_edit(request.user, person):
        raise PermissionDenied(_("您没有修改此人档案的权限。"))


@extend_schema_view(list=extend_schema(parameters=PEOPLE_PARAMS))
class PersonViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """People the caller sees (ID numbers and phones masked); POST adds one; PATCH edits (version or If-Match);
    POST {id}/remove/ takes him out of the pool; POST {id}/reveal/ the full ID number or phone (PII_VIEW,
    audited)."""

    serializer_class = TalentPersonSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Person.objects.none()
        rows = queries.people_visible(self.request.user)
        if self.action == "list":
            rows = queries.filter_people(rows, person_filter(self.request))
        return queries.with_honours(rows).order_by("org__path", "name", "pk")

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag(response.data["version"])
        return response

    @extend_schema(request=TalentPersonCreateInput, responses={201: TalentPersonSerializer})
    def create(self, request):
        payload = TalentPersonCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        org = _org(request, data.pop("org"), "org")
        person = services.person_create(by=Actor.from_request(request), org=org, **data)
        return Response(TalentPersonSerializer(person).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=TalentPersonUpdateInput,
        responses={200: TalentPersonSerializer},
        parameters=[IF_MATCH],
    )
    def partial_update(self, request, pk=None):
        person = self.get_object()
        _editor(request, person)
        payload = TalentPersonUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = expected_version(request, data.pop("version", None), person.version)
        code = data.pop("org", None)
        org = _org(request, code, "org") if code else None
        person = services.person_update(by=Actor.from_request(request), person=person, version=version, org=org, **data)
        return Response(TalentPersonSerializer(person).data)

    @extend_schema(request=TalentRemoveInput, responses={200: TalentPersonSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        person = self.get_object()
        _editor(request, person)
        payload = TalentRemoveInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        version = expected_version(request, data.get("version"), person.version)
        person = services.person_remove(
            by=Actor.from_request(request), person=person, version=version, on=data.get("removed_on"),
            reason=data["reason"],
        )  # fmt: skip
        return Response(TalentPersonSerializer(person).data)

    @extend_schema(request=TalentRevealInput, responses={200: TalentRevealSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        payload = TalentRevealInput(data=request.data)
        payload.is_valid(raise_exception=True)
        person = self.get_object()
        if not can(request.user, Action.PII_VIEW, person.org):
            raise NotFound()  # as on the page: outside the PII_VIEW scope, nothing to reveal
        field = payload.validated_data["field"]
        value = pii.reveal(request, person, field, reason=payload.validated_data.get("reason", ""))
        response = Response({"field": field, "value": value})
        response["Cache-Control"] = "no-store"
        return response


class HonourViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Honours of the people the caller sees (?person= one person's); POST records one; DELETE removes one."""

    serializer_class = TalentHonourSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Honour.objects.none()
        rows = Honour.objects.visible_to(self.request.user).select_related("person", "person__org")
        raw = (self.request.query_params.get("person") or "").strip()
        if raw:
            if not raw.isdigit() or len(raw) > 18:
                raise ValidationError({"person": [_("person 应为整数。")]})
            rows = rows.filter(person_id=int(raw))
        return rows.order_by("-awarded_on", "pk")

    @extend_schema(
        parameters=[OpenApiParameter("person", OpenApiTypes.INT, required=False, description="人员编号")],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=TalentHonourInput, responses={201: TalentHonourSerializer})
    def create(self, request):
        payload = TalentHonourInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = _kind_level(payload.validated_data)
        person = queries.people_visible(request.user).filter(pk=data.pop("person")).first()
        if person is None:
            raise ValidationError({"person": [_("未找到该人员，或不在您的范围内。")]})
        _editor(request, person)
        honour = services.honour_add(by=Actor.from_request(request), person=person, **data)
        return Response(TalentHonourSerializer(honour).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        honour = self.get_object()
        _editor(request, honour.person)
        services.honour_remove(by=Actor.from_request(request), honour=honour)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoundViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Selection rounds (province-wide); POST (the office) opens one."""

    serializer_class = TalentRoundSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return queries.SelectionRound.objects.none()
        return queries.rounds_visible(self.request.user)

    @extend_schema(request=TalentRoundInput, responses={201: TalentRoundSerializer})
    def create(self, request):
        if not queries.may_run_rounds(request.user):
            raise PermissionDenied(_("只有产改办可以发布评选。"))
        payload = TalentRoundInput(data=request.data)
        payload.is_valid(raise_exception=True)
        rnd = round_services.round_create(by=Actor.from_request(request), **_kind_level(payload.validated_data))
        return Response(TalentRoundSerializer(rnd).data, status=status.HTTP_201_CREATED)


class NominationViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Nominations the caller sees (their organisations', the office all); POST nominates a person of the
    caller's scope; POST {id}/step/ takes a step (submit; the office: return, shortlist, approve, reject)."""

    serializer_class = TalentNominationSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Nomination.objects.none()
        return queries.nominations_visible(self.request.user).order_by("round_id", "org__path", "pk")

    @extend_schema(request=TalentNominationInput, responses={201: TalentNominationSerializer})
    def create(self, request):
        payload = TalentNominationInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        rnd = queries.rounds_visible(request.user).filter(pk=data["round"]).first()
        if rnd is None:
            raise ValidationError({"round": [_("未找到该评选。")]})
        person = queries.people_visible(request.user).filter(pk=data["person"]).first()
        if person is None:
            raise ValidationError({"person": [_("未找到该人员，或不在您的范围内。")]})
        nomination = round_services.nominate(
            by=Actor.from_request(request), rnd=rnd, person=person, reason=data["reason"], submit=data["submit"]
        )
        return Response(TalentNominationSerializer(nomination).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TalentStepInput, responses={200: TalentNominationSerializer})
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        nomination = self.get_object()
        payload = TalentStepInput(data=request.data)
        payload.is_valid(raise_exception=True)
        nomination = round_services.nomination_step(
            by=Actor.from_request(request), nomination=nomination, **payload.validated_data
        )
        return Response(TalentNominationSerializer(nomination).data)
