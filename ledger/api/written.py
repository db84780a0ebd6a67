"""The ledger API: the nine-aspect written reports, their rounds and who has submitted."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.helpers import forced_singular_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from core.actor import Actor
from core.api import ThrottleFirstMixin
from core.api import int_param as _int_param
from ledger import exports, queries, services
from ledger.api.ledgers import ORG_PARAM
from ledger.queries import written as written_queries
from ledger.serializers import (
    CommentInput,
    SectionInput,
    SubmissionRowSerializer,
    SubmissionsSerializer,
    WrittenReportDetailSerializer,
    WrittenReportSerializer,
    WrittenRoundSerializer,
    WrittenStartInput,
    WrittenStepInput,
)
from ledger.written_figures import figures_for

# --- Nine-aspect written reports -----------------------------------------------------------------------------------


class WrittenRoundViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Rounds of nine-aspect written reports (the office's calendar, the same for every reader)."""

    serializer_class = WrittenRoundSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return written_queries.rounds_visible(self.request.user)


ROUND_PARAM = OpenApiParameter("round", OpenApiTypes.INT, required=False, description="书面报告期编号")


class WrittenReportViewSet(ThrottleFirstMixin, GenericViewSet):
    """Written reports in the caller's scope: list, read with sections, start, write a section, the steps."""

    serializer_class = WrittenReportSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        reports = written_queries.reports_visible(self.request.user).order_by("-round__period_end", "org__path", "id")
        round_id = _int_param(self.request, "round")
        if round_id is not None:
            reports = reports.filter(round_id=round_id)
        org = (self.request.query_params.get("org") or "").strip()
        if org:
            reports = reports.filter(org__code=org)
        state = (self.request.query_params.get("status") or "").strip()
        if state:
            reports = reports.filter(status=state)
        return reports

    def get_object(self):
        return written_queries.report_or_404(self.request.user, self.kwargs["pk"])

    def _detail(self, report, status_code: int = status.HTTP_200_OK) -> Response:
        report = written_queries.report_or_404(self.request.user, report.pk)
        figures = figures_for([report]).get(report.pk)
        report.api_sections = [
            {
                "aspect": s.aspect,
                "title": exports.aspect_title(s.aspect),
                "body": s.body,
                "comment": s.comment,
                "return_reason": s.return_reason,
                "attachments": [
                    {
                        "id": d.pk,
                        "name": d.original_name,
                        "url": reverse("ledger:written_attachment", args=[report.pk, d.pk]),
                    }
                    for d in s.attachments.all()
                ],
                "figures": [{"label": f.label, "text": f.text, "has_data": f.has_data} for f in figures.of(s.aspect)]
                if figures
                else [],
            }
            for s in report.sections.all()
        ]
        report.api_steps = written_queries.steps_for(self.request.user, report)
        report.api_figures_year = figures.year if figures else None
        return Response(WrittenReportDetailSerializer(report).data, status=status_code)

    @extend_schema(
        parameters=[
            ROUND_PARAM,
            ORG_PARAM,
            OpenApiParameter("status", OpenApiTypes.STR, required=False, description="状态，如 draft、submitted"),
        ]
    )
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WrittenReportSerializer(page, many=True).data)

    @extend_schema(responses=WrittenReportDetailSerializer)
    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    @extend_schema(request=WrittenStartInput, responses={201: WrittenReportDetailSerializer})
    def create(self, request):
        """Start an organisation's report for a round (its nine sections, empty)."""
        payload = WrittenStartInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            ledger = queries.ledger_or_404(request.user, data["org"])
        except Http404:  # the same answer for "not on the ledger" and "not yours"
            raise ValidationError(
                {"org": [_("“%(code)s”不在产改台账上，或您无权访问。") % {"code": data["org"]}]}
            ) from None
        found = written_queries.rounds_visible(request.user).filter(pk=data["round"]).first()
        if found is None:
            raise ValidationError({"round": [_("书面报告期不存在。")]})
        report = services.written_start(by=Actor.from_request(request), round=found, org=ledger.org)
        return self._detail(report, status.HTTP_201_CREATED)

    @extend_schema(request=SectionInput, responses=WrittenReportDetailSerializer)
    @action(detail=True, methods=["patch"])
    def section(self, request, pk=None):
        """Save one aspect's text (HTML, cleaned on the server) with the report's version."""
        report = self.get_object()
        payload = SectionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        section = written_queries.section_or_404(request.user, report, data["aspect"])
        services.section_save(
            by=Actor.from_request(request), section=section, version=data["version"], body=data["body"]
        )
        return self._detail(report)

    @extend_schema(request=CommentInput, responses=WrittenReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        """A reviewer's comment on one aspect."""
        report = self.get_object()
        payload = CommentInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        section = written_queries.section_or_404(request.user, report, data["aspect"])
        services.section_comment(
            by=Actor.from_request(request), section=section, version=data["version"], comment=data["comment"]
        )
        return self._detail(report)

    def _step(self, request, step: str) -> Response:
        report = self.get_object()
        payload = WrittenStepInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        report = services.written_step(
            by=Actor.from_request(request),
            report=report,
            step=step,
            version=data["version"],
            reason=data.get("reason", ""),
            section_reasons=data.get("section_reasons"),
            section_comments=data.get("section_comments"),
        )
        return self._detail(report)

    @extend_schema(request=WrittenStepInput, responses=WrittenReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._step(request, "submit")

    @extend_schema(request=WrittenStepInput, responses=WrittenReportDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """Return with a reason for the whole report (`reason`) and/or per aspect (`section_reasons`)."""
        return self._step(request, "return")

    @extend_schema(request=WrittenStepInput, responses=WrittenReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._step(request, "accept")

    @extend_schema(request=WrittenStepInput, responses=WrittenReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._step(request, "reopen")


class WrittenSubmissionViewSet(ThrottleFirstMixin, GenericViewSet):
    """Who has and has not submitted for a round (default: the latest), within the caller's scope."""

    serializer_class = SubmissionRowSerializer
    pagination_class = None

    def get_queryset(self):
        return written_queries.rounds_visible(self.request.user)

    @extend_schema(
        parameters=[
            ROUND_PARAM,
            OpenApiParameter("union", OpenApiTypes.STR, required=False, description="所属工会代码"),
            OpenApiParameter("prefecture", OpenApiTypes.STR, required=False, description="州市代码"),
            OpenApiParameter("status", OpenApiTypes.STR, required=False, description="状态（含 not_started）"),
        ],
        responses=forced_singular_serializer(SubmissionsSerializer),
    )
    def list(self, request):
        round_id = _int_param(request, "round")
        rounds = written_queries.rounds_visible(request.user)
        found = rounds.filter(pk=round_id).first() if round_id is not None else rounds.first()
        if round_id is not None and found is None:
            raise ValidationError({"round": [_("书面报告期不存在。")]})
        if found is None:
            return Response({"round": None, "counts": {}, "results": []})
        state = (request.query_params.get("status") or "").strip()
        if state and state not in dict(written_queries.STATUS_CHOICES):
            raise ValidationError({"status": [_("状态无效。")]})
        rows, counts = written_queries.submission_rows(
            request.user,
            found,
            union=(request.query_params.get("union") or "").strip()[:64],
            prefecture=(request.query_params.get("prefecture") or "").strip()[:12],
            status=state,
        )
        results = [
            {
                "org": row.org.code,
                "org_name": row.org.name,
                "union": row.union,
                "status": row.status,
                "status_label": row.status_label,
                "timing": row.timing,
                "timing_label": row.timing_label,
                "report": row.report.pk if row.report is not None else None,
                "first_submitted_at": row.report.first_submitted_at if row.report is not None else None,
            }
            for row in rows
        ]
        return Response(
            {
                "round": WrittenRoundSerializer(found).data,
                "counts": dict(counts),
                "results": SubmissionRowSerializer(results, many=True).data,
            }
        )
