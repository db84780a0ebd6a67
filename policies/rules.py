"""Eligibility as data: what a rule may look at, how it compares, and its verdict for one organisation (pure).

A rule is (field, operator, value); a measure's rules must all hold. No code is stored or evaluated: the
fields, their kinds and their operators are the table below, and a value is checked against it when the office
saves the rule (`check`), so a rule that reaches `evaluate` is always well formed.

    kind         机构类型       in / not_in over orgs.choices.OrgKind (enterprise, unit)
    ownership    所有制         in / not_in over Ownership
    industry     行业           in / not_in over the GB/T 4754 sections
    region       所在州市       in / not_in over prefecture codes (530100 …); a county counts for its prefecture
    workers      职工人数       a number compared with the latest accepted yearly report (产业工人总数)
    edu_spent    职工教育经费使用额（元）
    certified    持证人数
    trained      职业技能培训人次
    self_eval    完成企业自主评价备案 (yes/no)

A figure the organisation has not reported makes the rule unanswerable: the verdict is then NO_DATA (shown as
"无数据" to the office and counted apart), never "eligible"; a rule that fails outright makes it NOT_ELIGIBLE
whatever else is unknown. A measure without a kind rule is for enterprises (未设置机构类型的，适用于企业).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import UserError
from orgs.choices import Industry, OrgKind, Ownership
from policies.choices import Eligibility

CHOICE, NUMBER, BOOLEAN = "choice", "number", "boolean"

OPERATORS = {
    "in": gettext_lazy("属于"),
    "not_in": gettext_lazy("不属于"),
    "eq": gettext_lazy("等于"),
    "ne": gettext_lazy("不等于"),
    "gt": gettext_lazy("大于"),
    "gte": gettext_lazy("不少于"),
    "lt": gettext_lazy("小于"),
    "lte": gettext_lazy("不超过"),
}
_OPS_BY_KIND = {CHOICE: ("in", "not_in"), NUMBER: ("gte", "gt", "lte", "lt", "eq", "ne"), BOOLEAN: ("eq",)}
POPULATION_KINDS = (OrgKind.ENTERPRISE, OrgKind.UNIT)
DEFAULT_KIND = OrgKind.ENTERPRISE


@dataclass(frozen=True)
class Field:
    """What a rule may look at: its label, kind, and for figures the data element that answers it."""

    key: str
    label: Any
    kind: str
    element: str = ""  # reporting data element read through the analytics engine (figures)
    unit: str = ""

    @property
    def operators(self) -> tuple[str, ...]:
        return _OPS_BY_KIND[self.kind]

    def choices(self) -> list[tuple[str, str]]:
        if self.key == "kind":
            return [(k.value, str(k.label)) for k in POPULATION_KINDS]
        if self.key == "ownership":
            return [(c, str(label)) for c, label in Ownership.choices]
        if self.key == "industry":
            return [(c, str(label)) for c, label in Industry.choices]
        if self.key == "region":
            return prefecture_choices()
        if self.kind == BOOLEAN:
            return [("1", _("是")), ("0", _("否"))]
        return []


FIELDS: dict[str, Field] = {
    f.key: f
    for f in (
        Field("kind", gettext_lazy("机构类型"), CHOICE),
        Field("ownership", gettext_lazy("所有制"), CHOICE),
        Field("industry", gettext_lazy("行业"), CHOICE),
        Field("region", gettext_lazy("所在州市"), CHOICE),
        Field("workers", gettext_lazy("职工人数"), NUMBER, "WF_WORKERS", "人"),
        Field("edu_spent", gettext_lazy("职工教育经费使用额"), NUMBER, "WF_EDU_FUND_SPENT", "元"),
        Field("certified", gettext_lazy("持有技能等级证书人数"), NUMBER, "WF_CERTIFIED", "人"),
        Field("trained", gettext_lazy("职业技能培训人次"), NUMBER, "WF_TRAINING_PERSON_TIMES", "人次"),
        Field("self_eval", gettext_lazy("已完成企业自主评价备案"), BOOLEAN, "WF_SELF_EVAL_FILED"),
    )
}
FIGURE_FIELDS = tuple(key for key, f in FIELDS.items() if f.element)


def prefecture_choices() -> list[tuple[str, str]]:
    """The prefectures (GB/T 2260 codes ending in 00 under the province)."""
    from orgs.models import Region

    rows = Region.objects.filter(code__endswith="00").exclude(code__endswith="0000").order_by("code")
    return [(r.code, r.name) for r in rows.values_list("code", "name", named=True)]


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.replace("，", ",").split(",") if part.strip()]


def _number(text: str) -> Decimal | None:
    text = (text or "").strip().replace(",", "")
    if not text or not all(ch in "0123456789.-" for ch in text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def check(field: str, operator: str, value: str) -> str:
    """The rule's value normalised; UserError naming what is wrong (unknown field, operator or value)."""
    spec = FIELDS.get(field)
    if spec is None:
        raise UserError(_("条件项“%(f)s”无效。") % {"f": field}, field="field")
    if operator not in spec.operators:
        raise UserError(
            _("“%(field)s”不能用“%(op)s”比较；可用：%(ops)s。")
            % {
                "field": spec.label,
                "op": OPERATORS.get(operator, operator),
                "ops": "、".join(str(OPERATORS[o]) for o in spec.operators),
            },
            field="operator",
        )
    value = (value or "").strip()
    if spec.kind == CHOICE:
        codes = _codes(value)
        known = dict(spec.choices())
        unknown = [c for c in codes if c not in known]
        if not codes:
            raise UserError(_("请为“%(field)s”选择至少一项。") % {"field": spec.label}, field="value")
        if unknown:
            raise UserError(
                _("“%(field)s”没有这些选项：%(codes)s。") % {"field": spec.label, "codes": "、".join(unknown)},
                field="value",
            )
        return ",".join(dict.fromkeys(codes))
    if spec.kind == BOOLEAN:
        if value not in ("0", "1"):
            raise UserError(_("“%(field)s”只能选“是”或“否”。") % {"field": spec.label}, field="value")
        return value
    number = _number(value)
    if number is None or number < 0:
        raise UserError(
            _("“%(field)s”的取值应为不小于 0 的数字，“%(value)s”不是。") % {"field": spec.label, "value": value},
            field="value",
        )
    return format(number.normalize(), "f")


def describe(field: str, operator: str, value: str) -> str:
    """The rule as a sentence: 职工人数 不少于 300 人; 所在州市 属于 昆明市、曲靖市."""
    spec = FIELDS.get(field)
    if spec is None:
        return f"{field} {operator} {value}"
    op = str(OPERATORS.get(operator, operator))
    if spec.kind == CHOICE:
        names = dict(spec.choices())
        return f"{spec.label} {op} {'、'.join(names.get(c, c) for c in _codes(value))}"
    if spec.kind == BOOLEAN:
        return f"{spec.label}：{_('是') if value == '1' else _('否')}"
    return f"{spec.label} {op} {value} {spec.unit}".strip()


@dataclass(frozen=True)
class Verdict:
    """A measure's rules for one organisation: the outcome and, when not eligible or unknown, why."""

    outcome: str
    reasons: tuple[str, ...] = ()

    @property
    def eligible(self) -> bool:
        return self.outcome == Eligibility.ELIGIBLE


def _holds(spec: Field, operator: str, value: str, actual: Any) -> bool:
    if spec.kind == CHOICE:
        codes = _codes(value)
        if spec.key == "region":
            actual_code = str(actual or "")
            inside = any(actual_code[:4] == code[:4] for code in codes)
        else:
            inside = actual in codes
        return inside if operator == "in" else not inside
    if spec.kind == BOOLEAN:
        return (Decimal(actual) != 0) == (value == "1")
    limit = Decimal(value)
    actual = Decimal(actual)
    return {
        "eq": actual == limit,
        "ne": actual != limit,
        "gt": actual > limit,
        "gte": actual >= limit,
        "lt": actual < limit,
        "lte": actual <= limit,
    }[operator]


def evaluate(rules: Iterable[tuple[str, str, str]], facts: Mapping[str, Any]) -> Verdict:
    """The verdict of (field, operator, value) rules on one organisation's `facts` (field → value or None).

    Choice facts are codes (kind, ownership, industry, region code); figure facts are numbers or None when the
    organisation has not reported them.
    """
    rules = list(rules)
    failed, missing = [], []
    if not any(field == "kind" for field, _op, _value in rules):
        rules.insert(0, ("kind", "in", DEFAULT_KIND))
    for field, operator, value in rules:
        spec = FIELDS.get(field)
        if spec is None:
            failed.append(describe(field, operator, value))
            continue
        actual = facts.get(field)
        if actual in (None, ""):
            missing.append(_("%(field)s无数据") % {"field": spec.label})
            continue
        if not _holds(spec, operator, value, actual):
            failed.append(describe(field, operator, value))
    if failed:
        return Verdict(Eligibility.NOT_ELIGIBLE, tuple(failed))
    if missing:
        return Verdict(Eligibility.NO_DATA, tuple(missing))
    return Verdict(Eligibility.ELIGIBLE)
