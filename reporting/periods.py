"""Reporting periods: codes (2021, 2021H1, 2021Q2, 202103), Chinese labels, arithmetic and roll-up.

Codes follow DHIS2's ISO-like period identifiers, so exports and API clients can use them as-is.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.errors import UserError
from core.formatting import quarter_label, year_label
from reporting.choices import PeriodType

_PATTERNS = (
    (PeriodType.YEAR, re.compile(r"^(\d{4})$")),
    (PeriodType.HALF_YEAR, re.compile(r"^(\d{4})H([12])$")),
    (PeriodType.QUARTER, re.compile(r"^(\d{4})Q([1-4])$")),
    (PeriodType.MONTH, re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")),
)
MONTHS_IN = {PeriodType.MONTH: 1, PeriodType.QUARTER: 3, PeriodType.HALF_YEAR: 6, PeriodType.YEAR: 12}
_ORDER = [PeriodType.MONTH, PeriodType.QUARTER, PeriodType.HALF_YEAR, PeriodType.YEAR]


@dataclass(frozen=True)
class PeriodSpec:
    """A period as plain data: its type, first and last day, and code."""

    period_type: str
    start: dt.date
    end: dt.date
    code: str

    @property
    def label(self) -> str:
        return period_label(self.period_type, self.start)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _index(period_type: str, start: dt.date) -> int:
    """1-based position of the period within its year (month 3, quarter 2, half 1, year 1)."""
    return (start.month - 1) // MONTHS_IN[period_type] + 1


def spec_for(period_type: str, year: int, index: int = 1) -> PeriodSpec:
    """The `index`-th period of `period_type` in `year`."""
    months = MONTHS_IN[period_type]
    first_month = (index - 1) * months + 1
    start = dt.date(year, first_month, 1)
    end = _month_end(year, first_month + months - 1)
    code = {
        PeriodType.YEAR: f"{year}",
        PeriodType.HALF_YEAR: f"{year}H{index}",
        PeriodType.QUARTER: f"{year}Q{index}",
        PeriodType.MONTH: f"{year}{index:02d}",
    }[period_type]
    return PeriodSpec(period_type, start, end, code)


def parse_code(code: str) -> PeriodSpec:
    """The period a code names; UserError for anything else."""
    text = (code or "").strip().upper()
    for period_type, pattern in _PATTERNS:
        match = pattern.match(text)
        if match:
            year = int(match.group(1))
            if not 1900 <= year <= 2999:
                break
            index = int(match.group(2)) if match.lastindex and match.lastindex > 1 else 1
            return spec_for(period_type, year, index)
    raise UserError(
        _("“%(code)s”不是有效的报告期代码，应为 2021、2021H1、2021Q2 或 202103 这样的形式。") % {"code": code},
        field="period",
    )


def spec_containing(period_type: str, day: dt.date) -> PeriodSpec:
    """The period of `period_type` that contains `day`."""
    return spec_for(period_type, day.year, (day.month - 1) // MONTHS_IN[period_type] + 1)


def period_label(period_type: str, start: dt.date) -> str:
    """2021年度, 2021年上半年, 2021年第二季度, 2021年3月."""
    index = _index(period_type, start)
    if period_type == PeriodType.YEAR:
        return year_label(start.year)
    if period_type == PeriodType.HALF_YEAR:
        if index == 1:
            return _("%(year)d年上半年") % {"year": start.year}
        return _("%(year)d年下半年") % {"year": start.year}
    if period_type == PeriodType.QUARTER:
        return quarter_label(start.year, index)
    return _("%(year)d年%(month)d月") % {"year": start.year, "month": start.month}


def previous_spec(spec: PeriodSpec) -> PeriodSpec:
    """The period of the same type just before `spec`."""
    return spec_containing(spec.period_type, spec.start - dt.timedelta(days=1))


def same_period_last_year(spec: PeriodSpec) -> PeriodSpec:
    return spec_for(spec.period_type, spec.start.year - 1, _index(spec.period_type, spec.start))


def children_specs(spec: PeriodSpec, child_type: str) -> list[PeriodSpec]:
    """The periods of the finer `child_type` that make up `spec` (the quarters of a year, …)."""
    if _ORDER.index(child_type) > _ORDER.index(spec.period_type):
        raise UserError(_("不能把较长的报告期拆分为更长的报告期。"))
    result = []
    day = spec.start
    while day <= spec.end:
        child = spec_containing(child_type, day)
        result.append(child)
        day = child.end + dt.timedelta(days=1)
    return result


def period_from_code(code: str):
    """The stored Period for `code`, created on first use (periods are reference data, not audited)."""
    from reporting.models import Period

    spec = parse_code(code)
    period, _created = Period.objects.get_or_create(
        code=spec.code, defaults={"period_type": spec.period_type, "start": spec.start, "end": spec.end}
    )
    return period


def period_containing(period_type: str, day: dt.date):
    """The stored Period of `period_type` containing `day`, created on first use."""
    return period_from_code(spec_containing(period_type, day).code)
