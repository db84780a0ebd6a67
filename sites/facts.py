"""The demonstration sites' facts for assessment (assessment/facts.py), registered from SitesConfig.ready().

Each answers for one year and many organisations at once; an organisation's fact covers the sites in its subtree
(a union answers for its enterprises' sites):

    sites_rating            the guidance groups' ratings of the year: the average total over 100 (None: no rating)
    sites_selected          selected demonstration sites (counted): announced by the year's end and not withdrawn
                            by then; share 1 when there is at least one
    sites_followups_on_time follow-up tasks due in the year (and already due) closed on or before their deadline
"""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.facts import OrgRef, register
from assessment.scoring import FactValue
from core import deadlines
from sites.choices import RUBRIC_MAX, FollowUpStatus
from sites.models import FollowUp, Site, SiteRating


def _within(rows: list, keys: list[str], path: str) -> list:
    start, end = bisect.bisect_left(keys, path), bisect.bisect_left(keys, path + "\uffff")
    return rows[start:end]


@register("sites_rating", gettext_lazy("示范点指导组评价得分"))
def rating(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    rows = sorted(SiteRating.objects.filter(year=year).values_list("site__org__path", "site__org__name", "total"))
    keys = [path for path, _name, _total in rows]
    found = {}
    for org_id, path in orgs:
        mine = _within(rows, keys, path)
        if not mine:
            found[org_id] = FactValue(
                None, _("%(year)d年度本单位没有指导组评价的示范点，本项不适用。") % {"year": year}
            )
            continue
        average = sum(total for _p, _n, total in mine) / len(mine)
        shown = "、".join(f"{name} {total}" for _p, name, total in mine)
        found[org_id] = FactValue(
            (average / RUBRIC_MAX).quantize(Decimal("0.0001"), ROUND_HALF_UP),
            _("%(year)d年度指导组评价 %(n)d 次，平均 %(avg)s 分（满分 %(max)d）：%(list)s。")
            % {"year": year, "n": len(mine), "avg": f"{average:.1f}", "max": RUBRIC_MAX, "list": shown},
        )
    return found


@register("sites_selected", gettext_lazy("入选示范点（个）"), counted=True)
def selected(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    end = dt.date(year, 12, 31)
    rows = sorted(
        Site.objects.filter(announced_on__lte=end)
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=end))
        .values_list("org__path", "org__name", "batch__name")
    )
    keys = [path for path, _n, _b in rows]
    found = {}
    for org_id, path in orgs:
        mine = _within(rows, keys, path)
        names = "、".join(f"{name}（{batch}）" for _p, name, batch in mine)
        found[org_id] = FactValue(
            Decimal(1) if mine else Decimal(0),
            _("截至%(year)d年底入选示范点 %(n)d 个（%(names)s）。")
            % {"year": year, "n": len(mine), "names": names or "—"},
            len(mine),
        )
    return found


@register("sites_followups_on_time", gettext_lazy("示范点跟进事项按期完成"))
def followups_on_time(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    last = min(dt.date(year, 12, 31), deadlines.today() - dt.timedelta(days=1))
    rows = sorted(
        (path, name, status == FollowUpStatus.DONE and done_on is not None and done_on <= deadline)
        for path, name, status, done_on, deadline in FollowUp.objects.filter(
            deadline__gte=dt.date(year, 1, 1), deadline__lte=last
        ).values_list("site__org__path", "title", "status", "done_on", "deadline")
    )
    keys = [path for path, _n, _ok in rows]
    found = {}
    for org_id, path in orgs:
        mine = _within(rows, keys, path)
        if not mine:
            found[org_id] = FactValue(
                None, _("%(year)d年度本单位没有到期的示范点跟进事项，本项不适用。") % {"year": year}
            )
            continue
        good = sum(1 for _p, _n, ok in mine if ok)
        late = "、".join(name for _p, name, ok in mine if not ok)
        found[org_id] = FactValue(
            Decimal(good) / Decimal(len(mine)),
            _("%(year)d年度到期跟进事项 %(total)d 项，按期完成 %(good)d 项；未按期：%(late)s。")
            % {"year": year, "total": len(mine), "good": good, "late": late or "—"},
        )
    return found
