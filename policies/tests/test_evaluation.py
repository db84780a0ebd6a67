"""The evaluation report's 政策落实 section names the under-used measures from the year's uptake round."""

import datetime as dt

import pytest

from core.actor import Actor
from orgs.choices import Role
from policies import services
from policies.tests.factories import open_round
from publishing import evaluation

pytestmark = pytest.mark.django_db


def _section(year: int, kind: str = "annual"):
    snapshot = evaluation.build_snapshot(kind=kind, year=year, as_of=dt.date(2022, 4, 1))
    return next((s for s in snapshot["sections"] if s["key"] == "policies"), None)


def test_the_section_names_the_under_used_measures_and_their_rates(world):
    tree, m = world
    assert _section(2021) is None  # no round yet: the section is left out
    round_ = open_round(tree)
    a1 = round_.reports.get(org=tree.ent_a1)
    used = {"used": True, "beneficiaries": "12", "amount": "9600.50"}
    answers = {line.measure_id: used for line in a1.lines.all()}
    answers[m["kunming"].pk] = {"used": False, "reason": "unaware"}
    services.uptake_save(
        by=Actor(user=tree.user(Role.REPORTER, tree.ent_a1)), report=a1, version=1, submit=True, answers=answers
    )
    a2 = round_.reports.get(org=tree.ent_a2)
    services.uptake_save(
        by=Actor(user=tree.user(Role.REPORTER, tree.ent_a2)), report=a2, version=1, submit=True,
        answers={m["everyone"].pk: {"used": False, "reason": "cumbersome"}},
    )  # fmt: skip

    section = _section(2021)

    text = " ".join(section["paragraphs"])
    assert "2 家单位报送了政策享受情况（应报 3 家）" in text
    assert "3 项政策中，1 项的使用率低于 50%" in text and "1 家企业没有享受" in text
    assert "使用不足的政策：昆明市技能人才住房保障（0.00%）" in text
    rows = {row[0]: row for row in section["tables"][0]["rows"]}
    assert rows["技能人才薪酬分配指引"][1:5] == ["3", "2", "1", "50.00%"]
    assert rows["大型企业职业技能培训补贴"][4] == "100.00%"
    assert _section(2020) is None  # a round of a later year is not this year's
