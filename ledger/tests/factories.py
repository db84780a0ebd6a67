"""Test data for the ledger: ledgers on the shared small province, tasks with targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ledger.choices import KeyTask, TargetKind
from ledger.models import Ledger, ReformSettings, Task

START = dt.date(2018, 1, 1)


def make_ledgers(tree, *, listed_on: dt.date = START) -> dict[str, Ledger]:
    """A ledger for each union and enterprise of the small province, keyed by organisation code."""
    ReformSettings.current()
    orgs = [tree.union_a, tree.ent_a1, tree.ent_a2, tree.union_b, tree.ent_b1]
    return {org.code: Ledger.objects.create(org=org, listed_on=listed_on) for org in orgs}


def make_task(ledger: Ledger, **fields) -> Task:
    """A quantified task (a counted result: 10 new studios) unless `fields` say otherwise."""
    fields.setdefault("key_task", KeyTask.CONTRIBUTION)
    fields.setdefault("title", "新建职工创新工作室")
    fields.setdefault("owner_name", "张三")
    fields.setdefault("starts_on", dt.date(2021, 1, 1))
    fields.setdefault("deadline", dt.date(2022, 12, 31))
    fields.setdefault("target_kind", TargetKind.RESULT)
    if fields["target_kind"] == TargetKind.RESULT:
        fields.setdefault("result_text", "新建职工创新工作室")
        fields.setdefault("result_unit", "个")
        fields.setdefault("target_value", Decimal(10))
    return Task.objects.create(ledger=ledger, **fields)
