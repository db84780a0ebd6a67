"""A version's form layout: its sections, elements and cells in form order, read once per import."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from reporting.expressions import Ref
from reporting.models import (
    CategoryComboCategory,
    CategoryOptionCombo,
    DataElement,
    DataSetVersion,
    Section,
    SectionElement,
)

CellKey = tuple[str, str]


@dataclass(frozen=True)
class Cell:
    """One fillable cell of a version: an element in a section, for one option combo."""

    section: Section
    section_element: SectionElement
    element: DataElement
    option_combo: CategoryOptionCombo

    @property
    def key(self) -> CellKey:
        return (self.element.code, self.option_combo.key)

    @property
    def label(self) -> str:
        if not self.option_combo.key:
            return self.element.name
        return f"{self.element.name}·{self.option_combo.name}"


@dataclass
class Layout:
    """A version's sections, elements and cells in form order, with lookups by code."""

    dataset_version: DataSetVersion
    sections: list[Section] = field(default_factory=list)
    section_elements: list[SectionElement] = field(default_factory=list)
    cells: dict[CellKey, Cell] = field(default_factory=dict)
    option_names: dict[str, dict[str, str]] = field(default_factory=dict)

    def cells_of(self, section_element: SectionElement) -> list[Cell]:
        return [c for c in self.cells.values() if c.section_element.pk == section_element.pk]

    def element(self, code: str) -> SectionElement | None:
        return next((se for se in self.section_elements if se.element.code == code), None)

    def known_options(self) -> dict[str, set[str]]:
        """Element code → the option codes of its combo (for checking expressions)."""
        return {code: set(options) for code, options in self.option_names.items()}

    def describe(self, ref: Ref) -> str:
        """A reference as a person reads it: 产业工人构成·非农民工."""
        se = self.element(ref.element)
        if se is None:
            return str(ref)
        names = self.option_names.get(ref.element, {})
        return "·".join([se.element.name, *(names.get(o, o) for o in ref.options)])


_shared_layouts: ContextVar[dict[int, Layout] | None] = ContextVar("shared_layouts", default=None)


@contextmanager
def shared_layouts() -> Iterator[None]:
    """Within the block, each version's layout is read once and shared (one import of many reports).

    Safe because a report's version is published, and a published version is frozen.
    """
    token = _shared_layouts.set({}) if _shared_layouts.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _shared_layouts.reset(token)


def version_layout(dataset_version: DataSetVersion) -> Layout:
    """The form of a version, read in four queries (once per block of `shared_layouts`)."""
    shared = _shared_layouts.get()
    if shared is not None and dataset_version.published_at is not None:
        if dataset_version.pk not in shared:
            shared[dataset_version.pk] = _read_layout(dataset_version)
        return shared[dataset_version.pk]
    return _read_layout(dataset_version)


def _read_layout(dataset_version: DataSetVersion) -> Layout:
    layout = Layout(dataset_version=dataset_version)
    layout.sections = list(dataset_version.sections.order_by("sort_order", "id"))
    layout.section_elements = list(
        SectionElement.objects.filter(dataset_version=dataset_version)
        .select_related("element", "section", "category_combo")
        .order_by("section__sort_order", "section_id", "sort_order", "id")
    )
    combo_ids = {se.category_combo_id for se in layout.section_elements}
    combos: dict[int, list[CategoryOptionCombo]] = defaultdict(list)
    for coc in CategoryOptionCombo.objects.filter(combo_id__in=combo_ids).order_by("sort_order", "id"):
        combos[coc.combo_id].append(coc)
    option_names: dict[int, dict[str, str]] = defaultdict(dict)
    links = CategoryComboCategory.objects.filter(combo_id__in=combo_ids).prefetch_related("category__options")
    for link in links:
        for option in link.category.options.all():
            option_names[link.combo_id][option.code] = option.name
    for se in layout.section_elements:
        layout.option_names[se.element.code] = option_names.get(se.category_combo_id, {})
        for coc in combos[se.category_combo_id]:
            cell = Cell(se.section, se, se.element, coc)
            layout.cells[cell.key] = cell
    return layout
