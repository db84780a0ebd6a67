"""The demo loader: a published provincial skill competition with outcomes in the talent pool, a labour
competition under way, entries from several enterprises; a second load changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from competitions.choices import CompetitionStatus, OutcomeKind
from competitions.demo import LABOUR_NAME, SKILL_NAME, load_demo_competitions, summary_lines
from competitions.models import Competition, CompetitionEntry, Outcome
from core.models import AuditEntry
from orgs.demo import load_demo
from orgs.models import Organisation
from talent.models import Honour, Person


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        office = get_user_model().objects.get(username="office_admin")
        Person.objects.get_or_create(  # as if the talent pool's own demo had made one of the contestants already
            org=Organisation.objects.get(code="E001"),
            name="预先存在",
            defaults={"gender": "male", "occupation": "变电检修工"},
        )
        first = load_demo_competitions(office)
        counts = (
            Competition.objects.count(),
            CompetitionEntry.objects.count(),
            Outcome.objects.count(),
            Person.objects.count(),
        )
        audits = AuditEntry.objects.filter(event__startswith="competitions.").count()
        second = load_demo_competitions(office)
        after = (
            Competition.objects.count(),
            CompetitionEntry.objects.count(),
            Outcome.objects.count(),
            Person.objects.count(),
        )
        yield first, second, counts, after, audits
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_demo_loads_once(demo):
    first, second, counts, after, audits = demo
    assert first.warnings == [] and first.created["competitions"] == 2
    assert second.kept["competitions"] == 2 and counts == after
    assert audits > 0
    assert any("劳动和技能竞赛" in line for line in summary_lines(first))


@pytest.mark.django_db
def test_demo_story(demo):
    skill = Competition.objects.get(name=SKILL_NAME)
    labour = Competition.objects.get(name=LABOUR_NAME)
    assert skill.status == CompetitionStatus.PUBLISHED and str(skill.published_on) == "2021-09-20"
    assert labour.status == CompetitionStatus.UNDER_WAY
    assert skill.trades.count() == 4
    assert CompetitionEntry.objects.filter(competition=skill).values("org").distinct().count() == 4
    assert CompetitionEntry.objects.filter(competition=skill, person__isnull=False).count() >= 8
    assert Outcome.objects.filter(kind=OutcomeKind.HONOUR).count() == 8
    assert Honour.objects.filter(kind="competition_winner").count() == 8
    assert Outcome.objects.filter(kind=OutcomeKind.TITLE, title="云南省技术能手").count() == 4
