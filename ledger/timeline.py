"""Every dated event of an organisation, from every app, newest first; and when each last did anything.

    events_of(org_ids, kinds=None, today=None)   the events of these organisations (set-based), newest first
    last_activity(org_ids, today=None)           {org id: the day of its latest own activity} (absent: none)
    source(kinds=…, latest=None)                 a decorator: another app adds its events (sites, awards …)
    event_kinds()                                the kinds of event, with their labels, for the page's filter

A source is a function `fn(org_ids, today) -> Iterable[Event]` that reads the events of many
organisations at once (no query per organisation). Each event says whether it is the organisation's
own reform activity (a plan issued, a task updated, a written report submitted) or something that happened to it
(put on the ledger, a deadline passed, an alert raised). `last_activity` — what the "a plan and a
group but no action" alert reads — is the latest day of an activity event, over every source; a
source may give a set-based `latest(org_ids, today)` instead when reading all its events would be
wasteful. Statistics reports count for the organisation and every ancestor of it on the ledger
(an enterprise's report is work of its union too), so the reporting source has such a `latest`.

An event recorded later than it happened (a progress update entered a week after) counts as
activity on the day it was recorded: `Event.at` is when it was entered, `Event.on` what it is about.

    # sites/timeline.py, imported from sites' AppConfig.ready()
    from ledger import timeline

    @timeline.source(kinds={"site": _("示范点")})
    def site_events(org_ids, today):
        for site in Site.objects.filter(org_id__in=org_ids):
            yield timeline.Event(org_id=site.org_id, on=site.named_on, kind="site", title=…)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import deadlines


@dataclass(frozen=True)
class Event:
    """One dated event of one organisation."""

    org_id: int
    on: dt.date
    kind: str  # one of the declared kinds (the page filters by it)
    title: str
    detail: str = ""
    url: str = ""
    at: dt.datetime | None = None  # when it was recorded on the platform, if known
    activity: bool = True  # the organisation's own work (see the module docstring)

    @property
    def active_on(self) -> dt.date:
        """The day it counts as activity: the later of the day it is about and the day it was recorded."""
        if self.at is None:
            return self.on
        return max(self.on, deadlines.today(self.at))

    def sort_key(self) -> tuple:
        return (self.on, self.at or dt.datetime.combine(self.on, dt.time.min, tzinfo=deadlines.BEIJING))


EventsFn = Callable[[Sequence[int], dt.date], Iterable[Event]]
LatestFn = Callable[[Sequence[int], dt.date], dict[int, dt.date]]


@dataclass(frozen=True)
class Source:
    name: str
    kinds: tuple[str, ...]
    events: EventsFn
    latest: LatestFn | None = None


_SOURCES: dict[str, Source] = {}
_KINDS: dict[str, Promise | str] = {}


def source(*, kinds: dict[str, Promise | str], latest: LatestFn | None = None, name: str = ""):
    """Register `fn(org_ids, today)` as a source of events of the given kinds (decorator)."""

    def wrap(fn: EventsFn) -> EventsFn:
        key = name or f"{fn.__module__}.{fn.__qualname__}"
        for kind, label in kinds.items():
            _KINDS.setdefault(kind, label)
        _SOURCES[key] = Source(key, tuple(kinds), fn, latest)
        return fn

    return wrap


def unregister(name: str) -> None:
    """Remove a source (tests, or an app switched off), and the kinds of event no other source gives."""
    _SOURCES.pop(name, None)
    kept = {kind for entry in _SOURCES.values() for kind in entry.kinds}
    for kind in list(_KINDS):
        if kind not in kept:
            del _KINDS[kind]


def event_kinds() -> list[tuple[str, str]]:
    """(kind, label) of every kind of event, in the order the sources declared them."""
    return [(kind, str(label)) for kind, label in _KINDS.items()]


def events_of(
    org_ids: Sequence[int], *, kinds: Iterable[str] | None = None, today: dt.date | None = None
) -> list[Event]:
    """Every event of these organisations (of `kinds`, or all), newest first; nothing after `today`."""
    today = today or deadlines.today()
    wanted = set(kinds) if kinds else None
    found: list[Event] = []
    for entry in _SOURCES.values():
        if wanted is not None and not wanted & set(entry.kinds):
            continue
        found.extend(
            event
            for event in entry.events(list(org_ids), today)
            if event.on <= today and (wanted is None or event.kind in wanted)
        )
    found.sort(key=Event.sort_key, reverse=True)
    return found


def last_activity(org_ids: Sequence[int], *, today: dt.date | None = None) -> dict[int, dt.date]:
    """{organisation id: the latest day it did anything on the record}, over every source; absent: never."""
    today = today or deadlines.today()
    ids = list(org_ids)
    latest: dict[int, dt.date] = {}

    def keep(org_id: int, day: dt.date) -> None:
        if day <= today and (org_id not in latest or day > latest[org_id]):
            latest[org_id] = day

    for entry in _SOURCES.values():
        if entry.latest is not None:
            for org_id, day in entry.latest(ids, today).items():
                keep(org_id, day)
            continue
        for event in entry.events(ids, today):
            if event.activity:
                keep(event.org_id, event.active_on)
    return latest


# --- helpers for sources --------------------------------------------------------------------------


def link(name: str, *args: Any) -> str:
    """The address of a page, or "" while that page does not exist (another part may add it later)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def day_of(moment: dt.datetime | None) -> dt.date | None:
    """The Beijing-time day of an aware time."""
    return None if moment is None else deadlines.today(moment)


def short(text: str, length: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


# --- the ledger's own events -----------------------------------------------------------------------

KIND_LEDGER, KIND_PEOPLE, KIND_TASK, KIND_WRITTEN, KIND_REPORT, KIND_ALERT = (
    "ledger",
    "people",
    "task",
    "written",
    "report",
    "alert",
)


def _ledgers(org_ids: Sequence[int]):
    from ledger.models import Ledger

    return Ledger.objects.filter(org_id__in=org_ids)


@source(kinds={KIND_LEDGER: gettext_lazy("台账")}, name="ledger.ledger")
def ledger_events(org_ids: Sequence[int], today: dt.date) -> Iterator[Event]:
    """Listed, plan issued, group established, method issued, files uploaded, the ledger edited."""
    from core.models import AuditEntry
    from ledger.models import Document

    ledgers = list(
        _ledgers(org_ids).values(
            "pk", "org_id", "org__code", "listed_on", "plan_issued_on", "plan_title", "plan_doc_number",
            "group_established_on", "group_doc_number", "method_issued_on", "method_title", "method_doc_number",
        )
    )  # fmt: skip
    for row in ledgers:
        org_id, url = row["org_id"], link("ledger:detail", row["org__code"])
        yield Event(org_id, row["listed_on"], KIND_LEDGER, _("列入产改台账"), url=url, activity=False)
        if row["plan_issued_on"]:
            title = _("印发实施方案《%(title)s》") % {"title": row["plan_title"]} if row["plan_title"] else ""
            title = title or _("印发实施方案")
            yield Event(org_id, row["plan_issued_on"], KIND_LEDGER, title, detail=row["plan_doc_number"], url=url)
        if row["group_established_on"]:
            yield Event(
                org_id, row["group_established_on"], KIND_LEDGER, _("成立改革领导小组"),
                detail=row["group_doc_number"], url=url,
            )  # fmt: skip
        if row["method_issued_on"]:
            title = (
                _("出台量化考核评价办法《%(title)s》") % {"title": row["method_title"]}
                if row["method_title"]
                else _("出台量化考核评价办法")
            )
            yield Event(org_id, row["method_issued_on"], KIND_LEDGER, title, detail=row["method_doc_number"], url=url)
    for org_id, name, uploaded_at in Document.objects.filter(org_id__in=org_ids).values_list(
        "org_id", "original_name", "uploaded_at"
    ):
        yield Event(org_id, day_of(uploaded_at), KIND_LEDGER, _("上传台账文件“%(name)s”") % {"name": name},
                    at=uploaded_at)  # fmt: skip
    by_id = {str(row["pk"]): row for row in ledgers}
    edits = AuditEntry.objects.filter(
        object_type="ledger.ledger", object_id__in=list(by_id), event="ledger.ledger.update", success=True
    ).values_list("object_id", "at", "before", "after")
    for object_id, at, before, after in edits:
        row = by_id[object_id]
        before, after = before or {}, after or {}
        changed = sorted(k for k in after if k not in {"updated_at", "version"} and before.get(k) != after[k])
        yield Event(
            row["org_id"], day_of(at), KIND_LEDGER, _("更新台账"), detail=_field_labels(changed),
            url=link("ledger:detail", row["org__code"]), at=at,
        )  # fmt: skip


def _field_labels(names: list[str]) -> str:
    from ledger.models import Ledger

    labels = []
    for name in names:
        try:
            labels.append(str(Ledger._meta.get_field(name).verbose_name))
        except Exception:  # a field removed since the row was written
            labels.append(name)
    return "、".join(labels)


@source(kinds={KIND_PEOPLE: gettext_lazy("领导小组和信息员")}, name="ledger.people")
def people_events(org_ids: Sequence[int], today: dt.date) -> Iterator[Event]:
    """Members of the leading group and officers joining and leaving."""
    from ledger.models import GroupMember, Officer

    members = GroupMember.objects.filter(ledger__org_id__in=org_ids).values_list(
        "ledger__org_id", "name", "role", "joined_on", "left_on"
    )
    roles = dict(GroupMember._meta.get_field("role").choices)
    for org_id, name, role, joined_on, left_on in members:
        words = {"name": name, "role": roles.get(role, role)}
        yield Event(org_id, joined_on, KIND_PEOPLE, _("%(name)s任领导小组%(role)s") % words)
        if left_on:
            yield Event(org_id, left_on, KIND_PEOPLE, _("%(name)s不再担任领导小组%(role)s") % words)
    officers = Officer.objects.filter(ledger__org_id__in=org_ids).values_list(
        "ledger__org_id", "name", "kind", "started_on", "left_on"
    )
    kinds = dict(Officer._meta.get_field("kind").choices)
    for org_id, name, kind, started_on, left_on in officers:
        words = {"name": name, "kind": kinds.get(kind, kind)}
        yield Event(org_id, started_on, KIND_PEOPLE, _("%(name)s任%(kind)s") % words)
        if left_on:
            yield Event(org_id, left_on, KIND_PEOPLE, _("%(name)s不再担任%(kind)s") % words)


@source(kinds={KIND_TASK: gettext_lazy("改革任务")}, name="ledger.tasks")
def task_events(org_ids: Sequence[int], today: dt.date) -> Iterator[Event]:
    """Tasks created, due and done; progress updates; milestones done."""
    from ledger.choices import TaskStatus
    from ledger.models import Milestone, Task, TaskUpdate

    tasks = Task.objects.filter(ledger__org_id__in=org_ids).values_list(
        "pk", "ledger__org_id", "title", "created_at", "deadline", "status", "done_on"
    )
    for pk, org_id, title, created_at, deadline, status, done_on in tasks:
        url = link("ledger:task", pk)
        words = {"title": title}
        yield Event(org_id, day_of(created_at), KIND_TASK, _("新建改革任务“%(title)s”") % words, url=url, at=created_at)
        if deadline <= today and status != TaskStatus.CANCELLED:
            late = done_on is None or done_on > deadline
            detail = _("到期时未完成") if late else _("已按期完成")
            yield Event(org_id, deadline, KIND_TASK, _("任务“%(title)s”到期") % words, detail=detail, url=url,
                        activity=False)  # fmt: skip
        if status == TaskStatus.DONE and done_on:
            yield Event(org_id, done_on, KIND_TASK, _("完成改革任务“%(title)s”") % words, url=url)
    updates = TaskUpdate.objects.filter(task__ledger__org_id__in=org_ids).values_list(
        "task_id", "task__ledger__org_id", "task__title", "on", "value", "note", "created_at"
    )
    for task_id, org_id, title, on, value, note, created_at in updates:
        detail = short(note)
        if value is not None:
            from core.formatting import wan

            detail = _("累计完成 %(value)s；%(note)s") % {"value": wan(value), "note": detail}
        yield Event(
            org_id, on, KIND_TASK, _("填报任务进展：%(title)s") % {"title": title}, detail=detail,
            url=link("ledger:task", task_id), at=created_at,
        )  # fmt: skip
    milestones = Milestone.objects.filter(task__ledger__org_id__in=org_ids, done_on__isnull=False).values_list(
        "task_id", "task__ledger__org_id", "task__title", "title", "done_on"
    )
    for task_id, org_id, task_title, title, done_on in milestones:
        yield Event(
            org_id, done_on, KIND_TASK, _("完成任务节点“%(title)s”") % {"title": title}, detail=task_title,
            url=link("ledger:task", task_id),
        )  # fmt: skip


WRITTEN_STEPS = {
    "ledger.written.submit": (gettext_lazy("提交书面报告《%(title)s》"), True),
    "ledger.written.return": (gettext_lazy("书面报告《%(title)s》被退回"), False),
    "ledger.written.accept": (gettext_lazy("书面报告《%(title)s》审核通过"), False),
    "ledger.written.reopen": (gettext_lazy("书面报告《%(title)s》被重新打开"), False),
}


@source(kinds={KIND_WRITTEN: gettext_lazy("书面报告")}, name="ledger.written")
def written_events(org_ids: Sequence[int], today: dt.date) -> Iterator[Event]:
    """Each nine-aspect report's steps, read from its history in the audit log (the shared workflow
    writes one row per step); a report with no history there shows its submission and acceptance times."""
    from core.models import AuditEntry
    from ledger.models import WrittenReport

    reports = {
        str(row["pk"]): row
        for row in WrittenReport.objects.filter(org_id__in=org_ids).values(
            "pk", "org_id", "round__title", "first_submitted_at", "accepted_at"
        )
    }
    steps = AuditEntry.objects.filter(
        object_type="ledger.writtenreport", object_id__in=list(reports), event__in=list(WRITTEN_STEPS), success=True
    ).values_list("object_id", "event", "at", "detail")
    seen = set()
    for object_id, event, at, detail in steps:
        row = reports[object_id]
        seen.add(object_id)
        label, activity = WRITTEN_STEPS[event]
        reason = (detail or {}).get("reason", "") if isinstance(detail, dict) else ""
        yield Event(
            row["org_id"], day_of(at), KIND_WRITTEN, str(label) % {"title": row["round__title"]},
            detail=short(reason), url=link("ledger:written", row["pk"]), at=at, activity=activity,
        )  # fmt: skip
    for object_id, row in reports.items():
        if object_id in seen:
            continue
        words = {"title": row["round__title"]}
        url = link("ledger:written", row["pk"])
        if row["first_submitted_at"]:
            at = row["first_submitted_at"]
            yield Event(row["org_id"], day_of(at), KIND_WRITTEN, str(WRITTEN_STEPS["ledger.written.submit"][0]) % words,
                        url=url, at=at)  # fmt: skip
        if row["accepted_at"]:
            at = row["accepted_at"]
            yield Event(row["org_id"], day_of(at), KIND_WRITTEN, str(WRITTEN_STEPS["ledger.written.accept"][0]) % words,
                        url=url, at=at, activity=False)  # fmt: skip


@source(kinds={KIND_REPORT: gettext_lazy("统计报表")}, name="ledger.reports")
def report_events(org_ids: Sequence[int], today: dt.date) -> Iterator[Event]:
    """The organisation's own statistics reports submitted, submitted again and accepted.

    Shown on the timeline but not counted as reform activity: filing the statistics is routine, and a union
    whose enterprises report every quarter can still have "a plan and a group but no action"."""
    from reporting.models import Report

    reports = Report.objects.filter(org_id__in=org_ids).filter(
        Q(first_submitted_at__isnull=False) | Q(accepted_at__isnull=False)
    )
    for pk, org_id, dataset, period, first, last, accepted in reports.values_list(
        "pk", "org_id", "dataset__name", "period__code", "first_submitted_at", "submitted_at", "accepted_at"
    ):
        words = {"dataset": dataset, "period": period}
        url = link("reporting:report_detail", pk)
        if first:
            yield Event(org_id, day_of(first), KIND_REPORT, _("提交统计报表《%(dataset)s》（%(period)s）") % words,
                        url=url, at=first, activity=False)  # fmt: skip
        if last and first and last != first:
            yield Event(org_id, day_of(last), KIND_REPORT, _("重新提交统计报表《%(dataset)s》（%(period)s）") % words,
                        url=url, at=last, activity=False)  # fmt: skip
        if accepted:
            title = _("统计报表《%(dataset)s》（%(period)s）通过验收") % words
            yield Event(org_id, day_of(accepted), KIND_REPORT, title, url=url, at=accepted, activity=False)


@source(kinds={KIND_ALERT: gettext_lazy("预警")}, name="ledger.alerts")
def alert_events(org_ids: Sequence[int], today: dt.date) -> Iterator[Event]:
    """Alerts raised and cleared (the daily check's doing, not the organisation's)."""
    from ledger.models import Alert

    labels = dict(Alert._meta.get_field("kind").choices)
    for org_id, kind, reason, raised_on, cleared_on in Alert.objects.filter(org_id__in=org_ids).values_list(
        "org_id", "kind", "reason", "raised_on", "cleared_on"
    ):
        words = {"kind": labels.get(kind, kind)}
        yield Event(org_id, raised_on, KIND_ALERT, _("预警：%(kind)s") % words, detail=reason, activity=False)
        if cleared_on:
            yield Event(org_id, cleared_on, KIND_ALERT, _("预警解除：%(kind)s") % words, activity=False)
