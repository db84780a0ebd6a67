"""Past years' figures loaded from the office's own spreadsheets: the saved column mappings and each
report's source (reporting/history.py reads and plans the files, reporting/services/history.py writes)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from orgs.scoping import ScopedQuerySet
from reporting.models.metadata import DataSet
from reporting.models.reports import Report, ReportChildQuerySet

HISTORY_LABEL = _("历史数据导入")  # the source a report loaded from the office's past spreadsheets carries


class HistoryMappingQuerySet(ScopedQuerySet):
    org_field = "org"


class HistoryMapping(BaseModel):
    """How the columns of one shape of spreadsheet map to a data set's cells, saved by the organisation
    that made it (the office, or a union for its subtree) to reuse for the next file of the same shape.

    `signature` fingerprints the file's figure headers (normalised, in order); `columns` maps each header
    to "ELEMENT_CODE" or "ELEMENT_CODE.OPTION.KEY", or "" for a column left out.
    """

    org = models.ForeignKey("orgs.Organisation", verbose_name=_("所属机构"), on_delete=models.CASCADE, related_name="+")
    dataset = models.ForeignKey(DataSet, verbose_name=_("报表"), on_delete=models.CASCADE, related_name="+")
    signature = models.CharField(_("表头指纹"), max_length=64)
    headers = models.JSONField(_("表头"), default=list)
    columns = models.JSONField(_("列对应关系"), default=dict)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects = HistoryMappingQuerySet.as_manager()

    class Meta:
        ordering = ["org_id", "dataset_id", "-updated_at"]
        verbose_name = _("历史数据列对应关系")
        verbose_name_plural = _("历史数据列对应关系")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "dataset", "signature"], name="%(app_label)s_%(class)s_one_per_shape"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org} · {self.dataset} · {len(self.headers)}"


class ReportSource(models.Model):
    """Where a report's figures came from when they were not filled on the platform: "历史数据导入" with the
    file's name and SHA-256, who loaded it and when (the last import that wrote the report)."""

    report = models.OneToOneField(
        Report, verbose_name=_("填报记录"), on_delete=models.CASCADE, related_name="history_source"
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("文件 SHA-256"), max_length=64)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    loaded_at = models.DateTimeField(_("导入时间"))
    overwrote = models.BooleanField(_("覆盖了已验收数据"), default=False)

    objects = ReportChildQuerySet.as_manager()

    class Meta:
        ordering = ["report_id"]
        verbose_name = _("报表数据来源")
        verbose_name_plural = _("报表数据来源")

    def __str__(self) -> str:
        return f"{self.label}：{self.file_name}"

    @property
    def label(self) -> str:
        return str(HISTORY_LABEL)
