"""A framework's criteria in words, for the framework page: each rule as the score card prints it, what it
reads (indicator and target, fact, levels, items) and whom it applies to."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from assessment import facts, inputs, scoring
from assessment.choices import SCORED_KINDS, CriterionKind
from assessment.forms import plain
from assessment.models import Criterion, Framework
from assessment.scoring import CriterionSpec, FactValue, OrgInputs
from orgs.choices import Industry, OrgKind, Ownership

BONUS_KINDS = (CriterionKind.BONUS, CriterionKind.DEDUCTION)


def rule_words(spec: CriterionSpec) -> str:
    """The criterion's rule exactly as the score card prints it: the scoring itself is asked, with no data."""
    probe = OrgInputs(
        participant_id=0, org_id=0, code="", name="",
        facts={spec.fact: FactValue(None, "")} if spec.fact else {},
    )  # fmt: skip
    try:
        scored = scoring.score_criterion(spec, probe, {})
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return ""
    return scored.detail.get("rule", "")


def _fact_label(key: str) -> str:
    fact = facts.FACTS.get(key)
    return str(fact.label) if fact else _("%(key)s（数据来源尚未接入）") % {"key": key}


def basis_words(criterion: Criterion, spec: CriterionSpec | None) -> list[str]:
    """What the rule reads, in sentences: the indicator and target, the fact, the levels, the items."""
    kind = criterion.kind
    lines: list[str] = []
    if kind in (CriterionKind.INDICATOR_TARGET, CriterionKind.INDICATOR_RANK, CriterionKind.INDICATOR_IMPROVEMENT):
        indicator = criterion.indicator
        if indicator is None:
            return [_("未选择指标。")]
        lines.append(
            _("指标：%(name)s（%(direction)s）")
            % {"name": indicator.name, "direction": _("越大越好") if indicator.higher_is_better else _("越小越好")}
        )
        if kind == CriterionKind.INDICATOR_TARGET:
            if criterion.target is not None:
                unit = spec.unit if spec else indicator.unit
                lines.append(_("目标值：%(target)s%(unit)s") % {"target": plain(criterion.target), "unit": unit})
            else:
                lines.append(_("目标值：指标的年度目标（本单位的优先，其次全省）"))
            lines.append(_("达标率 = 实际值 ÷ 目标值") if indicator.higher_is_better else _("达标率 = 目标值 ÷ 实际值"))
        elif kind == CriterionKind.INDICATOR_RANK:
            lines.append(_("在本轮适用该指标且有数据的单位中求百分位：最好的为 100%，最差的为 0%，并列各得一半。"))
        else:
            lines.append(_("上年没有已验收数据的单位，本项不适用（不计入其满分）。"))
    elif kind == CriterionKind.FACT:
        lines.append(
            _("平台事实：%(label)s") % {"label": _fact_label(criterion.fact)}
            if criterion.fact
            else _("未选择平台事实。")
        )
    elif kind == CriterionKind.QUALITATIVE:
        for level in criterion.levels:
            text = _("%(label)s（%(share)s%%）") % {
                "label": level.get("label", ""),
                "share": plain(Decimal(str(level.get("share", 0))) * 100),
            }
            if level.get("description"):
                text += "：" + level["description"]
            lines.append(text)
    elif kind in BONUS_KINDS:
        sign = "+" if kind == CriterionKind.BONUS else "−"
        for item in criterion.items:
            source = (
                _("按平台事实“%(fact)s”自动计次") % {"fact": _fact_label(item["fact"])}
                if item.get("fact")
                else _("由产改办逐次登记")
            )
            lines.append(
                _("%(label)s：每次 %(sign)s%(points)s 分（%(source)s）")
                % {
                    "label": item.get("label", ""),
                    "sign": sign,
                    "points": plain(item.get("points", 0)),
                    "source": source,
                }
            )
    elif kind == CriterionKind.VETO:
        lines.append(_("否决事项由产改办登记，写明事由和依据。"))
        if criterion.fact:
            lines.append(_("平台事实“%(fact)s”发生即否决。") % {"fact": _fact_label(criterion.fact)})
    return lines


def applicability_words(criterion: Criterion) -> str:
    if criterion.is_common:
        return _("全部单位")
    parts = []
    for values, choices, label in (
        (criterion.kinds, OrgKind, _("类型")),
        (criterion.ownerships, Ownership, _("所有制")),
        (criterion.industries, Industry, _("行业")),
    ):
        if values:
            names = [str(choices(v).label) if v in choices.values else v for v in values]
            parts.append(_("%(what)s：%(names)s") % {"what": label, "names": "、".join(names)})
    return "；".join(parts)


def criterion_rows(framework: Framework) -> list[dict]:
    """Each dimension with its criteria described, and its points checked against its criteria."""
    try:
        specs = {s.id: s for s in inputs.framework_spec(framework).criteria}
    except (KeyError, TypeError, ValueError, ArithmeticError):
        specs = {}  # a criterion saved around the services: described without its rule
    criteria = Criterion.objects.select_related("indicator").order_by("sort_order", "id")
    dimensions = framework.dimensions.order_by("sort_order", "id").prefetch_related(
        Prefetch("criteria", queryset=criteria)
    )
    rows = []
    for dimension in dimensions:
        items = []
        common = specific = Decimal(0)
        for criterion in dimension.criteria.all():
            spec = specs.get(criterion.pk)
            if criterion.kind in SCORED_KINDS:
                if criterion.is_common:
                    common += criterion.points
                else:
                    specific += criterion.points
            items.append(
                {
                    "criterion": criterion,
                    "rule": rule_words(spec) if spec else "",
                    "basis": basis_words(criterion, spec),
                    "applies": applicability_words(criterion),
                    "scored": criterion.kind in SCORED_KINDS,
                }
            )
        rows.append({"dimension": dimension, "items": items, "common": common, "specific": specific})
    return rows
