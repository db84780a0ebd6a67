"""The ledger API: ledgers (by their organisation's code), group members, officers and progress updates."""

from __future__ import annotations

from django.contrib.auth import get_user_model
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
from core.api import ThrottleFirstMixin
from ledger import queries, services
from ledger.models import GroupMember, Ledger, Officer, ReformSettings, Task, TaskUpdate
from ledger.serializers import (
    ContactSerializer,
    EndInput,
    LedgerCreateInput,
    LedgerInput,
    LedgerSerializer,
    MemberInput,
    MemberSerializer,
    OfficerInput,
    OfficerSerializer,
    UpdateInput,
    UpdateSerializer,
)
from orgs.choices import Action
from orgs.scoping import can

# --- Ledgers, members, officers, updates -------------------------------------------------------------------


def _ledger_of(request, code: str) -> Ledger:
    ledger = queries.ledgers_visible(request.user).filter(org__code=code).first()
    if ledger is None:
        raise NotFound()
    return ledger


def _may_edit(request, org) -> None:
    if not can(request.user, Action.EDIT, org):
        raise PermissionDenied(_("您可以查看但不能修改该单位的台账。"))


def _user_or_400(pk: int | None):
    if pk is None:
        return None
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise ValidationError({"user": [_("未找到该账号。")]})
    return user


LEDGER_PARAMS = [
    OpenApiParameter("union", OpenApiTypes.STR, required=False, description="所属省级产业系统公司工会的机构代码"),
    OpenApiParameter("prefecture", OpenApiTypes.STR, required=False, description="州市区划代码，如 530100"),
    OpenApiParameter("q", OpenApiTypes.STR, required=False, description="按单位名称或代码查找"),
]
ORG_PARAM = OpenApiParameter("org", OpenApiTypes.STR, required=False, description="台账所属单位的机构代码")


@extend_schema_view(list=extend_schema(parameters=LEDGER_PARAMS))
class LedgerViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Ledgers in the caller's scope; PATCH records the plan, group or method; POST (the office) adds one."""

    serializer_class = LedgerSerializer
    lookup_field = "org__code"
    lookup_url_kwarg = "code"
    lookup_value_regex = r"[A-Za-z0-9_\-]+"
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Ledger.objects.none()
        params = self.request.query_params
        return queries.filter_ledgers(
            queries.ledgers_visible(self.request.user),
            union=params.get("union", ""),
            prefecture=params.get("prefecture", ""),
            text=params.get("q", ""),
        ).order_by("org__path")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "settings": ReformSettings.current()}

    @extend_schema(request=LedgerCreateInput, responses={201: LedgerSerializer})
    def create(self, request):
        from orgs.models import Organisation

        payload = LedgerCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        org = Organisation.objects.visible_to(request.user).filter(code=payload.validated_data["org"]).first()
        if org is None:
            raise ValidationError({"org": [_("未找到该机构，或不在您的管理范围内。")]})
        ledger = services.ledger_create(by=Actor.from_request(request), org=org)
        return Response(self.get_serializer(ledger).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LedgerInput, responses={200: LedgerSerializer})
    def partial_update(self, request, code=None):
        ledger = _ledger_of(request, code)
        _may_edit(request, ledger.org)
        payload = LedgerInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version")
        services.ledger_update(by=Actor.from_request(request), ledger=ledger, version=version, **data)
        return Response(self.get_serializer(ledger).data)


def _ledger_filter(request, rows):
    code = (request.query_params.get("org") or "").strip()
    return rows.filter(ledger__org__code=code) if code else rows


@extend_schema_view(list=extend_schema(parameters=[ORG_PARAM]))
class MemberViewSet(ThrottleFirstMixin, mixins.ListModelMixin, GenericViewSet):
    """Leading-group members (?org=code); POST adds one; POST {id}/end/ records the day they left."""

    serializer_class = MemberSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return GroupMember.objects.none()
        rows = GroupMember.objects.visible_to(self.request.user).select_related("ledger__org")
        return _ledger_filter(self.request, rows).order_by("ledger__org__path", "left_on", "role", "pk")

    @extend_schema(request=MemberInput, responses={201: MemberSerializer})
    def create(self, request):
        payload = MemberInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        ledger = _ledger_of(request, data.pop("org"))
        _may_edit(request, ledger.org)
        data["user"] = _user_or_400(data.get("user"))
        member = services.member_add(by=Actor.from_request(request), ledger=ledger, **data)
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EndInput, responses={200: MemberSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        member = self.get_object()
        _may_edit(request, member.ledger.org)
        payload = EndInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.member_end(by=Actor.from_request(request), member=member, **payload.validated_data)
        return Response(MemberSerializer(member).data)


@extend_schema_view(list=extend_schema(parameters=[ORG_PARAM]))
class OfficerViewSet(ThrottleFirstMixin, mixins.ListModelMixin, GenericViewSet):
    """Information officers and liaisons (?org=code), contacts masked; POST {id}/reveal/ for the full ones."""

    serializer_class = OfficerSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Officer.objects.none()
        rows = Officer.objects.visible_to(self.request.user).select_related("ledger__org")
        return _ledger_filter(self.request, rows).order_by("ledger__org__path", "kind", "-started_on", "pk")

    @extend_schema(request=OfficerInput, responses={201: OfficerSerializer})
    def create(self, request):
        payload = OfficerInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        ledger = _ledger_of(request, data.pop("org"))
        _may_edit(request, ledger.org)
        data["user"] = _user_or_400(data.get("user"))
        officer = services.officer_add(by=Actor.from_request(request), ledger=ledger, **data)
        return Response(OfficerSerializer(officer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EndInput, responses={200: OfficerSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        officer = self.get_object()
        _may_edit(request, officer.ledger.org)
        payload = EndInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.officer_end(by=Actor.from_request(request), officer=officer, **payload.validated_data)
        return Response(OfficerSerializer(officer).data)

    @extend_schema(request=None, responses={200: ContactSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The full phone and e-mail, for a role that may see personal data; audited."""
        officer = self.get_object()
        if not can(request.user, Action.PII_VIEW, officer.ledger.org):
            raise PermissionDenied(_("您无权查看完整联系方式。"))
        contact = {name: pii.reveal(request, officer, name) for name in ("phone", "email") if getattr(officer, name)}
        response = Response({"phone": contact.get("phone", ""), "email": contact.get("email", "")})
        response["Cache-Control"] = "no-store"
        return response


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("task", OpenApiTypes.INT, required=False, description="任务编号")])
)
class UpdateViewSet(ThrottleFirstMixin, mixins.ListModelMixin, GenericViewSet):
    """Progress updates (?task=id); POST records one."""

    serializer_class = UpdateSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TaskUpdate.objects.none()
        rows = TaskUpdate.objects.visible_to(self.request.user).select_related("task")
        raw = (self.request.query_params.get("task") or "").strip()
        if raw:
            if not raw.isdigit():
                raise ValidationError({"task": [_("task 应为任务编号。")]})
            rows = rows.filter(task_id=int(raw))
        return rows.order_by("task_id", "-on", "-pk")

    @extend_schema(request=UpdateInput, responses={201: UpdateSerializer})
    def create(self, request):
        payload = UpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        task = Task.objects.visible_to(request.user).select_related("ledger__org").filter(pk=data.pop("task")).first()
        if task is None:
            raise NotFound()
        _may_edit(request, task.ledger.org)
        update = services.update_add(by=Actor.from_request(request), task=task, **data)
        return Response(UpdateSerializer(update).data, status=status.HTTP_201_CREATED)
