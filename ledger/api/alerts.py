"""The ledger API: the alerts in scope and an organisation's timeline."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.viewsets import GenericViewSet

from core.api import ThrottleFirstMixin
from core.errors import UserError
from ledger import timeline
from ledger.queries import alerts as alert_queries
from ledger.queries import timeline as timeline_queries
from ledger.serializers import (
    AlertSerializer,
    TimelineEventSerializer,
)

# --- Alerts and timeline ---

ALERT_PARAMS = [
    OpenApiParameter("union", OpenApiTypes.STR, description="产业系统公司工会代码（含下属单位）"),
    OpenApiParameter("prefecture", OpenApiTypes.STR, description="州市行政区划代码，如 530100"),
    OpenApiParameter("kind", OpenApiTypes.STR, description="预警类型，如 no_plan"),
    OpenApiParameter("age", OpenApiTypes.INT, description="持续超过的天数：30、90 或 180"),
    OpenApiParameter("level", OpenApiTypes.STR, description="union（省级产业系统公司工会）或 enterprise（企业）"),
    OpenApiParameter("state", OpenApiTypes.STR, description="open（默认）、cleared 或 all"),
]


class AlertViewSet(ThrottleFirstMixin, GenericViewSet):
    """Alerts in the caller's scope (the office: the province; a union: its subtree; an organisation: itself)."""

    serializer_class = AlertSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator has no user
            return alert_queries.Alert.objects.none()
        try:
            flt = alert_queries.clean_filter(self.request.query_params)
        except alert_queries.FilterError as problem:
            raise UserError(problem.message, field=problem.field) from None
        return alert_queries.ordered(alert_queries.filter_alerts(alert_queries.alerts_visible(self.request.user), flt))

    @extend_schema(parameters=ALERT_PARAMS, responses=AlertSerializer(many=True))
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AlertSerializer(alert_queries.alert_rows(page), many=True).data)


class TimelineViewSet(ThrottleFirstMixin, GenericViewSet):
    """One organisation's dated events, newest first (404 outside the caller's scope)."""

    serializer_class = TimelineEventSerializer
    filter_backends: list = []
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    @extend_schema(
        parameters=[OpenApiParameter("kind", OpenApiTypes.STR, many=True, description="事件类型，可多选")],
        responses=TimelineEventSerializer(many=True),
    )
    def retrieve(self, request, code=None):
        org = timeline_queries.timeline_org_or_404(request.user, code)
        try:
            kinds = timeline_queries.clean_kinds(request.query_params.getlist("kind"))
        except ValueError as problem:
            raise UserError(str(problem), field="kind") from None
        labels = dict(timeline.event_kinds())
        events = [
            {"on": e.on, "kind": e.kind, "kind_label": labels.get(e.kind, e.kind), "title": e.title,
             "detail": e.detail, "url": e.url, "activity": e.activity}
            for e in timeline_queries.org_events(org, kinds=kinds or None)
        ]  # fmt: skip
        page = self.paginate_queryset(events)
        return self.get_paginated_response(TimelineEventSerializer(page, many=True).data)
