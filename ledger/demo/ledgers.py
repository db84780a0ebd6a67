"""The ledgers of the demo province: listing, plans, groups, members, officers, methods and tasks, as a story.

Every step is one service call by the person who would make it (the office lists; a union's administrator
or an enterprise's reporter records the rest), scheduled on the story's timeline at the day it happens.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from analytics.models import Indicator
from core.actor import Actor
from ledger import services
from ledger.choices import GroupRole, OfficerKind, TargetKind, TaskStatus
from ledger.demo.common import (
    IDLE_UNIONS,
    LEADING_UNIONS,
    PLAN_YEAR,
    STORY_END,
    Cast,
    Timeline,
    clamp,
    doc_number,
    email,
    person,
    phone,
    plain_name,
    rng,
)
from ledger.demo.tasks import BY_KEY, CANCELLED_NOTE, DONE_NOTES, QUANTIFIED, RECENT_NOTES, VAGUE, Template
from ledger.models import Ledger
from orgs.choices import OrgKind, Role
from orgs.demo import SAMPLE_MARK
from orgs.models import Organisation

D = dt.date
REFORM_START = D(2018, 1, 1)
LISTED_ON = D(2018, 1, 5)  # the office put the 35 and their enterprises on the ledger at the reform's start
SPEECH = D(2021, 7, 30)

# Dates the speech's named groups record (the others are drawn by code from their reform year).
PLAN_DATES = {
    "U01": D(2018, 3, 16), "U02": D(2018, 5, 8), "U03": D(2018, 6, 20), "U05": D(2018, 9, 12),
    "U06": D(2018, 4, 25), "U04": D(2020, 6, 18), "U07": D(2020, 9, 8),
}  # fmt: skip
# 量化考核评价办法: the leading groups after the speech asked for "可以量化的考核考评办法", and a few others.
METHOD_DATES = {
    "U01": D(2021, 9, 15), "U02": D(2021, 10, 20), "U03": D(2021, 11, 8), "U06": D(2021, 12, 6),
    "U05": D(2022, 3, 18), "U17": D(2022, 4, 12), "U21": D(2022, 5, 10), "U27": D(2022, 6, 15),
    "E001": D(2021, 10, 25), "E002": D(2021, 11, 15), "E005": D(2021, 12, 10), "E008": D(2022, 1, 12),
    "E018": D(2022, 2, 20),
}  # fmt: skip
# Officers the unions never named (the idle ones name no liaison either).
NO_INFO_OFFICER = frozenset({"U26", "U35"})
NO_LIAISON = frozenset({"U10", "U24", "U33"})
# Dated history: (org code, kind) whose first officer left and was replaced on the day; or left with nobody after.
REPLACED = {("E001", OfficerKind.INFO): D(2021, 4, 1), ("U02", OfficerKind.LIAISON): D(2021, 9, 1)}
LEFT_WITHOUT_SUCCESSOR = {("E006", OfficerKind.INFO): D(2022, 3, 31)}
CHAIR_CHANGED = {"U03": D(2020, 7, 1), "E005": D(2021, 3, 1)}  # the union chair (组长) changed on the day

# Most deadlines fall within the plan's first years; about half run past the demo's "today" (late 2026), so the
# province has live work as well as overdue and finished tasks.
DEADLINES = (
    D(2020, 12, 31), D(2021, 6, 30), D(2021, 12, 31), D(2022, 12, 31), D(2023, 12, 31), D(2025, 12, 31),
    D(2026, 12, 31), D(2027, 6, 30), D(2027, 12, 31),
)  # fmt: skip
DEPUTIES = ("党委副书记", "工会常务副主席", "人力资源部主任", "分管副总经理")
MEMBERS = (
    "党委宣传部部长", "人力资源部主任", "企业管理部主任", "财务部主任", "安全生产部主任", "团委书记", "科技部主任",
)  # fmt: skip
INFO_POSITIONS = ("工会办公室干事", "党群工作部干事", "综合办公室副主任", "工会宣传干事")
LIAISON_POSITIONS = ("工会副主席", "人力资源部培训主管", "工会组织部部长", "党群工作部副部长")
FALLBACK_BASELINES = {"CERT_RATE": Decimal("13.71"), "COLLEGE_RATE": Decimal("25.16")}  # the speech's province


@dataclass
class OrgPlan:
    """What one organisation did on its ledger, drawn once from its code."""

    org: Organisation
    union: Organisation
    idle: bool = False
    plan_on: dt.date | None = None
    group_on: dt.date | None = None
    tasks: int = 0
    quantified_share: float = 0.0
    officers: dict[str, dt.date] = field(default_factory=dict)  # kind -> day named


def _day_in(year: int, r, *, first_month: int = 1, last_month: int = 12) -> dt.date:
    return D(year, r.randint(first_month, last_month), r.randint(1, 28))


def _officer_day(r, after: dt.date) -> dt.date:
    """Named soon after the group, or after the speech asked every enterprise for officers."""
    if after < D(2020, 1, 1) and r.random() < 0.5:
        return clamp(after + dt.timedelta(days=r.randint(20, 120)), after, D(2021, 6, 30))
    return max(after, D(2021, 8, 2)) + dt.timedelta(days=r.randint(0, 90))


def union_plan(union: Organisation) -> OrgPlan:
    code = union.code
    r = rng("union", code)
    year = PLAN_YEAR.get(code, 2018)
    plan_on = PLAN_DATES.get(code) or _day_in(year, r, first_month=3 if year != 2019 else 1)
    group_on = plan_on if r.random() < 0.5 else plan_on + dt.timedelta(days=r.randint(15, 90))
    if year == 2020:  # the fourteen: plan and group both in the third year
        group_on = min(group_on, D(2020, 12, 28))
    plan = OrgPlan(union, union, idle=code in IDLE_UNIONS, plan_on=plan_on, group_on=group_on)
    if plan.idle:
        plan.officers[OfficerKind.INFO] = group_on + dt.timedelta(days=r.randint(5, 30))
        return plan
    if code not in NO_INFO_OFFICER:
        plan.officers[OfficerKind.INFO] = _officer_day(r, group_on)
    if code not in NO_LIAISON:
        plan.officers[OfficerKind.LIAISON] = _officer_day(r, group_on)
    if code in LEADING_UNIONS:
        plan.tasks, plan.quantified_share = 5, 0.8
    elif year == 2020:
        plan.tasks, plan.quantified_share = r.randint(1, 3), 0.25
    else:
        plan.tasks, plan.quantified_share = r.randint(2, 4), 0.45
    return plan


def enterprise_plan(enterprise: Organisation, union: OrgPlan, linked: dict[str, Any]) -> OrgPlan:
    """Most enterprises have a plan and a group some months after their union; some have one, or neither."""
    r = rng("enterprise", enterprise.code)
    plan = OrgPlan(enterprise, union.org, idle=union.idle)
    fate = "full" if linked else r.choices(("full", "plan", "group", "none"), (76, 10, 6, 8))[0]
    start = union.plan_on + dt.timedelta(days=r.randint(20, 240))
    start = min(start, D(2021, 11, 30))
    if fate in ("full", "plan"):
        plan.plan_on = start
    if fate == "full":
        plan.group_on = start if r.random() < 0.4 else start + dt.timedelta(days=r.randint(10, 90))
    elif fate == "group":
        plan.group_on = start
    if plan.idle or fate == "none":
        return plan
    after = plan.group_on or plan.plan_on
    if Role.INFO_OFFICER in linked or r.random() < 0.85:
        plan.officers[OfficerKind.INFO] = _officer_day(r, after)
    if Role.LIAISON in linked or r.random() < 0.75:
        plan.officers[OfficerKind.LIAISON] = _officer_day(r, after)
    if plan.plan_on is not None:
        leading = union.org.code in LEADING_UNIONS
        drawn = 0 if r.random() < 0.15 else r.randint(2, 3) if leading else r.randint(1, 2)
        plan.tasks = max(3 if linked else 0, drawn)
        plan.quantified_share = 0.7 if leading else 0.4
    return plan


class LedgerStory:
    """Schedules every organisation's ledger on the timeline; the steps fill `created` as they run."""

    def __init__(self, cast: Cast, timeline: Timeline, created: Counter, *, today: dt.date, values: dict):
        self.cast, self.timeline, self.created = cast, timeline, created
        self.today = today  # the load's real date: recent updates fall in the months before it
        self.values = values  # {(indicator code, year): {org id: value}} from the accepted reports
        self.indicators = {
            i.code: i for i in Indicator.objects.filter(code__in=["CERT_RATE", "COLLEGE_RATE"], is_active=True)
        }
        self.ledgers: dict[int, Ledger] = {}
        self.tasks: dict[str, tuple[Any, Actor]] = {}  # key -> (task, who writes it)
        self.milestones: dict[str, Any] = {}
        self.officers: dict[tuple, Any] = {}

    # --- Steps (each runs at its time on the story clock) ---

    def _ledger(self, org: Organisation) -> Ledger:
        return self.ledgers[org.pk]

    def list_org(self, org: Organisation) -> None:
        def run() -> None:
            self.ledgers[org.pk] = services.ledger_create(by=self.cast.office, org=org, listed_on=REFORM_START)
            self.created["ledgers"] += 1

        self.timeline.add(LISTED_ON, run)

    def _record(self, org: Organisation, day: dt.date, counted: tuple[str, ...], **fields: Any) -> None:
        def run() -> None:
            ledger = self._ledger(org)
            services.ledger_update(by=self.cast.editor(org), ledger=ledger, version=ledger.version, **fields)
            self.created.update(counted)

        self.timeline.add(day, run)

    def _member(self, org: Organisation, day: dt.date, name: str, role: str, position: str, user=None) -> None:
        def run() -> None:
            services.member_add(
                by=self.cast.editor(org), ledger=self._ledger(org), name=name, role=role, joined_on=day,
                position=position, user=user,
            )  # fmt: skip
            self.created["members"] += 1

        self.timeline.add(day, run)

    def _chair_change(self, org: Organisation, day: dt.date, name: str, position: str) -> None:
        def run() -> None:
            by = self.cast.editor(org)
            ledger = self._ledger(org)
            old = ledger.members.filter(role=GroupRole.LEADER, left_on__isnull=True).first()
            if old is not None:
                services.member_end(by=by, member=old, left_on=day)
            services.member_add(
                by=by, ledger=ledger, name=name, role=GroupRole.LEADER, joined_on=day, position=position
            )
            self.created["members"] += 1

        self.timeline.add(day, run)

    def _officer(self, org: Organisation, kind: str, day: dt.date, *, user=None, left_on: dt.date | None = None):
        name = user.full_name if user is not None else person(org.code, kind, day)
        positions = INFO_POSITIONS if kind == OfficerKind.INFO else LIAISON_POSITIONS
        position = positions[rng("position", org.code, kind, day).randrange(len(positions))]
        key = (org.code, kind, day)

        def run() -> None:
            self.officers[key] = services.officer_add(
                by=self.cast.editor(org), ledger=self._ledger(org), kind=kind, name=name, started_on=day,
                position=position, phone=phone(org.code, kind, day), email=email(name, org.code, kind, day),
                user=user,
            )  # fmt: skip
            self.created["officers"] += 1

        def end() -> None:
            services.officer_end(by=self.cast.editor(org), officer=self.officers[key], left_on=left_on)

        self.timeline.add(day, run)
        if left_on is not None:
            self.timeline.add(left_on, end)

    # --- Planning ---

    def plan(self, p: OrgPlan) -> None:
        org = p.org
        r = rng("ledger", org.code)
        self.list_org(org)
        union = org.kind == OrgKind.UNION
        linked = self.cast.accounts.get(org.code, {})
        if p.plan_on is not None:
            self._plan_document(p, r, union)
        if p.group_on is not None:
            self._group(p, r, union, linked)
        for kind, day in p.officers.items():
            self._officers(org, kind, day, linked)
        method_on = METHOD_DATES.get(org.code)
        if method_on is None and not union and not p.idle and p.union.code in LEADING_UNIONS and p.plan_on:
            method_on = D(2022, r.randint(1, 9), r.randint(1, 28)) if r.random() < 0.3 else None
        if method_on is not None and method_on <= self.today:
            self._record(
                org, method_on + dt.timedelta(days=r.randint(1, 7)), ("methods",), method_issued_on=method_on,
                method_title=f"{plain_name(org)}产业工人队伍建设改革量化考核评价办法（试行）",
                method_doc_number=doc_number(org, method_on, "method"),
            )  # fmt: skip
        if not p.idle and p.tasks:
            self._tasks(p)

    def _plan_document(self, p: OrgPlan, r, union: bool) -> None:
        org, day = p.org, p.plan_on
        name = plain_name(org)
        party = r.random() < 0.3
        if union and org.name.startswith("省") and "工会" in org.name:  # an industry union: the whole trade
            title = f"全省{name.removesuffix('工会')}系统产业工人队伍建设改革实施方案"
            issuer, party = org.name.replace(SAMPLE_MARK, ""), False
        elif union:
            title = f"{name}产业工人队伍建设改革实施方案"
            full = org.name.replace(SAMPLE_MARK, "")
            issuer = f"中共{full}委员会" if party else f"{full}工会"
        else:
            title = r.choice(
                (f"{name}产业工人队伍建设改革实施方案", f"{name}推进产业工人队伍建设改革工作方案",
                 f"{name}产业工人队伍建设改革实施细则")
            )  # fmt: skip
            issuer = f"{name}工会" if not party else name
        fields = {
            "plan_issued_on": day,
            "plan_title": title,
            "plan_issuer": issuer,
            "plan_doc_number": doc_number(org, day, "plan", party=party),
        }
        counted: tuple[str, ...] = ("plans",)
        if p.group_on == day:
            fields.update(group_established_on=day, group_doc_number=doc_number(org, day, "group"))
            counted += ("groups",)
        self._record(org, day + dt.timedelta(days=r.randint(1, 10)), counted, **fields)

    def _group(self, p: OrgPlan, r, union: bool, linked: dict[str, Any]) -> None:
        org, day = p.org, p.group_on
        if p.plan_on != day:
            self._record(
                org, day + dt.timedelta(days=r.randint(1, 10)), ("groups",), group_established_on=day,
                group_doc_number=doc_number(org, day, "group"),
            )  # fmt: skip
        joined = day
        changed = CHAIR_CHANGED.get(org.code)
        self._member(org, joined, person(org.code, "leader"), GroupRole.LEADER, "工会主席")
        if changed is not None:
            self._chair_change(org, changed, person(org.code, "leader", changed), "工会主席")
        if union:
            position = DEPUTIES[r.randrange(len(DEPUTIES))]
            self._member(org, joined, person(org.code, "deputy"), GroupRole.DEPUTY, position)
        members = r.sample(MEMBERS, r.randint(2, 3)) if union else []
        for k, position in enumerate(members):
            later = k == len(members) - 1 and r.random() < 0.3  # one joins later
            when = joined + dt.timedelta(days=r.randint(120, 360)) if later else joined
            if when <= self.today:
                self._member(org, when, person(org.code, "member", k), GroupRole.MEMBER, position)
        guidance = linked.get(Role.GUIDANCE)
        if guidance is not None:
            self._member(org, joined, guidance.full_name, GroupRole.MEMBER, "工会副主席", guidance)
        if (admin := linked.get(Role.UNION_ADMIN)) is not None:
            self._member(org, joined, admin.full_name, GroupRole.OFFICE, "工会产改办主任", admin)
        elif (reporter := linked.get(Role.REPORTER)) is not None:
            self._member(org, joined, reporter.full_name, GroupRole.OFFICE, "工会干事", reporter)
        else:
            self._member(org, joined, person(org.code, "office"), GroupRole.OFFICE, "工会办公室主任")

    def _officers(self, org: Organisation, kind: str, day: dt.date, linked: dict[str, Any]) -> None:
        user = linked.get(Role.INFO_OFFICER if kind == OfficerKind.INFO else Role.LIAISON)
        replaced_on = REPLACED.get((org.code, kind))
        if replaced_on is not None:
            first = min(day, replaced_on - dt.timedelta(days=400))
            self._officer(org, kind, first, left_on=replaced_on - dt.timedelta(days=1))
            self._officer(org, kind, replaced_on, user=user)
            return
        left_on = LEFT_WITHOUT_SUCCESSOR.get((org.code, kind))
        self._officer(org, kind, day, user=user, left_on=left_on if left_on and left_on <= self.today else None)

    # --- Tasks ---

    def _templates(self, p: OrgPlan) -> list[Template]:
        r = rng("tasks", p.org.code)
        quantified = [t for t in QUANTIFIED if not t.indicator or t.indicator in self.indicators]
        vague = list(VAGUE)
        r.shuffle(quantified)
        r.shuffle(vague)
        chosen = []
        if p.org.code in LEADING_UNIONS or p.org.code in self.cast.accounts:  # the speech's examples: numbers
            quantified.sort(key=lambda t: t.key != "cert")
            chosen.append(quantified.pop(0))
        for _k in range(p.tasks - len(chosen)):
            pool = quantified if (r.random() < p.quantified_share and quantified) or not vague else vague
            chosen.append(pool.pop(0))
        if p.org.code in LEADING_UNIONS and not any(t.kind == TargetKind.NONE for t in chosen):
            chosen[-1] = BY_KEY["guidance"]  # even the leading ones keep one vague task
        return chosen

    def _tasks(self, p: OrgPlan) -> None:
        templates = self._templates(p)
        open_tasks: list[tuple[str, Template, dict]] = []
        for index, template in enumerate(templates):
            state = self._task(p, index, template)
            if state["status"] == TaskStatus.ACTIVE:
                open_tasks.append((f"{p.org.code}:{index}", template, state))
        if open_tasks:  # one recent step, so the organisations that keep working are not idle today
            r = rng("recent", p.org.code)
            key, template, state = open_tasks[r.randrange(len(open_tasks))]
            day = self.today - dt.timedelta(days=r.randint(20, 140))
            value = None
            if template.kind == TargetKind.RESULT:
                value = min(state["target"], state["last"] + max(1, int(state["target"]) // 10))
            self._update(key, day, r.choice(RECENT_NOTES), value)

    def _task(self, p: OrgPlan, index: int, template: Template) -> dict:
        org = p.org
        key = f"{org.code}:{index}"
        r = rng("task", key, template.key)
        latest = max(p.plan_on, STORY_END - dt.timedelta(days=90))
        starts_on = clamp(p.plan_on + dt.timedelta(days=r.randint(10, 60)), p.plan_on, latest)
        values: dict[str, Any] = {
            "key_task": template.key_task,
            "target_kind": template.kind,
            "owner_unit": template.owner_unit,
            "starts_on": starts_on,
        }
        linked = self.cast.accounts.get(org.code, {})
        owner = (linked.get(Role.UNION_ADMIN) or linked.get(Role.REPORTER)) if index == 0 else None
        values["owner"] = owner
        values["owner_name"] = owner.full_name if owner is not None else person(org.code, "owner", index)
        state: dict[str, Any] = {"status": TaskStatus.ACTIVE, "last": 0, "target": 0}
        if template.kind == TargetKind.INDICATOR:
            baseline_year = 2019 if starts_on.year <= 2019 else 2020
            target_year = r.choice((2022, 2023, 2026, 2027))
            measured = self.values.get((template.indicator, baseline_year), {}).get(org.pk)
            baseline = Decimal(measured).quantize(Decimal("0.01")) if measured is not None else None
            base = baseline if baseline is not None else FALLBACK_BASELINES[template.indicator]
            ambitious = r.random() < 0.35  # far ahead of what the reports will show: behind the straight path
            gain = Decimal(r.randint(60, 100) if ambitious else r.randint(15, 45)) / 10
            target = (base + gain).quantize(Decimal("0.1"))
            values.update(
                title=template.title.format(year=target_year, target=target),
                indicator=self.indicators[template.indicator], baseline_year=baseline_year, baseline=baseline,
                target_value=target, target_year=target_year,
                deadline=D(target_year, 12, 31),
            )  # fmt: skip
            done_on = None
        else:
            deadlines = [d for d in DEADLINES if d >= starts_on + dt.timedelta(days=240)]
            deadline = r.choice(deadlines[:4] + deadlines[-3:])
            values["deadline"] = deadline
            n = r.randrange(template.low, template.high + 1, template.step) if template.kind == TargetKind.RESULT else 0
            values["title"] = template.title.format(n=n)
            if template.kind == TargetKind.RESULT:
                values.update(result_text=template.result_text, result_unit=template.unit, target_value=n)
                state["target"] = n
            done_on = None
            if deadline <= D(2023, 12, 31) and r.random() < 0.6:
                done_on = deadline - dt.timedelta(days=r.randint(0, 75))
                done_on = max(done_on, starts_on + dt.timedelta(days=90))
        self._create_task(key, org, starts_on, values)
        self._milestones(key, r, values, done_on)
        # Progress: once or twice, eight to fourteen months apart, before it was done or the story's end.
        pace = 1.0 if done_on else r.uniform(0.35, 1.1)
        start, deadline = starts_on, values["deadline"]
        span = max((deadline - start).days, 1)
        day = start + dt.timedelta(days=r.randint(120, 300))
        last, progress = 0, []
        until = min(done_on or STORY_END, STORY_END)
        while day < until and len(progress) < 2:
            value = None
            if template.kind == TargetKind.RESULT:
                share = min(1.0, pace * (day - start).days / span)
                value = max(last, min(state["target"] - (1 if not done_on else 0), round(state["target"] * share)))
                last = value
            note = template.notes[r.randrange(len(template.notes))]
            self._update(key, day, note.format(value=value, unit=template.unit, n=r.randint(3, 60) * 10), value)
            progress.append(day)
            day += dt.timedelta(days=r.randint(240, 420))
        state["last"] = last
        if done_on is not None and done_on <= self.today:
            target = state["target"] if template.kind == TargetKind.RESULT else None
            self._update(key, done_on, r.choice(DONE_NOTES), target)
            self._finish(key, done_on, TaskStatus.DONE)
            state["status"] = TaskStatus.DONE
        elif template.kind == TargetKind.NONE and r.random() < 0.08 and self.today >= STORY_END:
            self._update(key, STORY_END, CANCELLED_NOTE, None)
            self._finish(key, STORY_END, TaskStatus.CANCELLED)
            state["status"] = TaskStatus.CANCELLED
        return state

    def _create_task(self, key: str, org: Organisation, day: dt.date, values: dict) -> None:
        def run() -> None:
            task = services.task_create(by=self.cast.editor(org), ledger=self._ledger(org), **values)
            self.tasks[key] = (task, self.cast.editor(org))
            self.created["tasks"] += 1
            if task.target_kind != TargetKind.NONE:
                self.created["quantified"] += 1

        self.timeline.add(day, run)

    def _update(self, key: str, day: dt.date, note: str, value) -> None:
        def run() -> None:
            task, by = self.tasks[key]
            services.update_add(by=by, task=task, on=day, note=note, value=value)
            self.created["updates"] += 1

        self.timeline.add(day, run)

    def _finish(self, key: str, day: dt.date, status: str) -> None:
        def run() -> None:
            task, by = self.tasks[key]
            services.task_update(by=by, task=task, version=task.version, status=status, done_on=day)

        self.timeline.add(day, run)

    def _milestones(self, key: str, r, values: dict, done_on: dt.date | None) -> None:
        if values["target_kind"] == TargetKind.NONE or r.random() < 0.7:
            return
        start, deadline = values["starts_on"], values["deadline"]
        middle = start + (deadline - start) / 2
        first_done = start + dt.timedelta(days=r.randint(20, 45))
        steps = [
            ("制定实施计划，明确责任人和时间表", start + dt.timedelta(days=30), first_done),
            ("开展中期评估", middle, middle + dt.timedelta(days=r.randint(0, 20)) if r.random() < 0.7 else None),
            ("完成目标并总结验收", deadline, done_on),
        ]  # fmt: skip
        for number, (title, due_on, finished) in enumerate(steps):
            milestone_key = f"{key}:m{number}"

            def plan(title=title, due_on=due_on, milestone_key=milestone_key) -> None:
                task, by = self.tasks[key]
                self.milestones[milestone_key] = services.milestone_save(by=by, task=task, title=title, due_on=due_on)
                self.created["milestones"] += 1

            self.timeline.add(start, plan)
            limit = max(STORY_END, done_on) if done_on else STORY_END
            if finished is not None and finished <= min(limit, self.today):

                def finish(title=title, due_on=due_on, finished=finished, milestone_key=milestone_key) -> None:
                    task, by = self.tasks[key]
                    services.milestone_save(
                        by=by, task=task, title=title, due_on=due_on, done_on=finished,
                        milestone=self.milestones[milestone_key],
                    )  # fmt: skip

                self.timeline.add(max(finished, start), finish)
