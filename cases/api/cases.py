"""The case library API: cases (search with ?q=, the workflow's steps) and adoption records, through the door."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from cases import queries, services
from cases.choices import CaseStatus
from cases.models import Topic
from cases.serializers import (
    CaseDetailSerializer,
    CaseInput,
    CaseSerializer,
    CaseStepInput,
    CaseUpdateInput,
    ReplicationInput,
    ReplicationSerializer,
)
from core.actor import Actor
from core.api import ThrottleFirstMixin, expected_version
from core.openapi import if_match_parameter
from orgs.choices import Action
from orgs.queries import OrgNotResolved, org_resolve
from orgs.scoping import can

LIST_PARAMS = [
    OpenApiParameter("q", OpenApiTypes.STR, required=False, description="检索词（中文分词，每个词都须出现）"),
    OpenApiParameter(
        "status", OpenApiTypes.STR, required=False, description="状态：draft、submitted、returned、published、withdrawn"
    ),  # fmt: skip
    OpenApiParameter("task", OpenApiTypes.STR, required=False, description="重点任务，如 skills"),
    OpenApiParameter("topic", OpenApiTypes.INT, required=False, description="专题编号"),
    OpenApiParameter("year", OpenApiTypes.INT, required=False, description="年度"),
    OpenApiParameter("prefecture", OpenApiTypes.STR, required=False, description="来源州市的行政区划代码"),
    OpenApiParameter("union", OpenApiTypes.STR, required=False, description="来源产业系统公司工会的机构代码"),
    OpenApiParameter("sort", OpenApiTypes.STR, required=False, description="relevance、newest 或 replicated"),
]


def _org(user, code: str, field: str = "org"):
    try:
        return org_resolve(user=user, text=code, action=Action.EDIT)
    except OrgNotResolved as error:
        raise ValidationError({field: [error.message]}) from None


def _topics(ids) -> list[Topic]:
    found = list(Topic.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"topics": [_("所选专题不存在。")]})
    return found


class CaseViewSet(ThrottleFirstMixin, GenericViewSet):
    """Cases the caller may see: published ones province-wide, the others within the caller's scope."""

    serializer_class = CaseSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return queries.cases_visible(self.request.user)

    def get_object(self):
        return queries.case_or_404(self.request.user, self.kwargs["pk"])

    def _detail(self, case, status_code: int = status.HTTP_200_OK) -> Response:
        case = queries.case_or_404(self.request.user, case.pk)
        case.api_steps = services.may(self.request.user, case)
        response = Response(CaseDetailSerializer(case).data, status=status_code)
        response["ETag"] = f'"{case.version}"'
        return response

    @extend_schema(parameters=LIST_PARAMS, responses=CaseSerializer(many=True))
    def list(self, request):
        rows = self.get_queryset()
        state = (request.query_params.get("status") or "").strip()
        if state:
            if state not in CaseStatus.values:
                raise ValidationError({"status": [_("状态“%(s)s”不存在。") % {"s": state[:20]}]})
            rows = rows.filter(status=state)
        filters = queries.Filters.from_params(request.query_params)
        hits, _words = queries.ranked(rows, filters)
        page = self.paginate_queryset(hits)
        cases = []
        for hit in page:
            hit.case.api_snippet = hit.snippet
            cases.append(hit.case)
        return self.get_paginated_response(CaseSerializer(cases, many=True).data)

    @extend_schema(responses=CaseDetailSerializer)
    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    @extend_schema(request=CaseInput, responses={201: CaseDetailSerializer})
    def create(self, request):
        """A new draft case of an organisation the caller writes for."""
        payload = CaseInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["org"] = _org(request.user, data["org"])
        data["topics"] = _topics(data["topics"])
        case = services.case_create(by=Actor.from_request(request), **data)
        return self._detail(case, status.HTTP_201_CREATED)

    @extend_schema(request=CaseUpdateInput, responses=CaseDetailSerializer, parameters=[if_match_parameter()])
    def partial_update(self, request, pk=None):
        """Change a draft or returned case; `version` in the body or If-Match."""
        case = queries.case_or_404(request.user, pk)
        if not can(request.user, Action.EDIT, case.org):
            raise PermissionDenied(_("您没有修改该案例的权限。"))
        payload = CaseUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = expected_version(request, data.pop("version", None), case.version)
        if "org" in data:
            data["org"] = _org(request.user, data["org"])
        if "topics" in data:
            data["topics"] = _topics(data["topics"])
        case = services.case_update(by=Actor.from_request(request), case=case, version=version, **data)
        return self._detail(case)

    def _step(self, request, step: str) -> Response:
        case = self.get_object()
        payload = CaseStepInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        case = services.case_step(
            by=Actor.from_request(request), case=case, step=step, version=data["version"], reason=data["reason"]
        )
        return self._detail(case)

    @extend_schema(request=CaseStepInput, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """The source organisation submits the case to the office."""
        return self._step(request, "submit")

    @extend_schema(request=CaseStepInput, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """The office returns a submitted case for changes (`reason` required)."""
        return self._step(request, "return")

    @extend_schema(request=CaseStepInput, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """The office publishes a submitted case to the whole province."""
        return self._step(request, "publish")

    @extend_schema(request=CaseStepInput, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The office withdraws a published case (`reason` required)."""
        return self._step(request, "withdraw")


class ReplicationViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Adoption records (复制推广) seen by the adopting organisation's scope and by the source's."""

    serializer_class = ReplicationSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        rows = queries.replications_visible(self.request.user).order_by("-adopted_on", "-id")
        case = (self.request.query_params.get("case") or "").strip()
        if case:
            if not case.isdigit() or len(case) > 12:
                raise ValidationError({"case": [_("case 应为案例编号（正整数）。")]})
            rows = rows.filter(case_id=int(case))
        return rows

    def get_object(self):
        return queries.replication_or_404(self.request.user, self.kwargs["pk"])

    @extend_schema(
        parameters=[OpenApiParameter("case", OpenApiTypes.INT, required=False, description="案例编号")],
        responses=ReplicationSerializer(many=True),
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ReplicationInput, responses={201: ReplicationSerializer})
    def create(self, request):
        """Record that an organisation adopted a published case."""
        payload = ReplicationInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        case = queries.cases_visible(request.user).filter(pk=data.pop("case")).first()
        if case is None:
            raise ValidationError({"case": [_("案例不存在。")]})
        org = _org(request.user, data.pop("org"))
        row = services.replication_record(by=Actor.from_request(request), case=case, org=org, **data)
        return Response(ReplicationSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        """Remove an adoption record (the adopting organisation's editors)."""
        row = queries.replication_or_404(request.user, pk)
        if not can(request.user, Action.EDIT, row.org):
            raise PermissionDenied(_("只有借鉴单位可以删除自己的复制推广记录。"))
        services.replication_delete(by=Actor.from_request(request), replication=row)
        return Response(status=status.HTTP_204_NO_CONTENT)
