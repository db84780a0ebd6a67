"""The history import for machine clients: `POST /api/v1/history-imports/` (multipart: the .xlsx file, the
data set, optionally the organisation, the column mapping as JSON, 覆盖已验收数据 and dry_run).

A dry run (the default) answers the mapping used (the given one, else the caller's saved one for the file's
shape, else the automatic one) and the preview's summary; `dry_run=0` writes the file all or nothing, as the
page's confirm does. Problems come back as 400 with each one's sheet, row, column, value and fix; an
organisation outside the caller's scope and an unknown one get the same answer.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from core.actor import Actor
from core.api import StrictInput, ThrottleFirstMixin
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import can, get_visible_or_404, granted_paths
from reporting.api_import import problem_dicts
from reporting.excel import storage
from reporting.excel.problems import ImportProblem
from reporting.history import flow
from reporting.history.plan import HistoryContext, may_accept
from reporting.models import DataSet


class HistoryImportInput(StrictInput):
    file = serializers.FileField(help_text=gettext_lazy("往年统计表（.xlsx）"))
    dataset = serializers.CharField(max_length=64, help_text=gettext_lazy("报表代码，如 WF_Y"))
    org = serializers.CharField(
        max_length=64,
        required=False,
        default="",
        help_text=gettext_lazy("导入范围的机构代码；默认为本人可填报的最高一级机构"),
    )
    mapping = serializers.CharField(
        required=False,
        default="",
        help_text=gettext_lazy(
            "列对应关系（JSON）：{表头: 数据项代码或“代码.分类键”，空字符串表示不导入}；缺省沿用保存的或自动匹配"
        ),
    )
    overwrite = serializers.BooleanField(
        required=False, default=False, help_text=gettext_lazy("覆盖已验收数据（仅产改办）")
    )
    save_mapping = serializers.BooleanField(required=False, default=False, help_text=gettext_lazy("保存此对应关系"))
    dry_run = serializers.BooleanField(required=False, default=True, help_text=gettext_lazy("默认只预演，不写入"))


class HistoryProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    sheet = serializers.CharField()
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    field = serializers.CharField()
    value = serializers.CharField()
    message = serializers.CharField()
    fix = serializers.CharField()
    text = serializers.CharField()


class HistoryImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    mapping = serializers.DictField(child=serializers.CharField())
    summary = serializers.DictField()
    reports = serializers.ListField(child=serializers.IntegerField())
    detail = serializers.CharField()


class HistoryRefusedSerializer(serializers.Serializer):
    """A refused file lists its problems; a malformed request (no file, a bad flag) names its fields instead."""

    detail = serializers.CharField()
    problems = HistoryProblemSerializer(many=True, required=False)
    errors = serializers.DictField(required=False, help_text="按字段列出的问题（请求本身有误时）")


def _refused(problems: list[ImportProblem], status_code: int = 400) -> Response:
    first = "；".join(p.text() for p in problems[:3])
    more = _("等 %(n)d 处") % {"n": len(problems)} if len(problems) > 3 else ""
    body = problem_dicts(problems)
    for data, p in zip(body, problems, strict=True):
        data["sheet"] = p.sheet
    return Response(
        {
            "detail": _("导入内容有 %(n)d 处问题，未写入任何数据：%(first)s%(more)s")
            % {"n": len(problems), "first": first, "more": more},
            "problems": body,
        },
        status=status_code,
    )


class HistoryImportViewSet(ThrottleFirstMixin, GenericViewSet):
    """Past years' figures from the office's own spreadsheets: preview (default) or write, all or nothing."""

    serializer_class = HistoryImportInput
    parser_classes = [MultiPartParser]
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return DataSet.objects.none()

    @extend_schema(
        request={"multipart/form-data": HistoryImportInput},
        responses={200: HistoryImportResultSerializer, 400: HistoryRefusedSerializer},
    )
    def create(self, request):
        payload = HistoryImportInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        ctx = self._context(request, data)
        columns = None
        if data["mapping"]:
            try:
                columns = json.loads(data["mapping"])
            except ValueError:
                columns = None
            if not isinstance(columns, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
            ):
                raise ValidationError({"mapping": [_("mapping 应为 JSON 对象：{表头: 数据项代码}。")]})
        token = storage.new_token()
        path = storage.save_upload(token, data["file"].chunks())
        try:
            step = flow.upload(ctx=ctx, path=str(path), token=token, filename=data["file"].name)
            if not step.ok:
                return _refused(step.problems, step.status)
            meta = storage.read_meta(token) or {}
            used = columns if columns is not None else flow.suggested_columns(meta)
            used = {h: used.get(h, "") for h in meta.get("headers", [])} | {
                h: t for h, t in used.items() if h not in meta.get("headers", [])
            }
            step = flow.preview(ctx=ctx, token=token, meta=meta, columns=used, save=data["save_mapping"])
            if not step.ok:
                return _refused(step.problems, step.status)
            meta = storage.read_meta(token) or {}
            summary = {k: v for k, v in (meta.get("plan") or {}).items() if k not in ("digest",)}
            reports: list[int] = []
            detail = _("预演通过，未写入任何数据。")
            if not data["dry_run"]:
                step = flow.confirm(ctx=ctx, token=token, meta=meta)
                if not step.ok:
                    return _refused(step.problems, step.status)
                reports = [r.pk for r in step.result.reports] if step.result else []
                detail = flow.result_message(step.result)
            return Response(
                {"dry_run": data["dry_run"], "mapping": used, "summary": summary, "reports": reports, "detail": detail}
            )
        finally:
            storage.delete(token)

    def _context(self, request, data) -> HistoryContext:
        if data["org"]:
            org = get_visible_or_404(Organisation.objects, request.user, Action.VIEW, code=data["org"])
        else:
            paths = granted_paths(request.user, Action.EDIT)
            org = (
                Organisation.objects.visible_to(request.user, Action.EDIT)
                .filter(path__in=paths)
                .order_by("depth")
                .first()
            )
            if org is None:
                raise PermissionDenied(_("您没有填报权限，不能导入历史数据。"))
        if not can(request.user, Action.EDIT, org):
            raise PermissionDenied(_("您没有为“%(org)s”填报的权限。") % {"org": org.name})
        dataset = DataSet.objects.filter(code=data["dataset"], is_active=True).first()
        if dataset is None:
            raise ValidationError({"dataset": [_("没有代码为“%(code)s”的报表。") % {"code": data["dataset"]}]})
        actor = Actor.from_request(request)
        if data["overwrite"] and not may_accept(actor, org):
            raise PermissionDenied(_("只有产改办可以覆盖已验收数据。"))
        return HistoryContext(actor, dataset, org, data["overwrite"])
