"""Reporting in the JSON API (/api/v1): data sets and versions, periods, reports with their values
and workflow steps, and completeness.

The same doors as the pages: reports are read through `visible_to(user, VIEW)` (a report outside
the caller's scope answers 404 on every route, reads and writes alike), and every change goes
through reporting.services, which checks EDIT, REVIEW or ACCEPT itself (403 inside the scope
without the right) and writes the audit row. Changes carry the version the client loaded, in the
body (`version`) or as `If-Match: "7"`: a stale body version answers 409 with the cells changed
meanwhile, a stale If-Match 412, neither 428. Refused values answer 400 with every problem, in
Chinese, and nothing is saved. `Idempotency-Key` on submit makes a retry return the first result,
before any version check (the retry carries the version the first call consumed).

Machine clients import a report's values as CSV or JSON (`POST reports/{id}/import/`): a dry run
by default, which returns the plan (what would change, against what is stored now); `?dry_run=0`
imports, all or nothing, through reporting.services.values_import. Every problem comes back at
once with its line (CSV) or item (JSON) number and column or key.
"""

from __future__ import annotations

import hashlib
import re
import uuid

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.helpers import forced_singular_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from core.actor import Actor
from core.api import PreconditionFailed, PreconditionRequired, ThrottleFirstMixin, etag, expected_version
from core.errors import ConflictError, UserError
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import get_visible_or_404
from reporting import queries, services
from reporting.api_import import DRY_RUN, IMPORT_PARSERS, OVERWRITE, import_refused, query_flag
from reporting.choices import Timeliness
from reporting.excel import importer, tabular
from reporting.excel.container import max_upload_bytes
from reporting.excel.plan import Context
from reporting.excel.problems import Code, ImportProblem, ImportRefused
from reporting.excel.stamp import SINGLE
from reporting.filters import DataSetVersionFilter, PeriodFilter, ReportFilter
from reporting.models import DataSet, DataSetVersion, DataValue, Period, Report
from reporting.periods import parse_code, period_from_code
from reporting.serializers import (
    CompletenessSerializer,
    DataSetSerializer,
    DataSetVersionDetailSerializer,
    DataSetVersionSerializer,
    ImportJsonInput,
    ImportRefusalSerializer,
    ImportResultSerializer,
    PeriodSerializer,
    ProblemSerializer,
    ReasonInput,
    ReportDetailSerializer,
    ReportOpenInput,
    ReportSerializer,
    ReturnInput,
    SubmitInput,
    ValuesInput,
    VersionInput,
)
from reporting.services.imports import ImportFailed, ImportItem, values_import

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy('报表当前版本号，例如 "3"；版本已变化时返回 412。'),
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy("同一次提交的重试请使用相同的值：重复的请求返回第一次的结果，不会重复提交。"),
)
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,100}$")


# --- Metadata (read-only; metadata belongs to no organisation) ------------------------------------------------


class DataSetViewSet(ThrottleFirstMixin, GenericViewSet):
    """Data sets with their deadline rule and versions, by code."""

    serializer_class = DataSetSerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z][A-Za-z0-9_]{0,63}"

    def get_queryset(self):
        versions = DataSetVersion.objects.order_by("number")
        return DataSet.objects.order_by("code").prefetch_related(
            Prefetch("versions", queryset=versions, to_attr="api_versions")
        )

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, code=None):
        dataset = get_object_or_404(self.get_queryset(), code=code.upper())
        return Response(self.get_serializer(dataset).data)


def _with_layout(version: DataSetVersion) -> DataSetVersion:
    """Attach the version's form (sections → elements → cells) and rules for the detail serializer."""
    layout = queries.version_layout(version)
    sections = []
    for section in layout.sections:
        elements = []
        for item in (se for se in layout.section_elements if se.section_id == section.pk):
            element = item.element
            elements.append(
                {
                    "code": element.code,
                    "name": element.name,
                    "value_type": element.value_type,
                    "unit": element.unit,
                    "aggregation": element.aggregation,
                    "category_combo": item.category_combo.code,
                    "required": item.required,
                    "min_value": item.min_value,
                    "max_value": item.max_value,
                    "help_text": item.help_text,
                    "cells": [{"key": c.option_combo.key, "name": c.option_combo.name} for c in layout.cells_of(item)],
                }
            )
        sections.append({"code": section.code, "name": section.name, "elements": elements})
    version.api_sections = sections
    version.api_rules = list(version.rules.order_by("is_generated", "code"))
    return version


class DataSetVersionViewSet(ThrottleFirstMixin, GenericViewSet):
    """Versions of data sets (filter by `dataset`); the detail carries the whole form and its rules."""

    serializer_class = DataSetVersionSerializer
    filterset_class = DataSetVersionFilter
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return DataSetVersion.objects.select_related("dataset").order_by("dataset__code", "number")

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=DataSetVersionDetailSerializer)
    def retrieve(self, request, pk=None):
        version = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(DataSetVersionDetailSerializer(_with_layout(version)).data)


class PeriodViewSet(ThrottleFirstMixin, GenericViewSet):
    """Reporting periods in use (2021, 2021H1, 2021Q2, 202103), by code."""

    serializer_class = PeriodSerializer
    filterset_class = PeriodFilter
    lookup_field = "code"
    lookup_value_regex = "[0-9]{4}(?:[HQhq][1-4]|[0-9]{2})?"

    def get_queryset(self):
        return Period.objects.order_by("-start", "period_type")

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, code=None):
        return Response(self.get_serializer(get_object_or_404(self.get_queryset(), code=code.upper())).data)


# --- Reports ---------------------------------------------------------------------------------------------------


def _values_of(report: Report) -> list[dict]:
    layout = queries.version_layout(report.dataset_version)
    rows = (
        DataValue.objects.filter(report=report)
        .select_related("element", "option_combo")
        .order_by("element__code", "option_combo__sort_order")
    )
    values = []
    for v in rows:
        if not v.value and not v.comment:
            continue
        cell = layout.cells.get((v.element.code, v.option_combo.key))
        values.append(
            {
                "element": v.element.code,
                "option": v.option_combo.key,
                "label": cell.label if cell else v.element.name,
                "value": v.value,
                "number": v.number,
                "comment": v.comment,
                "changed_in": v.changed_in,
            }
        )
    return values


def _returns_of(report: Report) -> list[dict]:
    returns = report.returns.filter(resolved_at__isnull=True).select_related("section", "element", "option_combo")
    return [
        {
            "section": r.section.code if r.section_id else None,
            "element": r.element.code if r.element_id else None,
            "option": r.option_combo.key if r.option_combo_id else None,
            "reason": r.reason,
            "created_at": r.created_at,
        }
        for r in returns
    ]


def _conflict_response(error: services.ReportConflict) -> Response:
    return Response(
        {
            "detail": error.message,
            "current_version": error.current_version,
            "changes": [
                {"element": c.element_code, "option": c.option_key, "label": c.label, "value": c.new}
                for c in error.changes
            ],
        },
        status=status.HTTP_409_CONFLICT,
    )


class _IfMatch:
    """A conflict found by the service is a 412 when the client sent If-Match, a 409 with the changes otherwise."""

    def __init__(self, request):
        self.request = request

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        stale = (
            exc_type is not None and issubclass(exc_type, ConflictError) and exc_type is not services.IllegalTransition
        )
        if stale and self.request.headers.get("If-Match"):
            raise PreconditionFailed() from exc
        return False


class ReportViewSet(ThrottleFirstMixin, GenericViewSet):
    """Reports in the caller's scope: list and filter, open, read and save values, and the workflow steps."""

    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    lookup_value_regex = "[0-9]+"

    def _base(self):
        return Report.objects.select_related("org", "dataset", "dataset_version", "period")

    def get_queryset(self):
        return self._base().visible_to(self.request.user, Action.VIEW).order_by("-period__start", "org__path", "id")

    def get_object(self) -> Report:
        return get_visible_or_404(self._base(), self.request.user, Action.VIEW, pk=self.kwargs["pk"])

    def _detail(self, report: Report, status_code: int = status.HTTP_200_OK, **headers) -> Response:
        report.api_values = _values_of(report)
        report.api_returns = _returns_of(report)
        return Response(
            ReportDetailSerializer(report).data, status=status_code, headers={"ETag": etag(report.version), **headers}
        )

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=ReportDetailSerializer)
    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    @extend_schema(request=ReportOpenInput, responses={201: ReportDetailSerializer, 200: ReportDetailSerializer})
    def create(self, request):
        """Open (or find) the report of an organisation for a data set and period."""
        payload = ReportOpenInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        org = Organisation.objects.visible_to(request.user, Action.VIEW).filter(code=data["org"]).first()
        if org is None:
            raise ValidationError({"org": [_("未找到代码为“%(code)s”的机构，或您无权访问。") % {"code": data["org"]}]})
        dataset = DataSet.objects.filter(code=data["dataset"].upper()).first()
        if dataset is None:
            raise ValidationError({"dataset": [_("未找到代码为“%(code)s”的报表。") % {"code": data["dataset"]}]})
        period = period_from_code(data["period"])
        existed = Report.objects.visible_to(request.user).filter(org=org, dataset=dataset, period=period).exists()
        report = services.report_open(by=Actor.from_request(request), org=org, dataset=dataset, period=period)
        return self._detail(report, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=ReportDetailSerializer)
    @extend_schema(methods=["PATCH"], request=ValuesInput, responses=ReportDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["get", "patch"])
    def values(self, request, pk=None):
        """GET: the filled cells. PATCH: save cells, all or nothing, with the version loaded."""
        report = self.get_object()
        if request.method == "GET":
            return self._detail(report)
        payload = ValuesInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        version = expected_version(request, data.get("version"), report.version)
        cells = {(c["element"], c.get("option", "")): c.get("value") for c in data["values"]}
        try:
            with _IfMatch(request):
                result = services.values_save(
                    by=Actor.from_request(request), report=report, version=version, values=cells
                )
        except services.ValuesInvalid as error:
            problems = [
                {
                    "element": p.element_code,
                    "option": p.option_key,
                    "label": p.label,
                    "value": None if p.value is None else str(p.value),
                    "message": p.message,
                }
                for p in error.problems
            ]
            return Response(
                {"detail": error.message, "problems": ProblemSerializer(problems, many=True).data},
                status=status.HTTP_400_BAD_REQUEST,
            )
        except services.ReportConflict as error:
            return _conflict_response(error)
        response = self._detail(result.report)
        response.data["changed"] = [{"element": code, "option": key} for code, key in result.changed]
        response.data["notes"] = [
            {"element": code, "option": key, "notes": list(notes)} for (code, key), notes in result.notes.items()
        ]
        # The outlier warnings of web entry (reporting/validation.py): never blocking, explained by a comment.
        response.data["outliers"] = [
            {"element": o.key[0], "option": o.key[1], "kind": o.kind, "message": o.message}
            for o in queries.report_outliers(result.report)
        ]
        return response

    def _step(self, request, payload_class, call, **extra_headers):
        report = self.get_object()
        payload = payload_class(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = expected_version(request, data.pop("version", None), report.version)
        try:
            with _IfMatch(request):
                report = call(report=report, version=version, **data)
        except services.ReportConflict as error:
            return _conflict_response(error)
        return self._detail(report, **extra_headers)

    @extend_schema(request=SubmitInput, responses=ReportDetailSerializer, parameters=[IF_MATCH, IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit; a warning's explanation can come along (`explanations`: rule code → text)."""
        key = request.headers.get("Idempotency-Key", "").strip()
        if key and not _KEY_PATTERN.match(key):
            raise UserError(_("Idempotency-Key 请求头无效：应为 1 到 100 个可见的 ASCII 字符。"))
        report = self.get_object()
        actor = Actor.from_request(request)
        if key and report.snapshots.filter(idempotency_key=key).exists():
            # A retry is answered with the first result before any version check: its If-Match or body
            # version is the one the first call consumed, so checking it would answer "changed by someone".
            report = services.report_submit(by=actor, report=report, version=report.version, idempotency_key=key)
            return self._detail(report, **{"Idempotent-Replayed": "true"})

        def call(*, report, version, explanations=None):
            return services.report_submit(
                by=actor, report=report, version=version, explanations=explanations, idempotency_key=key
            )

        try:
            response = self._step(request, SubmitInput, call)
        except services.SubmissionBlocked as error:
            completeness = error.completeness
            return Response(
                {
                    "detail": error.message,
                    "missing": [
                        {"element": c.element.code, "option": c.option_combo.key, "label": c.label}
                        for c in completeness.missing
                    ],
                    "errors": [{"rule": o.code, "message": o.message} for o in completeness.errors],
                    "unexplained_warnings": [{"rule": o.code, "message": o.message} for o in completeness.unexplained],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return response

    @extend_schema(request=VersionInput, responses=ReportDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        actor = Actor.from_request(request)
        return self._step(request, VersionInput, lambda **kw: services.report_approve(by=actor, **kw))

    @extend_schema(request=VersionInput, responses=ReportDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        actor = Actor.from_request(request)
        return self._step(request, VersionInput, lambda **kw: services.report_accept(by=actor, **kw))

    @extend_schema(request=VersionInput, responses=ReportDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def lock(self, request, pk=None):
        actor = Actor.from_request(request)
        return self._step(request, VersionInput, lambda **kw: services.report_lock(by=actor, **kw))

    @extend_schema(request=ReturnInput, responses=ReportDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """Return the whole report, one section (`section`) or some cells (`cells`), with a reason."""
        actor = Actor.from_request(request)

        def call(*, report, version, reason, section="", cells=()):
            return services.report_return(
                by=actor,
                report=report,
                version=version,
                reason=reason,
                section_code=section or None,
                cells=[(c["element"], c.get("option", "")) for c in cells],
            )

        return self._step(request, ReturnInput, call)

    @extend_schema(request=ReasonInput, responses=ReportDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        actor = Actor.from_request(request)
        return self._step(request, ReasonInput, lambda **kw: services.report_reopen(by=actor, **kw))

    @extend_schema(
        request={"application/json": ImportJsonInput, "text/csv": OpenApiTypes.STR},
        responses={
            200: ImportResultSerializer,
            400: ImportRefusalSerializer,
            409: ImportRefusalSerializer,
            413: ImportRefusalSerializer,
        },
        parameters=[DRY_RUN, OVERWRITE, IF_MATCH],
    )
    @action(detail=True, methods=["post"], url_path="import", url_name="import", parser_classes=IMPORT_PARSERS)
    def import_(self, request, pk=None):
        """Import the report's values from CSV (`element,option,value`) or JSON (`{"values": [...]}`).

        A dry run unless `?dry_run=0` (or `"dry_run": false` in JSON): it answers what would change.
        An import writes every value or none, with the version checks of web entry: a write needs the version
        the client read (`If-Match`, or `version` in JSON; 428 without either), or `?overwrite=1` to write over
        whatever is stored now, which the import's audit row records.
        """
        report = self.get_object()
        actor = Actor.from_request(request)
        ctx = Context(actor=actor, dataset=report.dataset, period=report.period, org=report.org)
        kind = (request.content_type or "").split(";")[0].strip().lower()
        filename = "api.json" if kind in tabular.JSON_TYPES else "api.csv"
        token = f"api-{uuid.uuid4().hex}"
        raw = request.data if isinstance(request.data, bytes) else b""  # no body: DRF gives an empty dict
        facts = {"size": len(raw), "sha256": hashlib.sha256(raw).hexdigest(), "source": "api"}
        if len(raw) > max_upload_bytes():
            problem = ImportProblem(
                Code.TOO_LARGE,
                _("内容超过大小上限（%(mb)d MB）") % {"mb": max_upload_bytes() // (1024 * 1024)},
                _("请分批导入。"),
            )
            importer.audit_upload(ctx, token, filename, facts, [problem], None)
            return import_refused([problem], status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        try:
            body = tabular.parse_body(raw, request.content_type, bulk=False, default_org=report.org.code)
        except ImportRefused as refusal:
            importer.audit_upload(ctx, token, filename, facts, refusal.problems, None)
            return import_refused(refusal.problems, refusal.status)
        dry_run = query_flag(request, "dry_run", body.dry_run, default=True)
        overwrite = query_flag(request, "overwrite", None, default=False)
        header = request.headers.get("If-Match", "").strip()
        version = expected_version(request, body.version, report.version) if header or body.version else None
        plan = importer.plan_entries(
            ctx=ctx,
            version=report.dataset_version,
            entries=body.entries,
            layout=SINGLE,
            problems=body.problems,
            org_column="org",
        )
        importer.audit_upload(ctx, token, filename, facts, plan.problems, plan)
        if plan.problems:
            plan.problems.sort(key=lambda p: (p.row or 0, p.column))
            return import_refused(plan.problems)
        org_plan = plan.orgs[0] if plan.orgs else None
        changes = org_plan.changes if org_plan else []
        answer = {
            "dry_run": dry_run,
            "applied": False,
            "report": report.pk,
            "version": report.version,
            "changes": [
                {"element": c.element, "option": c.option, "label": c.label, "row": c.row, "old": c.old, "new": c.new}
                for c in changes
            ],
            "unchanged": org_plan.unchanged if org_plan else 0,
            "rule_errors": org_plan.rule_errors if org_plan else [],
            "rule_warnings": org_plan.rule_warnings if org_plan else [],
            "notes": plan.notes,
        }
        if dry_run or not changes:
            return Response(ImportResultSerializer(answer).data, headers={"ETag": etag(report.version)})
        if version is None and not overwrite:
            # Without the version the client read, a change saved since would be overwritten unseen.
            raise PreconditionRequired(
                _(
                    "导入会写入数据，须说明依据的版本：请在 If-Match 请求头或 JSON 的 version 中给出读取报表时的版本号"
                    "（当前为 %(version)d）；确要覆盖他人可能的修改时，加 ?overwrite=1（会记入审计日志）。"
                )
                % {"version": report.version}
            )
        item = ImportItem(
            org=report.org,
            values={(c.element, c.option): c.text for c in changes},
            version=org_plan.report_version if version is None else version,
        )
        try:
            values_import(
                by=actor,
                dataset=report.dataset,
                period=report.period,
                items=[item],
                dataset_version_number=plan.version,
                source={
                    "api": filename.removeprefix("api."),
                    "sha256": facts["sha256"],
                    "token": token,
                    **({"overwrite": True} if version is None else {}),
                },
            )
        except ImportFailed as error:
            return import_refused(importer.failure_problems(error), error.status_code)
        report.refresh_from_db()
        answer.update(applied=True, version=report.version)
        return Response(ImportResultSerializer(answer).data, headers={"ETag": etag(report.version)})


# --- Completeness -------------------------------------------------------------------------------------------------

COMPLETENESS_PARAMS = [
    OpenApiParameter("dataset", OpenApiTypes.STR, required=True, description=gettext_lazy("报表代码，例如 WF_Y")),
    OpenApiParameter("period", OpenApiTypes.STR, required=True, description=gettext_lazy("报告期代码，例如 2021")),
    OpenApiParameter(
        "timeliness",
        OpenApiTypes.STR,
        required=False,
        enum=[*Timeliness.values, "unreported"],
        description=gettext_lazy("只列出某种报送情况的单位（unreported：尚未报送）"),
    ),
]


class CompletenessViewSet(ThrottleFirstMixin, GenericViewSet):
    """Who reported a data set's period on time, late or not at all, in the caller's scope, with the
    totals by group union and by prefecture."""

    serializer_class = CompletenessSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return Report.objects.none()  # the answer is built from queries.reports_due

    @extend_schema(parameters=COMPLETENESS_PARAMS, responses=forced_singular_serializer(CompletenessSerializer))
    def list(self, request):
        code = (request.query_params.get("dataset") or "").strip().upper()
        period_code = (request.query_params.get("period") or "").strip()
        errors = {}
        if not code:
            errors["dataset"] = [_("请提供报表代码 dataset，例如 WF_Y。")]
        if not period_code:
            errors["period"] = [_("请提供报告期代码 period，例如 2021。")]
        if errors:
            raise ValidationError(errors)
        dataset = DataSet.objects.filter(code=code).first()
        if dataset is None:
            raise ValidationError({"dataset": [_("未找到代码为“%(code)s”的报表。") % {"code": code}]})
        spec = parse_code(period_code)
        if spec.period_type != dataset.period_type:
            raise ValidationError(
                {
                    "period": [
                        _("“%(dataset)s”是%(type)s，报告期“%(code)s”不是这一类型。")
                        % {"dataset": dataset.name, "type": dataset.get_period_type_display(), "code": spec.code}
                    ]
                }
            )
        timeliness = (request.query_params.get("timeliness") or "").strip()
        if timeliness and timeliness not in {*Timeliness.values, "unreported"}:
            raise ValidationError({"timeliness": [_("未知的报送情况“%(value)s”。") % {"value": timeliness}]})
        period = period_from_code(spec.code)
        rows = queries.reports_due(dataset=dataset, period=period, user=request.user)
        groups = queries.due_row_groups(rows, period)
        by_union, by_prefecture = queries.summaries_by_groups(rows, groups)
        listed = [
            row
            for row in rows
            if not timeliness or (timeliness == "unreported" and not row.reported) or row.timeliness == timeliness
        ]
        body = {
            "dataset": dataset.code,
            "period": period.code,
            "regular_deadline": queries.regular_deadline(dataset, period),
            "total": queries.reports_due_total(rows),
            "by_union": by_union,
            "by_prefecture": by_prefecture,
            "rows": [
                {
                    "org": row.org,
                    "union": groups[row.org.pk].union_name,
                    "prefecture": groups[row.org.pk].prefecture_name,
                    "report": row.report.pk if row.report else None,
                    "status": row.status,
                    "status_label": row.status_label,
                    "timeliness": row.timeliness,
                    "deadline": row.deadline,
                    "first_submitted_at": row.report.first_submitted_at if row.report else None,
                }
                for row in listed
            ],
        }
        return Response(self.get_serializer(body).data)
