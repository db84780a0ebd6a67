"""The case library's facts for assessment (assessment/facts.py), registered from CasesConfig.ready().

Both are counted facts (a bonus per case, per adoption), answered for one year and many organisations at once; an
organisation's fact covers its subtree (a union answers for itself and its enterprises):

    cases_published     cases of the subtree published in the year (and not withdrawn since)
    cases_replicated    adoptions, recorded for the year, of the subtree's published cases by other organisations
"""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.facts import OrgRef, register
from assessment.scoring import FactValue
from cases.choices import CaseStatus
from cases.models import Case, Replication


def _counted(rows: list[tuple[str, str]], orgs: list[OrgRef], text: str, year: int) -> dict[int, FactValue]:
    """For each organisation: the rows (path, name) in its subtree, counted, with their names in the sentence."""
    rows = sorted(rows)
    keys = [path for path, _name in rows]
    found = {}
    for org_id, path in orgs:
        mine = rows[bisect.bisect_left(keys, path) : bisect.bisect_left(keys, path + "\uffff")]
        names = "、".join(dict.fromkeys(name for _path, name in mine))
        found[org_id] = FactValue(
            Decimal(1) if mine else Decimal(0),
            text % {"year": year, "n": len(mine), "names": names or "—"},
            len(mine),
        )
    return found


@register("cases_published", gettext_lazy("发布的改革案例（个）"), counted=True)
def cases_published(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    rows = list(
        Case.objects.filter(status=CaseStatus.PUBLISHED, published_on__year=year).values_list("org__path", "title")
    )
    return _counted(rows, orgs, _("%(year)d年度发布改革案例 %(n)d 个（%(names)s）。"), year)


@register("cases_replicated", gettext_lazy("案例被复制推广（次）"), counted=True)
def cases_replicated(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = list(
        Replication.objects.filter(
            case__status=CaseStatus.PUBLISHED, adopted_on__gte=start, adopted_on__lte=end
        ).values_list("case__org__path", "org__name")
    )
    return _counted(rows, orgs, _("%(year)d年度本单位案例被复制推广 %(n)d 次（借鉴单位：%(names)s）。"), year)
