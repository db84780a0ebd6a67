"""The policy library in the JSON API (/api/v1/policies/): the measures (search ?q=), what the caller's
organisations are eligible for, the notices sent to them (and opening one), and the uptake forms (read, save,
submit). The pages' doors and services: 404 outside the caller's scope, 403 inside it without the right,
400 with a Chinese message for bad input, 409 for a stale version."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from core.actor import Actor
from core.api import ThrottleFirstMixin
from policies import eligibility, queries, services
from policies.choices import Category
from policies.models import Measure, NoticeRecipient, UptakeReport
from policies.serializers import (
    EligibilitySerializer,
    MeasureDetailSerializer,
    MeasureSerializer,
    NoticeSerializer,
    UptakeReportDetailSerializer,
    UptakeReportSerializer,
    UptakeSaveInput,
)


class MeasureViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The policy library: published measures for every business user (the office also sees drafts)."""

    serializer_class = MeasureSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Measure.objects.none()
        rows = queries.measures_for(self.request.user).prefetch_related("rules")
        category = (self.request.query_params.get("category") or "").strip()
        if category:
            if category not in Category.values:
                from core.errors import UserError

                raise UserError(_("类别“%(c)s”无效。") % {"c": category[:40]}, field="category")
            rows = rows.filter(category=category)
        from core import search

        return search.search(rows, queries.SEARCH_FIELDS, self.request.query_params.get("q", ""))

    def get_serializer_class(self):
        return MeasureDetailSerializer if self.action == "retrieve" else MeasureSerializer

    @extend_schema(parameters=[
        OpenApiParameter("q", OpenApiTypes.STR, description="检索词（中文分词，标题、文号、发文单位、正文）"),
        OpenApiParameter("category", OpenApiTypes.STR, description="类别代码，如 skills"),
    ])  # fmt: skip
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class EligibilityViewSet(ThrottleFirstMixin, GenericViewSet):
    """For each organisation the caller answers for: the measures it is eligible for, not used and used."""

    serializer_class = EligibilitySerializer
    filter_backends: list = []
    pagination_class = None

    @extend_schema(responses=EligibilitySerializer(many=True))
    def list(self, request):
        rows = [eligibility.for_org(org) for org in eligibility.policy_orgs(request.user)]
        return Response(EligibilitySerializer(rows, many=True).data)


class NoticeViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Notices sent to organisations in the caller's scope; POST open records the organisation's first reading."""

    serializer_class = NoticeSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return NoticeRecipient.objects.none()
        return queries.recipients_visible(self.request.user).order_by("-notice__sent_at", "org__path")

    def get_object(self):
        return queries.recipient_or_404(self.request.user, self.kwargs["pk"])

    @extend_schema(request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        recipient = self.get_object()
        recipient = services.notice_open(by=Actor.from_request(request), recipient=recipient)
        return Response(NoticeSerializer(recipient).data)


class UptakeViewSet(ThrottleFirstMixin, mixins.ListModelMixin, GenericViewSet):
    """Uptake forms in the caller's scope; save (a draft) or submit one with its answers."""

    serializer_class = UptakeReportSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return UptakeReport.objects.none()
        return queries.reports_visible(self.request.user).order_by("-round__year", "org__path")

    def get_object(self):
        return queries.report_or_404(self.request.user, self.kwargs["pk"])

    @extend_schema(responses=UptakeReportDetailSerializer)
    def retrieve(self, request, pk=None):
        report = self.get_object()
        return Response(UptakeReportDetailSerializer(report).data)

    @extend_schema(request=UptakeSaveInput, responses=UptakeReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def save(self, request, pk=None):
        report = self.get_object()
        payload = UptakeSaveInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        answers = {}
        for answer in data["answers"]:
            answers[answer.pop("measure")] = answer
        report = services.uptake_save(
            by=Actor.from_request(request),
            report=report,
            version=data["version"],
            answers=answers,
            submit=data["submit"],
        )
        report = self.get_object()
        return Response(UptakeReportDetailSerializer(report).data)
