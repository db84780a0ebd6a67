"""The talent pool as .xlsx: one row per person, ID number and phone masked unless a full export was
granted (PII_VIEW, with a reason; the view audits it with the row count)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from django.utils.translation import gettext as _

from core import pii
from core.exports import write_xlsx
from talent.models import Person

MAX_ROWS = 5000


def headers() -> list[str]:
    return [
        _("姓名"), _("性别"), _("出生年份"), _("所在单位"), _("职业（工种）"), _("技能等级"), _("学历"),
        _("产业工人"), _("农民工"), _("宣讲人"), _("身份证号"), _("联系电话"), _("荣誉"), _("移出日期"),
    ]  # fmt: skip


def _yes(value: bool) -> str:
    return _("是") if value else _("否")


def person_row(person: Person, *, full: bool) -> list:
    honours = "；".join(f"{h.title}（{h.awarded_on:%Y}）" for h in person.honours.all())
    if full:
        id_number, phone = person.id_number or "", person.phone or ""
    else:
        id_number = pii.shown(person, "id_number") if person.id_number else ""
        phone = pii.shown(person, "phone") if person.phone else ""
    return [
        person.name, person.get_gender_display(), person.birth_year or "", person.org.name, person.occupation,
        person.get_skill_level_display(), person.get_education_display() if person.education else "",
        _yes(person.is_industrial_worker), _yes(person.is_migrant_worker), _yes(person.is_speaker),
        id_number, phone, honours, f"{person.removed_on:%Y-%m-%d}" if person.removed_on else "",
    ]  # fmt: skip


def people_xlsx(people: Iterable[Person], *, full: bool, note: str, fileobj: IO[bytes]) -> int:
    """Write the people to `fileobj`; the number of people written (the note row is not counted)."""
    count = 0

    def rows():
        nonlocal count
        yield [note] + [""] * (len(headers()) - 1)
        for person in people:
            count += 1
            yield person_row(person, full=full)

    write_xlsx(fileobj, sheet_title=_("人才库"), headers=headers(), rows=rows())
    return count
