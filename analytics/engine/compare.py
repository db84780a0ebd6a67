"""Growth against a baseline period and year-on-year change, for every figure of an answer.

Rates change in percentage points (百分点: 15.00% → 18.00% is +3.00个百分点); amounts grow in percent
of the base (100万 → 110万 is +10.00%). The base figures are the engine's answer to the same query for the
base periods (same organisations, level, disaggregation and data), so a change never mixes scopes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils.translation import gettext as _

from analytics.engine.answers import Answer, Query, answer
from analytics.engine.measures import _quantize
from analytics.engine.scope import Scope
from core.errors import UserError
from core.formatting import percent
from reporting import periods
from reporting.choices import PeriodType

YOY = "yoy"
BASELINE = "baseline"
KINDS = (YOY, BASELINE)

_TYPE_NAMES = {
    PeriodType.YEAR: ("年度", "2015"),
    PeriodType.HALF_YEAR: ("半年", "2015H2"),
    PeriodType.QUARTER: ("季度", "2015Q4"),
    PeriodType.MONTH: ("月度", "201512"),
}


@dataclass(frozen=True)
class Change:
    """One figure against its base: the same group and option in the baseline period (or a year earlier).

    Rates change in percentage points (百分点); amounts grow in percent of the base.
    """

    group: str
    org_name: str
    option: str
    period: str
    base_period: str
    value: Decimal | None
    base_value: Decimal | None
    change: Decimal | None
    display: str


@dataclass(frozen=True)
class Comparison:
    """The changes of an answer's figures, with what a table prints about them."""

    kind: str  # YOY or BASELINE
    baseline: str  # the baseline period's code; "" for year-on-year
    label: str  # 同比 / 较2015年度
    description: str  # 同比（与上年同期） / 与基期2015年度比较
    unit: str  # 百分点 (rates) or % (amounts)
    changes: list[Change]
    notes: list[str]

    def by_figure(self) -> dict[tuple[str, str, str], Change]:
        """(group, option, period) → change, to lay the changes out beside their figures."""
        return {(c.group, c.option, c.period): c for c in self.changes}


def check_baseline(code: str | None, period_codes: tuple[str, ...] | list[str]) -> periods.PeriodSpec:
    """The baseline period for comparing `period_codes`: a valid code, of the same period type, not later
    than the earliest of them. Raises UserError (field "baseline") in Chinese otherwise."""
    text = (code or "").strip().upper()
    if not text:
        raise UserError(_("请选择基期，如 2015（“十二五”末）。"), field="baseline")
    try:
        spec = periods.parse_code(text)
    except UserError as error:
        raise UserError(
            _("基期“%(code)s”不是有效的报告期代码，应为 2015、2015H2 或 2015Q4 这样的形式。") % {"code": code},
            field="baseline",
        ) from error
    compared = [periods.parse_code(c) for c in period_codes]
    if not compared:
        return spec
    wanted = compared[0].period_type
    if spec.period_type != wanted or any(c.period_type != wanted for c in compared):
        name, example = _TYPE_NAMES.get(wanted, (wanted, "2015"))
        raise UserError(
            _("基期%(base)s与所比较的报告期类型不同：请选择%(type)s报告期作基期，如 %(example)s。")
            % {"base": spec.label, "type": _(name), "example": example},
            field="baseline",
        )
    first = min(compared, key=lambda c: c.start)
    if spec.start > first.start:
        raise UserError(
            _("基期%(base)s晚于所比较的最早报告期%(first)s，请选择更早的报告期。")
            % {"base": spec.label, "first": first.label},
            field="baseline",
        )
    return spec


def comparison(scope: Scope, current: Answer, *, kind: str = YOY, baseline: str | None = None) -> Comparison:
    """Each figure of `current` (rows and totals) against the same figure in `baseline` (a period code,
    e.g. "2015" for the end of the 12th five-year plan) or, for YOY, in the same period a year earlier.

    Raises UserError (field "baseline" or "compare") for a bad comparison."""
    codes = [code for code, _label in current.periods]
    if kind == BASELINE:
        spec = check_baseline(baseline, codes)
        base_of = dict.fromkeys(codes, spec.code)
        label = _("较%(period)s") % {"period": spec.label}
        description = _("与基期%(period)s比较") % {"period": spec.label}
        missing = _("基期%(period)s没有可比数据，无法计算增长。") % {"period": spec.label}
    elif kind == YOY:
        base_of = {code: periods.same_period_last_year(periods.parse_code(code)).code for code in codes}
        label = _("同比")
        description = _("同比（与上年同期比较）")
        missing = _("上年同期没有可比数据，无法计算同比。")
    else:
        raise UserError(_("对比方式只能是同比（yoy）或与基期比较（baseline）。"), field="compare")

    base = answer(scope, replace(current.query, periods=tuple(dict.fromkeys(base_of.values()))))
    base_values = {(f.group, f.option, f.period): f.value for f in base.rows + base.totals}
    changes = []
    for figure in current.totals + current.rows:
        base_period = base_of[figure.period]
        base_value = base_values.get((figure.group, figure.option, base_period))
        change, display = None, "—"
        if figure.value is not None and base_value is not None:
            if current.is_rate:
                change = _quantize(figure.value - base_value, 2)
                display = _("%(sign)s%(n)s个百分点") % {"sign": "+" if change >= 0 else "", "n": change}
            elif base_value:
                change = _quantize((figure.value - base_value) / base_value * 100, 2)
                display = ("+" if change >= 0 else "") + percent(change)
        changes.append(
            Change(
                group=figure.group,
                org_name=figure.org_name,
                option=figure.option,
                period=figure.period,
                base_period=base_period,
                value=figure.value,
                base_value=base_value,
                change=change,
                display=display,
            )  # fmt: skip
        )
    notes = [
        _("对比：%(what)s；比率的变化以百分点表示，总量的变化以增长百分比表示。") % {"what": description},
    ]
    if not base.totals:
        notes.append(missing)
    return Comparison(
        kind=kind, baseline=base_of[codes[0]] if kind == BASELINE and codes else "", label=label,
        description=description, unit=_("百分点") if current.is_rate else "%", changes=changes, notes=notes,
    )  # fmt: skip


def compare(scope: Scope, query: Query, *, baseline: str | None = None) -> list[Change]:
    """Each figure of `query` against `baseline` or, without one, the same period a year earlier."""
    kind = BASELINE if baseline else YOY
    scope = Scope.of(scope)
    return comparison(scope, answer(scope, query), kind=kind, baseline=baseline).changes
