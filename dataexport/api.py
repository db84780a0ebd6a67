"""/api/v1/dataexport/exports: the province exports, for the office's administrators (an empty list, 404 and
403 for everyone else): list, read, ask for a new one (a background job), download one (audited)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from core.actor import Actor
from core.api import ThrottleFirstMixin
from dataexport import services
from dataexport.models import ProvinceExport


class ExportSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField(help_text="下载地址（.zip）")

    class Meta:
        model = ProvinceExport
        fields = ["id", "original_name", "size", "sha256", "tables", "rows", "files", "uploaded_at", "download"]

    def get_download(self, row) -> str:
        return reverse("export-download", args=[row.pk])


class ExportJobSerializer(serializers.Serializer):
    job = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, job) -> str:
        return reverse("core:job_detail", args=[job.pk])


class ExportViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Everything the province holds, as a .zip of documented CSV files (dataexport/dump.py)."""

    serializer_class = ExportSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or services.may_export(self.request.user):
            return ProvinceExport.objects.order_by("-id")
        return ProvinceExport.objects.none()

    @extend_schema(request=None, responses={202: ExportJobSerializer})
    def create(self, request):
        """Ask for a new export (the office's administrators; 403 for anyone else)."""
        if not services.may_export(request.user):
            raise PermissionDenied(_("只有产改办管理员可以导出全省数据。"))
        job = services.export_request(by=Actor.from_request(request))
        return Response(ExportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "application/zip"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        row = self.get_object()
        try:
            handle = row.file.open("rb")
        except OSError:
            raise Http404 from None
        services.export_open(by=Actor.from_request(request), export=row)
        response = FileResponse(handle, as_attachment=True, filename=row.original_name, content_type=row.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        return response
