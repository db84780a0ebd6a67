"""Measures (indicators and data elements), their elements' metadata, periods and formatting."""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from analytics import sources
from analytics.models import Indicator
from core.errors import UserError
from core.formatting import percent, wan
from reporting import expressions, periods
from reporting.choices import COUNTABLE_TYPES, Aggregation, MigrantScope, PeriodType
from reporting.expressions import BinOp, Neg, Node, Ref

PERIOD_ORDER = [PeriodType.MONTH, PeriodType.QUARTER, PeriodType.HALF_YEAR, PeriodType.YEAR]
MAX_PERIODS = 40

# --- Measures ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ElementMeta:
    id: int
    code: str
    name: str
    aggregation: str
    unit: str
    combos: tuple[tuple[int, str], ...]  # (option combo id, key)
    categories: frozenset[str]
    native: frozenset[str]  # period types of the published data sets asking it


@dataclass(frozen=True)
class Measure:
    ref: str
    label: str
    numerator: Node
    denominator: Node | None
    factor: Decimal
    decimals: int
    unit: str
    scope: str
    source: str
    higher_is_better: bool = True

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None


def _parse(text: str, field_name: str) -> Node:
    try:
        return _with_sources(expressions.parse(text))
    except expressions.ExpressionError as error:
        raise UserError(error.message, field=field_name) from error


def _with_sources(node: Node) -> Node:
    """`node` with each `#{SRC.KEY}` read as the registered source's reference (analytics.sources)."""
    if isinstance(node, Ref):
        return sources.normalise(node)
    if isinstance(node, BinOp):
        return BinOp(node.op, _with_sources(node.left), _with_sources(node.right))
    if isinstance(node, Neg):
        return Neg(_with_sources(node.operand))
    return node


def measure_for(ref: str) -> Measure:
    """The measure a reference string names ("indicator:", "element:" or "source:" and a code); UserError
    (field "measure") for anything else."""
    kind, _sep, code = (ref or "").partition(":")
    if kind == "indicator":
        indicator = Indicator.objects.filter(code=code, is_active=True).first()
        if indicator is None:
            raise UserError(_("指标“%(code)s”不存在或已停用。") % {"code": code}, field="measure")
        return indicator_measure(indicator)
    if kind == "element":
        from reporting.models import DataElement

        element_code, *options = code.split(".")
        element = DataElement.objects.filter(code=element_code).select_related("category_combo").first()
        if element is None or element.value_type not in COUNTABLE_TYPES or element.aggregation == Aggregation.NONE:
            raise UserError(_("数据元“%(code)s”不存在或不能汇总。") % {"code": element_code}, field="measure")
        label = element.name
        if options:
            names = dict(_option_names(options))
            label = f"{element.name}（{'·'.join(names.get(o, o) for o in options)}）"
        scope_parts = [MigrantScope(element.migrant_scope).label, element.population, element.source]
        return Measure(
            ref=ref,
            label=label,
            numerator=Ref(element.code, tuple(options)),
            denominator=None,
            factor=Decimal(1),
            decimals=0 if element.value_type in ("integer", "boolean") else 2,
            unit=element.unit,
            scope="；".join(str(p) for p in scope_parts if p),
            source=element.source or _("企业填报"),
        )
    if kind == "source":
        source = sources.get(code)
        if source is None:
            raise UserError(_("平台记录“%(code)s”不存在。") % {"code": code}, field="measure")
        return Measure(
            ref=ref,
            label=str(source.label),
            numerator=Ref(source.code),
            denominator=None,
            factor=Decimal(1),
            decimals=0 if source.kind == sources.COUNT else 2,
            unit=source.unit,
            scope=str(source.scope),
            source=_("平台记录"),
        )
    raise UserError(
        _("“%(ref)s”不是有效的指标或数据元引用，应为 indicator:代码 或 element:代码。") % {"ref": ref}, field="measure"
    )


def indicator_measure(indicator: Indicator) -> Measure:
    """The measure of an (active) indicator already loaded."""
    numerator = _parse(indicator.numerator, "measure")
    denominator = _parse(indicator.denominator, "measure") if indicator.denominator.strip() else None
    refs = expressions.references(numerator) + (expressions.references(denominator) if denominator else [])
    origins = [_("企业填报（已验收）")] if any(not sources.is_source_ref(r) for r in refs) else []
    for ref in refs:
        source = sources.get(ref.element.partition(".")[2]) if sources.is_source_ref(ref) else None
        if source is not None and str(source.label) not in origins:
            origins.append(str(source.label))
    return Measure(
        ref=f"indicator:{indicator.code}",
        label=indicator.name,
        numerator=numerator,
        denominator=denominator,
        factor=indicator.factor,
        decimals=indicator.decimals,
        unit=indicator.unit,
        scope=indicator.scope,
        source="；".join(origins),
        higher_is_better=indicator.higher_is_better,
    )


def _option_names(codes: Iterable[str]) -> list[tuple[str, str]]:
    from reporting.models import CategoryOption

    return list(CategoryOption.objects.filter(code__in=list(codes)).values_list("code", "name"))


def _refs(measure: Measure) -> list[Ref]:
    refs = expressions.references(measure.numerator)
    if measure.denominator is not None:
        refs += expressions.references(measure.denominator)
    return refs


def source_meta(source: sources.Source) -> ElementMeta:
    """A registered source as the engine files it: one cell, no categories, read at any period length."""
    return ElementMeta(
        sources.element_id(source), source.code, str(source.label),
        Aggregation.LAST if source.cumulative else Aggregation.SUM, source.unit, ((0, ""),), frozenset(),
        frozenset(PERIOD_ORDER),
    )  # fmt: skip


def element_meta(codes: Iterable[str]) -> dict[str, ElementMeta]:
    """Metadata of the referenced elements (aggregation, cells, categories, native period types), and of
    the registered sources among them ("SRC.<KEY>"); codes that name neither are left out."""
    from reporting.models import CategoryComboCategory, CategoryOptionCombo, DataElement, SectionElement

    codes = set(codes)
    found_sources = {}
    for code in [c for c in codes if c.startswith(sources.PREFIX + ".")]:
        codes.discard(code)
        source = sources.get(code.partition(".")[2])
        if source is not None:
            found_sources[code] = source_meta(source)
    if not codes:
        return found_sources
    elements = list(DataElement.objects.filter(code__in=codes))
    combo_ids = {e.category_combo_id for e in elements}
    cells: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, combo_id, key in CategoryOptionCombo.objects.filter(combo_id__in=combo_ids).values_list(
        "pk", "combo_id", "key"
    ):
        cells[combo_id].append((pk, key))
    categories: dict[int, set[str]] = defaultdict(set)
    for combo_id, code in CategoryComboCategory.objects.filter(combo_id__in=combo_ids).values_list(
        "combo_id", "category__code"
    ):
        categories[combo_id].add(code)
    native: dict[int, set[str]] = defaultdict(set)
    for element_id, period_type in (
        SectionElement.objects.filter(element__in=elements, dataset_version__published_at__isnull=False)
        .values_list("element_id", "dataset_version__dataset__period_type")
        .distinct()
    ):
        native[element_id].add(period_type)
    return found_sources | {
        e.code: ElementMeta(
            e.pk,
            e.code,
            e.name,
            e.aggregation,
            e.unit,
            tuple(cells[e.category_combo_id]),
            frozenset(categories[e.category_combo_id]),
            frozenset(native[e.pk]),
        )  # fmt: skip
        for e in elements
    }


# --- Metadata for one request, cached per process while it stays the same ---------------------------------
# Every answer needs the measure's definition, its elements' cells and native periods and the prefectures'
# names: rows that change a few times a year. Instead of reading them again (five or six queries, and the ORM
# work around them) for every request, one query reads a fingerprint of those tables and the values are kept
# in the process for as long as the fingerprint stays the same, so an edit is seen at once. (Periods are not
# among them: reports create them as they come, and a rolled-back one may hand its id to another.)

_STAMP_MODELS = (
    "analytics.Indicator", "reporting.DataElement", "reporting.Category", "reporting.CategoryOption",
    "reporting.CategoryComboCategory", "reporting.CategoryOptionCombo", "reporting.DataSet",
    "reporting.DataSetVersion", "reporting.SectionElement", "orgs.Region",
)  # fmt: skip
_MAX_ENTRIES = 2000
_MISSING = object()
_stamp_sql_by_vendor: dict[str, str] = {}


def _stamp_sql(connection) -> str:
    """One row per metadata table: its row count, highest key, sum of versions and latest change or
    publication (where it has them). Any insert, delete, edit or publication changes it. A UNION of
    single-table aggregates: cheap to plan (a join of a dozen tables is not, on PostgreSQL)."""
    sql = _stamp_sql_by_vendor.get(connection.vendor)
    if sql is None:
        from django.apps import apps

        quote = connection.ops.quote_name
        parts = []
        for label in _STAMP_MODELS:
            model = apps.get_model(label)
            columns = {f.name: quote(f.column) for f in model._meta.concrete_fields}
            numeric_key = model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField")
            key = f"MAX({quote(model._meta.pk.column)})" if numeric_key else "0"
            version = f"SUM({columns['version']})" if "version" in columns else "0"
            stamp = next((f"MAX({columns[c]})" for c in ("updated_at", "published_at") if c in columns), "NULL")
            published = f"COUNT({columns['published_at']})" if "published_at" in columns else "0"
            # Table and column names from the models' metadata, quoted: nothing from a request.
            table = quote(model._meta.db_table)
            parts.append(f"SELECT COUNT(*), {key}, {version}, {stamp}, {published} FROM {table}")  # noqa: S608
        sql = _stamp_sql_by_vendor[connection.vendor] = " UNION ALL ".join(parts)
    return sql


class Metadata:
    """Definitions one answer needs (measure, elements, category options, prefecture names), from a cache
    kept per process and emptied whenever the metadata tables' fingerprint changes (one query per request)."""

    _lock = threading.Lock()
    _stamp: tuple | None = None
    _store: dict = {}

    def __init__(self) -> None:
        from django.db import connections

        from core.replica import read_alias

        connection = connections[read_alias()]  # the fingerprint of the data the ORM reads now (a replica's own)
        with connection.cursor() as cursor:
            cursor.execute(_stamp_sql(connection))
            stamp = tuple(cursor.fetchall())
        cls = type(self)
        with cls._lock:
            if stamp != cls._stamp:
                cls._stamp, cls._store = stamp, {}
            self._values = cls._store

    def _get(self, key, compute):
        found = self._values.get(key, _MISSING)
        if found is _MISSING:
            found = compute()
            if len(self._values) < _MAX_ENTRIES:
                self._values[key] = found
        return found

    def remember(self, key: tuple, compute):
        """`compute()` kept under `key` while the metadata stays the same (for values derived from it only)."""
        return self._get(key, compute)

    def measure(self, ref: str) -> Measure:
        """measure_for(ref); a UserError is raised each time, never kept."""
        return self._get(("measure", ref, sources.fingerprint()), lambda: measure_for(ref))

    def elements(self, codes: Iterable[str]) -> dict[str, ElementMeta]:
        wanted = frozenset(codes)
        key = ("elements", wanted, sources.fingerprint() if any(c.startswith(sources.PREFIX) for c in wanted) else ())
        return dict(self._get(key, lambda: element_meta(wanted)))

    def options(self, category: str) -> list[tuple[str, str]]:
        """(code, name) of a category's options, in order."""

        def load() -> tuple[tuple[str, str], ...]:
            from reporting.models import CategoryOption

            return tuple(
                CategoryOption.objects.filter(category__code=category)
                .order_by("sort_order", "id")
                .values_list("code", "name")
            )

        return list(self._get(("options", category), load))

    def region_names(self) -> dict[str, str]:
        """{code: name} of the prefectures (and the province)."""

        def load() -> dict[str, str]:
            from orgs.models import Region

            return dict(Region.objects.filter(code__endswith="00").values_list("code", "name"))

        return dict(self._get(("regions",), load))


# --- Periods ---------------------------------------------------------------------------------------------


def period_codes(period_type: str, first: str, last: str) -> tuple[str, ...]:
    """The codes of every period of `period_type` from the one containing `first` to the one containing `last`."""
    start, end = periods.parse_code(first), periods.parse_code(last)
    if start.start > end.start:
        start, end = end, start
    result = []
    spec = periods.spec_containing(period_type, start.start)
    while spec.start <= end.end and len(result) <= MAX_PERIODS:
        result.append(spec.code)
        spec = periods.spec_containing(period_type, spec.end + dt.timedelta(days=1))
    return tuple(result)


def _plan(meta: ElementMeta, spec: periods.PeriodSpec) -> list[periods.PeriodSpec]:
    """The stored periods that make up `spec` for one element: itself when reported at that length,
    else the periods of the longest shorter type it is reported at; [] when it cannot be computed."""
    if spec.period_type in meta.native:
        return [spec]
    finer = [t for t in PERIOD_ORDER[: PERIOD_ORDER.index(spec.period_type)] if t in meta.native]
    if not finer or meta.aggregation == Aggregation.NONE:
        return []
    return periods.children_specs(spec, finer[-1])


# --- Formatting -----------------------------------------------------------------------------------------


def _quantize(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_value(value: Decimal | None, unit: str, decimals: int) -> str:
    """A figure as users read it: 13.71%, 730.75万人, 1,234 个."""
    if value is None:
        return "—"
    if unit == "%":
        return percent(value, decimals)
    text = wan(value, 2 if abs(value) >= 10000 else decimals)
    return f"{text}{unit}" if unit and unit not in ("是/否",) else text
