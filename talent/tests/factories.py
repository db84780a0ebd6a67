"""Test data for the talent pool: people and honours on the shared small province (orgs/tests/factories.py)."""

from __future__ import annotations

import datetime as dt
import itertools

from core.idnumber import fake_id_number
from orgs.tests.factories import SYSTEM
from talent import services
from talent.choices import Gender, HonourKind, HonourLevel, SkillLevel
from talent.models import Honour, Person

_serial = itertools.count(1)


def id_number(n: int | None = None, region: str = "530102") -> str:
    return fake_id_number(region, dt.date(1985, 3, 14), next(_serial) if n is None else n)


def make_person(org, name: str = "李建华", **fields) -> Person:
    fields.setdefault("gender", Gender.MALE)
    fields.setdefault("occupation", "变电检修工")
    fields.setdefault("skill_level", SkillLevel.SENIOR)
    return services.person_create(by=SYSTEM, org=org, name=name, **fields)


def make_honour(person, *, kind=HonourKind.MODEL_WORKER, level=HonourLevel.PROVINCIAL, on=None, **fields):
    fields.setdefault("title", "云南省劳动模范")
    if on is None:
        from core import deadlines

        on = dt.date(deadlines.today().year - 1, 4, 28)
    return services.honour_add(by=SYSTEM, person=person, kind=kind, level=level, awarded_on=on, **fields)


def make_round(**fields):
    """A round of the office taking nominations from yesterday for ten days."""
    from core import deadlines
    from talent.services import rounds

    today = deadlines.today()
    fields.setdefault("kind", HonourKind.CRAFTSMAN)
    fields.setdefault("level", HonourLevel.PROVINCIAL)
    fields.setdefault("title", "云岭工匠")
    fields.setdefault("year", today.year)
    fields.setdefault("quota", 3)
    fields.setdefault("opens_on", today - dt.timedelta(days=1))
    fields.setdefault("closes_on", today + dt.timedelta(days=10))
    return rounds.round_create(by=SYSTEM, **fields)


def idor_objects(places: dict) -> dict[str, dict[str, int]]:
    """For IDOR probes (pages and API): per place a person with an ID number and phone, an honour of his and
    his nomination (submitted) in one round of the office."""
    from talent.services import rounds

    rnd = make_round(title="越权探测评选")
    found: dict[str, dict[str, int]] = {"talent_person": {}, "talent_honour": {}, "talent_nomination": {}}
    for where, org in places.items():
        person = make_person(org, f"{org.code}人员", id_number=id_number(), phone="13812345678")
        found["talent_person"][where] = person.pk
        found["talent_honour"][where] = make_honour(person).pk
        nomination = rounds.nominate(by=SYSTEM, rnd=rnd, person=person, reason="成绩突出", submit=True)
        found["talent_nomination"][where] = nomination.pk
    found["talent_round"] = dict.fromkeys(places, rnd.pk)
    return found


def fuzz_paths(tree) -> dict[str, dict[str, int]]:
    """A person of 昆明供电局 with an honour and a nomination, and the round, for the API fuzz run's paths."""
    objects = idor_objects({"own": tree.ent_a1})
    return {
        "/api/v1/talent/people/": {"id": objects["talent_person"]["own"]},
        "/api/v1/talent/honours/": {"id": objects["talent_honour"]["own"]},
        "/api/v1/talent/rounds/": {"id": objects["talent_round"]["own"]},
        "/api/v1/talent/nominations/": {"id": objects["talent_nomination"]["own"]},
    }


__all__ = ["Honour", "Person", "fuzz_paths", "id_number", "idor_objects", "make_honour", "make_person", "make_round"]
