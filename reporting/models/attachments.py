"""Files attached to a report: evidence behind its figures (a scanned table, the training list …)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reporting.models.reports import Report, ReportChildQuerySet


def attachment_path(instance: ReportAttachment, filename: str) -> str:
    """A generated storage name: never the uploaded name, which may carry a path or a misleading extension.

    `filename` is already the generated name the service chose (uuid + extension of the detected type).
    """
    return f"reporting/attachments/{instance.report_id}/{filename}"


def new_storage_name(extension: str) -> str:
    return f"{uuid.uuid4().hex}{extension}"


class ReportAttachment(models.Model):
    """One file attached to a report, stored under a generated name outside the static files.

    The file's type was checked by its content (magic bytes), not by the name it was uploaded
    with; it is only ever served as a download (Content-Disposition: attachment).
    """

    report = models.ForeignKey(Report, verbose_name=_("填报记录"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("文件类型"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ReportChildQuerySet.as_manager()

    class Meta:
        ordering = ["report_id", "uploaded_at", "id"]
        verbose_name = _("报表附件")
        verbose_name_plural = _("报表附件")
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="%(app_label)s_%(class)s_not_empty"),
        ]

    def __str__(self) -> str:
        return self.original_name
