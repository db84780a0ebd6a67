"""The ledger's section of the evaluation report: the five key tasks' progress (ledger/evaluation.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger.choices import KeyTask, TaskStatus
from ledger.evaluation import five_tasks_section
from ledger.tests.factories import make_ledgers, make_task
from publishing import evaluation

pytestmark = pytest.mark.django_db


def test_no_tasks_no_section(tree):
    assert five_tasks_section(evaluation.Context(kind="annual", year=2021, as_of=dt.date(2022, 3, 1))) is None


def test_each_key_task_counts_its_tasks_done_open_and_overdue(tree):
    ledgers = make_ledgers(tree)
    a1, b1 = ledgers["E-A1"], ledgers[tree.ent_b1.code]
    make_task(a1, status=TaskStatus.DONE, done_on=dt.date(2021, 6, 1))
    make_task(a1, status=TaskStatus.ACTIVE, deadline=dt.date(2021, 9, 30))  # overdue at the year's end
    make_task(b1, key_task=KeyTask.SKILLS, title="技能培训", status=TaskStatus.ACTIVE)
    make_task(b1, key_task=KeyTask.SKILLS, title="已取消的", status=TaskStatus.CANCELLED)
    make_task(b1, key_task=KeyTask.THOUGHT, title="明年的", starts_on=dt.date(2022, 3, 1))  # after the period
    content = five_tasks_section(evaluation.Context(kind="annual", year=2021, as_of=dt.date(2022, 3, 1)))
    table = content.tables[0]
    rows = {row[0]: row[1:6] for row in table.rows}
    assert rows["建功立业"] == ["2", "1", "1", "1", "0"]
    assert rows["素质提升"] == ["1", "0", "1", "0", "0"]
    assert rows["思想引领"] == ["0", "0", "0", "0", "0"]
    assert [row[0] for row in table.rows] == [str(label) for _key, label in KeyTask.choices]
    assert content.paragraphs[0].startswith("截至 2021年12月31日") and "共 3 项" in content.paragraphs[0]
    line = next(p for p in content.paragraphs if p.startswith("建功立业："))
    assert line.startswith("建功立业：台账任务 2 项，已完成 1 项，未完成 1 项，其中逾期 1 项、进度滞后 0 项。")
    assert "。关键指标：" in line
    assert "竞赛参赛职工人次（平台记录） 无数据（目标 —）" in line  # the dashboard's tiles of that task
    assert not any(p.startswith("思想引领：台账任务") for p in content.paragraphs)
