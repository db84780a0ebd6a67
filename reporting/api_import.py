"""The report import API's parts that are not the view: its query parameters, raw-body parsers and refusals
(reporting/api.py's `ReportViewSet.import_` uses them)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import BaseParser
from rest_framework.response import Response

from reporting.excel.container import max_upload_bytes
from reporting.excel.problems import ImportProblem

OVERWRITE = OpenApiParameter(
    "overwrite",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    enum=["1", "0"],
    description=gettext_lazy("1：不给版本号也导入，覆盖当前已保存的数据（记入审计日志）；默认 0：导入须给出版本号。"),
)
DRY_RUN = OpenApiParameter(
    "dry_run",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    enum=["1", "0"],
    description=gettext_lazy(
        "默认 1：只检查并返回将要发生的变更，不写入；0：检查无误后全部导入（全部成功或全部不写入）。"
    ),
)


class _RawBody(BaseParser):
    """Hand the body over unread by any parser, at most the import size limit (+1 byte to notice more)."""

    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return b""
        return stream.read(max_upload_bytes() + 1)


class RawJsonParser(_RawBody):
    media_type = "application/json"


class RawCsvParser(_RawBody):
    media_type = "text/csv"


class RawAppCsvParser(_RawBody):
    media_type = "application/csv"


class RawTextParser(_RawBody):
    media_type = "text/plain"


IMPORT_PARSERS = [RawJsonParser, RawCsvParser, RawAppCsvParser, RawTextParser]


def problem_dicts(problems: list[ImportProblem]) -> list[dict]:
    return [
        {
            "code": p.code,
            "row": p.row,
            "column": p.column,
            "field": p.field,
            "value": p.value,
            "message": p.message,
            "fix": p.fix,
            "text": p.text(),
        }
        for p in problems
    ]


def import_refused(problems: list[ImportProblem], status_code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    first = "；".join(p.text() for p in problems[:3])
    more = _("等 %(n)d 处") % {"n": len(problems)} if len(problems) > 3 else ""
    return Response(
        {
            "detail": _("导入内容有 %(n)d 处问题，未写入任何数据：%(first)s%(more)s")
            % {"n": len(problems), "first": first, "more": more},
            "problems": problem_dicts(problems),
        },
        status=status_code,
    )


FLAG_MESSAGES = {
    "dry_run": gettext_lazy("dry_run 应为 1（只检查）或 0（导入）。"),
    "overwrite": gettext_lazy("overwrite 应为 1（不核对版本，直接覆盖）或 0。"),
}


def query_flag(request, name: str, body_flag: bool | None, *, default: bool) -> bool:
    """`?name=` when given (1/0, true/false, yes/no; empty is the default), else the JSON body's value, else
    `default`; 400 naming the parameter for anything else."""
    raw = request.query_params.get(name)
    if raw is None:
        return default if body_flag is None else body_flag
    value = raw.strip().lower()
    if value == "":
        return default
    if value in {"1", "true", "yes"}:
        return True
    if value in {"0", "false", "no"}:
        return False
    raise ValidationError({name: [str(FLAG_MESSAGES[name])]})
