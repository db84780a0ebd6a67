"""A kept export of everything the province holds on the platform (dataexport/dump.py writes it)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import StoredFile


class ProvinceExport(StoredFile):
    """One .zip: a CSV per table, the files, and 数据说明.xlsx describing every table and column."""

    job_id = models.BigIntegerField(_("后台任务"), null=True, blank=True)
    tables = models.PositiveIntegerField(_("表数"), default=0)
    rows = models.PositiveBigIntegerField(_("行数"), default=0)
    files = models.PositiveIntegerField(_("附件数"), default=0)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("全省数据导出")
        verbose_name_plural = _("全省数据导出")
