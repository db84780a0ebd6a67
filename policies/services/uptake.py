"""The yearly uptake (政策落实情况): the office opens a round for a year with a deadline; every organisation eligible
for at least one measure in force that year gets a form with a line per such measure; it answers each line
(享受了: 人次 and 元; 未享受: why) and submits. A submitted form may be corrected and submitted again; each save
checks the form's version (409 if someone saved meanwhile) and is audited with the lines before and after."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.actor import Actor
from core.db import atomic_retrying, lock_row
from core.errors import UserError
from core.models import versioned_update
from orgs.choices import Action
from orgs.scoping import ensure_allowed
from policies import eligibility
from policies.choices import MeasureStatus, NotUsedReason, UptakeStatus
from policies.models import Measure, UptakeLine, UptakeReport, UptakeRound
from policies.services.measures import ensure_librarian

MAX_AMOUNT = Decimal("1000000000000")
MAX_PEOPLE = 10_000_000
_AMOUNT = re.compile(r"^[0-9]{1,13}(\.[0-9]{1,2})?$")  # plain digits: no 1e3, NaN, 1_000, full-width


@atomic_retrying
def round_open(
    *, by: Actor, year: int, due_on: dt.date, opens_on: dt.date | None = None, title: str = ""
) -> UptakeRound:
    """Ask the eligible organisations for `year`'s uptake by `due_on`: one form each, a line per eligible measure.

    Eligibility is taken as the round opens (measures published and in force at some day of the year; figures of
    the latest year with accepted reports), so the forms and the rates do not move when rules change later.
    """
    ensure_librarian(by)
    if not isinstance(year, int) or not 2018 <= year <= 2100:
        raise UserError(_("请填写有效的年度。"), field="year")
    if UptakeRound.objects.filter(year=year).exists():
        raise UserError(_("%(year)d年度的政策落实填报已经发起。") % {"year": year}, field="year")
    opens_on = opens_on or timezone.localdate()
    if not isinstance(due_on, dt.date):
        raise UserError(_("请填写截止日期。"), field="due_on")
    if due_on < opens_on:
        raise UserError(_("截止日期不能早于开始填报日期。"), field="due_on")
    title = (title or "").strip() or _("%(year)d年度政策落实情况") % {"year": year}
    measures = [
        m
        for m in Measure.objects.filter(status=MeasureStatus.PUBLISHED).prefetch_related("rules")
        if m.valid_in_year(year)
    ]
    if not measures:
        raise UserError(_("%(year)d年度没有已发布且有效的政策。") % {"year": year}, field="year")
    orgs = eligibility.population()
    found = eligibility.verdicts(measures, orgs)
    round_ = UptakeRound.objects.create(
        year=year, title=title[:200], opens_on=opens_on, due_on=due_on, opened_by=by.user
    )
    lines = []
    for org in orgs:
        mine = [m for m in measures if found[(m.pk, org.pk)].eligible]
        if not mine:
            continue
        report = UptakeReport.objects.create(round=round_, org=org)
        lines.extend(UptakeLine(report=report, measure=m) for m in mine)
    UptakeLine.objects.bulk_create(lines)
    audit.record(by, "policies.round.open", round_, detail={"forms": round_.reports.count(), "lines": len(lines)})
    return round_


def _label(measure: Measure) -> str:
    return _("“%(title)s”") % {"title": measure.title}


def _clean_line(line: UptakeLine, answer: Mapping[str, Any], *, complete: bool) -> dict[str, Any]:
    """One line's answer checked; UserError naming the measure and the field."""
    name = _label(line.measure)
    used = answer.get("used")
    if isinstance(used, str):
        used = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False, "": None}.get(
            used.strip().lower(), "bad"
        )
    if used == "bad":
        raise UserError(_("%(m)s：请选择“享受了”或“未享受”。") % {"m": name}, field="used")
    if used is None:
        if complete:
            raise UserError(_("%(m)s：请选择“享受了”或“未享受”后再提交。") % {"m": name}, field="used")
        return {"used": None, "beneficiaries": None, "amount": None, "reason": "", "reason_text": ""}
    if used:
        people = answer.get("beneficiaries")
        amount = answer.get("amount")
        people = None if people in (None, "") else str(people).strip()
        amount = None if amount in (None, "") else str(amount).strip().replace(",", "")
        if people is not None:
            if not people.isascii() or not people.isdigit() or int(people) > MAX_PEOPLE:
                raise UserError(
                    _("%(m)s：受益人次应为不超过一千万的非负整数，“%(v)s”不是。") % {"m": name, "v": people},
                    field="beneficiaries",
                )
            people = int(people)
        if amount is not None:
            value = Decimal(amount) if _AMOUNT.match(amount) else None
            if value is None or value >= MAX_AMOUNT:
                raise UserError(
                    _("%(m)s：金额应为不小于 0 的数字（元），“%(v)s”不是。") % {"m": name, "v": amount}, field="amount"
                )
            amount = value.quantize(Decimal("0.01"))
        if complete and people is None and amount is None:
            raise UserError(_("%(m)s：享受了政策的，请填写受益人次或金额。") % {"m": name}, field="beneficiaries")
        return {"used": True, "beneficiaries": people, "amount": amount, "reason": "", "reason_text": ""}
    reason = (answer.get("reason") or "").strip()
    text = (answer.get("reason_text") or "").strip()
    if reason and reason not in NotUsedReason.values:
        raise UserError(_("%(m)s：未享受原因无效。") % {"m": name}, field="reason")
    if complete and not reason:
        raise UserError(_("%(m)s：请选择未享受的原因。") % {"m": name}, field="reason")
    if reason == NotUsedReason.OTHER and complete and not text:
        raise UserError(_("%(m)s：原因选“其他”的，请说明。") % {"m": name}, field="reason_text")
    if len(text) > 500:
        raise UserError(_("%(m)s：原因说明不能超过 500 个字。") % {"m": name}, field="reason_text")
    return {"used": False, "beneficiaries": None, "amount": None, "reason": reason, "reason_text": text}


def _snapshot(report: UptakeReport) -> dict[str, Any]:
    return {
        "status": report.status,
        "lines": {
            str(line.measure_id): [line.used, line.beneficiaries, str(line.amount) if line.amount is not None else None,
                                   line.reason, line.reason_text]
            for line in report.lines.order_by("measure_id")
        },
    }  # fmt: skip


@atomic_retrying
def uptake_save(
    *, by: Actor, report: UptakeReport, version: int, answers: Mapping[int, Mapping[str, Any]], submit: bool = False
) -> UptakeReport:
    """Save the form's answers (a draft), or submit it (every line answered). `answers` maps measure ids to
    {used, beneficiaries, amount, reason, reason_text}; a measure not on the form is refused."""
    ensure_allowed(by, Action.EDIT, report.org)
    report = lock_row(UptakeReport.objects.select_related("round", "org"), pk=report.pk)
    lines = {line.measure_id: line for line in report.lines.select_related("measure")}
    unknown = [key for key in answers if key not in lines]
    if unknown:
        raise UserError(_("填报内容包含不在本表中的政策。"), field="answers")
    complete = submit or report.status == UptakeStatus.SUBMITTED  # a submitted form stays complete
    cleaned = {}
    for measure_id, line in lines.items():
        answer = answers.get(measure_id)
        if answer is None:
            answer = {"used": line.used, "beneficiaries": line.beneficiaries, "amount": line.amount,
                      "reason": line.reason, "reason_text": line.reason_text}  # fmt: skip
        cleaned[measure_id] = _clean_line(line, answer, complete=complete)
    before = _snapshot(report)
    changes: dict[str, Any] = {}
    now = timezone.now()
    if submit:
        changes = {"status": UptakeStatus.SUBMITTED, "submitted_at": now, "submitted_by": by.user}
        if report.first_submitted_at is None:
            changes["first_submitted_at"] = now
    versioned_update(report, version, conflict_message=_("该情况表已被他人修改，请刷新后重试。"), **changes)
    for measure_id, values in cleaned.items():
        UptakeLine.objects.filter(pk=lines[measure_id].pk).update(**values)
    if submit:
        audit.record(by, "policies.uptake.submit", report, before=before, after=_snapshot(report))
    else:
        audit.record(by, "policies.uptake.save", report, before=before, after=_snapshot(report))
    return report
