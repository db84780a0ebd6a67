"""The reform ledger in the JSON API (/api/v1/ledger/), with the pages' door and the pages' services.

Ledgers are addressed by their organisation's code. Everything outside the caller's scope is 404;
inside it without the right to edit, 403; bad input 400 with a Chinese message; a stale version or a state that
does not allow a step 409. Reads and writes are the pages' (ledger.queries, ledger.services).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.helpers import forced_singular_serializer
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
from core.errors import UserError
from ledger import exports, queries, services, timeline
from ledger.models import GroupMember, Ledger, Officer, ReformSettings, Task, TaskUpdate
from ledger.queries import alerts as alert_queries
from ledger.queries import roadmap as roadmap_queries
from ledger.queries import summary as summary_queries
from ledger.queries import timeline as timeline_queries
from ledger.queries import written as written_queries
from ledger.serializers import (
    AlertSerializer,
    CommentInput,
    ContactSerializer,
    EndInput,
    LedgerCreateInput,
    LedgerInput,
    LedgerSerializer,
    MemberInput,
    MemberSerializer,
    OfficerInput,
    OfficerSerializer,
    SectionInput,
    SubmissionRowSerializer,
    SubmissionsSerializer,
    SummarySerializer,
    TaskListItemSerializer,
    TimelineEventSerializer,
    UpdateInput,
    UpdateSerializer,
    WrittenReportDetailSerializer,
    WrittenReportSerializer,
    WrittenRoundSerializer,
    WrittenStartInput,
    WrittenStepInput,
)
from ledger.written_figures import figures_for
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


# --- Nine-aspect written reports -----------------------------------------------------------------------------------


def _int_param(request, name: str) -> int | None:
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise ValidationError({name: [_("%(name)s 应为编号（正整数）。") % {"name": name}]})
    return int(raw)


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
