"""The people import and the activation report in the JSON API.

    POST /api/v1/people-import/preview/   the filled template (.xlsx body, or multipart `file`): what a
                                          confirmation would write, or 400 with every problem located
    POST /api/v1/people-import/confirm/   the same file: checked again, written all or nothing (201); the
                                          new accounts' activation links and codes are in this answer only
    GET  /api/v1/activations/             each managed account's latest activation (`state` filter)
    POST /api/v1/activations/{id}/reissue/  a new link for that account (the old one stops working)

The same rules as the pages: only those who create accounts import (403 otherwise); a re-issue follows the
password reset's rule (三权分立); an activation outside the caller's scope answers 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from accounts import activation, importing
from accounts.models import Activation
from accounts.people_views import importer_or_403
from accounts.serializers import (
    ActivationSerializer,
    IssuedActivationSerializer,
    PeopleFileInput,
    PeopleImportPreviewSerializer,
    PeopleImportRefusalSerializer,
    PeopleImportResultSerializer,
)
from core.actor import Actor
from core.api import ThrottleFirstMixin, choice_param
from core.errors import ConflictError, UserError
from core.files import MAX_ATTACHMENT_SIZE
from orgs.choices import Action
from orgs.scoping import ensure_action

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class XlsxParser(BaseParser):
    """The workbook as the request body, read up to the upload limit (+1 byte, so a larger one is noticed)."""

    media_type = XLSX_TYPE

    def parse(self, stream, media_type=None, parser_context=None):
        return {"xlsx": stream.read(MAX_ATTACHMENT_SIZE + 1) if stream is not None else b""}


FILE_BODY = {XLSX_TYPE: OpenApiTypes.BINARY, "multipart/form-data": PeopleFileInput}
REFUSALS = {400: PeopleImportRefusalSerializer, 413: PeopleImportRefusalSerializer}


def _upload(request):
    data = request.data
    if isinstance(data, dict) and "xlsx" in data:
        return SimpleUploadedFile("api.xlsx", data["xlsx"], content_type=XLSX_TYPE)
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError({"file": [_("请上传填好的人员导入表（.xlsx）。")]})
    return upload


def _refused(problems: list[importing.Problem], code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    detail = _("发现 %(n)d 处问题，未导入任何数据。") % {"n": len(problems)}
    return Response({"detail": detail, "problems": [p.as_dict() for p in problems]}, status=code)


def _rows(examined: importing.Examined) -> list[dict]:
    return [
        {
            "row": r.row,
            "username": r.username,
            "full_name": r.full_name,
            "new_user": r.new_user,
            "org": r.org.code,
            "org_name": r.org.name,
            "role": r.role,
            "role_label": r.role_label,
            "mode": r.mode,
        }
        for r in examined.rows
    ]


class PeopleImportViewSet(ThrottleFirstMixin, GenericViewSet):
    """Import accounts and their roles from the people template: preview, then confirm."""

    parser_classes = [XlsxParser, MultiPartParser]
    serializer_class = PeopleImportPreviewSerializer

    def _read(self, request) -> tuple[Actor, importing.Workbook | Response]:
        importer_or_403(request.user)
        actor = Actor.from_request(request)
        upload = _upload(request)
        try:
            book = importing.read_workbook(upload)
        except UserError as error:
            importing.audit_check(actor, None, name=upload.name or "", examined=None, refused=error.message)
            problem = importing.Problem(importing.SHEET, None, "", "", "", error.message)
            return actor, _refused([problem], getattr(error, "status_code", 400))
        return actor, book

    @extend_schema(request=FILE_BODY, responses={200: PeopleImportPreviewSerializer, **REFUSALS})
    @action(detail=False, methods=["post"])
    def preview(self, request):
        """Check the file; nothing is written. 400 lists every problem with its sheet, row, column and fix."""
        actor, book = self._read(request)
        if isinstance(book, Response):
            return book
        examined = importing.examine(by=actor, book=book)
        importing.audit_check(actor, book, name=book.name, examined=examined)
        if examined.problems:
            return _refused(examined.problems)
        return Response(PeopleImportPreviewSerializer({"summary": examined.summary, "rows": _rows(examined)}).data)

    @extend_schema(request=FILE_BODY, responses={201: PeopleImportResultSerializer, **REFUSALS})
    @action(detail=False, methods=["post"])
    def confirm(self, request):
        """Check the file again and write all of it, or nothing. The activation links are shown this once."""
        actor, book = self._read(request)
        if isinstance(book, Response):
            return book
        try:
            applied = importing.apply(by=actor, book=book)
        except importing.ImportRefused as refused:
            return _refused(refused.problems)
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        except UserError as error:  # the account's state allows no new link (activated, inactive, one's own)
            raise ConflictError(error.message, field=error.field) from error
        answer = {
            "summary": applied.examined.summary,
            "rows": _rows(applied.examined),
            "activations": [
                {
                    "user": i.user.pk,
                    "username": i.user.username,
                    "full_name": i.user.full_name,
                    "link": i.link(request),
                    "code": i.code,
                    "expires_at": i.expires_at,
                }
                for i in applied.issued
            ],
        }
        response = Response(PeopleImportResultSerializer(answer).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store, private"
        return response


STATE = OpenApiParameter(
    "state",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    enum=list(activation.STATE_LABELS),
    description=gettext_lazy("pending 待激活、used 已激活、expired 已过期、revoked 已作废；不填为全部。"),
)


class ActivationViewSet(ThrottleFirstMixin, GenericViewSet):
    """The activation report: each managed account's latest activation, and re-issue."""

    serializer_class = ActivationSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return activation.latest_activations(self.request.user)

    def _shaped(self, rows):
        for row in rows:
            row.state = activation.state_of(row)
            row.state_label = str(activation.STATE_LABELS[row.state])
        return rows

    @extend_schema(parameters=[STATE])
    def list(self, request):
        ensure_action(request.user, Action.USER_MANAGE)
        state = choice_param(request, "state", activation.STATE_LABELS)
        queryset = activation.filter_state(self.get_queryset(), state)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(self._shaped(page), many=True).data)

    @extend_schema(request=None, responses={201: IssuedActivationSerializer})
    @action(detail=True, methods=["post"])
    def reissue(self, request, pk=None):
        """A new activation for the account whose latest activation this is; the old link stops working."""
        current: Activation = self.get_object()
        try:
            issued = activation.activation_reissue(by=Actor.from_request(request), user=current.user)
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        except UserError as error:  # the account's state allows no new link (activated, inactive, one's own)
            raise ConflictError(error.message, field=error.field) from error
        answer = {
            "user": issued.user.pk,
            "username": issued.user.username,
            "full_name": issued.user.full_name,
            "link": issued.link(request),
            "code": issued.code,
            "expires_at": issued.expires_at,
        }
        response = Response(IssuedActivationSerializer(answer).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store, private"
        return response
