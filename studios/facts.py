"""The studios' facts for assessment (assessment/facts.py), registered from StudiosConfig.ready().

Each answers for one year and many organisations at once; an organisation's fact covers the studios in its subtree:

    studios_provincial_up   studios of provincial or national level at the year's end, not revoked (counted);
                            share 1 when there is at least one
    studios_rated_excellent studios whose annual review of the year was rated 优秀 (counted); share 1 when any
"""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.facts import OrgRef, register
from assessment.scoring import FactValue
from studios.choices import PROVINCIAL_OR_HIGHER, Grade, ReviewStatus


def _within(rows: list, keys: list[str], path: str) -> list:
    start, end = bisect.bisect_left(keys, path), bisect.bisect_left(keys, path + "\uffff")
    return rows[start:end]


def _counted(rows: list, orgs: list[OrgRef], sentence: str, year: int) -> dict[int, FactValue]:
    rows = sorted(rows)
    keys = [path for path, _n in rows]
    found = {}
    for org_id, path in orgs:
        mine = _within(rows, keys, path)
        names = "、".join(name for _p, name in mine)
        found[org_id] = FactValue(
            Decimal(1) if mine else Decimal(0),
            sentence % {"year": year, "n": len(mine), "names": names or "—"},
            len(mine),
        )
    return found


@register("studios_provincial_up", gettext_lazy("省级及以上创新工作室（个）"), counted=True)
def provincial_up(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    from studios.models import Studio
    from studios.sources import studios_at

    standing = {sid for sid, _o, _d, _lv in studios_at(dt.date(year, 12, 31), levels=PROVINCIAL_OR_HIGHER)}
    rows = list(Studio.objects.filter(pk__in=standing).values_list("org__path", "name"))
    return _counted(rows, orgs, _("截至%(year)d年底省级及以上创新工作室 %(n)d 个（%(names)s）。"), year)


@register("studios_rated_excellent", gettext_lazy("年度评估优秀的创新工作室（个）"), counted=True)
def rated_excellent(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    from studios.models import StudioReview

    rows = list(
        StudioReview.objects.filter(year=year, status=ReviewStatus.RATED, grade=Grade.EXCELLENT).values_list(
            "studio__org__path", "studio__name"
        )
    )
    return _counted(rows, orgs, _("%(year)d年度评估为优秀的创新工作室 %(n)d 个（%(names)s）。"), year)
