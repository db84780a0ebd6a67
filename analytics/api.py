"""Analytics in the JSON API (/api/v1): indicators, the analytics query, drill-through and saved views.

The same engine and the same scope as the pages: `analytics/query/` answers exactly what the pivot
table shows (analytics.engine.answer); an organisation outside the caller's scope is 404. Saved views
are the caller's own plus the shared ones; only the owner changes or deletes one (others get 404),
with the version loaded (`version` in the body or `If-Match`).
"""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.helpers import forced_singular_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet, ReadOnlyModelViewSet

from analytics import engine, services
from analytics.choices import Level
from analytics.models import Indicator, SavedView
from analytics.serializers import (
    AnswerSerializer,
    ComparisonSerializer,
    DrillThroughSerializer,
    IndicatorSerializer,
    QueryAnswerSerializer,
    SavedViewInput,
    SavedViewSerializer,
    SavedViewUpdateInput,
)
from analytics.web import outside_scope_is_404, scope_of
from core.actor import Actor
from core.api import ThrottleFirstMixin, etag, expected_version
from core.openapi import if_match_parameter
from core.replica import reads_from_replica
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import get_visible_or_404

S = OpenApiTypes.STR
QUERY_PARAMS = [
    OpenApiParameter("measure", S, required=True, description=gettext_lazy("indicator:代码 或 element:代码[.选项]")),
    OpenApiParameter("periods", S, required=False, description=gettext_lazy("报告期代码，逗号分隔，例如 2020,2021")),
    OpenApiParameter(
        "period_type", S, required=False, description=gettext_lazy("与 from、to 一起给出区间：year、quarter…")
    ),
    OpenApiParameter("from", S, required=False, description=gettext_lazy("区间起点，例如 2020Q1")),
    OpenApiParameter("to", S, required=False, description=gettext_lazy("区间终点，例如 2021Q4")),
    OpenApiParameter("root", S, required=False, description=gettext_lazy("机构代码（默认为本人范围的最上级）")),
    OpenApiParameter("level", S, required=False, enum=Level.values, description=gettext_lazy("汇总层级")),
    OpenApiParameter("by_category", S, required=False, description=gettext_lazy("按分类分列，例如 GENDER")),
    OpenApiParameter("region", S, required=False, description=gettext_lazy("只看某州市的单位（6 位代码）")),
    OpenApiParameter(
        "include_submitted", OpenApiTypes.BOOL, required=False, description=gettext_lazy("含已提交未验收数据")
    ),
    OpenApiParameter("restate", OpenApiTypes.BOOL, required=False, description=gettext_lazy("按当前隶属关系重新汇总")),
    OpenApiParameter(
        "compare",
        S,
        required=False,
        enum=list(engine.COMPARE_KINDS),
        description=gettext_lazy("yoy：同比（与上年同期）；baseline：与基期比较（需同时给出 baseline）"),
    ),
    OpenApiParameter(
        "baseline", S, required=False, description=gettext_lazy("基期报告期代码，例如 2015（“十二五”末）")
    ),
]
DRILL_PARAMS = [
    OpenApiParameter("measure", S, required=True, description=gettext_lazy("indicator:代码 或 element:代码")),
    OpenApiParameter("period", S, required=True, description=gettext_lazy("报告期代码")),
    OpenApiParameter("root", S, required=False, description=gettext_lazy("机构代码（默认为本人范围的最上级）")),
    OpenApiParameter("own", OpenApiTypes.BOOL, required=False, description=gettext_lazy("只看该机构本级的报表")),
    OpenApiParameter("region", S, required=False, description=gettext_lazy("某州市的报表（6 位代码）")),
    OpenApiParameter("option", S, required=False, description=gettext_lazy("分类选项代码")),
]


def _flag(request, name: str) -> bool:
    return (request.query_params.get(name) or "").strip().lower() in {"1", "true", "yes", "on"}


def _root(request) -> int | None:
    code = (request.query_params.get("root") or "").strip()
    if not code:
        return None
    return get_visible_or_404(Organisation.objects, request.user, Action.VIEW, code=code).pk


def _comparison(request) -> tuple[str, str | None]:
    """(kind, baseline) from `compare` and `baseline`; a baseline alone means comparing with it."""
    kind = (request.query_params.get("compare") or "").strip().lower()
    baseline = (request.query_params.get("baseline") or "").strip() or None
    if kind and kind not in engine.COMPARE_KINDS:
        raise ValidationError({"compare": [_("compare 只能为 yoy（同比）或 baseline（与基期比较）。")]})
    if kind == engine.YOY and baseline:
        raise ValidationError(
            {"baseline": [_("同比不需要 baseline；与基期比较请用 compare=baseline 或只给 baseline。")]}
        )
    if baseline and not kind:
        kind = engine.BASELINE
    if kind == engine.BASELINE and not baseline:
        raise ValidationError({"baseline": [_("请提供 baseline（基期），例如 2015。")]})
    return kind, baseline


def _required(request, name: str, example: str) -> str:
    value = (request.query_params.get(name) or "").strip()
    if not value:
        raise ValidationError({name: [_("请提供 %(name)s，例如 %(example)s。") % {"name": name, "example": example}]})
    return value


class IndicatorViewSet(ThrottleFirstMixin, ReadOnlyModelViewSet):
    """The indicators the office defined, with their expressions, unit and scope (口径)."""

    serializer_class = IndicatorSerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Z][A-Z0-9_]{0,63}"
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return Indicator.objects.filter(is_active=True).order_by("sort_order", "code")


class AnalyticsQueryViewSet(ThrottleFirstMixin, GenericViewSet):
    """One indicator or data element × organisations × periods, within the caller's scope."""

    serializer_class = AnswerSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return Indicator.objects.none()  # the answer is computed by analytics.engine

    @extend_schema(parameters=QUERY_PARAMS, responses=forced_singular_serializer(QueryAnswerSerializer))
    @outside_scope_is_404
    @reads_from_replica
    def list(self, request):
        measure = _required(request, "measure", "indicator:CERT_RATE")
        codes = [c.strip() for c in (request.query_params.get("periods") or "").split(",") if c.strip()]
        if not codes and request.query_params.get("period_type"):
            codes = list(
                engine.period_codes(
                    request.query_params["period_type"],
                    _required(request, "from", "2020Q1"),
                    _required(request, "to", "2021Q4"),
                )
            )
        if not codes:
            raise ValidationError({"periods": [_("请提供 periods，例如 2021，或 period_type、from、to。")]})
        query = engine.Query(
            measure=measure,
            org=_root(request),
            level=(request.query_params.get("level") or Level.SELF).strip(),
            periods=tuple(codes),
            by_category=(request.query_params.get("by_category") or "").strip() or None,
            region=(request.query_params.get("region") or "").strip() or None,
            include_submitted=_flag(request, "include_submitted"),
            restate=_flag(request, "restate"),
        )
        kind, baseline = _comparison(request)
        result = engine.answer(scope_of(request), query)
        data = AnswerSerializer(result).data
        data["compare"] = None
        if kind:
            comparison = engine.comparison(scope_of(request), result, kind=kind, baseline=baseline)
            data["compare"] = ComparisonSerializer(comparison).data
        return Response(data)


class DrillThroughViewSet(ThrottleFirstMixin, GenericViewSet):
    """The accepted reports behind one figure, with their values for the measure's references."""

    serializer_class = DrillThroughSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return Indicator.objects.none()

    @extend_schema(parameters=DRILL_PARAMS, responses=forced_singular_serializer(DrillThroughSerializer))
    @outside_scope_is_404
    @reads_from_replica
    def list(self, request):
        measure = _required(request, "measure", "indicator:CERT_RATE")
        period = _required(request, "period", "2021")
        region = (request.query_params.get("region") or "").strip() or None
        root = _root(request)  # None: the whole of the caller's scope
        result = engine.drill_through(
            scope_of(request), measure, root, period, own=_flag(request, "own"), region=region,
            option=(request.query_params.get("option") or "").strip(),
        )  # fmt: skip
        return Response(DrillThroughSerializer(result).data)


class SavedViewViewSet(
    ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, GenericViewSet
):
    """The caller's saved views and the shared ones; a shared view shows each user their own scope."""

    serializer_class = SavedViewSerializer
    filter_backends: list = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator has no user
            return SavedView.objects.none()
        user = self.request.user
        return SavedView.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner").order_by("name", "id")

    def _own(self, pk) -> SavedView:
        return get_object_or_404(SavedView.objects.filter(owner=self.request.user), pk=pk)

    @extend_schema(request=SavedViewInput, responses={201: SavedViewSerializer})
    def create(self, request):
        payload = SavedViewInput(data=request.data)
        payload.is_valid(raise_exception=True)
        view = services.saved_view_create(by=Actor.from_request(request), **payload.validated_data)
        return Response(SavedViewSerializer(view, context={"request": request}).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        response = super().retrieve(request, pk=pk)
        response["ETag"] = etag(response.data["version"])
        return response

    @extend_schema(request=SavedViewUpdateInput, responses=SavedViewSerializer, parameters=[if_match_parameter()])
    def partial_update(self, request, pk=None):
        view = self._own(pk)
        payload = SavedViewUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = expected_version(request, data.pop("version", None), view.version)
        view = services.saved_view_update(by=Actor.from_request(request), view=view, version=version, **data)
        return Response(SavedViewSerializer(view, context={"request": request}).data)

    def destroy(self, request, pk=None):
        services.saved_view_delete(by=Actor.from_request(request), view=self._own(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
