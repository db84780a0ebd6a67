"""What a result brought: a skill level (applied to the person in the talent pool), a title, an honour (a
talent.Honour), a pay rise; and a participant not yet in the pool added to it from his or her entry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from competitions.choices import HONOUR_LEVEL_OF, CompetitionStatus, OutcomeKind
from competitions.models import CompetitionEntry, Outcome
from competitions.services.common import clean_text, ensure_organiser
from core import audit
from core.actor import Actor
from core.cleaning import clean_date
from core.db import atomic_retrying, lock_row
from core.errors import UserError
from orgs.choices import Action
from orgs.scoping import ensure_allowed
from talent.choices import Gender, HonourKind
from talent.models import Person
from talent.services import honour_record, skill_level_raise


def _amount(value: Any, *, field: str, label: str, top: Decimal) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise UserError(_("%(label)s应为数字。") % {"label": label}, field=field) from None
    if not number.is_finite() or not Decimal(0) < number <= top:
        raise UserError(_("%(label)s应大于 0 且不超过 %(top)s。") % {"label": label, "top": top}, field=field)
    if number != number.quantize(Decimal("0.01")):
        raise UserError(_("%(label)s最多保留两位小数。") % {"label": label}, field=field)
    return number


def _locked_person(entry: CompetitionEntry, by: Actor, what: str) -> Person:
    if entry.person_id is None:
        raise UserError(_("%(what)s须先把参赛人员加入人才库。") % {"what": what}, field="kind")
    ensure_allowed(by, Action.EDIT, entry.person.org)
    return lock_row(Person.objects, pk=entry.person_id)


@atomic_retrying
def outcome_record(
    *,
    by: Actor,
    entry: CompetitionEntry,
    kind: str,
    effective_on: Any,
    skill_level: str = "",
    title: str = "",
    pay_amount: Any = None,
    pay_percent: Any = None,
    notes: str = "",
) -> Outcome:
    """Record what a published result brought, once per kind; a skill level raises the person's level and an
    honour adds a talent.Honour, each with its audit row, in the same transaction."""  # fmt: skip
    competition = entry.competition
    ensure_organiser(by, competition)
    entry = lock_row(CompetitionEntry.objects, pk=entry.pk)
    if competition.status != CompetitionStatus.PUBLISHED:
        raise UserError(_("竞赛结果公布后才能记录获奖成果。"))
    if not entry.award and entry.rank is None:
        raise UserError(_("该参赛人员没有名次或奖项，不能记录获奖成果。"))
    if kind not in OutcomeKind.values:
        raise UserError(_("请选择成果类别。"), field="kind")
    if Outcome.objects.filter(entry=entry, kind=kind).exists():
        raise UserError(_("该参赛人员已记录过“%(kind)s”。") % {"kind": OutcomeKind(kind).label}, field="kind")
    effective_on = clean_date(effective_on, field="effective_on", label=_("生效日期"), future=True)
    if effective_on < competition.starts_on:
        raise UserError(_("生效日期不能早于竞赛开始日期。"), field="effective_on")
    outcome = Outcome(entry=entry, kind=kind, effective_on=effective_on)
    outcome.notes = clean_text(notes, field="notes", label=_("备注"), limit=200)
    # The talent pool's own rules (a higher level on the ladder; an honour once per kind, level and day) apply;
    # the right checked here is the organiser's, not the person's union's.
    if kind == OutcomeKind.SKILL_LEVEL:
        person = _locked_person(entry, by, _("晋升技能等级"))
        before = audit.snapshot(person, ["skill_level", "version"])
        outcome.previous_level = skill_level_raise(person=person, level=skill_level)
        outcome.skill_level = skill_level
        audit.record(
            by, "competitions.outcome.skill_level", person, before=before,
            after=audit.snapshot(person, ["skill_level", "version"]), detail={"entry": entry.pk},
        )  # fmt: skip
    elif kind == OutcomeKind.TITLE:
        outcome.title = clean_text(title, field="title", label=_("称号"), required=True, limit=100)
    elif kind == OutcomeKind.HONOUR:
        person = _locked_person(entry, by, _("记入荣誉"))
        award = entry.get_award_display() or _("第%(rank)d名") % {"rank": entry.rank}
        text = clean_text(title, field="title", label=_("荣誉名称"), limit=100) or f"{competition.name}{award}"
        honour = honour_record(
            person=person, kind=HonourKind.COMPETITION_WINNER, level=HONOUR_LEVEL_OF[competition.level],
            title=text[:200], awarded_on=effective_on, awarded_by=competition.organiser.name[:100],
            notes=_("%(trade)s工种") % {"trade": entry.trade.name},
        )  # fmt: skip
        audit.record(by, "competitions.outcome.honour", honour, detail={"entry": entry.pk, "person": person.pk})
        outcome.honour, outcome.title = honour, text[:100]
    else:
        outcome.pay_amount = _amount(pay_amount, field="pay_amount", label=_("每月增加金额"), top=Decimal(100000))
        outcome.pay_percent = _amount(pay_percent, field="pay_percent", label=_("增加比例"), top=Decimal(100))
        if (outcome.pay_amount is None) == (outcome.pay_percent is None):
            raise UserError(_("请填写每月增加金额（元）或增加比例（%），二者填一项。"), field="pay_amount")
    outcome.save()
    audit.record(by, "competitions.outcome.record", outcome)
    return outcome


@atomic_retrying
def entry_add_to_pool(*, by: Actor, entry: CompetitionEntry, version: int, gender: str) -> Person:
    """Add a participant who is not in the talent pool to it (name, entrant organisation, trade as occupation)
    and link the entry to the new person."""
    ensure_organiser(by, entry.competition)
    ensure_allowed(by, Action.EDIT, entry.org)
    entry = lock_row(CompetitionEntry.objects, pk=entry.pk)
    if entry.version != version:
        from core.errors import ConflictError

        raise ConflictError(_("该参赛记录已被他人修改，请刷新后重试。"))
    if entry.person_id is not None:
        raise UserError(_("该参赛人员已在人才库中。"))
    if gender not in Gender.values:
        raise UserError(_("请选择性别。"), field="gender")
    person = Person.objects.create(org=entry.org, name=entry.name, gender=gender, occupation=entry.trade.name)
    audit.record(by, "competitions.entry.add_to_pool", person, detail={"entry": entry.pk})
    entry.person = person
    entry.version += 1
    entry.save(update_fields=["person", "version", "updated_at"])
    return person


def outcome_date_default(entry: CompetitionEntry) -> dt.date:
    """The day an outcome takes effect unless said otherwise: the day the results were published."""
    return entry.competition.published_on or entry.competition.ends_on
