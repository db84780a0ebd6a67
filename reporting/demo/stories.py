"""The demo's reports played through the workflow: the people, the story clock, each report's story, loading."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit, deadlines
from core.actor import Actor
from core.errors import UserError
from orgs.demo import KUNMING_POWER
from orgs.models import Organisation
from reporting import periods, queries, services
from reporting.choices import ReportStatus
from reporting.demo.cast import SYSTEM, Cast, cast_for
from reporting.demo.figures import (
    ASSESSED_YEAR,
    PREVIOUS_YEAR,
    SPEECH_YEAR,
    YEARS,
    Enterprise,
    Values,
    _rng,
    demo_enterprises,
    quarterly_values,
    yearly_headcounts,
    yearly_values,
    yearly_values_after,
)
from reporting.models import DataSet, PeriodLock, Report


@dataclass
class DemoReportsResult:
    """What one load did: reports created per round and state, reports already there, accounts, warnings."""

    created: Counter = field(default_factory=Counter)
    states: Counter = field(default_factory=Counter)
    report_ids: list[int] = field(default_factory=list)
    kept: int = 0
    accounts_created: int = 0
    passwords_reset: int = 0
    late: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    extended: str = ""  # the organisation given a few more days from the day of loading, if any


# --- The story clock ------------------------------------------------------------------------------------


class _StoryClock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, when: dt.datetime) -> None:
        self.now = when.astimezone(dt.UTC)


@contextmanager
def story_clock() -> Iterator[_StoryClock]:
    """Make `timezone.now()` return the story's time until the block ends (see the module docstring)."""
    original = timezone.now
    clock = _StoryClock(original())
    timezone.now = clock
    try:
        yield clock
    finally:
        timezone.now = original


# --- Stories: what happens to each report, and when --------------------------------------------------------

NOT_STARTED, DRAFT, SUBMITTED, RETURNED, APPROVED, ACCEPTED, LOCKED = (
    "not_started", "draft", "submitted", "returned", "approved", "accepted", "locked",
)  # fmt: skip
OFFICE_RETURNED = "office_returned"


@dataclass
class Story:
    """One report's fate in a round: its final state, whether it came in late and whether it bounced once."""

    enterprise: Enterprise
    fate: str
    values: Values
    late: bool = False
    bounce: bool = False


@dataclass(order=True)
class Event:
    at: dt.datetime
    seq: int
    step: str = field(compare=False)
    story: Story = field(compare=False)


def _day(start: dt.datetime, days: float) -> dt.datetime:
    return start + dt.timedelta(days=days)


WORKDAY_START, WORKDAY_HOURS = dt.timedelta(hours=8, minutes=30), 9.5


def _office_hours(when: dt.datetime) -> dt.datetime:
    """The same day's moment, squeezed into 08:30–18:00 Beijing time (order and dates are kept)."""
    local = when.astimezone(queries.REPORTING_TZ)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + WORKDAY_START + (local - midnight) * (WORKDAY_HOURS / 24)


def _events(story: Story, window: queries.EntryWindow, seq: int) -> list[Event]:
    """The steps of one story at their nominal times (days after the round opens)."""
    r = _rng("when", story.enterprise.org.code, window.opens_at.isoformat())
    u = r.uniform
    opens = window.opens_at
    on_time_days = (window.late_from - opens).total_seconds() / 86400
    grace_days = (window.closes_at - window.late_from).total_seconds() / 86400
    if story.fate == NOT_STARTED:
        return []
    steps: list[tuple[dt.datetime, str]] = []
    saved = _day(opens, u(0.1, max(0.2, on_time_days * 0.7)) + u(0, 0.4))
    steps.append((saved, "save"))
    if story.fate == DRAFT:
        return [Event(at, seq, step, story) for at, step in steps]
    if story.late:
        submitted = _day(window.late_from, u(0.1, max(0.2, grace_days - 0.5)))
        saved = min(saved, submitted - dt.timedelta(hours=2))
        steps[0] = (saved, "save")
    else:
        submitted = min(_day(saved, u(0.05, 3)), window.late_from - dt.timedelta(hours=1))
    steps.append((submitted, "submit"))
    last = submitted
    if story.bounce or story.fate == RETURNED:
        last = _day(last, u(0.5, 3))
        steps.append((last, "return"))
        if story.fate == RETURNED:
            return [Event(at, seq, step, story) for at, step in steps]
        last = _day(last, u(0.3, 2))
        steps.append((last, "fix"))
        last = _day(last, u(0.01, 0.2))
        steps.append((last, "resubmit"))
    if story.fate == SUBMITTED:
        return [Event(at, seq, step, story) for at, step in steps]
    if story.enterprise.union is not None:
        last = _day(last, u(0.5, 4))
        steps.append((last, "approve"))
    if story.fate in (APPROVED, OFFICE_RETURNED):
        if story.fate == OFFICE_RETURNED:
            steps.append((_day(last, u(1, 4)), "office_return"))
        return [Event(at, seq, step, story) for at, step in steps]
    last = _day(last, u(1, 6))
    steps.append((last, "accept"))
    if story.fate == LOCKED:
        steps.append((_day(last, u(2, 10)), "lock"))
    return [Event(at, seq, step, story) for at, step in steps]


RETURN_CELL = ("WF_TRAINING_PERSON_TIMES", "")
RETURN_REASON = gettext_lazy("职业技能培训人次明显偏大，疑似多填了一位数字，请核实后重新提交。")
OFFICE_RETURN_SECTION = "CONTRIB"
OFFICE_RETURN_REASON = gettext_lazy(
    "请在“建功立业”部分补充统计口径：竞赛是否含班组级竞赛，合理化建议是否含未立项的建议；核实后重新提交。"
)


def _inflated(values: Values) -> Values:
    """The values as first submitted by a report that bounces: one figure typed with an extra digit."""
    wrong = dict(values)
    wrong[RETURN_CELL] = str(int(values[RETURN_CELL]) * 10 + 7)
    return wrong


def _partial(values: Values, code: str) -> Values:
    """What a draft holds: the first sections only."""
    keep = int(len(values) * _rng("partial", code).uniform(0.3, 0.7))
    return dict(list(values.items())[:keep])


class _Player:
    """Plays the events of one round through the services, as the people of the cast."""

    def __init__(self, dataset: DataSet, period, cast: Cast, clock: _StoryClock, result: DemoReportsResult):
        self.dataset, self.period, self.cast, self.clock, self.result = dataset, period, cast, clock, result
        self.reports: dict[int, Report] = {}
        self.failed: set[int] = set()

    def _actor(self, user) -> Actor:
        if user is None:
            raise UserError(_("没有可用的演示账号。"))
        return Actor(user=user)

    def play(self, event: Event) -> None:
        story = event.story
        org = story.enterprise.org
        if org.pk in self.failed:
            return
        self.clock.set(event.at)
        reporter = self.cast.reporters.get(org.pk)
        union_admin = self.cast.union_admins.get(story.enterprise.union.pk) if story.enterprise.union else None
        try:
            report = self.reports.get(org.pk)
            if event.step == "save":
                by = self._actor(reporter)
                report = services.report_open(by=by, org=org, dataset=self.dataset, period=self.period)
                values = story.values
                if story.fate == DRAFT:
                    values = _partial(values, org.code)
                elif story.bounce or story.fate == RETURNED:
                    values = _inflated(values)
                report = services.values_save(by=by, report=report, version=report.version, values=values).report
            elif event.step in ("submit", "resubmit"):
                report = services.report_submit(
                    by=self._actor(reporter),
                    report=report,
                    version=report.version,
                    idempotency_key=f"demo-{self.period.code}-{org.code}-{event.step}",
                )
            elif event.step == "return":
                by = self._actor(union_admin or self.cast.office_admin)
                report = services.report_return(
                    by=by, report=report, version=report.version, reason=str(RETURN_REASON), cells=[RETURN_CELL]
                )
            elif event.step == "fix":
                report = services.values_save(
                    by=self._actor(reporter), report=report, version=report.version, values=story.values
                ).report
            elif event.step == "approve":
                report = services.report_approve(by=self._actor(union_admin), report=report, version=report.version)
            elif event.step == "office_return":
                report = services.report_return(
                    by=self._actor(self.cast.office_admin),
                    report=report,
                    version=report.version,
                    reason=str(OFFICE_RETURN_REASON),
                    section_code=OFFICE_RETURN_SECTION,
                )
            elif event.step == "accept":
                report = services.report_accept(
                    by=self._actor(self.cast.office_reviewer), report=report, version=report.version
                )
            elif event.step == "lock":
                report = services.report_lock(
                    by=self._actor(self.cast.office_admin), report=report, version=report.version
                )
        except (UserError, PermissionDenied) as error:
            self.failed.add(org.pk)
            message = getattr(error, "message", None) or (error.args[0] if error.args else "")
            self.result.warnings.append(
                _("未能生成%(org)s %(period)s“%(dataset)s”的示例（%(step)s）：%(error)s")
                % {"org": org.name, "period": self.period.label, "dataset": self.dataset.name, "step": event.step,
                   "error": message}
            )  # fmt: skip
            return
        self.reports[org.pk] = report


def _squeeze(events: list[Event], window: queries.EntryWindow, until: dt.datetime) -> None:
    """Move the (sorted) events of a round still going on so that all happen before `until`, in the same order.

    Times after the knee are scaled down towards it: the knee is the first late instant when there is
    time left after it (late submissions stay late), else the round's opening.
    """
    last = events[-1].at
    if last < until:
        return
    knee = window.late_from if window.late_from < until - dt.timedelta(hours=1) else window.opens_at
    factor = (until - knee).total_seconds() / max((last - knee).total_seconds(), 1.0)
    for event in events:
        if event.at > knee:
            event.at = knee + dt.timedelta(seconds=(event.at - knee).total_seconds() * factor)


def _play_round(
    dataset: DataSet,
    spec: periods.PeriodSpec,
    stories: Sequence[Story],
    cast: Cast,
    clock: _StoryClock,
    result: DemoReportsResult,
    *,
    squeeze_before: dt.datetime | None = None,
) -> None:
    """Play the stories of one round whose reports do not exist yet, in the order their steps happen.

    With `squeeze_before`, the steps are moved (keeping their order and proportions) to fit between the
    round's opening and that time: the round is still going on.
    """
    period = periods.period_from_code(spec.code)
    existing = set(Report.objects.filter(dataset=dataset, period=period).values_list("org_id", flat=True))
    result.kept += len(existing)
    todo = [s for s in stories if s.enterprise.org.pk not in existing]
    events: list[Event] = []
    for seq, story in enumerate(todo):
        window = queries.entry_window(dataset, period, story.enterprise.org)
        events.extend(_events(story, window, seq))
    if not events:
        return
    events.sort()
    if squeeze_before is not None:
        _squeeze(events, queries.entry_window(dataset, period, todo[0].enterprise.org), squeeze_before)
    for event in events:
        during_work = _office_hours(event.at)
        if squeeze_before is None or during_work < squeeze_before:
            event.at = during_work
    player = _Player(dataset, period, cast, clock, result)
    for event in events:
        player.play(event)
    for org_id, report in player.reports.items():
        if org_id in player.failed:
            continue
        result.created[spec.code] += 1
        result.report_ids.append(report.pk)
        if report.first_submitted_at is not None:
            window = queries.entry_window(dataset, period, report.org)
            result.late += not window.is_on_time(report.first_submitted_at)


def _pick(
    stories: Sequence[Story], count: int, salt: str, *, where: Callable[[Story], bool] = lambda s: True
) -> list[Story]:
    candidates = [s for s in stories if where(s)]
    return _rng(salt).sample(candidates, min(count, len(candidates)))


def _history_stories(enterprises: Sequence[Enterprise], values: dict[str, Values], salt: str) -> list[Story]:
    """Every enterprise accepted; a few late, a few returned once and corrected."""
    stories = [Story(e, ACCEPTED, values[e.org.code]) for e in enterprises if e.org.code in values]
    for story in _pick(stories, max(3, len(stories) // 18), f"late:{salt}"):
        story.late = True
    for story in _pick(
        stories, max(2, len(stories) // 25), f"bounce:{salt}", where=lambda s: s.enterprise.union is not None
    ):
        story.bounce = True
    return stories


# The current round: how many reports end in each state (the rest are accepted). The demo accounts'
# enterprise and union get fixed parts so that their home pages have work waiting.
CURRENT_ROUND_COUNTS = {
    NOT_STARTED: 9,
    DRAFT: 7,
    SUBMITTED: 9,
    RETURNED: 4,
    OFFICE_RETURNED: 1,
    APPROVED: 12,
    LOCKED: 10,
}
CURRENT_ROUND_FIXED = {KUNMING_POWER: RETURNED, "E002": SUBMITTED, "E003": SUBMITTED, "E004": APPROVED}


def _current_stories(
    enterprises: Sequence[Enterprise], values: dict[str, Values], salt: str, *, late_possible: bool
) -> list[Story]:
    stories = [Story(e, ACCEPTED, values[e.org.code]) for e in enterprises if e.org.code in values]
    by_code = {s.enterprise.org.code: s for s in stories}
    for code, fate in CURRENT_ROUND_FIXED.items():
        if code in by_code:
            by_code[code].fate = fate
    free = [s for s in stories if s.enterprise.org.code not in CURRENT_ROUND_FIXED]
    order = _rng(f"fates:{salt}").sample(free, len(free))
    position = 0
    for fate, count in CURRENT_ROUND_COUNTS.items():
        for story in order[position : position + count]:
            if fate in (RETURNED, OFFICE_RETURNED, APPROVED) and story.enterprise.union is None:
                continue
            story.fate = fate
        position += count
    for story in stories:  # weak enterprises are the usual latecomers
        if story.enterprise.weak and story.fate == ACCEPTED:
            story.fate = NOT_STARTED if _rng("weak-fate", salt, story.enterprise.org.code).random() < 0.5 else DRAFT
    if late_possible:
        for story in _pick(stories, 7, f"late:{salt}", where=lambda s: s.fate in (ACCEPTED, APPROVED, SUBMITTED)):
            story.late = True
    for story in _pick(
        stories, 3, f"bounce:{salt}", where=lambda s: s.fate == ACCEPTED and s.enterprise.union is not None
    ):
        story.bounce = True
    return stories


# --- Loading ---------------------------------------------------------------------------------------------------


def _lock_period(
    dataset: DataSet,
    spec: periods.PeriodSpec,
    cast: Cast,
    clock: _StoryClock,
    when: dt.datetime,
    reason: str,
    result: DemoReportsResult,
) -> None:
    period = periods.period_from_code(spec.code)
    if PeriodLock.objects.filter(dataset=dataset, period=period).exists() or cast.office_admin is None:
        return
    if (
        Report.objects.filter(dataset=dataset, period=period)
        .exclude(status__in=[ReportStatus.ACCEPTED, ReportStatus.LOCKED])
        .exists()
    ):
        return  # something is still under way: the office would not lock yet
    clock.set(when)
    try:
        services.period_lock(by=Actor(user=cast.office_admin), dataset=dataset, period=period, reason=reason)
    except (UserError, PermissionDenied) as error:
        result.warnings.append(str(getattr(error, "message", error)))


def _mark_read(cast: Cast, clock: _StoryClock, when: dt.datetime) -> None:
    clock.set(when)
    users = {
        u.pk: u
        for u in [*cast.reporters.values(), *cast.union_admins.values(), cast.office_admin, cast.office_reviewer]
        if u
    }
    for user in users.values():
        services.notifications_mark_all_read(by=Actor(user=user))


# Loaded after the current round's entry closed, the demo has the office give 昆明供电局 (whose report was
# returned) a few more days from the day of loading: a fresh demo always has a round open for entry and near
# its deadline, next to the units already past it.
EXTENSION_DAYS = 3
EXTENSION_REASON = gettext_lazy("报表被退回修改，产改办同意延期报送。")


def _extend_for_the_reporter(
    dataset: DataSet,
    spec: periods.PeriodSpec,
    cast: Cast,
    clock: _StoryClock,
    now: dt.datetime,
    result: DemoReportsResult,
) -> None:
    org = Organisation.objects.filter(code=KUNMING_POWER).first()
    if org is None or cast.office_admin is None:
        return
    period = periods.period_from_code(spec.code)
    if queries.entry_window(dataset, period, org).is_open(now):
        return  # still open (or extended by an earlier load that is not over yet)
    clock.set(now - dt.timedelta(minutes=15))
    services.deadline_extend(
        by=Actor(user=cast.office_admin),
        dataset=dataset,
        period=period,
        org=org,
        new_deadline=deadlines.today(now) + dt.timedelta(days=EXTENSION_DAYS),
        reason=str(EXTENSION_REASON),
    )
    result.extended = org.name


def current_rounds(dataset: DataSet, now: dt.datetime | None = None) -> tuple[periods.PeriodSpec, periods.PeriodSpec]:
    """The quarterly round the office watches now (the latest whose entry has opened) and the one before."""
    rounds = queries.recent_rounds(dataset, count=2, now=now)
    return rounds[0], rounds[1]


@transaction.atomic
def load_demo_reports(*, reset_passwords: bool = False) -> DemoReportsResult:
    """Create the demo's missing reports (see the module docstring); keep every report already there.

    `reset_passwords=True` sets the accounts created here back to the demo password, as load_demo does for its own.
    """
    started = time.monotonic()
    result = DemoReportsResult()
    wf_y = DataSet.objects.filter(code="WF_Y").first()
    wf_q = DataSet.objects.filter(code="WF_Q").first()
    if wf_y is None or wf_q is None or not Organisation.objects.filter(code=KUNMING_POWER).exists():
        result.warnings.append(
            _("缺少产业工人队伍基本情况报表或演示省份，未生成示例报表；请先运行 migrate 和 load_demo。")
        )
        return result
    enterprises = demo_enterprises()
    cast = cast_for(enterprises, result, reset_passwords=reset_passwords)
    headcounts = yearly_headcounts(enterprises)
    yearly = {
        year: {e.org.code: yearly_values(e, headcounts[year][e.org.code], year) for e in enterprises}
        for year in (PREVIOUS_YEAR, SPEECH_YEAR)
    }
    later = headcounts[ASSESSED_YEAR]
    yearly[ASSESSED_YEAR] = {
        e.org.code: yearly_values_after(e, later[e.org.code], ASSESSED_YEAR, yearly[SPEECH_YEAR][e.org.code])
        for e in enterprises
    }
    real_now = timezone.now()
    current, previous = current_rounds(wf_q, real_now)

    def due(spec: periods.PeriodSpec) -> list[Enterprise]:
        codes = set(
            queries.orgs_due(
                wf_q if spec.period_type == "quarter" else wf_y, periods.period_from_code(spec.code)
            ).values_list("code", flat=True)
        )
        return [e for e in enterprises if e.org.code in codes]

    before = sum(result.created.values())
    with story_clock() as clock:
        for year in YEARS:
            spec = periods.spec_for("year", year)
            stories = _history_stories(due(spec), yearly[year], spec.code)
            _play_round(wf_y, spec, stories, cast, clock, result)
            if year == PREVIOUS_YEAR:  # locked before the next year's reports come in
                year_locked = dt.datetime(PREVIOUS_YEAR + 1, 4, 30, 9, tzinfo=queries.REPORTING_TZ)
                reason = _("%(year)d年度数据已全部验收。") % {"year": PREVIOUS_YEAR}
                _lock_period(wf_y, spec, cast, clock, year_locked, reason, result)
        base = yearly[SPEECH_YEAR]
        q_values = {
            spec.code: {e.org.code: quarterly_values(e, base[e.org.code], spec) for e in enterprises}
            for spec in (previous, current)
        }
        _play_round(
            wf_q, previous, _history_stories(due(previous), q_values[previous.code], previous.code), cast, clock, result
        )
        previous_done = dt.datetime.combine(current.end + dt.timedelta(days=1), dt.time(9), tzinfo=queries.REPORTING_TZ)
        _lock_period(
            wf_q,
            previous,
            cast,
            clock,
            min(previous_done, real_now - dt.timedelta(minutes=30)),
            _("上一季度数据已全部验收。"),
            result,
        )
        if sum(result.created.values()) > before:
            _mark_read(cast, clock, min(previous_done + dt.timedelta(minutes=5), real_now - dt.timedelta(minutes=20)))
        window_late_from = queries.entry_window(
            wf_q, periods.period_from_code(current.code), enterprises[0].org
        ).late_from
        stories = _current_stories(
            due(current),
            q_values[current.code],
            current.code,
            late_possible=real_now > window_late_from + dt.timedelta(days=1),
        )
        _play_round(wf_q, current, stories, cast, clock, result, squeeze_before=real_now - dt.timedelta(minutes=10))
        _extend_for_the_reporter(wf_q, current, cast, clock, real_now, result)
    result.states = Counter(Report.objects.filter(pk__in=result.report_ids).values_list("status", flat=True))
    result.seconds = time.monotonic() - started
    audit.record(
        SYSTEM,
        "demo.load_reports",
        object_type="reporting.report",
        object_repr=_("演示省份的示例报表"),
        detail={
            "created": dict(result.created),
            "states": dict(result.states),
            "kept": result.kept,
            "accounts_created": result.accounts_created,
            "late": result.late,
            "warnings": result.warnings,
        },
    )
    return result


def summary_lines(result: DemoReportsResult) -> list[str]:
    """What `load_demo` prints about the reports."""
    states = dict(ReportStatus.choices)
    by_state = "，".join(f"{states.get(k, k)} {n}" for k, n in sorted(result.states.items()))
    by_round = "，".join(f"{periods.parse_code(code).label} {n}" for code, n in sorted(result.created.items()))
    return [
        _("  示例报表：新建 %(new)d 份（%(rounds)s），已存在 %(old)d 份；用时 %(seconds).1f 秒")
        % {
            "new": sum(result.created.values()),
            "rounds": by_round or "—",
            "old": result.kept,
            "seconds": result.seconds,
        },
        _("  新建报表的状态：%(states)s；逾期报送 %(late)d 份；新建填报、审核账号 %(accounts)d 个")
        % {"states": by_state or "—", "late": result.late, "accounts": result.accounts_created},
        *(
            [
                _("  %(org)s的本期报表延期至 %(days)d 天后，可在演示中修改并重新提交。")
                % {"org": result.extended, "days": EXTENSION_DAYS}
            ]
            if result.extended
            else []
        ),
    ]
