"""Editing a draft version's form: sections and the elements in them (order, required, bounds), and
removing total relations. Only the reform office's administrators change metadata, and only drafts
change at all (a published version is frozen so that its reports keep their meaning).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit, ordering
from core.actor import Actor
from core.errors import UserError
from reporting.models import Section, SectionElement, TotalRelation
from reporting.services.common import _clean_model, _ensure_metadata_manager
from reporting.services.metadata import _ensure_draft

SECTION_FIELDS = ("name", "description")
SECTION_ELEMENT_FIELDS = ("required", "min_value", "max_value", "help_text")


@transaction.atomic
def section_update(*, by: Actor, section: Section, **changes: Any) -> Section:
    """Rename or re-describe a section of a draft version."""
    _ensure_metadata_manager(by)
    section = Section.objects.select_for_update().select_related("dataset_version").get(pk=section.pk)
    _ensure_draft(section.dataset_version)
    unknown = set(changes) - set(SECTION_FIELDS)
    if unknown:
        raise UserError(_("不能修改这些字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    before = audit.snapshot(section)
    for name, value in changes.items():
        setattr(section, name, value)
    _clean_model(section, exclude=["dataset_version"])
    section.save()
    audit.record(by, "reporting.section.update", section, before=before)
    return section


@transaction.atomic
def section_delete(*, by: Actor, section: Section) -> None:
    """Delete an empty section of a draft version (move or remove its elements first)."""
    _ensure_metadata_manager(by)
    section = Section.objects.select_for_update().select_related("dataset_version").get(pk=section.pk)
    _ensure_draft(section.dataset_version)
    if section.elements.exists():
        raise UserError(_("分区“%(name)s”中还有数据元，请先移除后再删除分区。") % {"name": section.name})
    before = audit.snapshot(section)
    section.delete()
    audit.record(
        by,
        "reporting.section.delete",
        None,
        before=before,
        after=None,
        object_type="reporting.section",
        object_id=str(before["id"]),
        object_repr=before["name"],
    )


@transaction.atomic
def section_move(*, by: Actor, section: Section, direction: str) -> Section:
    """Move a section of a draft version one place up or down in the form."""
    _ensure_metadata_manager(by)
    version = section.dataset_version
    _ensure_draft(version)
    sections = list(Section.objects.select_for_update().filter(dataset_version=version).order_by("sort_order", "id"))
    before = [s.code for s in sections]
    changed = ordering.move(sections, section.pk, direction)
    if changed is not None:
        Section.objects.bulk_update(changed, ["sort_order"])
        audit.record(
            by,
            "reporting.section.move",
            version,
            after=None,
            detail={
                "section": section.code,
                "direction": direction,
                "before": before,
                "after": [s.code for s in sections],
            },
        )
    return next(s for s in sections if s.pk == section.pk)


@transaction.atomic
def section_element_update(*, by: Actor, section_element: SectionElement, **changes: Any) -> SectionElement:
    """Change whether an element of a draft version is required, its bounds or its filling hint."""
    _ensure_metadata_manager(by)
    item = (
        SectionElement.objects.select_for_update()
        .select_related("dataset_version", "element", "section")
        .get(pk=section_element.pk)
    )
    _ensure_draft(item.dataset_version)
    unknown = set(changes) - set(SECTION_ELEMENT_FIELDS)
    if unknown:
        raise UserError(_("不能修改这些字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    before = audit.snapshot(item)
    for name, value in changes.items():
        setattr(item, name, value)
    low: Decimal | None = item.min_value
    high: Decimal | None = item.max_value
    if low is not None and high is not None and low > high:
        raise UserError(_("最小值不能大于最大值。"), field="min_value")
    item.help_text = (item.help_text or "").strip()
    _clean_model(item, exclude=["dataset_version", "section", "element", "category_combo"])
    item.save()
    audit.record(by, "reporting.section_element.update", item, before=before)
    return item


@transaction.atomic
def section_element_move(*, by: Actor, section_element: SectionElement, direction: str) -> SectionElement:
    """Move an element one place up or down within its section of a draft version."""
    _ensure_metadata_manager(by)
    _ensure_draft(section_element.dataset_version)
    items = list(
        SectionElement.objects.select_for_update()
        .filter(section_id=section_element.section_id)
        .select_related("element")
        .order_by("sort_order", "id")
    )
    changed = ordering.move(items, section_element.pk, direction)
    if changed is not None:
        SectionElement.objects.bulk_update(changed, ["sort_order"])
        audit.record(
            by,
            "reporting.section_element.move",
            section_element.dataset_version,
            after=None,
            detail={
                "element": section_element.element.code,
                "direction": direction,
                "order": [i.element.code for i in items],
            },
        )
    return next(i for i in items if i.pk == section_element.pk)


def next_sort_order(section: Section) -> int:
    """The sort order that puts a new element at the end of `section`."""
    last = section.elements.order_by("-sort_order").values_list("sort_order", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def total_relation_remove(*, by: Actor, relation: TotalRelation) -> None:
    """Drop a total relation of a draft version (its sum rule goes at the next generation or publication)."""
    _ensure_metadata_manager(by)
    _ensure_draft(relation.dataset_version)
    before = audit.snapshot(relation)
    label = str(relation)
    relation.delete()
    audit.record(
        by,
        "reporting.total_relation.delete",
        None,
        before=before,
        after=None,
        object_type="reporting.totalrelation",
        object_id=str(before["id"]),
        object_repr=label,
    )
