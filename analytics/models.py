"""Indicators, their targets, outside figures, saved views, and the aggregate tables behind answers.

The aggregate tables (AcceptedReport, NodeAggregate, RegionAggregate) are derived data: kept
current by analytics.aggregates on every acceptance and reopening (inside the same transaction),
rebuilt from scratch only by `manage.py analytics_rebuild` (repair, benchmarks). See
docs/adr/0003-analytics.md.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from analytics.choices import IndicatorTask
from core.models import BaseModel
from reporting.choices import MigrantScope
from reporting.models import code_validator

# --- Definitions ----------------------------------------------------------------------------------


class Indicator(BaseModel):
    """One indicator: numerator ÷ denominator × factor over data elements, on a stated scope (口径).

    Expressions use the validation-rule language (`#{ELEMENT}`, `#{ELEMENT.OPTION}`, + - * /).
    Over organisations and periods the numerator and denominator are each summed first and then
    divided: a ratio of sums, never an average of ratios. No denominator: a plain amount.
    """

    code = models.CharField(_("代码"), max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=100, blank=True)
    task = models.CharField(_("所属任务"), max_length=20, choices=IndicatorTask.choices)
    numerator = models.CharField(_("分子"), max_length=1000)
    denominator = models.CharField(_("分母"), max_length=1000, blank=True)
    factor = models.DecimalField(
        _("乘数"), max_digits=12, decimal_places=4, default=1, help_text=_("百分比填 100，万人填 0.0001。")
    )
    decimals = models.PositiveSmallIntegerField(_("小数位数"), default=2, validators=[MaxValueValidator(6)])
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    migrant_scope = models.CharField(
        _("农民工口径"), max_length=20, choices=MigrantScope.choices, default=MigrantScope.NOT_APPLICABLE
    )
    scope = models.CharField(_("口径说明"), max_length=300, help_text=_("统计对象、是否含农民工、数据来源。"))
    description = models.TextField(_("说明"), blank=True)
    higher_is_better = models.BooleanField(_("越大越好"), default=True)
    is_key = models.BooleanField(_("驾驶舱关键指标"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")

    def __str__(self) -> str:
        return self.name

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"


class IndicatorTarget(BaseModel):
    """The value an indicator should reach in a year, province-wide (or for one organisation's subtree)."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("机构（空为全省）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["indicator_id", "year"]
        verbose_name = _("指标目标")
        verbose_name_plural = _("指标目标")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"], condition=Q(org__isnull=True), name="%(app_label)s_%(class)s_one_province"
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "org"],
                condition=Q(org__isnull=False),
                name="%(app_label)s_%(class)s_one_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"


class ExternalFigure(BaseModel):
    """A figure from outside the reporting system (department statistics, surveys), on its own scope.

    Kept apart from enterprise figures: the engine never adds it to, or divides it by, reported
    values; pages show it with its scope and source.
    """

    code = models.CharField(_("代码"), max_length=64, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=200)
    period = models.ForeignKey("reporting.Period", verbose_name=_("报告期"), on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(
        "orgs.Region", verbose_name=_("行政区划"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    scope = models.CharField(_("口径说明"), max_length=300)
    source = models.CharField(_("数据来源"), max_length=200)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["code", "period__start"]
        verbose_name = _("外部统计数据")
        verbose_name_plural = _("外部统计数据")
        constraints = [
            models.UniqueConstraint(fields=["code", "period", "region"], name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.period}"


class SavedView(BaseModel):
    """A query (pivot or chart) a user saved under a name; shared ones are listed for everyone.

    Sharing shares the question, not the answer: whoever opens it sees only their own scope.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(_("名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    shared = models.BooleanField(_("共享"), default=False)
    kind = models.CharField(_("类型"), max_length=20, default="pivot")
    query = models.JSONField(_("查询"), default=dict)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("保存的视图")
        verbose_name_plural = _("保存的视图")

    def __str__(self) -> str:
        return self.name


# --- Aggregates (derived; see analytics/aggregates.py) --------------------------------------------


class AcceptedReport(models.Model):
    """An accepted report as the aggregates counted it: where it rolled up to, and when.

    `lineage` is the organisation ids from the root down to the reporting organisation, as the
    tree stood on the roll-up day (the period's last day; the day before closing for an
    organisation closed during the period), joined as "/1/5/9/". Reopening subtracts exactly
    what was added, along this stored lineage, whatever the tree looks like by then.
    """

    report = models.OneToOneField("reporting.Report", on_delete=models.CASCADE, related_name="+")
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey("reporting.Period", on_delete=models.PROTECT, related_name="+")
    lineage = models.CharField(max_length=400)
    region = models.CharField(max_length=6, blank=True)
    accepted_at = models.DateTimeField()

    class Meta:
        ordering = ["period_id", "org_id"]
        verbose_name = _("已汇总的报表")
        verbose_name_plural = _("已汇总的报表")
        indexes = [models.Index(fields=["period", "region"], name="analytics_accepted_region_idx")]

    def __str__(self) -> str:
        return f"{self.report_id} {self.lineage}"

    @property
    def lineage_ids(self) -> list[int]:
        return [int(x) for x in self.lineage.strip("/").split("/") if x]


class NodeAggregate(models.Model):
    """The sum of one cell (element × option combo) over an organisation's subtree for one period.

    The subtree is the tree as it stood in the period (see AcceptedReport.lineage); `parent` is the
    organisation's parent in that tree, so the rows of a node's children in a period are one
    indexed lookup. `count` is how many accepted values were added (0 → the row is removed).
    """

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, null=True, related_name="+")
    period = models.ForeignKey("reporting.Period", on_delete=models.CASCADE, related_name="+")
    element = models.ForeignKey("reporting.DataElement", on_delete=models.CASCADE, related_name="+")
    option_combo = models.ForeignKey("reporting.CategoryOptionCombo", on_delete=models.CASCADE, related_name="+")
    total = models.DecimalField(max_digits=24, decimal_places=4, default=0)
    count = models.IntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["org_id", "period_id", "element_id", "option_combo_id"]
        verbose_name = _("机构汇总值")
        verbose_name_plural = _("机构汇总值")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "period", "element", "option_combo"], name="%(app_label)s_%(class)s_unique_cell"
            ),
        ]
        indexes = [models.Index(fields=["parent", "period", "element"], name="analytics_node_parent_idx")]

    def __str__(self) -> str:
        return f"{self.org_id}/{self.period_id}/{self.element_id}.{self.option_combo_id} = {self.total}"


class RegionAggregate(models.Model):
    """The province-wide sum of one cell for one period over the organisations of one prefecture
    (by the reporting organisation's region code; "" = no region recorded)."""

    region = models.CharField(max_length=6, blank=True)
    period = models.ForeignKey("reporting.Period", on_delete=models.CASCADE, related_name="+")
    element = models.ForeignKey("reporting.DataElement", on_delete=models.CASCADE, related_name="+")
    option_combo = models.ForeignKey("reporting.CategoryOptionCombo", on_delete=models.CASCADE, related_name="+")
    total = models.DecimalField(max_digits=24, decimal_places=4, default=0)
    count = models.IntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["region", "period_id", "element_id", "option_combo_id"]
        verbose_name = _("州市汇总值")
        verbose_name_plural = _("州市汇总值")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "period", "element", "option_combo"], name="%(app_label)s_%(class)s_unique_cell"
            ),
        ]
        indexes = [models.Index(fields=["period", "element"], name="analytics_region_period_idx")]

    def __str__(self) -> str:
        return f"{self.region}/{self.period_id}/{self.element_id}.{self.option_combo_id} = {self.total}"


class RollupEdge(models.Model):
    """One organisation an accepted report rolled up to (itself and each ancestor, in the period's tree).

    The expansion of AcceptedReport.lineage into rows, so a full rebuild is one grouped INSERT
    and the reports behind a node's figure are one indexed lookup.
    """

    accepted = models.ForeignKey(AcceptedReport, on_delete=models.CASCADE, related_name="edges")
    period = models.ForeignKey("reporting.Period", on_delete=models.CASCADE, related_name="+")
    node = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, null=True, related_name="+")
    depth = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["accepted_id", "depth"]
        verbose_name = _("汇总路径")
        verbose_name_plural = _("汇总路径")
        indexes = [models.Index(fields=["node", "period"], name="analytics_edge_node_idx")]

    def __str__(self) -> str:
        return f"{self.accepted_id} → {self.node_id}"


class AcceptedDataChange(models.Model):
    """One change of the accepted data (an acceptance, a reopening, a re-placement after a move, a rebuild),
    inserted in the change's own transaction and never updated.

    How many rows a database holds tells which changes it has: a read replica replays the primary's
    transactions in commit order, so the count grows with each one it has replayed and names the state of the
    accepted data it answers from (aggregates.data_version). Insert-only, so concurrent acceptances never wait
    for each other on it.
    """

    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        verbose_name = _("已验收数据变更")
        verbose_name_plural = _("已验收数据变更")

    def __str__(self) -> str:
        return f"{self.pk} @ {self.changed_at:%Y-%m-%d %H:%M:%S}"
