"""The talent pool's records as figures for analytics (analytics/sources.py); registered from TalentConfig.ready().

    SRC.TALENT_HONOURS              honours awarded in the period, by the person's organisation (a flow)
    SRC.TALENT_HONOURS_INDUSTRIAL   of them, to industrial workers
    SRC.TALENT_AWARDEES             people awarded at least one honour in the period, each once per organisation
                                    (reported pair: WF_AWARDEES)
    SRC.TALENT_AWARDEES_INDUSTRIAL  of them, industrial workers (reported pair: WF_AWARDEES_WORKERS)
    SRC.TALENT_SPEAKERS             speakers in the pool at the period's end (a stock; reported pair: WF_TALK_SPEAKERS)
    SRC.TALENT_HIGH_SKILLED         people in the pool at the period's end at technician level or above (a stock)

A person removed from the pool counts no more after the day of removal: an honour counts when its person
was still in the pool on the day it was awarded, a stock when he still was at the period's end. A person is
counted where he works now (his organisation), not where he worked when awarded.

The indicator 劳模、工匠等先进中产业工人占比（平台记录） (AWARDEES_WORKER_SHARE_REC) is
TALENT_AWARDEES_INDUSTRIAL ÷ TALENT_AWARDEES, defined by talent/migrations/0003_indicators.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count, F, Max, Q
from django.utils.translation import gettext_lazy as _

from analytics import sources
from talent.choices import HIGH_SKILL_LEVELS

Row = tuple[int, dt.date, int]


def _honours(start: dt.date, end: dt.date, **filters):
    from talent.models import Honour

    return Honour.objects.filter(awarded_on__gte=start, awarded_on__lte=end, **filters).filter(
        Q(person__removed_on__isnull=True) | Q(person__removed_on__gt=F("awarded_on"))
    )


def honour_rows(start: dt.date, end: dt.date, **filters) -> Iterator[Row]:
    rows = (
        _honours(start, end, **filters)
        .values("person__org_id", "awarded_on")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("person__org_id", "awarded_on", "n")
    )
    yield from rows


def honour_industrial_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    return honour_rows(start, end, person__is_industrial_worker=True)


def awardee_rows(start: dt.date, end: dt.date, **filters) -> Iterator[Row]:
    """(org, the person's last award in the period, 1) per person awarded in [start, end]."""
    rows = (
        _honours(start, end, **filters)
        .values("person_id", "person__org_id")
        .annotate(last=Max("awarded_on"))
        .order_by()
        .values_list("person__org_id", "last")
    )
    for org_id, last in rows:
        yield org_id, last, 1


def awardee_industrial_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    return awardee_rows(start, end, person__is_industrial_worker=True)


def _stock(end: dt.date, **filters) -> Iterator[Row]:
    from talent.models import Person

    rows = (
        Person.objects.filter(created_at__date__lte=end, **filters)
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gt=end))
        .values("org_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("org_id", "n")
    )
    for org_id, n in rows:
        yield org_id, end, n


def speaker_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    return _stock(end, is_speaker=True)


def high_skilled_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    return _stock(end, skill_level__in=sorted(HIGH_SKILL_LEVELS))


SCOPE = _("人才库中登记的荣誉（按获奖人现所在单位；移出人才库后不再计入）；人才库")
STOCK = _("期末在人才库中的人员（按所在单位）；人才库")

SOURCES = (
    sources.Source(
        key="TALENT_HONOURS", label=_("获得荣誉数（人才库）"), unit="项", fn=honour_rows, scope=SCOPE,
        description=_("授予日期在本期内的荣誉项数。"),
    ),
    sources.Source(
        key="TALENT_HONOURS_INDUSTRIAL", label=_("产业工人获得荣誉数（人才库）"), unit="项",
        fn=honour_industrial_rows, scope=SCOPE, description=_("授予日期在本期内、获奖人为产业工人的荣誉项数。"),
    ),
    sources.Source(
        key="TALENT_AWARDEES", label=_("获评先进人物数（人才库）"), unit="人", fn=awardee_rows, scope=SCOPE,
        reported="WF_AWARDEES", description=_("本期内获得至少一项荣誉的人数，每人计一次。"),
    ),
    sources.Source(
        key="TALENT_AWARDEES_INDUSTRIAL", label=_("获评先进人物中的产业工人数（人才库）"), unit="人",
        fn=awardee_industrial_rows, scope=SCOPE, reported="WF_AWARDEES_WORKERS",
        description=_("本期内获得至少一项荣誉的产业工人人数，每人计一次。"),
    ),
    sources.Source(
        key="TALENT_SPEAKERS", label=_("宣讲人数（人才库）"), unit="人", fn=speaker_rows, cumulative=True,
        scope=STOCK, reported="WF_TALK_SPEAKERS", description=_("期末在人才库中、标记为宣讲人的人数。"),
    ),
    sources.Source(
        key="TALENT_HIGH_SKILLED", label=_("高技能人才数（人才库）"), unit="人", fn=high_skilled_rows,
        cumulative=True, scope=STOCK, description=_("期末在人才库中、技能等级为技师及以上的人数。"),
    ),
)  # fmt: skip


def register() -> None:
    """Register the sources with analytics (idempotent)."""
    for source in SOURCES:
        sources.register(source)
