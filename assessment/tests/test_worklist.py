"""The home page's to-dos and rounds in progress, from the assessment."""

import datetime as dt

from assessment import queries, services
from assessment.choices import RoundStatus
from assessment.tests.factories import make_framework
from assessment.tests.rounds import advance
from core import registry
from core.actor import Actor
from orgs.choices import Role
from orgs.tests.factories import make_user
from reporting.tests.factories import at


def open_round(tree, *, deadline=dt.date(2022, 3, 10)):
    office = tree.user(Role.OFFICE_ADMIN)
    by = Actor(user=office)
    framework = make_framework(office)
    round_ = services.round_open(by=by, framework=framework, name="2021年度考核", orgs=[tree.ent_a1, tree.ent_a2])
    round_.self_deadline = deadline
    round_.save(update_fields=["self_deadline"])
    return by, round_


def test_the_enterprise_is_asked_for_its_self_assessment_by_the_deadline(tree, wf, clock):
    clock.set(at(2022, 3, 1))
    open_round(tree)

    todos = [t for t in registry.todos_for(tree.user(Role.REPORTER)) if "考核" in t.text]

    assert [t.text for t in todos] == ["《2021年度考核》：请于 2022年3月10日 前提交昆明供电局的自评说明和佐证材料。"]
    assert todos[0].urgency == 1 and todos[0].due == dt.date(2022, 3, 10)


def test_a_submitted_self_assessment_is_no_longer_asked_for(tree, wf, clock):
    clock.set(at(2022, 3, 8))
    _by, round_ = open_round(tree)
    participant = round_.participants.get(org=tree.ent_a1)
    reporter = tree.user(Role.REPORTER)
    assert queries.assessment_todos(reporter)[0].urgency == 0  # two days left: urgent
    services.self_assessment_submit(by=Actor(user=reporter), participant=participant, note="已完成", version=1)

    assert queries.assessment_todos(reporter) == []


def test_a_union_with_many_enterprises_gets_one_line(tree, wf, clock, monkeypatch):
    clock.set(at(2022, 3, 1))
    open_round(tree)
    monkeypatch.setattr(queries, "TODOS_ITEMISED", 1)

    texts = [t.text for t in queries.assessment_todos(tree.user(Role.UNION_ADMIN))]

    assert texts == ["《2021年度考核》：2 家单位尚未提交自评。"]


def test_a_rater_is_told_how_many_ratings_wait(tree, wf, clock):
    clock.set(at(2022, 3, 1))
    by, round_ = open_round(tree)
    rater = make_user("rater_home", role=Role.DEPT_VIEWER, org=tree.dept)
    services.rater_assign(by=by, round_=round_, user=rater)
    assert queries.assessment_todos(rater) == []  # not yet rating
    advance(by, round_, RoundStatus.RATING)
    expected = sum(1 for task in queries.rater_tasks(rater, round_) if not task.own)

    (todo,) = queries.assessment_todos(rater)

    assert expected > 0
    assert todo.text == f"《2021年度考核》有 {expected} 项定性指标待您评分。"


def test_the_office_follows_the_rounds_stage_and_progress(tree, wf, clock):
    clock.set(at(2022, 3, 1))
    _by, round_ = open_round(tree)
    participant = round_.participants.get(org=tree.ent_a1)
    services.self_assessment_submit(
        by=Actor(user=tree.user(Role.REPORTER)), participant=participant, note="已完成", version=1
    )

    (progress,) = queries.assessment_rounds(tree.user(Role.OFFICE_ADMIN))

    assert (progress.title, progress.stage, progress.done, progress.expected) == ("2021年度考核", "自评", 1, 2)
    assert progress.due == dt.date(2022, 3, 10) and progress.done_label == "已提交自评"
    assert queries.assessment_rounds(tree.user(Role.UNION_ADMIN)) == []
    assert not [t for t in queries.assessment_todos(tree.user(Role.OFFICE_ADMIN)) if "自评" in t.text]
