"""The demo province's policy library (政策库), its notices and the 2021 uptake, played through policies.services.

What `load_demo_policies(by_office_user)` adds (load_demo runs it with the sample reports, after the ledger):

- 20 published provincial measures in the spirit of the speech (unemployment-insurance funds for skill upgrading,
  training subsidies, enterprise-run skill evaluation, high-skill training bases, chief technicians, pay for
  skills, industry–education integration …), with issuing bodies, 文号, validity and eligibility rules over
  ownership, industry, prefecture and the accepted 2021 reports (workers, training spend, certified workers);
  one more that expired at the end of 2020 and one draft;
- on 2021-09-01 the office sends a notice about 企业自主开展技能人才评价 to the eligible enterprises that do not use
  it; about half of them open it in the following days;
- the 2021 uptake round, opened on 2022-01-05 and due on 2022-03-31: most enterprises submit (some late, a few
  never), the three measures the speech names as little used are used by well under half of the eligible, and
  a few enterprises use none of theirs — so the uptake analytics name the under-used measures.

Everything goes through the services as the demo accounts (office_admin, each enterprise's reporter) on the story
clock of reporting/demo. Idempotent: measures are matched by 文号 and title, the notice by its title, the round by
its year; what exists is kept as it is. Deterministic: every choice is drawn from organisation codes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core import deadlines
from core.actor import Actor
from core.errors import UserError
from orgs.choices import Role
from orgs.models import Membership
from policies import services
from policies.choices import MeasureStatus, NotUsedReason
from policies.demo.measures import MEASURES, NOTICE_MEASURE, UNDER_USED
from policies.models import Measure, Notice, NoticeRecipient, UptakeRound
from reporting.demo import story_clock

__all__ = ["DemoPoliciesResult", "load_demo_policies", "summary_lines"]

ROUND_YEAR = 2021
NOTICE_TITLE = "政策推送：企业自主开展技能人才评价"


@dataclass
class DemoPoliciesResult:
    created: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    @property
    def summary_lines(self) -> list[str]:
        return summary_lines(self)


def summary_lines(result: DemoPoliciesResult) -> list[str]:
    c, k = result.created, result.kept
    return [
        _(
            "  政策库：新建政策 %(new)d 项（已存在 %(old)d 项），政策推送 %(notices)d 次，"
            "%(year)d年度政策落实填报 %(forms)d 份"
        )
        % {"new": c["measures"], "old": k["measures"], "notices": c["notices"], "year": ROUND_YEAR, "forms": c["forms"]}
    ]


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment of the story, in Beijing time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=deadlines.BEIJING)


def _draw(*parts: object) -> int:
    """A stable number 0–99 from the parts (organisation codes, titles)."""
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:8], 16) % 100


def _reporters() -> dict[int, Actor]:
    rows = (
        Membership.objects.filter(
            role=Role.REPORTER, is_active=True, user__is_active=True, user__is_demo=True, org__closed_on__isnull=True
        )
        .select_related("user")
        .order_by("id")
    )
    found: dict[int, Actor] = {}
    for m in rows:
        found.setdefault(m.org_id, Actor(user=m.user))
    return found


def _load_measures(office: Actor, result: DemoPoliciesResult) -> None:
    existing = {(m.doc_number, m.title) for m in Measure.objects.all()}
    for spec in MEASURES:
        if (spec["doc_number"], spec["title"]) in existing:
            result.kept["measures"] += 1
            continue
        fields = {k: v for k, v in spec.items() if k not in ("rules", "status")}
        try:
            with transaction.atomic():
                measure = services.measure_create(by=office, **fields)
                for rule_field, operator, value in spec.get("rules", ()):
                    services.rule_add(by=office, measure=measure, field=rule_field, operator=operator, value=value)
                if spec.get("status", MeasureStatus.PUBLISHED) == MeasureStatus.PUBLISHED:
                    services.measure_set_status(
                        by=office, measure=measure, version=measure.version, status=MeasureStatus.PUBLISHED
                    )
        except (UserError, PermissionDenied) as error:
            result.warnings.append(f"{spec['title']}：{error}")
            continue
        result.created["measures"] += 1


def _load_notice(office: Actor, reporters: dict[int, Actor], result: DemoPoliciesResult) -> None:
    if Notice.objects.filter(title=NOTICE_TITLE).exists():
        result.kept["notices"] += 1
        return
    measure = Measure.objects.filter(title=NOTICE_MEASURE, status=MeasureStatus.PUBLISHED).first()
    if measure is None:
        return
    with transaction.atomic(), story_clock() as clock:
        clock.set(at(2021, 9, 1, 9, 30))
        try:
            notice = services.notice_send(by=office, measure=measure, title=NOTICE_TITLE)
        except UserError as error:
            result.warnings.append(str(error))
            return
        result.created["notices"] += 1
        recipients = list(NoticeRecipient.objects.filter(notice=notice).select_related("org").order_by("org__path"))
        for index, recipient in enumerate(recipients):
            actor = reporters.get(recipient.org_id)
            if actor is None or _draw("open", recipient.org.code) >= 55:
                continue
            clock.set(at(2021, 9, 2 + index % 20, 10, index % 60))
            services.notice_open(by=actor, recipient=recipient)
            result.created["opened"] += 1


def _answers(report, lines) -> tuple[dict, bool]:
    """What an enterprise answers for each line, and whether it submits at all."""
    code = report.org.code
    none_user = _draw("none", code) < 8
    answers = {}
    for line in lines:
        title = line.measure.title
        chance = 22 if title in UNDER_USED else 68
        used = not none_user and _draw("use", code, title) < chance
        if used:
            people = 5 + _draw("people", code, title) * 3
            answers[line.measure_id] = {
                "used": True,
                "beneficiaries": people,
                "amount": people * 800,
                "reason": "",
                "reason_text": "",
            }
        else:
            pick = _draw("why", code, title)
            if title in UNDER_USED:
                reason = (
                    NotUsedReason.UNAWARE
                    if pick < 55
                    else NotUsedReason.CUMBERSOME
                    if pick < 85
                    else NotUsedReason.OTHER
                )
            else:
                reason = (
                    NotUsedReason.NOT_QUALIFIED
                    if pick < 45
                    else NotUsedReason.CUMBERSOME
                    if pick < 75
                    else NotUsedReason.UNAWARE
                )
            text = "申报材料要求与企业实际不符" if reason == NotUsedReason.OTHER else ""
            answers[line.measure_id] = {"used": False, "reason": reason, "reason_text": text}
    return answers, _draw("submit", code) < 90


def _load_round(office: Actor, reporters: dict[int, Actor], result: DemoPoliciesResult) -> None:
    if UptakeRound.objects.filter(year=ROUND_YEAR).exists():
        result.kept["rounds"] += 1
        return
    with transaction.atomic(), story_clock() as clock:
        clock.set(at(2022, 1, 5, 9, 0))
        try:
            round_ = services.round_open(
                by=office, year=ROUND_YEAR, opens_on=dt.date(2022, 1, 5), due_on=dt.date(2022, 3, 31)
            )
        except UserError as error:
            result.warnings.append(str(error))
            return
        reports = list(round_.reports.select_related("org").order_by("org__path"))
        result.created["forms"] = len(reports)
        for index, report in enumerate(reports):
            actor = reporters.get(report.org_id)
            if actor is None:
                continue
            lines = list(report.lines.select_related("measure"))
            answers, submits = _answers(report, lines)
            late = _draw("late", report.org.code) < 12
            start, spread = (at(2022, 4, 2, 15), 8) if late else (at(2022, 1, 10, 10), 70)
            clock.set(start + dt.timedelta(days=index % spread, minutes=index % 60))
            try:
                services.uptake_save(by=actor, report=report, version=report.version, answers=answers, submit=submits)
            except (UserError, PermissionDenied) as error:
                result.warnings.append(f"{report.org.name}：{error}")
                continue
            result.created["submitted" if submits else "drafts"] += 1


def load_demo_policies(by_office_user) -> DemoPoliciesResult:
    """Load the demo library, notice and 2021 uptake (idempotent; see the module docstring)."""
    result = DemoPoliciesResult()
    office = Actor(user=by_office_user)
    _load_measures(office, result)
    reporters = _reporters()
    _load_notice(office, reporters, result)
    _load_round(office, reporters, result)
    return result
