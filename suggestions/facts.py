"""The suggestions' facts for assessment (assessment/facts.py), registered from SuggestionsConfig.ready().

Each answers for one year and many organisations at once; an organisation's fact covers the suggestions entered
in its subtree:

    suggestions_submitted      suggestions and 五小 submitted in the year (counted); share 1 when at least one
    suggestions_adoption_rate  adopted ÷ decided in the year (None: nothing decided, the item does not apply)
    suggestions_value          value created (元) assessed in the year (counted in 元); share 1 when any
"""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.facts import OrgRef, register
from assessment.scoring import FactValue
from core.formatting import percent, wan
from suggestions.choices import ADOPTED_STATES, SuggestionStatus
from suggestions.models import Suggestion


def _within(rows: list, keys: list[str], path: str) -> list:
    start, end = bisect.bisect_left(keys, path), bisect.bisect_left(keys, path + "\uffff")
    return rows[start:end]


def _rows(year: int, when: Q, *fields: str) -> tuple[list, list[str]]:
    rows = sorted(Suggestion.objects.filter(when).values_list("org__path", *fields))
    return rows, [r[0] for r in rows]


@register("suggestions_submitted", gettext_lazy("合理化建议和五小提出数（条）"), counted=True)
def submitted(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    rows, keys = _rows(year, Q(submitted_on__year=year), "kind")
    found = {}
    for org_id, path in orgs:
        mine = _within(rows, keys, path)
        found[org_id] = FactValue(
            Decimal(1) if mine else Decimal(0),
            _("%(year)d年度职工提出合理化建议和五小 %(n)d 条。") % {"year": year, "n": len(mine)},
            len(mine),
        )
    return found


@register("suggestions_adoption_rate", gettext_lazy("合理化建议采纳率"))
def adoption_rate(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    decided = [*ADOPTED_STATES, SuggestionStatus.REJECTED]
    rows, keys = _rows(year, Q(decided_on__year=year, status__in=decided), "status")
    found = {}
    for org_id, path in orgs:
        mine = _within(rows, keys, path)
        if not mine:
            found[org_id] = FactValue(
                None, _("%(year)d年度本单位没有作出采纳决定的建议，本项不适用。") % {"year": year}
            )
            continue
        adopted = sum(1 for _p, status in mine if status in ADOPTED_STATES)
        share = Decimal(adopted) / Decimal(len(mine))
        found[org_id] = FactValue(
            share,
            _("%(year)d年度作出决定的建议 %(n)d 条，采纳 %(a)d 条，采纳率 %(rate)s。")
            % {"year": year, "n": len(mine), "a": adopted, "rate": percent(share * 100)},
        )
    return found


@register("suggestions_value", gettext_lazy("合理化建议创效金额（元）"), counted=True)
def value(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows, keys = _rows(year, Q(assessed_on__gte=start, assessed_on__lte=end, value__isnull=False), "value")
    found = {}
    for org_id, path in orgs:
        mine = _within(rows, keys, path)
        total = sum((v for _p, v in mine), Decimal(0))
        found[org_id] = FactValue(
            Decimal(1) if total > 0 else Decimal(0),
            _("%(year)d年度评估创效的建议 %(n)d 条，创效金额 %(value)s元。")
            % {"year": year, "n": len(mine), "value": wan(total)},
            int(total),
        )
    return found
