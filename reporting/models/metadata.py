"""Metadata: what is asked (elements and disaggregations) and in which form (data sets, versions)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.batch import shared
from core.models import BaseModel
from reporting.choices import (
    Aggregation,
    Importance,
    MigrantScope,
    MissingValueStrategy,
    Operator,
    PeriodType,
    ValueType,
)

code_validator = RegexValidator(r"^[A-Z][A-Z0-9_]{0,63}$", _("代码只能包含大写字母、数字和下划线，并以字母开头。"))


# --- Metadata: elements and disaggregations -------------------------------------------------


class Category(BaseModel):
    """One way to split a figure, e.g. 农民工身份 or 技能等级, with its ordered options."""

    code = models.CharField(_("代码"), max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("分类")
        verbose_name_plural = _("分类")

    def __str__(self) -> str:
        return self.name


class CategoryOption(BaseModel):
    """One value of a category, e.g. 农民工 or 技师（二级）."""

    category = models.ForeignKey(Category, verbose_name=_("分类"), on_delete=models.CASCADE, related_name="options")
    code = models.CharField(_("代码"), max_length=64, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=100)
    sort_order = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["category_id", "sort_order", "id"]
        verbose_name = _("分类选项")
        verbose_name_plural = _("分类选项")
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="%(app_label)s_%(class)s_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class CategoryCombo(BaseModel):
    """An ordered set of categories whose cross product disaggregates an element.

    The default combo (无分类) has no category and one option combo with the empty key.
    """

    code = models.CharField(_("代码"), max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=100)
    is_default = models.BooleanField(_("无分类"), default=False)
    categories = models.ManyToManyField(
        Category, through="CategoryComboCategory", verbose_name=_("分类"), related_name="combos"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("分类组合")
        verbose_name_plural = _("分类组合")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="%(app_label)s_%(class)s_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ordered_categories(self) -> list[Category]:
        return [link.category for link in self.category_links.select_related("category").order_by("sort_order", "id")]


class CategoryComboCategory(models.Model):
    """The place of a category in a combo (its order decides the order of option keys)."""

    combo = models.ForeignKey(CategoryCombo, on_delete=models.CASCADE, related_name="category_links")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="combo_links")
    sort_order = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["combo_id", "sort_order", "id"]
        verbose_name = _("分类组合成员")
        verbose_name_plural = _("分类组合成员")
        constraints = [
            models.UniqueConstraint(fields=["combo", "category"], name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.combo} · {self.category}"


class CategoryOptionCombo(models.Model):
    """One cell of a combo's cross product, e.g. 农民工·女; generated, never typed.

    `key` is stable: the option codes in category order joined by dots ("MIGRANT.FEMALE"); the
    default combo's only cell has the empty key. Expressions and imports address cells by it.
    """

    combo = models.ForeignKey(
        CategoryCombo, verbose_name=_("分类组合"), on_delete=models.CASCADE, related_name="option_combos"
    )
    key = models.CharField(_("键"), max_length=300, blank=True)
    name = models.CharField(_("名称"), max_length=300)
    sort_order = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["combo_id", "sort_order", "id"]
        verbose_name = _("分类选项组合")
        verbose_name_plural = _("分类选项组合")
        constraints = [
            models.UniqueConstraint(fields=["combo", "key"], name="%(app_label)s_%(class)s_unique_key"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def options(self) -> tuple[str, ...]:
        return tuple(self.key.split(".")) if self.key else ()


class DataElement(BaseModel):
    """One question asked of reporting organisations, e.g. 产业工人总数, with its type and scope (口径).

    The code and value type never change once a published data set version uses the element:
    a different meaning needs a new element.
    """

    code = models.CharField(_("代码"), max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=100, blank=True)
    value_type = models.CharField(_("数值类型"), max_length=20, choices=ValueType.choices)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    aggregation = models.CharField(_("汇总方式"), max_length=20, choices=Aggregation.choices, default=Aggregation.SUM)
    category_combo = models.ForeignKey(
        CategoryCombo, verbose_name=_("分类组合"), on_delete=models.PROTECT, related_name="elements"
    )
    migrant_scope = models.CharField(
        _("农民工口径"), max_length=20, choices=MigrantScope.choices, default=MigrantScope.NOT_APPLICABLE
    )
    population = models.CharField(_("统计对象"), max_length=200, blank=True)
    source = models.CharField(_("数据来源"), max_length=200, blank=True)
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("数据元")
        verbose_name_plural = _("数据元")

    def __str__(self) -> str:
        return self.name


# --- Metadata: data sets and their versions ---------------------------------------------------


class DataSet(BaseModel):
    """A form organisations fill each period, e.g. 产业工人队伍基本情况 (yearly).

    Who must report: organisations whose kind is in `assigned_kinds` (any kind when empty) and
    that lie in an assigned subtree (anywhere when there is no assignment). Entry opens
    `open_offset_days` after the period ends (negative: before it ends), is due
    `deadline_days` after the period ends, and closes `grace_days` after the deadline; after
    that only an extension from the office reopens entry for drafts.
    """

    code = models.CharField(_("代码"), max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=100, blank=True)
    period_type = models.CharField(_("报告期类型"), max_length=20, choices=PeriodType.choices)
    description = models.TextField(_("说明"), blank=True)
    assigned_kinds = models.JSONField(_("填报机构类型"), default=list, blank=True)
    assigned_orgs = models.ManyToManyField(
        "orgs.Organisation", through="DataSetAssignment", verbose_name=_("填报机构范围"), related_name="+"
    )
    open_offset_days = models.IntegerField(
        _("开放填报（报告期结束后第几天，可为负）"), default=0, help_text=_("0 表示报告期结束后的第一天开放。")
    )
    deadline_days = models.PositiveIntegerField(_("截止（报告期结束后天数）"), default=15)
    grace_days = models.PositiveIntegerField(_("宽限天数"), default=10)
    outlier_ratio = models.DecimalField(
        _("异常波动比例"),
        max_digits=6,
        decimal_places=4,
        default=0.5,
        validators=[MinValueValidator(0)],
        help_text=_("与上期相比变化超过此比例时提示审核人，0.5 表示 50%。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("报表")
        verbose_name_plural = _("报表")
        constraints = [
            models.CheckConstraint(
                condition=Q(open_offset_days__lte=models.F("deadline_days")),
                name="%(app_label)s_%(class)s_opens_before_deadline",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def current_version(self) -> DataSetVersion | None:
        """The latest published version (the one new reports are filled against; read once per set write)."""
        return shared(
            f"reporting.current_version.{self.pk}",
            lambda: self.versions.filter(published_at__isnull=False).order_by("-number").first(),
        )

    def draft_version(self) -> DataSetVersion | None:
        return self.versions.filter(published_at__isnull=True).first()


class DataSetAssignment(models.Model):
    """An organisation assigned to report a data set; with `include_descendants`, its whole subtree."""

    dataset = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="assignments")
    org = models.ForeignKey("orgs.Organisation", verbose_name=_("机构"), on_delete=models.PROTECT, related_name="+")
    include_descendants = models.BooleanField(_("含下级机构"), default=True)

    class Meta:
        ordering = ["dataset_id", "org__path"]
        verbose_name = _("填报机构范围")
        verbose_name_plural = _("填报机构范围")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "org"], name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} · {self.org}"


class DataSetVersion(models.Model):
    """A numbered snapshot of a data set's structure; frozen once published (copy-on-write).

    At most one draft per data set; editing a published data set means creating the next draft
    (a copy of the last version), changing it and publishing it.
    """

    dataset = models.ForeignKey(DataSet, verbose_name=_("报表"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    note = models.CharField(_("修订说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["dataset_id", "number"]
        verbose_name = _("报表版本")
        verbose_name_plural = _("报表版本")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="%(app_label)s_%(class)s_unique_number"),
            models.UniqueConstraint(
                fields=["dataset"], condition=Q(published_at__isnull=True), name="%(app_label)s_%(class)s_one_draft"
            ),
        ]

    def __str__(self) -> str:
        state = _("已发布") if self.published_at else _("草稿")
        return f"{self.dataset} v{self.number}（{state}）"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Section(models.Model):
    """A titled part of a version's form, e.g. 素质提升."""

    dataset_version = models.ForeignKey(
        DataSetVersion, verbose_name=_("报表版本"), on_delete=models.CASCADE, related_name="sections"
    )
    code = models.CharField(_("代码"), max_length=64, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["dataset_version_id", "sort_order", "id"]
        verbose_name = _("报表分区")
        verbose_name_plural = _("报表分区")
        constraints = [
            models.UniqueConstraint(fields=["dataset_version", "code"], name="%(app_label)s_%(class)s_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class SectionElement(models.Model):
    """An element asked in a section of a version, with its disaggregation, whether required and bounds."""

    dataset_version = models.ForeignKey(DataSetVersion, on_delete=models.CASCADE, related_name="section_elements")
    section = models.ForeignKey(Section, verbose_name=_("分区"), on_delete=models.CASCADE, related_name="elements")
    element = models.ForeignKey(DataElement, verbose_name=_("数据元"), on_delete=models.PROTECT, related_name="+")
    category_combo = models.ForeignKey(
        CategoryCombo, verbose_name=_("分类组合"), on_delete=models.PROTECT, related_name="+"
    )
    required = models.BooleanField(_("必填"), default=True)
    sort_order = models.PositiveIntegerField(_("顺序"), default=0)
    min_value = models.DecimalField(_("最小值"), max_digits=20, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("最大值"), max_digits=20, decimal_places=4, null=True, blank=True)
    help_text = models.CharField(_("填报说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["dataset_version_id", "section__sort_order", "sort_order", "id"]
        verbose_name = _("分区数据元")
        verbose_name_plural = _("分区数据元")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset_version", "element"], name="%(app_label)s_%(class)s_once_per_version"
            ),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=models.F("max_value")),
                name="%(app_label)s_%(class)s_min_le_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section} · {self.element}"


class TotalRelation(models.Model):
    """A total and the disaggregation that must add up to it, within one version.

    `#{total_element.total_key}` = `#{parts_element}`: e.g. 产业工人总数 = the four cells of
    产业工人构成 (农民工/非农民工 × 男/女), or 非农民工 (a partial key) = the five education levels.
    Each relation yields one generated error rule (see rules_generate).
    """

    dataset_version = models.ForeignKey(
        DataSetVersion, verbose_name=_("报表版本"), on_delete=models.CASCADE, related_name="total_relations"
    )
    total_element = models.ForeignKey(
        DataElement, verbose_name=_("合计数据元"), on_delete=models.PROTECT, related_name="+"
    )
    total_key = models.CharField(_("合计分类键"), max_length=300, blank=True)
    parts_element = models.ForeignKey(
        DataElement, verbose_name=_("分项数据元"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["dataset_version_id", "id"]
        verbose_name = _("合计关系")
        verbose_name_plural = _("合计关系")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset_version", "total_element", "total_key", "parts_element"],
                name="%(app_label)s_%(class)s_unique",
            ),
        ]

    def __str__(self) -> str:
        key = f".{self.total_key}" if self.total_key else ""
        return f"{self.total_element.code}{key} = Σ {self.parts_element.code}"


class ValidationRule(BaseModel):
    """A check over a report's values, `left operator right`, e.g. 持证人数 ≤ 非农民工人数.

    An error blocks submission; a warning needs an explanation. Generated rules come from the
    version's total relations and are replaced whenever they are regenerated.
    """

    dataset_version = models.ForeignKey(
        DataSetVersion, verbose_name=_("报表版本"), on_delete=models.CASCADE, related_name="rules"
    )
    code = models.CharField(_("代码"), max_length=100, validators=[RegexValidator(r"^[A-Z][A-Z0-9_]{0,99}$")])
    name = models.CharField(_("名称"), max_length=200)
    left = models.CharField(_("左侧表达式"), max_length=1000)
    operator = models.CharField(_("比较"), max_length=2, choices=Operator.choices)
    right = models.CharField(_("右侧表达式"), max_length=1000)
    importance = models.CharField(_("级别"), max_length=10, choices=Importance.choices, default=Importance.ERROR)
    message = models.CharField(_("提示信息"), max_length=300)
    missing_value_strategy = models.CharField(
        _("缺失值处理"),
        max_length=20,
        choices=MissingValueStrategy.choices,
        default=MissingValueStrategy.SKIP_IF_ALL_MISSING,
    )
    is_active = models.BooleanField(_("启用"), default=True)
    is_generated = models.BooleanField(_("自动生成"), default=False)

    class Meta:
        ordering = ["dataset_version_id", "is_generated", "code"]
        verbose_name = _("校验规则")
        verbose_name_plural = _("校验规则")
        constraints = [
            models.UniqueConstraint(fields=["dataset_version", "code"], name="%(app_label)s_%(class)s_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.name}：{self.left} {self.operator} {self.right}"
