"""Writes to people and their honours.

Editing a person is for whoever holds EDIT on the person's organisation (union admins and reporters in
their subtree, the office everywhere). Each write validates with a message naming the field, keeps the
optimistic lock (`version`), runs in one transaction and leaves one audit row, whose snapshots mask the
ID number and phone (core/audit.py).

An ID number is kept once in the pool: a second person with the same number is refused. The message
names the existing person only when the writer may see him; otherwise it says only that the number is in
the pool at another organisation (it must not reveal who, or where).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _

from core import audit, deadlines, pii
from core.actor import Actor
from core.cleaning import clean_text
from core.db import atomic_retrying, lock_row
from core.errors import UserError
from core.fields import index_lookup
from core.idnumber import normalise_id_number, validate_id_number
from core.models import versioned_update
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import can, ensure_allowed
from talent.choices import Education, Gender, HonourKind, HonourLevel, SkillLevel
from talent.models import Honour, Person

PERSON_FIELDS = (
    "name", "gender", "birth_year", "occupation", "skill_level", "education", "is_industrial_worker",
    "is_migrant_worker", "is_speaker", "id_number", "phone", "notes",
)  # fmt: skip


def _text(value: Any, limit: int, field: str, label: str, *, required: bool = False) -> str:
    return clean_text(value, field=field, label=label, limit=limit, required=required, one_line=True)


def clean_id_number(value: Any) -> str:
    """An ID number as stored ("" when not given); UserError (field "id_number") with GB 11643's reason."""
    number = normalise_id_number(str(value or ""))
    if not number:
        return ""
    try:
        validate_id_number(number)
    except ValidationError as error:
        raise UserError(error.messages[0], field="id_number") from None
    return number


def _clean(fields: dict[str, Any], current: Person | None = None) -> dict[str, Any]:
    value = {name: getattr(current, name) for name in PERSON_FIELDS} if current else {}
    value.update(fields)
    data: dict[str, Any] = {
        "name": _text(value.get("name"), 50, "name", _("姓名"), required=True),
        "occupation": _text(value.get("occupation"), 100, "occupation", _("职业（工种）"), required=True),
        "notes": str(value.get("notes") or "").strip()[:4000],
    }
    if value.get("gender") not in Gender.values:
        raise UserError(_("请选择性别。"), field="gender")
    data["gender"] = value["gender"]
    skill = value.get("skill_level") or SkillLevel.NONE
    if skill not in SkillLevel.values:
        raise UserError(_("请选择技能等级。"), field="skill_level")
    data["skill_level"] = skill
    education = value.get("education") or ""
    if education and education not in Education.values:
        raise UserError(_("请选择学历。"), field="education")
    data["education"] = education
    birth_year = value.get("birth_year")
    if birth_year in ("", None):
        birth_year = None
    else:
        try:
            birth_year = int(birth_year)
        except (TypeError, ValueError):
            raise UserError(_("出生年份应为四位数字，如 1985。"), field="birth_year") from None
        if not 1930 <= birth_year <= 2015:
            raise UserError(_("出生年份应在 1930 年至 2015 年之间。"), field="birth_year")
    data["birth_year"] = birth_year
    for flag in ("is_industrial_worker", "is_migrant_worker", "is_speaker"):
        data[flag] = bool(value.get(flag, flag == "is_industrial_worker"))
    data["id_number"] = clean_id_number(value.get("id_number"))
    data["phone"] = pii.clean_phone(str(value.get("phone") or ""))
    if len(data["phone"]) > 20:
        raise UserError(_("联系电话过长。"), field="phone")
    return data


def _ensure_new_id_number(by: Actor, number: str, *, exclude: int | None = None) -> None:
    if not number:
        return
    found = Person.objects.filter(index_lookup("id_number_index", number)).select_related("org")
    if exclude is not None:
        found = found.exclude(pk=exclude)
    existing = found.first()
    if existing is None:
        return
    if by.system_name or can(by.user, Action.VIEW, existing.org):
        raise UserError(
            _("该身份证号已在人才库中：%(name)s（%(org)s）。请打开此人的档案修改，不要重复登记。")
            % {"name": existing.name, "org": existing.org.name},
            field="id_number",
        )
    raise UserError(_("该身份证号已在人才库中（其他单位）。"), field="id_number")


def _check_org(org: Organisation) -> None:
    if org.closed_on is not None:
        raise UserError(_("“%(org)s”已撤销，不能登记人员。") % {"org": org.name}, field="org")


@atomic_retrying
def person_create(*, by: Actor, org: Organisation, **fields: Any) -> Person:
    """Add a person of `org` to the pool; refused with the reason (field named) when a value is wrong or the
    ID number is already in the pool."""
    ensure_allowed(by, Action.EDIT, org)
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise UserError(_("不能填写：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    _check_org(org)
    data = _clean(fields)
    _ensure_new_id_number(by, data["id_number"])
    person = Person.objects.create(org=org, **data)
    audit.record(by, "talent.person.create", person)
    return person


@atomic_retrying
def person_update(*, by: Actor, person: Person, version: int, org: Organisation | None = None, **fields: Any) -> Person:
    """Change a person (and, within the writer's scope, move him to another organisation); ConflictError
    when someone saved him since `version`."""
    ensure_allowed(by, Action.EDIT, person.org)
    person = lock_row(Person.objects.select_related("org"), pk=person.pk)
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise UserError(_("不能修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    if person.removed_on is not None:
        raise UserError(_("“%(name)s”已移出人才库，请先恢复再修改。") % {"name": person.name})
    data = _clean(fields, current=person)
    if org is not None and org.pk != person.org_id:
        ensure_allowed(by, Action.EDIT, org)
        _check_org(org)
        data["org"] = org
    _ensure_new_id_number(by, data["id_number"], exclude=person.pk)
    before = audit.snapshot(person)
    for name, value in data.items():
        setattr(person, name, value)
    # The blind index is computed on save(): the versioned update writes the value and its index together.
    index = Person._meta.get_field("id_number_index")
    data["id_number_index"] = index.pre_save(person, add=False)
    versioned_update(person, version, conflict_message=_("此人的档案已被他人修改，请刷新后重试。"), **data)
    audit.record(by, "talent.person.update", person, before=before)
    return person


@atomic_retrying
def person_remove(*, by: Actor, person: Person, version: int, on: dt.date | None = None, reason: str = "") -> Person:
    """Take a person out of the pool from `on` (today by default): his history stays, he no longer counts
    after that day, and the retention rule erases his ID number and phone later (talent/services/retention.py)."""
    ensure_allowed(by, Action.EDIT, person.org)
    person = lock_row(Person.objects.select_related("org"), pk=person.pk)
    if person.removed_on is not None:
        raise UserError(_("“%(name)s”已于 %(day)s 移出人才库。") % {"name": person.name, "day": person.removed_on})
    reason = _text(reason, 200, "removed_reason", _("移出原因"), required=True)
    day = on or deadlines.today()
    if day > deadlines.today():
        raise UserError(_("移出日期不能晚于今天。"), field="removed_on")
    before = audit.snapshot(person)
    versioned_update(
        person, version, conflict_message=_("此人的档案已被他人修改，请刷新后重试。"),
        removed_on=day, removed_reason=reason,
    )  # fmt: skip
    audit.record(by, "talent.person.remove", person, before=before, detail={"reason": reason})
    return person


@atomic_retrying
def person_restore(*, by: Actor, person: Person, version: int) -> Person:
    """Bring a removed person back (only while his personal data has not been erased is anything lost)."""
    ensure_allowed(by, Action.EDIT, person.org)
    person = lock_row(Person.objects.select_related("org"), pk=person.pk)
    if person.removed_on is None:
        raise UserError(_("“%(name)s”在人才库中，无需恢复。") % {"name": person.name})
    before = audit.snapshot(person)
    versioned_update(
        person, version, conflict_message=_("此人的档案已被他人修改，请刷新后重试。"),
        removed_on=None, removed_reason="",
    )  # fmt: skip
    audit.record(by, "talent.person.restore", person, before=before)
    return person


def _honour_clean(kind: Any, level: Any, title: Any, awarded_on: Any) -> dict[str, Any]:
    if kind not in HonourKind.values:
        raise UserError(_("请选择荣誉类别。"), field="kind")
    if level not in HonourLevel.values:
        raise UserError(_("请选择荣誉级别。"), field="level")
    text = _text(title, 200, "title", _("称号全称"), required=True)
    if not isinstance(awarded_on, dt.date):
        raise UserError(_("请填写授予日期。"), field="awarded_on")
    if awarded_on > deadlines.today():
        raise UserError(_("授予日期不能晚于今天。"), field="awarded_on")
    if awarded_on.year < 1950:
        raise UserError(_("授予日期不能早于 1950 年。"), field="awarded_on")
    return {"kind": kind, "level": level, "title": text, "awarded_on": awarded_on}


@atomic_retrying
def honour_add(
    *,
    by: Actor,
    person: Person,
    kind: str,
    level: str,
    title: str,
    awarded_on: dt.date,
    awarded_by: str = "",
    notes: str = "",
) -> Honour:
    """Record an honour of `person`; refused when the same honour is already recorded for that day."""
    ensure_allowed(by, Action.EDIT, person.org)
    person = lock_row(Person.objects.select_related("org"), pk=person.pk)
    honour = honour_record(
        person=person, kind=kind, level=level, title=title, awarded_on=awarded_on, awarded_by=awarded_by, notes=notes
    )
    audit.record(by, "talent.honour.add", honour, detail={"person": person.pk})
    return honour


def honour_record(
    *,
    person: Person,
    kind: str,
    level: str,
    title: str,
    awarded_on: dt.date,
    awarded_by: str = "",
    notes: str = "",
) -> Honour:
    """The honour rule (valid values, once per kind, level and day) for a caller that has checked its own right,
    locked `person` in its transaction and audits the write under its own event: honour_add (the person's
    union), a competition's organiser recording its winners (competitions/services/outcomes.py)."""
    data = _honour_clean(kind, level, title, awarded_on)
    data["awarded_by"] = _text(awarded_by, 100, "awarded_by", _("授予单位"))
    data["notes"] = _text(notes, 200, "notes", _("备注"))
    if Honour.objects.filter(person=person, kind=kind, level=level, awarded_on=awarded_on).exists():
        raise UserError(
            _("%(name)s在这一天已有同类别、同级别的荣誉，不能重复登记。") % {"name": person.name}, field="title"
        )
    try:
        honour = Honour.objects.create(person=person, **data)
    except IntegrityError:
        raise UserError(_("这项荣誉已经登记过了。"), field="title") from None
    return honour


def skill_level_raise(*, person: Person, level: str) -> str:
    """Raise `person` (locked by the caller, whose right is checked and who audits the change) to `level` on the
    eight-level ladder; refused unless it is higher than his level now. Returns the level he had."""
    ladder = list(SkillLevel.values)
    if level not in ladder or level == SkillLevel.NONE:
        raise UserError(_("请选择晋升后的技能等级。"), field="skill_level")
    if ladder.index(level) <= ladder.index(person.skill_level):
        raise UserError(
            _("%(name)s现为“%(now)s”，晋升后的等级应高于现有等级。")
            % {"name": person.name, "now": person.get_skill_level_display()},
            field="skill_level",
        )
    previous = person.skill_level
    versioned_update(person, person.version, skill_level=level)
    return previous


@atomic_retrying
def honour_remove(*, by: Actor, honour: Honour) -> None:
    """Delete a wrongly recorded honour (one a selection round awarded stays: withdraw it there)."""
    person = honour.person
    ensure_allowed(by, Action.EDIT, person.org)
    honour = lock_row(Honour.objects.select_related("person"), pk=honour.pk)
    if hasattr(honour, "nomination") and honour.nomination is not None:
        raise UserError(_("这项荣誉由评选产生，不能在此删除。"))
    before = audit.snapshot(honour)
    audit.record(by, "talent.honour.remove", honour, before=before, after=None, detail={"person": person.pk})
    honour.delete()
