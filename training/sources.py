"""Capacity building's records as figures for analytics (analytics/sources.py); registered from TrainingConfig.ready().

    SRC.TRAINING_CLASSES    classes held: finished classes, by organiser, dated by their last day
    SRC.TRAINED_PEOPLE      people trained (人次): completions, by the enrolling organisation, dated by the class's end
    SRC.TRAINED_ORGS        organisations trained: each organisation with at least one completion in the period, once
    SRC.TRAINING_EXPECTED   organisations expected to be trained: prefectures and provincial unions open at the end
    SRC.TRAINED_EXPECTED    of them, those with at least one completion in the period

The indicator 培训覆盖率 (TRAINING_COVERAGE) is TRAINED_EXPECTED ÷ TRAINING_EXPECTED, defined by the data
migration training/migrations/0002_indicators.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _

from analytics import sources
from orgs.choices import OrgKind

Row = tuple[int, dt.date, int]
EXPECTED_KINDS = (OrgKind.PREFECTURE, OrgKind.UNION)


def _completions(start: dt.date, end: dt.date):
    from training.choices import ClassStatus, EnrolmentStatus
    from training.models import Enrolment

    return Enrolment.objects.filter(
        status=EnrolmentStatus.ENROLLED,
        completed=True,
        klass__ends_on__gte=start,
        klass__ends_on__lte=end,
    ).exclude(klass__status=ClassStatus.CANCELLED)


def _trained(start: dt.date, end: dt.date, **filters) -> Iterator[Row]:
    rows = (
        _completions(start, end)
        .filter(**filters)
        .values("org_id")
        .annotate(last=Max("klass__ends_on"))
        .order_by()
        .values_list("org_id", "last")
    )
    for org_id, last in rows:
        yield org_id, last, 1


def trained_people_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    """(org, the class's last day, completions) for completions of classes ending within [start, end]."""
    rows = (
        _completions(start, end)
        .values("org_id", "klass__ends_on")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("org_id", "klass__ends_on", "n")
    )
    yield from rows


def trained_orgs_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    return _trained(start, end)


def trained_expected_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    return _trained(start, end, org__kind__in=EXPECTED_KINDS)


def expected_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    from orgs.models import Organisation

    rows = (
        Organisation.objects.filter(kind__in=EXPECTED_KINDS)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=end))
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=end))
        .values_list("pk", flat=True)
    )
    for org_id in rows:
        yield org_id, end, 1


SCOPE = _("各单位报名参加、经主办单位记录结业的培训；能力建设")

SOURCES = (
    sources.Source(
        key="TRAINING_CLASSES", label=_("举办培训班期数"), unit="期", model="training.TrainingClass",
        org_field="organiser", date_field="ends_on", filters=(("status", "finished"),),
        scope=_("已结束的培训班，按主办单位；能力建设"), description=_("结束日期在本期内、状态为已结束的培训班。"),
    ),
    sources.Source(
        key="TRAINED_PEOPLE", label=_("培训人次"), unit="人次", fn=trained_people_rows, scope=SCOPE,
        description=_("结业人次，按报名单位，以培训班结束日期计。"),
    ),
    sources.Source(
        key="TRAINED_ORGS", label=_("有人员结业的单位数"), unit="家", fn=trained_orgs_rows, scope=SCOPE,
        description=_("本期内至少有一人结业的单位，每个单位计一次。"),
    ),
    sources.Source(
        key="TRAINING_EXPECTED", label=_("应培训单位数（州市和产业系统公司工会）"), unit="家", fn=expected_rows,
        scope=_("期末存续的州市总工会和省级产业系统公司工会"),
        description=_("培训覆盖率的分母：期末存续的州市总工会和省级产业系统公司工会。"),
    ),
    sources.Source(
        key="TRAINED_EXPECTED", label=_("已培训单位数（州市和产业系统公司工会）"), unit="家",
        fn=trained_expected_rows, scope=SCOPE,
        description=_("州市总工会和省级产业系统公司工会中，本期内至少有一人结业的单位。"),
    ),
)  # fmt: skip


def register() -> None:
    """Register the sources with analytics (idempotent)."""
    for source in SOURCES:
        sources.register(source)
