"""Selection rounds (评选): the office opens a round for one honour (kind, level, year, quota, nomination
window); unions nominate people of their scope with a reason; the office returns, shortlists within the
quota and approves, which creates the Honour rows (talent/workflow.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from core import audit, deadlines
from core.actor import Actor
from core.db import atomic_retrying, lock_row
from core.errors import UserError
from core.models import versioned_update
from core.workflow import transition
from orgs.choices import Action
from orgs.scoping import can, ensure_allowed, ensure_office
from talent.choices import HonourKind, HonourLevel, NominationStatus, RoundStatus
from talent.models import Honour, Nomination, Person, SelectionRound
from talent.workflow import NOMINATION_WORKFLOW, OFFICE_STEPS


def _clean_round(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("kind") not in HonourKind.values:
        raise UserError(_("请选择荣誉类别。"), field="kind")
    if data.get("level") not in HonourLevel.values:
        raise UserError(_("请选择级别。"), field="level")
    title = " ".join(str(data.get("title") or "").split())
    if not title:
        raise UserError(_("请填写称号全称。"), field="title")
    if len(title) > 200:
        raise UserError(_("称号全称不能超过 200 个字。"), field="title")
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise UserError(_("年度应为 2000 至 2100 之间的四位数字。"), field="year")
    quota = data.get("quota")
    if not isinstance(quota, int) or not 1 <= quota <= 10000:
        raise UserError(_("名额应为 1 至 10000 之间的整数。"), field="quota")
    opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
    if not isinstance(opens_on, dt.date):
        raise UserError(_("请填写推荐开始日期。"), field="opens_on")
    if not isinstance(closes_on, dt.date):
        raise UserError(_("请填写推荐截止日期。"), field="closes_on")
    if closes_on < opens_on:
        raise UserError(_("推荐截止日期不能早于开始日期。"), field="closes_on")
    return {
        "kind": data["kind"], "level": data["level"], "title": title, "year": year, "quota": quota,
        "opens_on": opens_on, "closes_on": closes_on,
        "awarded_by": " ".join(str(data.get("awarded_by") or "").split())[:100],
        "notes": str(data.get("notes") or "").strip()[:4000],
    }  # fmt: skip


@atomic_retrying
def round_create(*, by: Actor, **fields: Any) -> SelectionRound:
    ensure_office(by)
    rnd = SelectionRound.objects.create(**_clean_round(fields))
    audit.record(by, "talent.round.create", rnd)
    return rnd


@atomic_retrying
def round_close(*, by: Actor, rnd: SelectionRound) -> SelectionRound:
    """Stop taking nominations (the window may still be open): the office reviews what came in."""
    ensure_office(by)
    rnd = lock_row(SelectionRound.objects, pk=rnd.pk)
    if rnd.status != RoundStatus.OPEN:
        raise UserError(_("该评选已截止推荐。"))
    before = audit.snapshot(rnd)
    versioned_update(rnd, rnd.version, status=RoundStatus.REVIEWING)
    audit.record(by, "talent.round.close", rnd, before=before)
    return rnd


@atomic_retrying
def round_decide(*, by: Actor, rnd: SelectionRound, awarded_on: dt.date | None = None) -> list[Honour]:
    """Publish the result: every approved nomination becomes an Honour of its person (on `awarded_on`),
    every nomination still submitted or shortlisted is not selected. The round is then closed for good."""
    ensure_office(by)
    rnd = lock_row(SelectionRound.objects, pk=rnd.pk)
    if rnd.status == RoundStatus.DECIDED:
        raise UserError(_("该评选结果已公布。"))
    day = awarded_on or deadlines.today()
    if day > deadlines.today():
        raise UserError(_("授予日期不能晚于今天。"), field="awarded_on")
    approved = list(
        rnd.nominations.filter(status=NominationStatus.APPROVED, honour__isnull=True).select_related("person")
    )
    if not approved:
        raise UserError(_("还没有评选通过的人选，不能公布结果。"))
    honours = []
    for nomination in approved:
        honour, _created = Honour.objects.get_or_create(
            person=nomination.person, kind=rnd.kind, level=rnd.level, awarded_on=day,
            defaults={"title": rnd.title, "awarded_by": rnd.awarded_by, "notes": _("评选产生")},
        )  # fmt: skip
        Nomination.objects.filter(pk=nomination.pk).update(honour=honour)
        honours.append(honour)
    rnd.nominations.filter(status__in=[NominationStatus.SUBMITTED, NominationStatus.SHORTLISTED]).update(
        status=NominationStatus.NOT_SELECTED
    )
    before = audit.snapshot(rnd)
    versioned_update(rnd, rnd.version, status=RoundStatus.DECIDED)
    audit.record(by, "talent.round.decide", rnd, before=before, detail={"honours": len(honours)})
    return honours


@atomic_retrying
def nominate(*, by: Actor, rnd: SelectionRound, person: Person, reason: str, submit: bool = False) -> Nomination:
    """A union's nomination of a person of its scope (EDIT on the person's organisation), while the round
    takes nominations; `submit` sends it to the office at once."""
    ensure_allowed(by, Action.EDIT, person.org)
    rnd = lock_row(SelectionRound.objects, pk=rnd.pk)
    today = deadlines.today()
    if rnd.status != RoundStatus.OPEN or not rnd.opens_on <= today <= rnd.closes_on:
        raise UserError(
            _("“%(round)s”的推荐时间为 %(start)s 至 %(end)s，现在不能推荐。")
            % {"round": str(rnd), "start": rnd.opens_on, "end": rnd.closes_on},
            field="round",
        )
    if person.removed_on is not None:
        raise UserError(_("“%(name)s”已移出人才库，不能推荐。") % {"name": person.name}, field="person")
    text = str(reason or "").strip()
    if not text:
        raise UserError(_("请填写推荐理由。"), field="reason")
    if len(text) > 2000:
        raise UserError(_("推荐理由不能超过 2000 个字。"), field="reason")
    if Nomination.objects.filter(round=rnd, person=person).exists():
        raise UserError(_("“%(name)s”已被推荐参加本次评选。") % {"name": person.name}, field="person")
    nomination = Nomination.objects.create(round=rnd, person=person, org=person.org, reason=text)
    audit.record(by, "talent.nomination.create", nomination, detail={"person": person.pk})
    if submit:
        nomination = nomination_step(by=by, nomination=nomination, step="submit")
    return nomination


def _may(by: Actor, nomination: Nomination):
    def may(action: str) -> bool:
        if by.system_name:
            return True
        return can(by.user, action, nomination.org)

    return may


@atomic_retrying
def nomination_step(*, by: Actor, nomination: Nomination, step: str, reason: str = "") -> Nomination:
    """Take a step of the nomination's course; the office's steps only by the office, the shortlist within
    the round's quota."""
    if step not in {s.name for s in NOMINATION_WORKFLOW.steps}:
        raise UserError(_("未知的操作。"), field="step")
    if step in OFFICE_STEPS:
        ensure_office(by)
    else:
        ensure_allowed(by, Action.EDIT, nomination.org)
    rnd = lock_row(SelectionRound.objects, pk=nomination.round_id)
    nomination = lock_row(Nomination.objects.select_related("org", "person"), pk=nomination.pk)
    NOMINATION_WORKFLOW.ensure_step(status=nomination.status, step=step, status_label=nomination.get_status_display())
    if not NOMINATION_WORKFLOW.check(status=nomination.status, step=step, may=_may(by, nomination)).allowed:
        ensure_allowed(by, NOMINATION_WORKFLOW.step(step).action, nomination.org)
    text = NOMINATION_WORKFLOW.clean_reason(step, reason)
    if rnd.status == RoundStatus.DECIDED:
        raise UserError(_("该评选结果已公布，不能再变更。"))
    if step == "submit" and rnd.status != RoundStatus.OPEN:
        raise UserError(_("该评选已截止推荐，不能再提交。"))
    if step in ("shortlist", "approve"):
        taken = rnd.nominations.filter(status__in=[NominationStatus.SHORTLISTED, NominationStatus.APPROVED])
        if step == "shortlist" and taken.count() >= rnd.quota:
            raise UserError(_("入围人数已达名额（%(n)d 名）。") % {"n": rnd.quota})
    fields = {"decision_note": text[:200]} if step in OFFICE_STEPS else {}
    return transition(
        workflow=NOMINATION_WORKFLOW, item=nomination, step=step, by=by, event="talent.nomination.step",
        detail={"step": step, "reason": text}, **fields,
    )  # fmt: skip
