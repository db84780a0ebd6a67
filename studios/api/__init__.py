"""The studios API under /api/v1/studios/: studios (with naming and revoking), results, alliances and annual
reviews with their steps — the same scope, services and error shape as the pages."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from core.actor import Actor
from core.api import ThrottleFirstMixin, expected_version
from core.api import choice_param as _choice_param
from core.api import int_param as _int_param
from core.openapi import if_match_parameter
from orgs.choices import Action
from orgs.models import Organisation
from studios import queries, services
from studios import serializers as s
from studios.choices import ResultKind, ReviewStatus, StudioKind, StudioLevel, StudioStatus
from studios.models import Alliance, Studio, StudioResult, StudioReview
from talent.models import Person

INT = OpenApiTypes.INT
IF_MATCH = if_match_parameter()
STR = OpenApiTypes.STR


def _person(request, pk: int, field: str) -> Person:
    person = Person.objects.visible_to(request.user).filter(pk=pk).first()
    if person is None:
        raise ValidationError({field: [_("人才库中没有该人员，或不在您的管理范围内。")]})
    return person


def _people(request, ids, field: str) -> list[Person]:
    found = list(Person.objects.visible_to(request.user).filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise ValidationError({field: [_("人才库中没有该人员，或不在您的管理范围内。")]})
    return found


def _studio(request, pk: int, field: str, action_: str = Action.EDIT) -> Studio:
    studio = Studio.objects.visible_to(request.user, action_).select_related("org").filter(pk=pk).first()
    if studio is None:
        raise ValidationError({field: [_("工作室不存在，或不在您的管理范围内。")]})
    return studio


STUDIO_PARAMS = [
    OpenApiParameter("kind", STR, required=False, enum=StudioKind.values, description="类别"),
    OpenApiParameter("level", STR, required=False, enum=StudioLevel.values, description="当前级别"),
    OpenApiParameter("status", STR, required=False, enum=StudioStatus.values, description="状态"),
    OpenApiParameter("org", STR, required=False, description="单位机构代码（含下属单位）"),
    OpenApiParameter("year", INT, required=False, description="命名年度"),
    OpenApiParameter("q", STR, required=False, description="名称、领办人或方向"),
]


@extend_schema_view(list=extend_schema(parameters=STUDIO_PARAMS))
class StudioViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Studios in the caller's scope; POST records one, PATCH edits it (version or If-Match); name raises its
    level, revoke revokes it."""

    serializer_class = s.StudioSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        rows = Studio.objects.visible_to(self.request.user).select_related("org", "leader")
        if getattr(self, "swagger_fake_view", False):
            return rows.none()
        rows = rows.prefetch_related("namings")
        org = None
        code = (self.request.query_params.get("org") or "").strip()[:64]
        if code:
            org = Organisation.objects.visible_to(self.request.user).filter(code=code).first()
            if org is None:
                return rows.none()
        year = _int_param(self.request, "year")
        return queries.filter_studios(
            rows, kind=_choice_param(self.request, "kind", StudioKind.values),
            level=_choice_param(self.request, "level", StudioLevel.values),
            status=_choice_param(self.request, "status", StudioStatus.values), org=org, year=year,
            text=(self.request.query_params.get("q") or "").strip()[:100],
        ).order_by("org__path", "name", "pk")  # fmt: skip

    @extend_schema(request=s.StudioCreateInput, responses={201: s.StudioSerializer})
    def create(self, request):
        payload = s.StudioCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        org = Organisation.objects.visible_to(request.user, Action.EDIT).filter(code=data.pop("org")).first()
        if org is None:
            raise ValidationError({"org": [_("未找到该机构，或不在您的管理范围内。")]})
        data["leader"] = _person(request, data["leader"], "leader")
        studio = services.studio_create(by=Actor.from_request(request), org=org, **data)
        return Response(s.StudioSerializer(studio).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.StudioUpdateInput, responses={200: s.StudioSerializer}, parameters=[IF_MATCH])
    def partial_update(self, request, pk=None):
        studio = self.get_object()
        payload = s.StudioUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = expected_version(request, data.pop("version", None), studio.version)
        data["leader"] = _person(request, data["leader"], "leader")
        studio = services.studio_update(by=Actor.from_request(request), studio=studio, version=version, **data)
        return Response(s.StudioSerializer(studio).data)

    @extend_schema(request=s.StudioNameInput, responses={200: s.StudioSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="name", url_name="name")
    def naming(self, request, pk=None):
        """命名晋级: a higher level on a later date."""
        studio = self.get_object()
        payload = s.StudioNameInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = expected_version(request, data.pop("version", None), studio.version)
        studio = services.studio_name(by=Actor.from_request(request), studio=studio, version=version, **data)
        return Response(s.StudioSerializer(studio).data)

    @extend_schema(request=s.StudioRevokeInput, responses={200: s.StudioSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """撤销, with a date and a reason."""
        studio = self.get_object()
        payload = s.StudioRevokeInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = expected_version(request, data.pop("version", None), studio.version)
        studio = services.studio_revoke(by=Actor.from_request(request), studio=studio, version=version, **data)
        return Response(s.StudioSerializer(studio).data)

    @extend_schema(request=s.StudioMemberInput, responses={201: s.StudioSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        """A person of the organisation's talent pool joins the studio."""
        studio = self.get_object()
        payload = s.StudioMemberInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["person"] = _person(request, data["person"], "person")
        services.member_add(by=Actor.from_request(request), studio=studio, **data)
        return Response(s.StudioSerializer(studio).data, status=status.HTTP_201_CREATED)


RESULT_PARAMS = [
    OpenApiParameter("studio", INT, required=False, description="工作室编号"),
    OpenApiParameter("kind", STR, required=False, enum=ResultKind.values, description="类别"),
    OpenApiParameter("year", INT, required=False, description="取得年度"),
]


@extend_schema_view(list=extend_schema(parameters=RESULT_PARAMS))
class ResultViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Results of the studios in the caller's scope; POST records one, PATCH corrects it."""

    serializer_class = s.StudioResultSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        rows = StudioResult.objects.visible_to(self.request.user).select_related("studio")
        if getattr(self, "swagger_fake_view", False):
            return rows.none()
        rows = rows.prefetch_related("credited")
        studio = _int_param(self.request, "studio")
        if studio is not None:
            rows = rows.filter(studio_id=studio)
        kind = _choice_param(self.request, "kind", ResultKind.values)
        if kind:
            rows = rows.filter(kind=kind)
        year = _int_param(self.request, "year")
        if year is not None:
            rows = rows.filter(achieved_on__year=year)
        return rows.order_by("-achieved_on", "-pk")

    @extend_schema(request=s.StudioResultInput, responses={201: s.StudioResultSerializer})
    def create(self, request):
        payload = s.StudioResultInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data.pop("version", None)
        if data.get("studio") is None:
            raise ValidationError({"studio": [_("请指定工作室。")]})
        studio = _studio(request, data.pop("studio"), "studio")
        data["credited"] = _people(request, data["credited"], "credited")
        result = services.result_record(by=Actor.from_request(request), studio=studio, **data)
        return Response(s.StudioResultSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.StudioResultInput, responses={200: s.StudioResultSerializer}, parameters=[IF_MATCH])
    def partial_update(self, request, pk=None):
        result = self.get_object()
        payload = s.StudioResultInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data.pop("studio", None)
        version = expected_version(request, data.pop("version", None), result.version)
        data["credited"] = _people(request, data["credited"], "credited")
        result = services.result_update(by=Actor.from_request(request), result=result, version=version, **data)
        return Response(s.StudioResultSerializer(result).data)


class AllianceViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Alliances with a studio in the caller's scope; POST founds one (the office or the lead studio's side);
    activities records what the alliance did."""

    serializer_class = s.AllianceSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        rows = Alliance.objects.visible_to(self.request.user).select_related("lead")
        if getattr(self, "swagger_fake_view", False):
            return rows.none()
        return rows.prefetch_related("studios__org", "activities").order_by("-founded_on", "name")

    @extend_schema(request=s.AllianceInput, responses={201: s.AllianceSerializer})
    def create(self, request):
        payload = s.AllianceInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        candidates = queries.alliance_candidates()
        lead = candidates.filter(pk=data.pop("lead")).first()
        if lead is None:
            raise ValidationError({"lead": [_("工作室不存在或已撤销。")]})
        ids = set(data.pop("studios"))
        members = list(candidates.filter(pk__in=ids))
        if len(members) != len(ids):
            raise ValidationError({"studios": [_("工作室不存在或已撤销。")]})
        alliance = services.alliance_create(by=Actor.from_request(request), lead=lead, studios=members, **data)
        return Response(s.AllianceSerializer(alliance).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AllianceActivityInput, responses={201: s.AllianceSerializer})
    @action(detail=True, methods=["post"])
    def activities(self, request, pk=None):
        """Record an activity of the alliance."""
        alliance = self.get_object()
        payload = s.AllianceActivityInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.activity_add(by=Actor.from_request(request), alliance=alliance, **payload.validated_data)
        return Response(s.AllianceSerializer(alliance).data, status=status.HTTP_201_CREATED)


REVIEW_PARAMS = [
    OpenApiParameter("status", STR, required=False, enum=ReviewStatus.values, description="状态"),
    OpenApiParameter("year", INT, required=False, description="年度"),
]


@extend_schema_view(list=extend_schema(parameters=REVIEW_PARAMS))
class ReviewViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Annual reviews of the studios in the caller's scope; POST opens one, PATCH writes the summary; submit
    (the studio's side), return and rate (the office)."""

    serializer_class = s.StudioReviewSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        rows = StudioReview.objects.visible_to(self.request.user).select_related("studio__org")
        if getattr(self, "swagger_fake_view", False):
            return rows.none()
        state = _choice_param(self.request, "status", ReviewStatus.values)
        if state:
            rows = rows.filter(status=state)
        year = _int_param(self.request, "year")
        if year is not None:
            rows = rows.filter(year=year)
        return rows.order_by("-year", "studio_id")

    @extend_schema(request=s.StudioReviewCreateInput, responses={201: s.StudioReviewSerializer})
    def create(self, request):
        payload = s.StudioReviewCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        studio = _studio(request, payload.validated_data["studio"], "studio")
        review = services.review_start(
            by=Actor.from_request(request), studio=studio, year=payload.validated_data["year"]
        )
        return Response(s.StudioReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.StudioReviewSummaryInput, responses={200: s.StudioReviewSerializer}, parameters=[IF_MATCH])
    def partial_update(self, request, pk=None):
        review = self.get_object()
        payload = s.StudioReviewSummaryInput(data=request.data)
        payload.is_valid(raise_exception=True)
        version = expected_version(request, payload.validated_data.get("version"), review.version)
        review = services.review_save(
            by=Actor.from_request(request), review=review, version=version, summary=payload.validated_data["summary"]
        )
        return Response(s.StudioReviewSerializer(review).data)

    def _step(self, request, step: str) -> Response:
        review = self.get_object()
        payload = s.StudioReviewStepInput(data=request.data)
        payload.is_valid(raise_exception=True)
        version = expected_version(request, payload.validated_data.get("version"), review.version)
        review = services.review_step(
            by=Actor.from_request(request), review=review, version=version, step=step,
            reason=payload.validated_data["reason"],
        )  # fmt: skip
        return Response(s.StudioReviewSerializer(review).data)

    @extend_schema(request=s.StudioReviewStepInput, responses={200: s.StudioReviewSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """提交 (the studio's side)."""
        return self._step(request, "submit")

    @extend_schema(request=s.StudioReviewStepInput, responses={200: s.StudioReviewSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """退回修改, with a reason (the office)."""
        return self._step(request, "return")

    @extend_schema(request=s.StudioReviewRateInput, responses={200: s.StudioReviewSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        """评定 on the rubric (the office); the grade follows from the total."""
        review = self.get_object()
        payload = s.StudioReviewRateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        version = expected_version(request, data.get("version"), review.version)
        review = services.review_rate(
            by=Actor.from_request(request), review=review, version=version, scores=data["scores"],
            comment=data["comment"],
        )  # fmt: skip
        return Response(s.StudioReviewSerializer(review).data)
