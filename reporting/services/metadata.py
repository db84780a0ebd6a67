"""Metadata writes: categories and combos, data elements, data sets and their copy-on-write versions,
sections, total relations and validation rules. Only the reform office changes metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.actor import Actor
from core.errors import ConflictError, UserError
from orgs.models import Organisation
from reporting import queries
from reporting.expressions import Ref
from reporting.metadata import DEFAULT_COMBO_CODE, DEFAULT_COMBO_NAME, option_combo_cells
from reporting.models import (
    Category,
    CategoryCombo,
    CategoryComboCategory,
    CategoryOption,
    CategoryOptionCombo,
    DataElement,
    DataSet,
    DataSetAssignment,
    DataSetVersion,
    Section,
    SectionElement,
    TotalRelation,
    ValidationRule,
)
from reporting.services.common import _clean_model, _ensure_metadata_manager
from reporting.validation import expression_problems, sum_rule_spec

# --- Metadata: categories and combos -------------------------------------------------------------


def default_combo() -> CategoryCombo:
    """The 无分类 combo with its single cell, created on first use."""
    combo, _created = CategoryCombo.objects.get_or_create(
        code=DEFAULT_COMBO_CODE, defaults={"name": DEFAULT_COMBO_NAME, "is_default": True}
    )
    _generate_option_combos(combo)
    return combo


def _generate_option_combos(combo: CategoryCombo) -> list[CategoryOptionCombo]:
    """Create the cells of the combo's cross product that do not exist yet; existing keys stay."""
    categories = [
        [(o.code, o.name) for o in category.options.order_by("sort_order", "id")]
        for category in combo.ordered_categories()
    ]
    existing = set(combo.option_combos.values_list("key", flat=True))
    created = []
    for index, (key, name) in enumerate(option_combo_cells(categories)):
        if key in existing:
            CategoryOptionCombo.objects.filter(combo=combo, key=key).update(sort_order=index, name=name)
            continue
        created.append(CategoryOptionCombo.objects.create(combo=combo, key=key, name=name, sort_order=index))
    return created


@transaction.atomic
def category_create(*, by: Actor, code: str, name: str, options: Sequence[tuple[str, str]]) -> Category:
    """A category with its options in the given order (at least two)."""
    _ensure_metadata_manager(by)
    if Category.objects.filter(code=code).exists():
        raise UserError(_("分类代码“%(code)s”已被使用。") % {"code": code}, field="code")
    if len(options) < 2:
        raise UserError(_("分类至少需要两个选项。"), field="options")
    codes = [c for c, _n in options]
    if len(set(codes)) != len(codes):
        raise UserError(_("分类选项代码不能重复。"), field="options")
    category = Category(code=code, name=name)
    _clean_model(category)
    category.save()
    for index, (option_code, option_name) in enumerate(options):
        option = CategoryOption(category=category, code=option_code, name=option_name, sort_order=index)
        _clean_model(option, exclude=["category"])
        option.save()
    audit.record(by, "reporting.category.create", category, detail={"options": list(options)})
    return category


@transaction.atomic
def category_option_add(*, by: Actor, category: Category, code: str, name: str) -> CategoryOption:
    """Add an option at the end of a category; every combo using it gains the new cells."""
    _ensure_metadata_manager(by)
    if category.options.filter(code=code).exists():
        raise UserError(
            _("分类“%(category)s”中已有代码为“%(code)s”的选项。") % {"category": category.name, "code": code}
        )
    order = (category.options.aggregate(m=Max("sort_order"))["m"] or 0) + 1
    option = CategoryOption(category=category, code=code, name=name, sort_order=order)
    _clean_model(option, exclude=["category"])
    option.save()
    for combo in category.combos.all():
        _generate_option_combos(combo)
    audit.record(by, "reporting.category_option.create", option)
    return option


@transaction.atomic
def category_combo_create(*, by: Actor, code: str, name: str, categories: Sequence[Category]) -> CategoryCombo:
    """A combo of the given categories in order, with its generated cells."""
    _ensure_metadata_manager(by)
    if CategoryCombo.objects.filter(code=code).exists():
        raise UserError(_("分类组合代码“%(code)s”已被使用。") % {"code": code}, field="code")
    if not categories:
        raise UserError(_("分类组合至少需要一个分类。"), field="categories")
    option_codes = [o for c in categories for o in c.options.values_list("code", flat=True)]
    if len(set(option_codes)) != len(option_codes):
        # Expressions name cells by option codes, so they must be unique within a combo.
        raise UserError(_("组合中各分类的选项代码不能重复。"), field="categories")
    combo = CategoryCombo(code=code, name=name)
    _clean_model(combo)
    combo.save()
    for index, category in enumerate(categories):
        CategoryComboCategory.objects.create(combo=combo, category=category, sort_order=index)
    cells = _generate_option_combos(combo)
    audit.record(by, "reporting.category_combo.create", combo, detail={"cells": [c.key for c in cells]})
    return combo


# --- Metadata: elements -------------------------------------------------------------------------------

ELEMENT_FIELDS = (
    "name",
    "short_name",
    "unit",
    "aggregation",
    "migrant_scope",
    "population",
    "source",
    "description",
    "is_active",
)
ELEMENT_FROZEN_FIELDS = ("value_type", "category_combo")


def _element_in_published_version(element: DataElement) -> bool:
    return SectionElement.objects.filter(element=element, dataset_version__published_at__isnull=False).exists()


@transaction.atomic
def data_element_create(
    *, by: Actor, code: str, name: str, value_type: str, category_combo: CategoryCombo | None = None, **fields: Any
) -> DataElement:
    """A new data element (its code is its identity in expressions, imports and the API)."""
    _ensure_metadata_manager(by)
    unknown = set(fields) - set(ELEMENT_FIELDS)
    if unknown:
        raise UserError(_("不能设置这些字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    if DataElement.objects.filter(code=code).exists():
        raise UserError(_("数据元代码“%(code)s”已被使用。") % {"code": code}, field="code")
    element = DataElement(
        code=code, name=name, value_type=value_type, category_combo=category_combo or default_combo(), **fields
    )
    _clean_model(element)
    element.save()
    audit.record(by, "reporting.data_element.create", element)
    return element


@transaction.atomic
def data_element_update(*, by: Actor, element: DataElement, version: int, **changes: Any) -> DataElement:
    """Change an element's descriptive fields; its type and combo are frozen once a published version uses it."""
    _ensure_metadata_manager(by)
    unknown = set(changes) - set(ELEMENT_FIELDS) - set(ELEMENT_FROZEN_FIELDS)
    if unknown:
        raise UserError(_("不能修改这些字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    element = DataElement.objects.select_for_update().get(pk=element.pk)
    if element.version != version:
        raise ConflictError(_("该数据元已被他人修改，请刷新后重试。"))
    frozen = [f for f in ELEMENT_FROZEN_FIELDS if f in changes and changes[f] != getattr(element, f)]
    if frozen and _element_in_published_version(element):
        raise UserError(
            _("数据元“%(name)s”已在已发布的报表版本中使用，不能修改数值类型或分类组合；如口径变化，请新建数据元。")
            % {"name": element.name}
        )
    before = audit.snapshot(element)
    for name, value in changes.items():
        setattr(element, name, value)
    _clean_model(element)
    element.version += 1
    element.save()
    audit.record(by, "reporting.data_element.update", element, before=before)
    return element


# --- Metadata: data sets and copy-on-write versions ---------------------------------------------------

DATASET_FIELDS = (
    "name",
    "short_name",
    "description",
    "assigned_kinds",
    "open_offset_days",
    "deadline_days",
    "grace_days",
    "outlier_ratio",
    "is_active",
)


@transaction.atomic
def dataset_create(*, by: Actor, code: str, name: str, period_type: str, **fields: Any) -> DataSet:
    """A new data set with an empty draft version 1."""
    _ensure_metadata_manager(by)
    unknown = set(fields) - set(DATASET_FIELDS)
    if unknown:
        raise UserError(_("不能设置这些字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    if DataSet.objects.filter(code=code).exists():
        raise UserError(_("报表代码“%(code)s”已被使用。") % {"code": code}, field="code")
    dataset = DataSet(code=code, name=name, period_type=period_type, **fields)
    _check_dataset(dataset)
    dataset.save()
    DataSetVersion.objects.create(dataset=dataset, number=1, created_by=by.user)
    audit.record(by, "reporting.dataset.create", dataset)
    return dataset


def _check_dataset(dataset: DataSet) -> None:
    _clean_model(dataset)
    from orgs.choices import OrgKind

    bad = [k for k in dataset.assigned_kinds if k not in OrgKind.values]
    if bad:
        raise UserError(_("未知的机构类型：%(kinds)s") % {"kinds": "、".join(map(str, bad))}, field="assigned_kinds")
    if dataset.open_offset_days > dataset.deadline_days:
        raise UserError(_("开放填报日不能晚于截止日。"), field="open_offset_days")


@transaction.atomic
def dataset_update(*, by: Actor, dataset: DataSet, version: int, **changes: Any) -> DataSet:
    """Change a data set's name, deadline rule or who reports (not versioned: they apply per period)."""
    _ensure_metadata_manager(by)
    unknown = set(changes) - set(DATASET_FIELDS)
    if unknown:
        raise UserError(_("不能修改这些字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    dataset = DataSet.objects.select_for_update().get(pk=dataset.pk)
    if dataset.version != version:
        raise ConflictError(_("该报表已被他人修改，请刷新后重试。"))
    before = audit.snapshot(dataset)
    for name, value in changes.items():
        setattr(dataset, name, value)
    _check_dataset(dataset)
    dataset.version += 1
    dataset.save()
    audit.record(by, "reporting.dataset.update", dataset, before=before)
    return dataset


@transaction.atomic
def dataset_assign(
    *, by: Actor, dataset: DataSet, org: Organisation, include_descendants: bool = True
) -> DataSetAssignment:
    """Make `org` (and, by default, its subtree) report `dataset`."""
    _ensure_metadata_manager(by)
    assignment, created = DataSetAssignment.objects.update_or_create(
        dataset=dataset, org=org, defaults={"include_descendants": include_descendants}
    )
    audit.record(
        by, "reporting.dataset.assign", dataset, after=None, detail={"org": org.code, "subtree": include_descendants}
    )
    return assignment


@transaction.atomic
def dataset_unassign(*, by: Actor, dataset: DataSet, org: Organisation) -> None:
    _ensure_metadata_manager(by)
    deleted, _rows = DataSetAssignment.objects.filter(dataset=dataset, org=org).delete()
    if not deleted:
        raise UserError(_("“%(org)s”不在该报表的填报范围中。") % {"org": org.name})
    audit.record(by, "reporting.dataset.unassign", dataset, after=None, detail={"org": org.code})


def _ensure_draft(dataset_version: DataSetVersion) -> None:
    if dataset_version.is_published:
        raise UserError(_("报表版本 v%(n)d 已发布，不能修改；请先创建新的草稿版本。") % {"n": dataset_version.number})


@transaction.atomic
def dataset_version_create_draft(*, by: Actor, dataset: DataSet, note: str = "") -> DataSetVersion:
    """The data set's draft version: the existing one, or a copy of the latest version (copy-on-write)."""
    _ensure_metadata_manager(by)
    DataSet.objects.select_for_update().filter(pk=dataset.pk).first()
    draft = dataset.draft_version()
    if draft is not None:
        return draft
    source = dataset.versions.order_by("-number").first()
    number = source.number + 1 if source else 1
    draft = DataSetVersion.objects.create(dataset=dataset, number=number, note=note, created_by=by.user)
    if source is not None:
        _copy_structure(source, draft)
    audit.record(
        by, "reporting.dataset_version.create", draft, detail={"copied_from": source.number if source else None}
    )
    return draft


def _copy_structure(source: DataSetVersion, target: DataSetVersion) -> None:
    sections = {}
    for section in source.sections.all():
        sections[section.pk] = Section.objects.create(
            dataset_version=target,
            code=section.code,
            name=section.name,
            description=section.description,
            sort_order=section.sort_order,
        )
    SectionElement.objects.bulk_create(
        SectionElement(
            dataset_version=target,
            section=sections[se.section_id],
            element_id=se.element_id,
            category_combo_id=se.category_combo_id,
            required=se.required,
            sort_order=se.sort_order,
            min_value=se.min_value,
            max_value=se.max_value,
            help_text=se.help_text,
        )
        for se in source.section_elements.all()
    )
    TotalRelation.objects.bulk_create(
        TotalRelation(
            dataset_version=target,
            total_element_id=r.total_element_id,
            total_key=r.total_key,
            parts_element_id=r.parts_element_id,
        )
        for r in source.total_relations.all()
    )
    ValidationRule.objects.bulk_create(
        ValidationRule(
            dataset_version=target,
            code=r.code,
            name=r.name,
            left=r.left,
            operator=r.operator,
            right=r.right,
            importance=r.importance,
            message=r.message,
            missing_value_strategy=r.missing_value_strategy,
            is_active=r.is_active,
            is_generated=r.is_generated,
        )
        for r in source.rules.all()
    )


@transaction.atomic
def dataset_version_publish(*, by: Actor, dataset_version: DataSetVersion) -> DataSetVersion:
    """Check a draft, regenerate its sum rules and freeze it; new reports use it from now on."""
    _ensure_metadata_manager(by)
    dataset_version = DataSetVersion.objects.select_for_update().get(pk=dataset_version.pk)
    _ensure_draft(dataset_version)
    dataset = dataset_version.dataset
    if not dataset_version.section_elements.exists():
        raise UserError(_("报表版本中还没有任何数据元，不能发布。"))
    if not dataset.assigned_kinds and not dataset.assignments.exists():
        raise UserError(_("请先设置由哪些机构填报该报表。"))
    _rules_regenerate(dataset_version)
    layout = queries.version_layout(dataset_version)
    known = layout.known_options()
    problems = []
    for rule in dataset_version.rules.filter(is_active=True):
        for side in (rule.left, rule.right):
            problems += [f"{rule.name}：{p}" for p in expression_problems(side, known)]
    if problems:
        raise UserError(_("校验规则有误，不能发布：%(problems)s") % {"problems": "；".join(problems)})
    dataset_version.published_at = timezone.now()
    dataset_version.published_by = by.user
    dataset_version.save(update_fields=["published_at", "published_by"])
    audit.record(by, "reporting.dataset_version.publish", dataset_version)
    return dataset_version


@transaction.atomic
def section_create(
    *, by: Actor, dataset_version: DataSetVersion, code: str, name: str, sort_order: int = 0, description: str = ""
) -> Section:
    _ensure_metadata_manager(by)
    _ensure_draft(dataset_version)
    if dataset_version.sections.filter(code=code).exists():
        raise UserError(_("分区代码“%(code)s”已被使用。") % {"code": code}, field="code")
    section = Section(
        dataset_version=dataset_version, code=code, name=name, sort_order=sort_order, description=description
    )
    _clean_model(section, exclude=["dataset_version"])
    section.save()
    audit.record(by, "reporting.section.create", section)
    return section


@transaction.atomic
def section_element_add(
    *,
    by: Actor,
    section: Section,
    element: DataElement,
    category_combo: CategoryCombo | None = None,
    required: bool = True,
    sort_order: int = 0,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
    help_text: str = "",
) -> SectionElement:
    """Ask `element` in `section` (disaggregated by its own combo unless another is given)."""
    _ensure_metadata_manager(by)
    version = section.dataset_version
    _ensure_draft(version)
    if version.section_elements.filter(element=element).exists():
        raise UserError(_("数据元“%(name)s”已在本报表版本中。") % {"name": element.name})
    if min_value is not None and max_value is not None and min_value > max_value:
        raise UserError(_("最小值不能大于最大值。"), field="min_value")
    item = SectionElement.objects.create(
        dataset_version=version,
        section=section,
        element=element,
        category_combo=category_combo or element.category_combo,
        required=required,
        sort_order=sort_order,
        min_value=min_value,
        max_value=max_value,
        help_text=help_text,
    )
    audit.record(by, "reporting.section_element.create", item)
    return item


@transaction.atomic
def section_element_remove(*, by: Actor, section_element: SectionElement) -> None:
    _ensure_metadata_manager(by)
    _ensure_draft(section_element.dataset_version)
    before = audit.snapshot(section_element)
    element_id = section_element.element_id
    TotalRelation.objects.filter(dataset_version=section_element.dataset_version).filter(
        Q(total_element_id=element_id) | Q(parts_element_id=element_id)
    ).delete()
    section_element.delete()
    audit.record(
        by,
        "reporting.section_element.delete",
        None,
        before=before,
        after=None,
        object_type="reporting.sectionelement",
        object_id=str(before["id"]),
    )


@transaction.atomic
def total_relation_add(
    *,
    by: Actor,
    dataset_version: DataSetVersion,
    total_element: DataElement,
    parts_element: DataElement,
    total_key: str = "",
) -> TotalRelation:
    """Declare that `parts_element`'s cells add up to `#{total_element.total_key}` (a sum rule is generated)."""
    _ensure_metadata_manager(by)
    _ensure_draft(dataset_version)
    layout = queries.version_layout(dataset_version)
    for element in (total_element, parts_element):
        if layout.element(element.code) is None:
            raise UserError(_("数据元“%(name)s”不在本报表版本中。") % {"name": element.name})
    parts = layout.element(parts_element.code)
    if parts is not None and parts.category_combo.is_default:
        raise UserError(_("分项数据元“%(name)s”没有分类，无法求和比较。") % {"name": parts_element.name})
    unknown = [
        o for o in (total_key.split(".") if total_key else []) if o not in layout.known_options()[total_element.code]
    ]
    if unknown:
        raise UserError(
            _("数据元“%(name)s”没有分类选项 %(options)s。")
            % {"name": total_element.name, "options": "、".join(unknown)}
        )
    if total_element.pk == parts_element.pk:
        raise UserError(_("合计与分项不能是同一个数据元。"))
    relation, created = TotalRelation.objects.get_or_create(
        dataset_version=dataset_version, total_element=total_element, total_key=total_key, parts_element=parts_element
    )
    if created:
        audit.record(by, "reporting.total_relation.create", relation)
    return relation


RULE_FIELDS = ("name", "left", "operator", "right", "importance", "message", "missing_value_strategy", "is_active")


def _check_rule(rule: ValidationRule) -> None:
    _clean_model(rule, exclude=["dataset_version"])
    layout = queries.version_layout(rule.dataset_version)
    known = layout.known_options()
    for label, side in ((_("左侧表达式"), rule.left), (_("右侧表达式"), rule.right)):
        problems = expression_problems(side, known)
        if problems:
            raise UserError(f"{label}：{'；'.join(problems)}", field="left" if side is rule.left else "right")


@transaction.atomic
def rule_create(*, by: Actor, dataset_version: DataSetVersion, code: str, **fields: Any) -> ValidationRule:
    """A configured validation rule in a draft version; expressions are checked against its elements."""
    _ensure_metadata_manager(by)
    _ensure_draft(dataset_version)
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise UserError(_("不能设置这些字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    if dataset_version.rules.filter(code=code).exists():
        raise UserError(_("规则代码“%(code)s”已被使用。") % {"code": code}, field="code")
    rule = ValidationRule(dataset_version=dataset_version, code=code, **fields)
    _check_rule(rule)
    rule.save()
    audit.record(by, "reporting.rule.create", rule)
    return rule


@transaction.atomic
def rule_update(*, by: Actor, rule: ValidationRule, version: int, **changes: Any) -> ValidationRule:
    """Change a configured rule of a draft version (generated rules change through their total relation)."""
    _ensure_metadata_manager(by)
    rule = ValidationRule.objects.select_for_update().select_related("dataset_version").get(pk=rule.pk)
    _ensure_draft(rule.dataset_version)
    if rule.is_generated:
        raise UserError(_("自动生成的规则不能直接修改，请修改对应的合计关系。"))
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise UserError(_("不能修改这些字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    if rule.version != version:
        raise ConflictError(_("该规则已被他人修改，请刷新后重试。"))
    before = audit.snapshot(rule)
    for name, value in changes.items():
        setattr(rule, name, value)
    _check_rule(rule)
    rule.version += 1
    rule.save()
    audit.record(by, "reporting.rule.update", rule, before=before)
    return rule


def _rules_regenerate(dataset_version: DataSetVersion) -> list[ValidationRule]:
    dataset_version.rules.filter(is_generated=True).delete()
    rules = []
    layout = queries.version_layout(dataset_version)
    for relation in dataset_version.total_relations.select_related("total_element", "parts_element"):
        total_label = layout.describe(
            Ref(relation.total_element.code, tuple(relation.total_key.split(".")) if relation.total_key else ())
        )
        spec = sum_rule_spec(
            total_code=relation.total_element.code,
            total_key=relation.total_key,
            total_label=total_label,
            parts_code=relation.parts_element.code,
            parts_label=relation.parts_element.name,
        )
        rules.append(ValidationRule.objects.create(dataset_version=dataset_version, **spec))
    return rules


@transaction.atomic
def rules_generate(*, by: Actor, dataset_version: DataSetVersion) -> list[ValidationRule]:
    """Replace a draft's generated rules with one sum rule per total relation."""
    _ensure_metadata_manager(by)
    _ensure_draft(dataset_version)
    rules = _rules_regenerate(dataset_version)
    audit.record(by, "reporting.rule.generate", dataset_version, after=None, detail={"rules": [r.code for r in rules]})
    return rules
