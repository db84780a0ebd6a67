"""The figures shown under a written report's sections: what the platform already knows about an aspect.

One mapping, ASPECT_INDICATORS, from an aspect to the analytics indicators (analytics/migrations/
_indicators.py) that measure it; their values are the organisation's subtree over its accepted reports
for the round's year (analytics.engine.batch.subtree_values). Two aspects are answered from the ledger
itself: 6 (the information officers and liaisons in post at the end of the period) and 7 (the
quantified assessment method). Aspects without figures (2 is speakers, 4 demonstration sites …) show
the text alone. A figure without data is shown as 暂无数据, never 0.

Reads only: the caller has already fetched the reports through the door, and the figures of an
organisation are those of a report the caller may see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.formatting import day_label
from ledger.choices import Aspect

# aspect → indicator codes, in the order they are shown.
ASPECT_INDICATORS: dict[int, tuple[str, ...]] = {
    Aspect.INNOVATION: (
        "WUXIAO_RESULTS", "WUXIAO_PARTICIPANTS", "STUDIOS", "STUDIO_RESULTS", "SUGGEST_SUBMITTED",
        "SUGGEST_ADOPTION_RATE", "CONGRESS_UNITS", "CONGRESS_FRONTLINE_SHARE",
    ),
    Aspect.SPEAKERS: ("TALK_SESSIONS", "TALK_SPEAKERS", "TALK_AUDIENCE"),
    Aspect.DELEGATES: ("REPS_FRONTLINE_SHARE",),
    Aspect.EDUCATION: (
        "COLLEGE_RATE", "CERT_RATE", "TRAINING_PERSON_TIMES", "TRAINING_HOURS_PER_WORKER", "EDU_FUND_RATE",
        "EDU_FUND_FRONTLINE_SHARE",
    ),
    Aspect.CARE: ("CONTRACT_COVERAGE", "UNION_MEMBERSHIP_RATE", "NEF_MEMBERSHIP_RATE"),
    Aspect.MODELS: ("AWARDEES_WORKER_SHARE", "HIGH_SKILL_COUNT", "HIGH_SKILL_SHARE"),
}  # fmt: skip
# Aspects answered from the ledger rather than from indicators.
LEDGER_ASPECTS = (Aspect.OFFICERS, Aspect.METHOD)


@dataclass(frozen=True)
class Figure:
    """One line of a section's figures box: a label and the value as users read it."""

    label: str
    text: str
    has_data: bool = True
    note: str = ""


@dataclass
class ReportFigures:
    """The figures of one report, by aspect, and the year they are for."""

    year: int
    by_aspect: dict[int, list[Figure]] = field(default_factory=lambda: defaultdict(list))

    def of(self, aspect: int) -> list[Figure]:
        return self.by_aspect.get(aspect, [])


def year_of(written_round) -> int:
    """The year whose accepted data a round's figures are read from: the year its period ends in."""
    return written_round.period_end.year


def _no_data() -> str:
    return _("暂无数据")


def indicator_figures(org_ids: Iterable[int], year: int) -> dict[int, dict[int, list[Figure]]]:
    """{organisation id: {aspect: figures}} for the mapped indicators, one engine call per indicator."""
    from analytics.engine.batch import subtree_values
    from analytics.engine.measures import format_value
    from analytics.engine.scope import Scope
    from analytics.models import Indicator
    from core.errors import UserError

    ids = sorted(set(org_ids))
    found: dict[int, dict[int, list[Figure]]] = {pk: defaultdict(list) for pk in ids}
    codes = [code for codes in ASPECT_INDICATORS.values() for code in codes]
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes, is_active=True)}
    if not ids:
        return found
    scope = Scope.province()  # the reports were fetched through the door; these are their own figures
    for aspect, aspect_codes in ASPECT_INDICATORS.items():
        for code in aspect_codes:
            indicator = indicators.get(code)
            if indicator is None:
                continue
            try:
                values = subtree_values(scope, f"indicator:{code}", str(year), ids)
            except UserError:  # the year has no period on the platform yet
                values = {}
            label = indicator.short_name or indicator.name
            for pk in ids:
                value = values.get(pk)
                text = format_value(value, indicator.unit, indicator.decimals) if value is not None else _no_data()
                found[pk][aspect].append(Figure(label, text, value is not None))
    return found


def ledger_figures(org_ids: Iterable[int], day) -> dict[int, dict[int, list[Figure]]]:
    """{organisation id: {aspect: figures}} for aspects 6 (officers in post on `day`) and 7 (the method)."""
    from ledger.choices import OfficerKind
    from ledger.models import Ledger, Officer

    ids = sorted(set(org_ids))
    found: dict[int, dict[int, list[Figure]]] = {pk: defaultdict(list) for pk in ids}
    ledgers = {x.org_id: x for x in Ledger.objects.filter(org_id__in=ids)}
    officers: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for officer in Officer.objects.filter(ledger__org_id__in=ids).current(day).select_related("ledger"):
        who = f"{officer.name}（{officer.position}）" if officer.position else officer.name
        officers[officer.ledger.org_id][officer.kind].append(who)
    for pk in ids:
        for kind in (OfficerKind.INFO, OfficerKind.LIAISON):
            names = officers[pk][kind]
            found[pk][Aspect.OFFICERS].append(
                Figure(str(kind.label), "、".join(names) if names else _("未配备"), bool(names))
            )
        ledger = ledgers.get(pk)
        if ledger is not None and ledger.method_issued_on:
            title = ledger.method_title or _("考核评价办法")
            number = f"（{ledger.method_doc_number}）" if ledger.method_doc_number else ""
            found[pk][Aspect.METHOD].append(
                Figure(
                    _("量化考核评价办法"),
                    _("%(title)s%(number)s，%(day)s印发")
                    % {"title": title, "number": number, "day": day_label(ledger.method_issued_on)},
                )
            )
        else:
            found[pk][Aspect.METHOD].append(Figure(_("量化考核评价办法"), _("台账中尚未登记"), False))
    return found


def figures_for(reports) -> dict[int, ReportFigures]:
    """{report id: its figures}, for reports (already scoped) that may span rounds."""
    reports = list(reports)
    by_year: dict[int, list] = defaultdict(list)
    for report in reports:
        by_year[year_of(report.round)].append(report)
    result: dict[int, ReportFigures] = {}
    for year, group in by_year.items():
        numbers = indicator_figures([r.org_id for r in group], year)
        by_end: dict = defaultdict(list)
        for report in group:
            by_end[report.round.period_end].append(report)
        for day, same in by_end.items():
            facts = ledger_figures([r.org_id for r in same], day)
            for report in same:
                figures = ReportFigures(year=year)
                for aspect in Aspect.values:
                    figures.by_aspect[aspect] = numbers[report.org_id].get(aspect, []) + facts[report.org_id].get(
                        aspect, []
                    )
                result[report.pk] = figures
    return result
