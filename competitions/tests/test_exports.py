"""The results workbook: opened again, every entry with its result and what it brought; no ID number or phone."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from competitions.exports import results_xlsx
from competitions.models import Outcome
from competitions.tests.factories import make_competition, make_entry, make_person

pytestmark = pytest.mark.django_db


def test_results_workbook(tree):
    competition = make_competition(tree.union_a)
    person = make_person(tree.ent_a1, "王能手", id_number="", phone="13912345678")
    winner = make_entry(competition, tree.ent_a1, person=person, score=Decimal("97.5"), rank=1, award="first")
    make_entry(competition, tree.ent_a2, name='=HYPERLINK("x")', rank=2, award="second")
    Outcome.objects.create(entry=winner, kind="skill_level", previous_level="senior", skill_level="technician",
                           effective_on=dt.date(2021, 10, 1))  # fmt: skip
    Outcome.objects.create(entry=winner, kind="pay_rise", pay_amount=Decimal(300), effective_on=dt.date(2021, 10, 1))
    entries = list(competition.entries.select_related("trade", "org").prefetch_related("outcomes").order_by("rank"))
    out = io.BytesIO()
    assert results_xlsx(competition, entries, fileobj=out) == 2
    rows = list(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True))
    assert rows[1][:7] == ("变电检修工", "王能手", "昆明供电局", person.pk, 97.5, 1, "一等奖")
    assert rows[1][7] == "提高待遇：每月增加300元；晋升技能等级：高级工 → 技师"
    assert rows[2][1] == '\'=HYPERLINK("x")'  # never a formula
    assert "13912345678" not in str(rows)
