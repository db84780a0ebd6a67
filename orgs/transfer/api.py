"""/api/v1/orgs/import/ and /api/v1/orgs/export/: the organisation tree as a file, for machines.

The import takes the same .xlsx or CSV as the pages (multipart field `file`) and is a dry run unless
`dry_run=0`: the dry run answers the plan and its `digest`; applying needs that digest back (428 without it), and
is refused with 409 when the file or the tree changed since (the digest no longer matches). A bad file answers
400 with every problem located (sheet, row, column, value, fix), a file over the limit 413; nothing is written.
Past ORG_IMPORT_INLINE_ROWS rows the import runs in the worker: 202 with the job's page.
"""

from __future__ import annotations

import tempfile

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from core import audit, deadlines
from core.actor import Actor
from core.api import PreconditionRequired, ThrottleFirstMixin
from core.exports import XLSX_CONTENT_TYPE, export_response, rate_limited
from core.jobs import job_create
from orgs.choices import Action
from orgs.scoping import ensure_action
from orgs.transfer import services, storage
from orgs.transfer.exporting import write_export
from orgs.transfer.problems import Code, Problem
from orgs.transfer.reading import kind_of, max_bytes, too_large
from orgs.transfer.views import JOB_KIND, inline_rows, may_export


class OrgImportInput(serializers.Serializer):
    file = serializers.FileField(label=gettext_lazy("组织机构文件（.xlsx 或 .csv）"))
    on = serializers.DateField(label=gettext_lazy("迁移生效日期（默认今天）"), required=False)
    dry_run = serializers.BooleanField(label=gettext_lazy("只检查不写入（默认是）"), required=False, default=True)
    digest = serializers.CharField(
        label=gettext_lazy("预演返回的 digest；实际导入时必填，文件或机构在预演后有变化则拒绝（409）"),
        required=False,
        allow_blank=True,
        max_length=64,
    )

    def validate_on(self, value):
        if value > deadlines.today():
            raise serializers.ValidationError(_("生效日期不能晚于今天。"))
        return value

    def validate_file(self, value):
        if kind_of(value.name) is None:
            raise serializers.ValidationError(
                _("只能上传 .xlsx 或 .csv 文件（“%(name)s”不是）。") % {"name": value.name}
            )
        return value


class OrgImportProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    sheet = serializers.CharField()
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    field = serializers.CharField()
    value = serializers.CharField()
    message = serializers.CharField()
    fix = serializers.CharField()
    org = serializers.CharField()
    text = serializers.CharField()


class OrgImportRefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()
    problems = OrgImportProblemSerializer(many=True, required=False)


class OrgImportPlanSerializer(serializers.Serializer):
    """The plan of a dry run, or what an import wrote."""

    dry_run = serializers.BooleanField()
    applied = serializers.BooleanField()
    digest = serializers.CharField()
    on = serializers.DateField()
    counts = serializers.DictField(child=serializers.IntegerField())
    creates = serializers.ListField(child=serializers.DictField())
    changes = serializers.ListField(child=serializers.DictField())
    moves = serializers.ListField(child=serializers.DictField())
    closes = serializers.ListField(child=serializers.DictField())


class OrgImportJobSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    url = serializers.CharField()
    detail = serializers.CharField()


def _refused(problems: list[Problem], status_code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    first = "；".join(p.text() for p in problems[:3])
    more = _("等 %(n)d 处") % {"n": len(problems)} if len(problems) > 3 else ""
    return Response(
        {
            "detail": _("导入内容有 %(n)d 处问题，未写入任何数据：%(first)s%(more)s")
            % {"n": len(problems), "first": first, "more": more},
            "problems": [{**p.as_dict(), "row": p.row, "text": p.text()} for p in problems],
        },
        status=status_code,
    )


EXPORT_TYPE = OpenApiParameter(
    "type",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    enum=["xlsx", "csv"],
    description=gettext_lazy("xlsx（默认，含填写说明工作表）或 csv（UTF-8，带 BOM）"),
)


class OrgTransferViewSet(ThrottleFirstMixin, GenericViewSet):
    """The organisation tree as a file: export what the caller may see, import within the caller's scope."""

    serializer_class = OrgImportPlanSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        parameters=[EXPORT_TYPE],
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description=gettext_lazy("组织机构 .xlsx")),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description=gettext_lazy("组织机构 CSV")),
        },
    )
    @action(detail=False, methods=["get"], url_path="export", url_name="export")
    def export(self, request):
        """The organisations the caller may see (their subtree; the office the whole province), one per row."""
        fmt = request.query_params.get("type", "xlsx")
        if fmt not in ("xlsx", "csv"):
            raise ValidationError({"type": [_("type 应为 xlsx 或 csv。")]})
        if not may_export(request.user):
            raise PermissionDenied(_("您没有导出组织机构的权限。"))
        wait = rate_limited(request, "orgs-tree")
        if wait:
            return Response({"detail": _("导出过于频繁，请稍后再试。")}, status=429, headers={"Retry-After": str(wait)})
        fileobj = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that sends it
        count = write_export(fileobj, fmt, request.user)
        fileobj.seek(0)
        audit.record(
            Actor.from_request(request),
            "orgs.tree.export",
            None,
            after=None,
            detail={"format": fmt, "rows": count, "source": "api"},
            object_type="orgs.organisation",
            object_repr=_("组织机构导出"),
        )
        stamp = deadlines.today().strftime("%Y%m%d")
        return export_response(fileobj, fmt=fmt, filename_stem=f"organisations-{stamp}")

    @extend_schema(
        request={"multipart/form-data": OrgImportInput},
        responses={
            200: OrgImportPlanSerializer,
            202: OrgImportJobSerializer,
            400: OrgImportRefusalSerializer,
            409: OrgImportRefusalSerializer,
            413: OrgImportRefusalSerializer,
        },
    )
    @action(detail=False, methods=["post"], url_path="import", url_name="import")
    def import_(self, request):
        """Import organisations from .xlsx or CSV: a dry run by default; `dry_run=0` with the dry run's digest
        applies it, all or nothing, through the same services as the pages."""
        ensure_action(request.user, Action.ORG_MANAGE)
        declared = str(request.META.get("CONTENT_LENGTH") or "0")
        length = int(declared) if declared.isdigit() else 0
        if length > max_bytes() + 64 * 1024:
            return _refused(too_large(length).problems, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        payload = OrgImportInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        upload = data["file"]
        filename = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
        on = data.get("on") or deadlines.today()
        dry_run = data["dry_run"]
        if not dry_run and not data.get("digest"):
            raise PreconditionRequired(
                _("实际导入（dry_run=0）须带上预演返回的 digest，以确认导入的正是预演过的内容。")
            )
        actor = Actor.from_request(request)
        token = storage.new_token()
        path = storage.save_upload(token, upload.chunks())
        keep = False
        try:
            meta, full = services.preview(
                actor=actor, path=path, token=token, filename=filename, kind=kind_of(filename), on=on
            )
            if meta["state"] != "preview":
                problems = [Problem.from_dict(p) for p in meta["problems"]]
                return _refused(problems, 413 if meta.get("status") == 413 else 400)
            plan = meta["plan"]
            answer = {"dry_run": dry_run, "applied": False, "digest": meta["digest"], "on": on, **plan}
            if full is not None:  # the dry run lists every row, not the page's first ones
                answer.update({k: v for k, v in services.summary(full, limit=None).items() if k in _LISTS})
            if dry_run:
                return Response(answer)
            if data["digest"] != meta["digest"]:
                return _refused(
                    [Problem(Code.CONFLICT, _("文件或组织机构在预演之后有变化，本次未导入任何数据"),
                             _("请重新预演（dry_run=1），核对后用新的 digest 导入。"))],
                    status.HTTP_409_CONFLICT,
                )  # fmt: skip
            if plan["counts"]["rows"] > inline_rows():
                keep = True
                job = job_create(
                    kind=JOB_KIND, by=actor, object_type="orgs.import", object_id=token,
                    object_repr=_("组织机构导入：%(file)s") % {"file": filename},
                    params={"file": filename, "back_url": reverse("orgs:transfer")},
                    task=_task(), task_kwargs={"token": token}, dedupe_key=token,
                )  # fmt: skip
                url = reverse("core:job_detail", args=[job.pk])
                return Response({"job": job.pk, "url": url, "detail": _("文件较大，已转入后台导入。")}, status=202)
            keep = True  # confirm deletes it
            outcome = services.confirm(actor=actor, token=token, meta=meta)
            if outcome.problems:
                return _refused(outcome.problems, status.HTTP_409_CONFLICT if outcome.conflict else 400)
            answer["applied"] = True
            return Response(answer)
        finally:
            if not keep:
                storage.delete(token)


_LISTS = ("creates", "changes", "moves", "closes")


def _task():
    from orgs.tasks import org_import_confirm_task

    return org_import_confirm_task
