"""Test data for the competitions: an event with trades, people of the talent pool, entries, workbooks."""

from __future__ import annotations

import datetime as dt
import io
import itertools

from openpyxl import Workbook

from competitions.choices import CompetitionKind, CompetitionLevel, CompetitionStatus
from competitions.excel import SHEET, headers
from competitions.models import Competition, CompetitionEntry, Outcome, Trade
from talent.models import Person

_seq = itertools.count(1)


def make_competition(
    organiser, *, trades=("变电检修工", "配电线路工"), status=CompetitionStatus.UNDER_WAY, **fields
) -> Competition:
    n = next(_seq)
    defaults = {
        "kind": CompetitionKind.SKILL, "level": CompetitionLevel.INDUSTRY, "name": f"测试竞赛{n}",
        "starts_on": dt.date(2021, 9, 1), "ends_on": dt.date(2021, 9, 3), "status": status,
    }  # fmt: skip
    competition = Competition.objects.create(organiser=organiser, **{**defaults, **fields})
    for name in trades:
        Trade.objects.create(competition=competition, name=name)
    return competition


def make_person(org, name: str = "", **fields) -> Person:
    return Person.objects.create(
        org=org, name=name or f"人员{next(_seq)}", gender="male", occupation="变电检修工", **fields
    )


def make_entry(competition, org, *, trade: str = "", person=None, name: str = "", **fields) -> CompetitionEntry:
    chosen = competition.trades.get(name=trade) if trade else competition.trades.first()
    return CompetitionEntry.objects.create(
        competition=competition, trade=chosen, org=org, person=person,
        name=person.name if person else (name or f"参赛{next(_seq)}"), **fields,
    )  # fmt: skip


def entries_workbook(rows, *, header=None, sheet: str = SHEET) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(header or headers())
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_temp(tmp_path, data: bytes) -> str:
    path = tmp_path / f"upload{next(_seq)}.xlsx"
    path.write_bytes(data)
    return str(path)


def api_objects(org) -> dict[str, int]:
    """One event organised by `org` with its results published, an entry of `org` and an outcome: the ids the
    API's cross-cutting tests (fuzzing, IDOR) name in paths."""
    competition = make_competition(org, status=CompetitionStatus.PUBLISHED, published_on=dt.date(2021, 9, 10))
    entry = make_entry(competition, org, rank=1, award="first", score=95)
    outcome = Outcome.objects.create(entry=entry, kind="title", title="技术能手", effective_on=dt.date(2021, 9, 10))
    return {"event": competition.pk, "entry": entry.pk, "outcome": outcome.pk}


def idor_objects(orgs: dict) -> dict[str, dict[str, object]]:
    """For the IDOR probes (core/tests/test_idor_pages.py, test_api_idor.py): per place, an event the place
    organises (under way) with one entry of its own, a winner, and an outcome of that entry."""
    found: dict[str, dict[str, object]] = {"competition": {}, "competition_entry": {}, "competition_outcome": {}}
    for where, org in orgs.items():
        competition = make_competition(org, name=f"越权探测竞赛 {org.code}")
        entry = make_entry(competition, org, name=f"选手{org.code}", rank=1, award="first")
        found["competition"][where] = competition.pk
        found["competition_entry"][where] = entry.pk
        found["competition_outcome"][where] = Outcome.objects.create(
            entry=entry, kind="title", title="技术能手", effective_on=dt.date(2021, 9, 10)
        ).pk
    return found
