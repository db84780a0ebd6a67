"""Capacity building's facts for assessment (assessment/facts.py), registered from TrainingConfig.ready().

Each answers for one year and many organisations at once, over the organisation's subtree (a union answers
for itself and its enterprises):

    training_trained   share: 1 when someone enrolled by the organisation (or its subtree) completed a class
                       that ended in the year, else 0
    training_people    counted: the people (人次) of the subtree who completed a class that ended in the year
"""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.facts import OrgRef, register
from assessment.scoring import FactValue


def _completions(year: int) -> list[tuple[str, str]]:
    """(organisation path, person's name) of every completion in classes that ended in `year`, sorted by path."""
    from training.sources import _completions as completions

    rows = completions(dt.date(year, 1, 1), dt.date(year, 12, 31)).values_list("org__path", "name")
    return sorted(rows)


def _within(rows: list, keys: list[str], path: str) -> list:
    return rows[bisect.bisect_left(keys, path) : bisect.bisect_left(keys, path + "\uffff")]


@register("training_trained", gettext_lazy("有人员参加培训并结业"))
def trained(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    rows = _completions(year)
    keys = [path for path, _name in rows]
    found = {}
    for org_id, path in orgs:
        mine = _within(rows, keys, path)
        if mine:
            text = _("%(year)d年有 %(n)d 人次参加培训并结业。") % {"year": year, "n": len(mine)}
            found[org_id] = FactValue(Decimal(1), text)
        else:
            found[org_id] = FactValue(Decimal(0), _("%(year)d年没有人员参加培训并结业。") % {"year": year})
    return found


@register("training_people", gettext_lazy("培训结业人次"), counted=True)
def people(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    rows = _completions(year)
    keys = [path for path, _name in rows]
    found = {}
    for org_id, path in orgs:
        count = len(_within(rows, keys, path))
        found[org_id] = FactValue(
            Decimal(1) if count else Decimal(0),
            _("%(year)d年培训结业 %(n)d 人次。") % {"year": year, "n": count},
            count,
        )
    return found
