"""The demo province's talent pool (talent/demo/): about forty people with valid-format ID numbers and honours
in the demo enterprises, some speakers, one removed; a round taking nominations; a second load creates nothing.
The demo tree and accounts are loaded once for the module (without the sample reports), inside a transaction
rolled back at the end."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from core.audit import verify_chain
from core.idnumber import validate_id_number
from orgs.demo import load_demo
from talent.choices import NominationStatus, RoundStatus
from talent.demo import ROUND_TITLE, load_demo_talent, summary_lines
from talent.models import Honour, Nomination, Person, SelectionRound


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        office = get_user_model().objects.get(username="office_admin")
        first = load_demo_talent(office)
        counts = (Person.objects.count(), Honour.objects.count(), Nomination.objects.count())
        second = load_demo_talent(office)
        yield first, second, counts
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_people_honours_and_a_round(demo):
    first, _second, (people, honours, nominations) = demo
    assert first.warnings == []
    assert 35 <= people <= 45 and honours >= people
    for number in Person.objects.exclude(id_number="").values_list("id_number", flat=True):
        validate_id_number(number)
    assert Person.objects.filter(is_speaker=True).count() >= 5
    assert Person.objects.filter(removed_on__isnull=False).count() == 1
    assert Person.objects.values("org").distinct().count() >= 8
    assert {"全国劳动模范", "云南省五一劳动奖章", "云岭工匠"} <= set(Honour.objects.values_list("title", flat=True))
    rnd = SelectionRound.objects.get(title=ROUND_TITLE)
    assert rnd.status == RoundStatus.OPEN
    statuses = set(Nomination.objects.values_list("status", flat=True))
    assert {NominationStatus.SUBMITTED, NominationStatus.SHORTLISTED, NominationStatus.RETURNED} <= statuses
    assert nominations >= 4 and summary_lines(first)[0].startswith("  人才库")


@pytest.mark.django_db
def test_a_second_load_creates_nothing(demo):
    _first, second, counts = demo
    assert second.created == {} and second.kept["people"] == counts[0]
    assert (Person.objects.count(), Honour.objects.count(), Nomination.objects.count()) == counts
    assert verify_chain() == []
