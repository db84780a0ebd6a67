"""Reads of the policy library that carry a rule: who reads which measures, the uptake forms in scope, the uptake
analytics of a round (use rates among the eligible that reported, under-used measures by group union, the
organisations that use none, the reasons), the notices' reach, and the home page's to-dos."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core import deadlines, search
from orgs.choices import Action
from orgs.scoping import get_visible_or_404, has_action, is_office
from policies.choices import MeasureStatus, NotUsedReason, UptakeStatus
from policies.models import Measure, Notice, NoticeRecipient, UptakeLine, UptakeReport, UptakeRound

UNDER_USED_RATE = Decimal("0.5")  # a measure used by fewer than half of the eligible that reported is under-used
SEARCH_FIELDS = ("title", "doc_number", "issuer", "body_text", "benefits", "eligible_text")


# --- The library ----------------------------------------------------------------------------------


def may_read(user) -> bool:
    """Every business user of the province reads the library (not the three separated administrators)."""
    return has_action(user, Action.VIEW)


def may_manage(user) -> bool:
    return is_office(user) and has_action(user, Action.METADATA_MANAGE)


def measures_for(user):
    """The measures `user` may read: the office everything, everyone else the published ones."""
    if not may_read(user):
        return Measure.objects.none()
    if is_office(user):
        return Measure.objects.all()
    return Measure.objects.filter(status=MeasureStatus.PUBLISHED)


def measure_or_404(user, pk) -> Measure:
    measure = measures_for(user).filter(pk=pk).first()
    if measure is None:
        raise Http404
    return measure


@dataclass
class LibraryFilter:
    q: str = ""
    category: str = ""
    issuer: str = ""
    valid_now: bool = False
    status: str = ""


def library(user, flt: LibraryFilter):
    """The measures matching the filter, searched in Chinese (core.search), the best matches first for a query."""
    rows = measures_for(user)
    if flt.category:
        rows = rows.filter(category=flt.category)
    if flt.issuer:
        rows = rows.filter(issuer=flt.issuer)
    if flt.status and is_office(user):
        rows = rows.filter(status=flt.status)
    if flt.valid_now:
        today = deadlines.today()
        rows = rows.filter(valid_from__lte=today).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    rows = search.search(rows, SEARCH_FIELDS, flt.q)
    words = search.words(flt.q)
    if words:
        found = list(rows)
        found.sort(key=lambda m: -search.rank([m.title, m.title, m.doc_number, m.body_text], words))
        for m in found:
            m.snippet = search.snippet(m.body_text or m.benefits, words)
        return found
    return list(rows)


def issuers(user) -> list[str]:
    return sorted(set(measures_for(user).values_list("issuer", flat=True)))


# --- Uptake forms ---------------------------------------------------------------------------------


def reports_visible(user):
    return UptakeReport.objects.visible_to(user).select_related("round", "org")


def report_or_404(user, pk) -> UptakeReport:
    return get_visible_or_404(UptakeReport.objects.select_related("round", "org"), user, pk=pk)


def timeliness(report: UptakeReport, now: dt.datetime | None = None) -> str:
    window = deadlines.window(opens_on=report.round.opens_on, deadline=report.round.due_on)
    return window.timeliness(report.first_submitted_at, now or timezone.now())


@dataclass
class RoundProgress:
    expected: int
    submitted: int
    on_time: int
    late_missing: int


def round_progress(round_: UptakeRound, reports=None) -> RoundProgress:
    """Forms expected, submitted, on time, and missing after the deadline (over `reports`, all by default)."""
    reports = round_.reports.all() if reports is None else reports
    window = deadlines.window(opens_on=round_.opens_on, deadline=round_.due_on)
    now = timezone.now()
    rows = list(reports.values_list("first_submitted_at", flat=True))
    states = Counter(window.timeliness(at, now) for at in rows)
    return RoundProgress(
        expected=len(rows),
        submitted=states[deadlines.ON_TIME] + states[deadlines.LATE],
        on_time=states[deadlines.ON_TIME],
        late_missing=states[deadlines.MISSING],
    )


# --- Uptake analytics -----------------------------------------------------------------------------


@dataclass
class MeasureUptake:
    measure: Measure
    eligible: int = 0  # organisations whose form carries the measure
    reported: int = 0  # of them, those that submitted
    used: int = 0
    beneficiaries: int = 0
    amount: Decimal = Decimal(0)
    reasons: Counter = field(default_factory=Counter)

    @property
    def rate(self) -> Decimal | None:
        """Used ÷ eligible that reported; None (无数据) when nobody reported."""
        return None if not self.reported else Decimal(self.used) / Decimal(self.reported)

    @property
    def under_used(self) -> bool:
        return self.rate is not None and self.rate < UNDER_USED_RATE

    @property
    def main_reason(self) -> str:
        """The most given reason for not using it, with its count ("不了解政策 12"), or "" when none was given."""
        if not self.reasons:
            return ""
        reason, count = self.reasons.most_common(1)[0]
        return f"{NotUsedReason(reason).label} {count}"


@dataclass
class UnionUptake:
    """One group union's enterprises on one measure."""

    union_name: str
    measure: Measure
    reported: int
    used: int

    @property
    def rate(self) -> Decimal | None:
        return None if not self.reported else Decimal(self.used) / Decimal(self.reported)


@dataclass
class Analytics:
    round: UptakeRound
    measures: list[MeasureUptake]
    by_union: list[UnionUptake]
    none_used: list[tuple]  # (org, union name, measures on the form)
    reasons: list[tuple[str, int]]
    progress: RoundProgress

    @property
    def under_used(self) -> list[MeasureUptake]:
        return sorted((m for m in self.measures if m.under_used), key=lambda m: (m.rate, m.measure.title))

    @property
    def unused_by_union(self) -> list[UnionUptake]:
        return [u for u in self.by_union if u.rate is not None and u.rate < UNDER_USED_RATE]


def analytics(round_: UptakeRound) -> Analytics:
    """The round's uptake over the whole province (the office's view): per measure, per group union, the
    organisations that used none of their measures, and why measures went unused."""
    from reporting.queries.due import unions_above

    lines = list(
        UptakeLine.objects.filter(report__round=round_)
        .select_related("report__org", "measure")
        .order_by("measure__category", "measure_id", "report__org__path")
    )
    per_measure: dict[int, MeasureUptake] = {}
    orgs = {line.report.org_id: line.report.org for line in lines}
    unions = unions_above(orgs.values())
    per_union: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    per_org: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # lines, used (submitted forms only)
    reasons: Counter = Counter()
    for line in lines:
        row = per_measure.setdefault(line.measure_id, MeasureUptake(line.measure))
        row.eligible += 1
        if line.report.status != UptakeStatus.SUBMITTED:
            continue
        row.reported += 1
        union = unions.get(line.report.org_id)
        union_key = (union.name if union else _("无上级产业工会"), line.measure_id)
        per_union[union_key][0] += 1
        per_org[line.report.org_id][0] += 1
        if line.used:
            row.used += 1
            row.beneficiaries += line.beneficiaries or 0
            row.amount += line.amount or 0
            per_union[union_key][1] += 1
            per_org[line.report.org_id][1] += 1
        elif line.reason:
            row.reasons[line.reason] += 1
            reasons[line.reason] += 1
    by_union = [
        UnionUptake(union_name=name, measure=per_measure[measure_id].measure, reported=counts[0], used=counts[1])
        for (name, measure_id), counts in sorted(per_union.items(), key=lambda item: (item[0][0], item[0][1]))
    ]
    none_used = [
        (orgs[org_id], (unions.get(org_id).name if unions.get(org_id) else "—"), counts[0])
        for org_id, counts in sorted(per_org.items(), key=lambda item: orgs[item[0]].path)
        if counts[1] == 0
    ]
    labels = dict(NotUsedReason.choices)
    return Analytics(
        round=round_,
        measures=list(per_measure.values()),
        by_union=by_union,
        none_used=none_used,
        reasons=[(str(labels[k]), n) for k, n in reasons.most_common()],
        progress=round_progress(round_),
    )


# --- Notices --------------------------------------------------------------------------------------


def recipients_visible(user):
    return NoticeRecipient.objects.visible_to(user).select_related("notice", "notice__measure", "org")


@dataclass
class NoticeReach:
    notice: Notice
    sent: int
    opened: int
    used_later: int


def notice_reach(notices) -> list[NoticeReach]:
    """Per notice: organisations sent to, those that opened it, those that later reported using the measure
    (one query for all the notices)."""
    recipients = NoticeRecipient.objects.filter(notice_id=OuterRef(OuterRef("pk"))).values("org_id")
    used_later = (
        UptakeLine.objects.filter(
            measure_id=OuterRef("measure_id"), used=True, report__status=UptakeStatus.SUBMITTED,
            report__org_id__in=recipients, report__submitted_at__gt=OuterRef("sent_at"),
        )
        .order_by()
        .values("measure_id")
        .annotate(n=Count("report__org_id", distinct=True))
        .values("n")
    )  # fmt: skip
    notices = notices.annotate(
        sent=Count("recipients"),
        opened=Count("recipients", filter=Q(recipients__opened_at__isnull=False)),
        used_later=Coalesce(Subquery(used_later), 0),
    )
    return [NoticeReach(n, n.sent, n.opened, n.used_later) for n in notices]


def recipient_or_404(user, pk) -> NoticeRecipient:
    return get_visible_or_404(NoticeRecipient.objects.select_related("notice", "notice__measure", "org"), user, pk=pk)


def records_after(org, on: dt.date) -> list[tuple[str, dt.date]]:
    """Uptake forms of `org`'s subtree submitted on or after `on`: what closing `org` from `on` would leave behind
    (orgs.services.records_after)."""
    from django.db.models import Max
    from django.db.models.functions import TruncDate

    from orgs.scoping import within

    rows = UptakeReport.objects.filter(within("org__path", [org.path]), submitted_at__isnull=False).annotate(
        day=TruncDate("submitted_at")
    )
    found = rows.filter(day__gte=on).aggregate(n=Count("id"), latest=Max("day"))
    if found["n"]:
        return [(_("%(n)d 份政策落实情况表") % {"n": found["n"]}, found["latest"])]
    return []
