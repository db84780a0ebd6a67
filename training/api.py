"""Capacity building in the JSON API (/api/v1/training/), with the pages' door and the pages' services.

Outside the caller's scope everything is 404; inside it without the right, 403; bad input 400 with a Chinese
message naming the field; a stale version or a step the state does not allow, 409. Organisations are named by
their codes.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.helpers import forced_singular_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from core import deadlines, pii
from core.actor import Actor
from core.api import ThrottleFirstMixin
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import can
from training import queries, services
from training.models import DayAttendance, Enrolment, TrainingClass
from training.queries.coverage import coverage
from training.serializers import (
    AttendanceInput,
    AttendanceRowSerializer,
    ClassCreateInput,
    ClassSerializer,
    ClassUpdateInput,
    CompletionInput,
    CoverageSerializer,
    EnrolmentInput,
    EnrolmentSerializer,
    PhoneSerializer,
    StepInput,
)

CLASS_PARAMS = [
    OpenApiParameter("year", OpenApiTypes.INT, required=False, description="年度"),
    OpenApiParameter("kind", OpenApiTypes.STR, required=False, description="seminar / business / officer / trip"),
    OpenApiParameter("status", OpenApiTypes.STR, required=False, description="planning/open/running/finished/…"),
]  # fmt: skip
CLASS_PARAM = OpenApiParameter("class", OpenApiTypes.INT, required=False, description="培训班编号")


def _int_param(request, name: str) -> int | None:
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationError({name: [_("%(name)s 应为整数。") % {"name": name}]})
    return int(raw)


def _class_of(request, pk: int) -> TrainingClass:
    klass = TrainingClass.objects.visible_to(request.user).select_related("organiser").filter(pk=pk).first()
    if klass is None:
        raise NotFound()
    return klass


def _manager(request, klass: TrainingClass) -> None:
    if not queries.manages(request.user, klass):
        raise PermissionDenied(_("只有主办单位可以管理该培训班。"))


def _orgs_by_code(request, codes: list[str], field: str) -> list[Organisation]:
    codes = list(dict.fromkeys(codes))
    found = {o.code: o for o in Organisation.objects.visible_to(request.user).filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValidationError({field: [_("未找到机构“%(codes)s”，或不在您的范围内。") % {"codes": "、".join(missing)}]})
    return [found[code] for code in codes]


@extend_schema_view(list=extend_schema(parameters=CLASS_PARAMS))
class ClassViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Classes the caller sees; POST (an office, union or prefecture) creates one; PATCH edits; POST {id}/step/
    takes a step of its course; POST {id}/completion/ records who completed it."""

    serializer_class = ClassSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TrainingClass.objects.none()
        params = self.request.query_params
        return queries.classes_visible(
            self.request.user,
            year=_int_param(self.request, "year"),
            kind=(params.get("kind") or "").strip(),
            status=(params.get("status") or "").strip(),
        )

    @extend_schema(request=ClassCreateInput, responses={201: ClassSerializer})
    def create(self, request):
        payload = ClassCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        (organiser,) = _orgs_by_code(request, [data.pop("organiser")], "organiser")
        named = _orgs_by_code(request, data.pop("audience_orgs", []), "audience_orgs")
        klass = services.class_create(by=Actor.from_request(request), organiser=organiser, audience_orgs=named, **data)
        return Response(self.get_serializer(klass).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClassUpdateInput, responses={200: ClassSerializer})
    def partial_update(self, request, pk=None):
        klass = self.get_object()
        _manager(request, klass)
        payload = ClassUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version")
        named = _orgs_by_code(request, data.pop("audience_orgs"), "audience_orgs") if "audience_orgs" in data else None
        klass = services.class_update(
            by=Actor.from_request(request), klass=klass, version=version, audience_orgs=named, **data
        )
        return Response(self.get_serializer(klass).data)

    @extend_schema(request=StepInput, responses={200: ClassSerializer})
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        klass = self.get_object()
        _manager(request, klass)
        payload = StepInput(data=request.data)
        payload.is_valid(raise_exception=True)
        klass = services.class_step(by=Actor.from_request(request), klass=klass, **payload.validated_data)
        return Response(self.get_serializer(klass).data)

    @extend_schema(request=CompletionInput, responses={200: AttendanceRowSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def completion(self, request, pk=None):
        klass = self.get_object()
        _manager(request, klass)
        payload = CompletionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        raw = payload.validated_data["completed"]
        if not all(key.isdigit() for key in raw):
            raise ValidationError({"completed": [_("键应为报名编号。")]})
        services.completion_record(
            by=Actor.from_request(request), klass=klass, completed={int(k): v for k, v in raw.items()}
        )
        return Response(_attendance_rows(request, klass))


@extend_schema_view(list=extend_schema(parameters=[CLASS_PARAM]))
class EnrolmentViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Enrolments the caller sees (their organisations', or all of the classes they organise), phones masked;
    POST enrols one person; POST {id}/withdraw/ withdraws before the start; POST {id}/reveal/ the full phone
    (for a role that may see personal data, audited)."""

    serializer_class = EnrolmentSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Enrolment.objects.none()
        rows = Enrolment.objects.visible_to(self.request.user).select_related("org", "user")
        klass = _int_param(self.request, "class")
        if klass is not None:
            rows = rows.filter(klass_id=klass)
        return rows.order_by("klass_id", "org__path", "id")

    @extend_schema(request=EnrolmentInput, responses={201: EnrolmentSerializer})
    def create(self, request):
        payload = EnrolmentInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        klass = _class_of(request, data.pop("klass"))
        (org,) = _orgs_by_code(request, [data.pop("org")], "org")
        user = services.user_by_username(data.pop("username"))
        enrolment = services.enrolment_add(by=Actor.from_request(request), klass=klass, org=org, user=user, **data)
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: EnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        enrolment = self.get_object()
        if not can(request.user, Action.EDIT, enrolment.org):
            raise PermissionDenied(_("只有报名单位可以退出报名。"))
        enrolment = services.enrolment_withdraw(by=Actor.from_request(request), enrolment=enrolment)
        return Response(EnrolmentSerializer(enrolment).data)

    @extend_schema(request=None, responses={200: PhoneSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        enrolment = self.get_object()
        if not can(request.user, Action.PII_VIEW, enrolment.org):
            raise PermissionDenied(_("您无权查看完整联系方式。"))
        response = Response({"phone": pii.reveal(request, enrolment, "phone") if enrolment.phone else ""})
        response["Cache-Control"] = "no-store"
        return response


def _attendance_rows(request, klass: TrainingClass) -> list[dict]:
    enrolments = list(queries.enrolments_for(request.user, klass))
    days: dict[int, dict[str, str]] = {e.pk: {} for e in enrolments}
    for pk, day, mark in DayAttendance.objects.filter(enrolment__in=enrolments).values_list(
        "enrolment_id", "day", "mark"
    ):
        days[pk][day.isoformat()] = mark
    rows = [
        {
            "enrolment": e.pk,
            "name": e.name,
            "org_code": e.org.code,
            "attendance": e.attendance,
            "completed": e.completed,
            "days": days[e.pk],
        }
        for e in enrolments
    ]
    return AttendanceRowSerializer(rows, many=True).data


class AttendanceViewSet(ThrottleFirstMixin, GenericViewSet):
    """GET ?class= the attendance of a class the caller organises; POST records marks for a day or the class."""

    serializer_class = AttendanceRowSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return Enrolment.objects.none()  # rows are built per class by _attendance_rows

    @extend_schema(parameters=[CLASS_PARAM], responses=AttendanceRowSerializer(many=True))
    def list(self, request):
        pk = _int_param(request, "class")
        if pk is None:
            raise ValidationError({"class": [_("请指定培训班编号（class）。")]})
        klass = _class_of(request, pk)
        _manager(request, klass)
        return Response(_attendance_rows(request, klass))

    @extend_schema(request=AttendanceInput, responses={200: AttendanceRowSerializer(many=True)})
    def create(self, request):
        payload = AttendanceInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        klass = _class_of(request, data["klass"])
        _manager(request, klass)
        marks = {row["enrolment"]: row["mark"] for row in data["marks"]}
        services.attendance_record(by=Actor.from_request(request), klass=klass, marks=marks, day=data["day"])
        return Response(_attendance_rows(request, klass))


class CoverageViewSet(ThrottleFirstMixin, GenericViewSet):
    """培训覆盖率 over the caller's scope for a year (?year=) and audience (?audience=default / prefecture / union /
    department / enterprise / class:<id>); rate null means no data (no expected organisation), never 0."""

    serializer_class = CoverageSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return Organisation.objects.none()  # computed by training.queries.coverage over the scope

    @extend_schema(
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, required=False, description="年度，默认今年"),
            OpenApiParameter("audience", OpenApiTypes.STR, required=False, description="应培训单位"),
        ],
        responses=forced_singular_serializer(CoverageSerializer),
    )
    def list(self, request):
        year = _int_param(request, "year") or deadlines.today().year
        if not 2000 <= year <= 2100:
            raise ValidationError({"year": [_("年度应在 2000 到 2100 之间。")]})
        result = coverage(request.user, year=year, audience=(request.query_params.get("audience") or "default"))
        return Response(CoverageSerializer(result).data)
