"""Registered sources of figures: counts and sums an app keeps as its own records, used like reporting cells.

Reporting cells reach analytics through the statistics reports. Other apps keep their figures as records
(demonstration sites, innovation studios, suggestions, plans); each registers a source for them, usually
from its AppConfig.ready():

    from analytics import sources

    sources.register(sources.Source(
        key="SITES", label=_("示范点数"), unit="个", kind=sources.COUNT,
        model="sites.Site", org_field="org", date_field="designated_on",
    ))
    sources.register(sources.Source(
        key="STUDIO_VALUE", label=_("创新工作室创效金额"), unit="元", kind=sources.SUM, fn=studio_value_rows,
    ))

A source is described either by a model (rows counted, or `sum_field` added up, by `org_field` for the
records whose `date_field` lies in the period; `filters` narrows the rows) or by a function
`fn(start, end)` yielding `(organisation id, date or period code, value)` rows for that date range (a
row dated by a period code counts in every asked period that contains it). With `cumulative=True` a
source counts every record dated on or before the period's end (a stock, such as the sites designated
so far) instead of those dated within it (a flow).

Indicators reference a source in their numerator or denominator as `#{SRC.<KEY>}`, e.g.
`#{SRC.SITES} / #{WF_WORKERS} * 10000`, next to data elements: "SRC" is a reserved name, not a data
element. The engine reads a source's figures for each organisation and period, places each
organisation in the tree as it stood at the end of that period (the rule the aggregate tables follow
for a report of the period: analytics.aggregates.TreeHistory), and rolls them up to its ancestors; the
user's scope, the levels, the "other" group for organisations moved out of the scope, comparisons and
assessment criteria on the indicator work as for reporting cells. A source has no categories (it
cannot be split by gender, skill level …) and no reports to drill through to.

Aggregated on read, not materialised: an answer asks each source once per asked period (one grouped
query for a model source) and rolls the per-organisation figures up in Python. Record counts are small
(hundreds of sites or studios, not the hundreds of thousands of reporting cells the aggregate tables
exist for), and reading them live means a new or withdrawn record counts at once without any refresh
hook in the owning app. The leaders' dashboard caches its tiles for DASHBOARD_TTL seconds, so a
source-based key indicator there may lag by that much.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from core.errors import UserError
from reporting import periods
from reporting.expressions import CODE_PATTERN, Ref

COUNT = "count"
SUM = "sum"
PREFIX = "SRC"  # references read #{SRC.<KEY>}
_KEY = re.compile(rf"^{CODE_PATTERN}$")

Rows = Iterable[tuple[int, Any, Any]]  # (organisation id, date / datetime / period code, value)


@dataclass(frozen=True)
class Source:
    """A figure an app keeps as records: counted (or a field summed) by organisation and date."""

    key: str
    label: str
    unit: str
    kind: str = COUNT
    fn: Callable[[dt.date, dt.date], Rows] | None = None
    model: str = ""  # "app_label.ModelName"
    org_field: str = "org"
    date_field: str = ""
    sum_field: str = ""
    filters: tuple[tuple[str, Any], ...] = ()
    cumulative: bool = False
    scope: str = ""  # 口径, shown under the figures
    description: str = ""
    # The data element an enterprise reports for the same thing in its statistics report (e.g. "WF_STUDIOS"
    # for the studios kept as records): the pair the reconciliation of reported and recorded figures compares.
    reported: str = ""

    @property
    def code(self) -> str:
        """The element code the engine knows the source by (also its reference without #{ })."""
        return f"{PREFIX}.{self.key}"

    @property
    def reference(self) -> str:
        return "#{" + self.code + "}"


_REGISTRY: dict[str, Source] = {}
_ids: dict[str, int] = {}


def register(source: Source) -> Source:
    """Register (or replace) `source`; ValueError for a malformed one."""
    if not _KEY.match(source.key):
        raise ValueError(f"source key {source.key!r}: capital letters, digits and _ only")
    if source.kind not in (COUNT, SUM):
        raise ValueError(f"source {source.key}: kind must be {COUNT!r} or {SUM!r}")
    if (source.fn is None) == (not source.model):
        raise ValueError(f"source {source.key}: give either fn or model")
    if source.model and not source.date_field:
        raise ValueError(f"source {source.key}: a model source needs date_field")
    if source.reported and not re.match(rf"^{CODE_PATTERN}$", source.reported):
        raise ValueError(f"source {source.key}: reported must be a data element code")
    if source.model and source.kind == SUM and not source.sum_field:
        raise ValueError(f"source {source.key}: a summed model source needs sum_field")
    _REGISTRY[source.key] = source
    # A stable negative id per key (data elements' ids are positive), kept if re-registered.
    _ids.setdefault(source.key, -(len(_ids) + 1))
    return source


def unregister(key: str) -> None:
    _REGISTRY.pop(key, None)


def get(key: str) -> Source | None:
    return _REGISTRY.get(key)


def all_sources() -> list[Source]:
    return sorted(_REGISTRY.values(), key=lambda s: s.key)


def fingerprint() -> tuple:
    """Changes whenever the registry does (cache keys of anything built from it)."""
    return tuple(sorted((s.key, id(s)) for s in _REGISTRY.values()))


def is_source_ref(ref: Ref) -> bool:
    return ref.element == PREFIX or ref.element.startswith(PREFIX + ".")


def normalise(ref: Ref) -> Ref:
    """`#{SRC.KEY}` as the parser reads it (element SRC, option KEY) → the engine's Ref("SRC.KEY")."""
    if ref.element == PREFIX and len(ref.options) == 1:
        return Ref(f"{PREFIX}.{ref.options[0]}")
    return ref


def from_ref(ref: Ref) -> Source:
    """The registered source `ref` names; UserError (field "measure") naming it otherwise."""
    ref = normalise(ref)
    key = ref.element.partition(".")[2] if ref.element.startswith(PREFIX + ".") else ""
    source = _REGISTRY.get(key)
    if source is None or ref.options:
        raise UserError(_("“%(ref)s”不是已登记的数据来源，应写作 #{SRC.代码}。") % {"ref": str(ref)}, field="measure")
    return source


def element_id(source: Source) -> int:
    """The (negative) id the engine files the source's sums under, next to data elements' ids."""
    return _ids[source.key]


# --- Reading -----------------------------------------------------------------------------------------------


def _day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _span(when) -> tuple[dt.date, dt.date]:
    if isinstance(when, str):
        spec = periods.parse_code(when)
        return spec.start, spec.end
    day = _day(when)
    return day, day


def values(source: Source, spec: periods.PeriodSpec) -> dict[int, Decimal]:
    """{organisation id: the source's figure for the period} (records dated within it, or on or before its
    end for a cumulative source); organisations with no records are left out."""
    start = dt.date.min if source.cumulative else spec.start
    found: dict[int, Decimal] = defaultdict(Decimal)
    if source.fn is not None:
        for org_id, when, value in source.fn(start, spec.end):
            first, last = _span(when)
            if start <= first and last <= spec.end and value is not None:
                found[int(org_id)] += Decimal(str(value))
        return dict(found)
    from django.apps import apps

    model = apps.get_model(source.model)
    date_field = source.date_field
    if model._meta.get_field(date_field).get_internal_type() == "DateTimeField":
        date_field += "__date"
    rows = model._default_manager.filter(**dict(source.filters), **{f"{date_field}__lte": spec.end})
    if not source.cumulative:
        rows = rows.filter(**{f"{date_field}__gte": spec.start})
    measure = Count("pk") if source.kind == COUNT else Sum(source.sum_field)
    for org_id, value in (
        rows.order_by().values(source.org_field).annotate(v=measure).values_list(source.org_field, "v")
    ):
        if org_id is not None and value is not None:
            found[org_id] += Decimal(value)
    return dict(found)
