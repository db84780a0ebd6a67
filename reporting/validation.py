"""The validation engine: evaluate a version's rules against a report's values, generate sum rules,
and find outliers (a value far from the previous period's, or from its peers').

It works on plain data (a map of (element code, option key) → Decimal), so web entry, Excel
import and the API all get the same answers, and it is cheap to test.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from core.formatting import percent
from reporting.choices import Importance, MissingValueStrategy, Operator
from reporting.expressions import ExpressionError, Node, Ref, ValueSums, evaluate, parse, references
from reporting.values import plain_number

ValueMap = dict[tuple[str, str], Decimal]
_QUANTUM = Decimal("0.0001")

_COMPARE: dict[str, Callable[[Decimal, Decimal], bool]] = {
    Operator.EQ: lambda a, b: a == b,
    Operator.NE: lambda a, b: a != b,
    Operator.LT: lambda a, b: a < b,
    Operator.LE: lambda a, b: a <= b,
    Operator.GT: lambda a, b: a > b,
    Operator.GE: lambda a, b: a >= b,
}


@dataclass(frozen=True)
class RuleOutcome:
    """One rule's result for one report: `passed` is None when the rule was skipped (values missing)."""

    rule: object
    left: Decimal | None
    right: Decimal | None
    passed: bool | None
    message: str

    @property
    def code(self) -> str:
        return self.rule.code  # type: ignore[attr-defined]

    @property
    def is_error(self) -> bool:
        return self.passed is False and self.rule.importance == Importance.ERROR  # type: ignore[attr-defined]

    @property
    def is_warning(self) -> bool:
        return self.passed is False and self.rule.importance == Importance.WARNING  # type: ignore[attr-defined]


def _plain(number: Decimal | None) -> str:
    return "—" if number is None else plain_number(number.quantize(_QUANTUM))


def _side_label(node: Node, describe: Callable[[Ref], str], fallback: str) -> str:
    refs = references(node)
    if len(refs) == 1 and isinstance(node, Ref):
        return describe(node)
    return fallback


def evaluate_rule(rule, values: ValueMap | ValueSums, describe: Callable[[Ref], str] | None = None) -> RuleOutcome:
    """Evaluate one rule (an object with left, operator, right, importance, message, missing_value_strategy)."""
    describe = describe or str
    sums = values if isinstance(values, ValueSums) else ValueSums(values)
    left_node, right_node = parse(rule.left), parse(rule.right)
    refs = references(left_node) + references(right_node)
    present = [sums(ref) is not None for ref in refs]
    strategy = rule.missing_value_strategy
    skip = (strategy == MissingValueStrategy.SKIP_IF_ANY_MISSING and not all(present)) or (
        strategy == MissingValueStrategy.SKIP_IF_ALL_MISSING and refs and not any(present)
    )
    if skip:
        return RuleOutcome(rule, None, None, None, "")
    left = evaluate(left_node, sums)
    right = evaluate(right_node, sums)
    if left is None or right is None:  # division by zero: cannot be judged
        return RuleOutcome(rule, left, right, None, "")
    passed = _COMPARE[rule.operator](left.quantize(_QUANTUM), right.quantize(_QUANTUM))
    message = ""
    if not passed:
        message = _("%(message)s（%(left_label)s：%(left)s；%(right_label)s：%(right)s）") % {
            "message": rule.message,
            "left_label": _side_label(left_node, describe, _("左侧")),
            "left": _plain(left),
            "right_label": _side_label(right_node, describe, _("右侧")),
            "right": _plain(right),
        }
    return RuleOutcome(rule, left, right, passed, message)


def evaluate_rules(
    rules: Iterable, values: ValueMap, describe: Callable[[Ref], str] | None = None
) -> list[RuleOutcome]:
    """Every active rule's outcome, in the rules' order."""
    sums = ValueSums(values)  # one index of the values for all the rules
    return [evaluate_rule(rule, sums, describe) for rule in rules if getattr(rule, "is_active", True)]


def expression_problems(text: str, known: dict[str, set[str]]) -> list[str]:
    """Why an expression cannot be used in a version whose elements and option codes are `known`.

    `known` maps each element code in the version to the option codes of its combo.
    """
    try:
        node = parse(text)
    except ExpressionError as error:
        return [error.message]
    problems = []
    for ref in references(node):
        if ref.element not in known:
            problems.append(_("引用的数据元 %(code)s 不在本报表版本中。") % {"code": ref.element})
            continue
        unknown = [o for o in ref.options if o not in known[ref.element]]
        if unknown:
            problems.append(
                _("数据元 %(code)s 没有分类选项 %(options)s。") % {"code": ref.element, "options": "、".join(unknown)}
            )
    return problems


def sum_rule_code(total_code: str, total_key: str, parts_code: str) -> str:
    """A stable code for the generated rule of one total relation (at most 100 characters)."""
    key = f"_{total_key.replace('.', '_')}" if total_key else ""
    code = f"SUM_{total_code}{key}_EQ_{parts_code}"
    if len(code) > 100:
        digest = hashlib.sha1(code.encode()).hexdigest()[:10].upper()  # noqa: S324 - a name, not security
        code = f"{code[:89]}_{digest}"
    return code


def sum_rule_spec(*, total_code: str, total_key: str, total_label: str, parts_code: str, parts_label: str) -> dict:
    """The fields of the error rule a total relation implies: the parts add up to the total."""
    key = f".{total_key}" if total_key else ""
    return {
        "code": sum_rule_code(total_code, total_key, parts_code),
        "name": _("%(parts)s合计等于%(total)s") % {"parts": parts_label, "total": total_label},
        "left": f"#{{{total_code}{key}}}",
        "operator": Operator.EQ,
        "right": f"#{{{parts_code}}}",
        "importance": Importance.ERROR,
        "message": _("%(parts)s各项之和应等于%(total)s") % {"parts": parts_label, "total": total_label},
        "missing_value_strategy": MissingValueStrategy.SKIP_IF_ALL_MISSING,
        "is_generated": True,
    }


# --- Outliers ------------------------------------------------------------------------------------------------------

PEER_FACTOR = Decimal(10)  # a value beyond 10× (or under 1/10 of) the peers' median is flagged
MIN_PEERS = 3  # fewer peers than this give no median worth comparing with


def peer_factor() -> Decimal:
    """How far from the peers' median a value may lie (settings.REPORTING_OUTLIER_PEER_FACTOR, default 10)."""
    return Decimal(str(getattr(settings, "REPORTING_OUTLIER_PEER_FACTOR", PEER_FACTOR)))


def min_peers() -> int:
    return int(getattr(settings, "REPORTING_OUTLIER_MIN_PEERS", MIN_PEERS))


@dataclass(frozen=True)
class Outlier:
    """A value far from a reference: the same cell's previous-period value (`kind` "previous") or the
    median of the same cell among peers (`kind` "peers": organisations of the same kind under the same
    parent, same data set and period). A warning: it never blocks saving or submitting; the cell's
    comment explains it."""

    key: tuple[str, str]
    label: str
    kind: str
    current: Decimal
    reference: Decimal
    peers: int = 0
    explanation: str = ""

    @property
    def change(self) -> Decimal:
        """Relative change against the reference, e.g. 0.75 for +75%."""
        return ((self.current - self.reference) / abs(self.reference)).quantize(_QUANTUM)

    @property
    def code(self) -> str:
        return f"OUTLIER_{self.kind.upper()}:{self.key[0]}[{self.key[1]}]"

    @property
    def message(self) -> str:
        if self.kind == "previous":
            change = self.change * 100
            if change >= 900 and self.reference > 0:
                # Ten times or more: "+899900%" says nothing a person can check; the multiple does.
                return _("%(label)s：上期 %(prev)s，本期 %(cur)s，是上期的 %(ratio)s 倍，请核对。") % {
                    "label": self.label,
                    "prev": plain_number(self.reference),
                    "cur": plain_number(self.current),
                    "ratio": plain_number((self.current / self.reference).quantize(Decimal("0.1"))),
                }
            return _("%(label)s：上期 %(prev)s，本期 %(cur)s，变化 %(sign)s%(change)s，请核对。") % {
                "label": self.label,
                "prev": plain_number(self.reference),
                "cur": plain_number(self.current),
                "sign": "+" if change > 0 else "",
                "change": percent(change, 0 if abs(change) >= 100 else 1),
            }
        ratio = (self.current / self.reference).quantize(Decimal("0.1"))
        return _(
            "%(label)s：本期 %(cur)s，同类单位（同一上级下的 %(n)d 家）中位数 %(median)s，"
            "是中位数的 %(ratio)s 倍，请核对。"
        ) % {
            "label": self.label,
            "cur": plain_number(self.current),
            "n": self.peers,
            "median": plain_number(self.reference),
            "ratio": plain_number(ratio),
        }


def peer_medians(
    peer_values: Iterable[Mapping[tuple[str, str], Decimal]],
) -> dict[tuple[str, str], tuple[Decimal, int]]:
    """For each cell, the median of the peers' values and how many peers have one."""
    columns: dict[tuple[str, str], list[Decimal]] = {}
    for values in peer_values:
        for key, number in values.items():
            columns.setdefault(key, []).append(number)
    return {key: (Decimal(statistics.median(numbers)), len(numbers)) for key, numbers in columns.items()}


def find_outliers(
    values: Mapping[tuple[str, str], Decimal],
    *,
    labels: Mapping[tuple[str, str], str],
    previous: Mapping[tuple[str, str], Decimal],
    ratio: Decimal,
    medians: Mapping[tuple[str, str], tuple[Decimal, int]] | None = None,
    factor: Decimal | None = None,
    least_peers: int | None = None,
) -> list[Outlier]:
    """The numeric cells of `values` that change by more than `ratio` (0.5 = 50%) against `previous`,
    or lie beyond `factor` times (or under 1/`factor` of) the peers' median. Zero references give no
    ratio and are not flagged; neither are zero values against peers (a unit may have none)."""
    medians = medians or {}
    factor = peer_factor() if factor is None else factor
    least_peers = min_peers() if least_peers is None else least_peers
    found = []
    for key in sorted(values):
        number = values[key]
        label = labels.get(key, f"{key[0]}[{key[1]}]")
        before = previous.get(key)
        if before not in (None, 0) and abs(number - before) > ratio * abs(before):
            found.append(Outlier(key, label, "previous", number, before))
        median, count = medians.get(key, (None, 0))
        if median is None or median <= 0 or count < least_peers or number <= 0:
            continue
        if number > median * factor or number * factor < median:
            found.append(Outlier(key, label, "peers", number, median, count))
    return found
