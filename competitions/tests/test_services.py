"""Services: validation in Chinese, the organiser's door, optimistic locking, the life of results, outcomes'
effects on talent.Person and talent.Honour with their audit rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import F

from competitions.choices import CompetitionStatus, OutcomeKind
from competitions.models import Competition, CompetitionEntry, Outcome
from competitions.services import competitions as svc
from competitions.services import entries as entry_svc
from competitions.services import outcomes
from competitions.tests.factories import make_competition, make_entry, make_person
from core.errors import ConflictError, UserError
from core.models import AuditEntry
from talent.choices import HonourKind, SkillLevel
from talent.models import Honour, Person

pytestmark = pytest.mark.django_db

FIELDS = {
    "kind": "skill", "level": "industry", "name": "云南电网职业技能竞赛", "starts_on": dt.date(2021, 9, 1),
    "ends_on": dt.date(2021, 9, 3), "notes": "",
}  # fmt: skip


def test_create_with_trades_and_audit(tree, organiser):
    competition = svc.competition_create(
        by=organiser, organiser=tree.union_a, trades="变电检修工、配电线路工", **FIELDS
    )
    assert competition.status == CompetitionStatus.PLANNED
    assert sorted(competition.trades.values_list("name", flat=True)) == ["变电检修工", "配电线路工"]
    row = AuditEntry.objects.get(event="competitions.competition.create", object_id=str(competition.pk))
    assert row.detail["trades"] == ["变电检修工", "配电线路工"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends_on": dt.date(2021, 8, 31)}, "结束日期不能早于开始日期。"),
        ({"name": "  "}, "请填写竞赛名称。"),
        ({"kind": "x"}, "请选择竞赛类别（劳动竞赛或技能竞赛）。"),
        ({"level": ""}, "请选择竞赛级别。"),
        ({"starts_on": None}, "请填写开始日期。"),
    ],
)
def test_create_refuses_bad_input_in_chinese(tree, organiser, change, message):
    with pytest.raises(UserError) as error:
        svc.competition_create(by=organiser, organiser=tree.union_a, trades=["钳工"], **{**FIELDS, **change})
    assert error.value.message == message
    assert not Competition.objects.exists()


def test_create_needs_a_trade(tree, organiser):
    with pytest.raises(UserError, match="请至少填写一个竞赛工种。"):
        svc.competition_create(by=organiser, organiser=tree.union_a, trades=" ", **FIELDS)


def test_outsider_cannot_organise_for_another_union(tree, outsider):
    with pytest.raises(PermissionDenied):
        svc.competition_create(by=outsider, organiser=tree.union_a, trades=["钳工"], **FIELDS)


def test_stale_version_changes_nothing(tree, organiser):
    competition = make_competition(tree.union_a, status=CompetitionStatus.PLANNED)
    stale = competition.version
    Competition.objects.filter(pk=competition.pk).update(version=F("version") + 1)
    with pytest.raises(ConflictError):
        svc.competition_update(by=organiser, competition=competition, version=stale, name="新名称")
    competition.refresh_from_db()
    assert competition.name != "新名称"
    assert not AuditEntry.objects.filter(event="competitions.competition.update").exists()


def test_trade_with_entries_cannot_be_dropped(tree, organiser):
    competition = make_competition(tree.union_a, status=CompetitionStatus.PLANNED)
    make_entry(competition, tree.ent_a1, trade="配电线路工")
    with pytest.raises(UserError, match="工种“配电线路工”已有参赛人员，不能删除。"):
        svc.competition_update(
            by=organiser, competition=competition, version=competition.version, trades=["变电检修工"]
        )


def test_entry_person_must_work_in_the_entrant_subtree(tree, organiser):
    competition = make_competition(tree.union_a)
    trade = competition.trades.first()
    elsewhere = make_person(tree.ent_a2, "王五")
    with pytest.raises(UserError, match="王五不在“昆明供电局”及其下属单位。"):
        entry_svc.entry_create(by=organiser, competition=competition, trade=trade, org=tree.ent_a1, person=elsewhere)
    inside = make_person(tree.unit_a1, "赵六")
    entry = entry_svc.entry_create(by=organiser, competition=competition, trade=trade, org=tree.ent_a1, person=inside)
    assert entry.name == "赵六"
    with pytest.raises(UserError, match="赵六已报名“变电检修工”工种。"):
        entry_svc.entry_create(by=organiser, competition=competition, trade=trade, org=tree.ent_a1, person=inside)


def _published_with_winner(tree, organiser, person=None):
    competition = make_competition(tree.union_a, status=CompetitionStatus.FINISHED, level="provincial")
    entry = make_entry(competition, tree.ent_a1, person=person, name="" if person else "钱七")
    entry_svc.result_record(by=organiser, entry=entry, version=entry.version, score="95.5", rank=1, award="first")
    competition.refresh_from_db()
    svc.results_publish(by=organiser, competition=competition, version=competition.version)
    entry.refresh_from_db()
    return entry


def test_results_lock_on_publish_and_reopen_is_audited_with_reason(tree, organiser):
    entry = _published_with_winner(tree, organiser)
    competition = entry.competition
    assert competition.status == CompetitionStatus.PUBLISHED and competition.published_on
    with pytest.raises(UserError, match="结果已公布并锁定"):
        entry_svc.result_record(by=organiser, entry=entry, version=entry.version, rank=2)
    with pytest.raises(UserError, match="请填写重新开放的原因。"):
        svc.results_reopen(by=organiser, competition=competition, version=competition.version, reason=" ")
    svc.results_reopen(by=organiser, competition=competition, version=competition.version, reason="名次录错")
    row = AuditEntry.objects.get(event="competitions.results.reopen")
    assert row.detail["reason"] == "名次录错"
    entry_svc.result_record(by=organiser, entry=entry, version=entry.version, rank=2, award="second")
    entry.refresh_from_db()
    assert (entry.rank, entry.award, entry.score) == (2, "second", None)


def test_publish_needs_results(tree, organiser):
    competition = make_competition(tree.union_a, status=CompetitionStatus.FINISHED)
    make_entry(competition, tree.ent_a1)
    with pytest.raises(UserError, match="还没有录入任何成绩"):
        svc.results_publish(by=organiser, competition=competition, version=competition.version)


@pytest.mark.parametrize(
    ("given", "message"),
    [({"score": "abc"}, "成绩应为数字，如 92.5。"), ({"score": "1001"}, "成绩应在 0 到 1000 之间。"),
     ({"rank": "0"}, "名次应在 1 到 9999 之间。"), ({"award": "gold"}, "请从列表中选择奖项。")],
)  # fmt: skip
def test_result_validation(tree, organiser, given, message):
    competition = make_competition(tree.union_a)
    entry = make_entry(competition, tree.ent_a1)
    with pytest.raises(UserError) as error:
        entry_svc.result_record(by=organiser, entry=entry, version=entry.version, **given)
    assert error.value.message == message


def test_skill_level_outcome_raises_the_person_with_audit(tree, organiser):
    person = make_person(tree.ent_a1, "孙八", skill_level=SkillLevel.SENIOR)
    entry = _published_with_winner(tree, organiser, person)
    outcome = outcomes.outcome_record(
        by=organiser, entry=entry, kind=OutcomeKind.SKILL_LEVEL, skill_level=SkillLevel.TECHNICIAN,
        effective_on=dt.date(2021, 10, 1),
    )  # fmt: skip
    person.refresh_from_db()
    assert person.skill_level == SkillLevel.TECHNICIAN and person.version == 2
    assert outcome.previous_level == SkillLevel.SENIOR
    row = AuditEntry.objects.get(event="competitions.outcome.skill_level", object_id=str(person.pk))
    assert row.before["skill_level"] == "senior" and row.after["skill_level"] == "technician"
    assert row.object_type == "talent.person"
    with pytest.raises(UserError, match="已记录过"):
        outcomes.outcome_record(by=organiser, entry=entry, kind=OutcomeKind.SKILL_LEVEL,
                                skill_level=SkillLevel.CHIEF_TECHNICIAN, effective_on=dt.date(2021, 10, 1))  # fmt: skip


def test_skill_level_must_rise(tree, organiser):
    person = make_person(tree.ent_a1, "周九", skill_level=SkillLevel.TECHNICIAN)
    entry = _published_with_winner(tree, organiser, person)
    with pytest.raises(UserError, match="周九现为“技师”，晋升后的等级应高于现有等级。"):
        outcomes.outcome_record(by=organiser, entry=entry, kind=OutcomeKind.SKILL_LEVEL,
                                skill_level=SkillLevel.SENIOR, effective_on=dt.date(2021, 10, 1))  # fmt: skip
    person.refresh_from_db()
    assert person.skill_level == SkillLevel.TECHNICIAN
    assert not Outcome.objects.exists()


def test_honour_outcome_creates_a_talent_honour(tree, organiser):
    person = make_person(tree.ent_a1, "吴十")
    entry = _published_with_winner(tree, organiser, person)
    outcome = outcomes.outcome_record(by=organiser, entry=entry, kind=OutcomeKind.HONOUR,
                                      effective_on=dt.date(2021, 9, 30))  # fmt: skip
    honour = Honour.objects.get(person=person)
    assert honour.kind == HonourKind.COMPETITION_WINNER and honour.level == "provincial"
    assert honour.awarded_on == dt.date(2021, 9, 30) and honour.title.endswith("一等奖")
    assert outcome.honour == honour
    assert AuditEntry.objects.filter(event="competitions.outcome.honour", object_id=str(honour.pk)).exists()


def test_level_and_honour_need_a_person_in_the_pool_first(tree, organiser):
    entry = _published_with_winner(tree, organiser)
    with pytest.raises(UserError, match="须先把参赛人员加入人才库"):
        outcomes.outcome_record(by=organiser, entry=entry, kind=OutcomeKind.HONOUR, effective_on=dt.date(2021, 9, 30))
    person = outcomes.entry_add_to_pool(by=organiser, entry=entry, version=entry.version, gender="female")
    assert (person.name, person.org, person.occupation) == ("钱七", tree.ent_a1, entry.trade.name)
    entry.refresh_from_db()
    assert entry.person == person
    assert AuditEntry.objects.filter(event="competitions.entry.add_to_pool", object_id=str(person.pk)).exists()
    outcomes.outcome_record(by=organiser, entry=entry, kind=OutcomeKind.HONOUR, effective_on=dt.date(2021, 9, 30))
    assert Honour.objects.filter(person=person).count() == 1


def test_pay_rise_takes_an_amount_or_a_percentage(tree, organiser):
    entry = _published_with_winner(tree, organiser)
    with pytest.raises(UserError, match="二者填一项"):
        outcomes.outcome_record(by=organiser, entry=entry, kind=OutcomeKind.PAY_RISE, effective_on=dt.date(2021, 10, 1))
    outcome = outcomes.outcome_record(by=organiser, entry=entry, kind=OutcomeKind.PAY_RISE, pay_amount="300",
                                      effective_on=dt.date(2021, 10, 1))  # fmt: skip
    assert outcome.pay_amount == Decimal(300)


def test_outcomes_wait_for_published_results(tree, organiser):
    competition = make_competition(tree.union_a, status=CompetitionStatus.FINISHED)
    entry = make_entry(competition, tree.ent_a1, award="first", rank=1)
    with pytest.raises(UserError, match="竞赛结果公布后才能记录获奖成果。"):
        outcomes.outcome_record(by=organiser, entry=entry, kind=OutcomeKind.TITLE, title="技术能手",
                                effective_on=dt.date(2021, 10, 1))  # fmt: skip


def test_outsider_cannot_touch_results(tree, organiser, outsider):
    entry = _published_with_winner(tree, organiser)
    with pytest.raises(PermissionDenied):
        outcomes.outcome_record(by=outsider, entry=entry, kind=OutcomeKind.TITLE, title="技术能手",
                                effective_on=dt.date(2021, 10, 1))  # fmt: skip
    assert not CompetitionEntry.objects.filter(outcomes__isnull=False).exists()
    assert Person.objects.count() == 0
