"""The ledger API: the tasks in scope with where each target stands, and the province summaries."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.helpers import forced_singular_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from core.api import ThrottleFirstMixin
from ledger.models import Task
from ledger.queries import roadmap as roadmap_queries
from ledger.queries import summary as summary_queries
from ledger.serializers import (
    SummarySerializer,
    TaskListItemSerializer,
)

TASK_FILTERS = ("status", "key_task", "union", "prefecture", "target_kind")
TASK_PARAMS = [
    OpenApiParameter("status", OpenApiTypes.STR, required=False,
                     description="planned / active / done / cancelled / overdue（逾期未完成）"),
    OpenApiParameter("key_task", OpenApiTypes.STR, required=False, description="重点任务代码，如 skills"),
    OpenApiParameter("union", OpenApiTypes.STR, required=False, description="省级产业系统公司工会的机构代码"),
    OpenApiParameter("prefecture", OpenApiTypes.STR, required=False, description="州市区划代码，如 530100"),
    OpenApiParameter("target_kind", OpenApiTypes.STR, required=False, description="indicator / result / none"),
]  # fmt: skip


def task_payload(line: roadmap_queries.TaskLine) -> dict:
    """One task of the list as plain data for TaskListItemSerializer."""
    task, progress = line.task, line.progress
    actual = progress.actual
    return {
        "id": task.pk,
        "org_code": task.ledger.org.code,
        "org_name": task.ledger.org.name,
        "union": line.union,
        "key_task": task.key_task,
        "key_task_label": task.get_key_task_display(),
        "title": task.title,
        "owner_name": task.owner_name,
        "owner_unit": task.owner_unit,
        "starts_on": task.starts_on,
        "deadline": task.deadline,
        "status": task.status,
        "status_label": task.get_status_display(),
        "overdue": line.overdue,
        "target_kind": task.target_kind,
        "target_kind_label": task.get_target_kind_display(),
        "indicator": task.indicator.code if task.indicator_id else None,
        "target_year": task.target_year,
        "result_text": task.result_text,
        "result_unit": task.result_unit,
        "roadmap_url": reverse("ledger:roadmap", args=[task.ledger.org.code]),
        "progress": {
            "quantified": progress.quantified,
            "baseline": progress.baseline,
            "target": progress.target,
            "path_start": progress.start,
            "path_end": progress.end,
            "latest_value": actual.value if actual else None,
            "latest_label": actual.label if actual else None,
            "latest_on": actual.on if actual else None,
            "share": progress.share,
            "expected_share": progress.expected,
            "behind_by": progress.behind_by(),
            "expected_today": line.expected_today,
            "text": line.statement.text if line.statement else "",
        },
    }


class TaskViewSet(ThrottleFirstMixin, GenericViewSet):
    """Every reform task in the caller's scope, filtered as on the 改革任务 page, each with its progress."""

    serializer_class = TaskListItemSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Task.objects.none()
        chosen = {name: (self.request.query_params.get(name) or "").strip() for name in TASK_FILTERS}
        tasks = roadmap_queries.filter_tasks(roadmap_queries.tasks_visible(self.request.user), **chosen)
        return tasks.order_by("ledger__org__path", "key_task", "deadline", "id")

    @extend_schema(parameters=TASK_PARAMS, responses=TaskListItemSerializer(many=True))
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        lines = roadmap_queries.task_lines(list(page))
        data = TaskListItemSerializer([task_payload(line) for line in lines], many=True).data
        return self.get_paginated_response(data)


class SummaryViewSet(ThrottleFirstMixin, GenericViewSet):
    """The summaries of 推进情况统计 over the caller's scope: adoption of plans and leading groups by reform
    year (unions and enterprises), quantified-target shares, officer coverage, alerts by month."""

    serializer_class = SummarySerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return Task.objects.none()  # the summary is computed by ledger.queries.summary over the scope

    @extend_schema(responses=forced_singular_serializer(SummarySerializer))
    def list(self, request):
        return Response(SummarySerializer(summary_queries.summary(request.user)).data)
