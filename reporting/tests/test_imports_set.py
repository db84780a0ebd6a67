"""services.values_import writes an import as sets: the statements it sends do not grow with the number of reports,
and what it leaves is what web entry (report_open, then values_save) leaves for the same values."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import audit
from core.models import AuditEntry
from orgs.tests.factories import make_org
from reporting import services
from reporting.models import DataValue, Report
from reporting.periods import period_from_code
from reporting.services.imports import ImportFailed, ImportItem, values_import
from reporting.tests.factories import SYSTEM, valid_values_y

WORKERS = ("WF_WORKERS", "")
STUDIO_VALUE = ("WF_STUDIO_VALUE", "")


@pytest.fixture
def year():
    return period_from_code("2021")


@pytest.fixture
def many(tree, wf):
    """Twelve more enterprises of union A, each due to report WF_Y."""
    return [make_org(tree.union_a, f"企业{n}") for n in range(12)]


def _import(wf, year, orgs, values, versions=None):
    items = [ImportItem(org=o, values=values, version=(versions or {}).get(o.pk)) for o in orgs]
    return values_import(by=SYSTEM, dataset=wf[0], period=year, items=items, dataset_version_number=1)


def _stored(org) -> dict:
    return {
        (v.element.code, v.option_combo.key): (v.value, v.number, v.changed_in, v.updated_by_id)
        for v in DataValue.objects.filter(report__org=org).select_related("element", "option_combo")
    }


def _events(org) -> list[tuple[str, dict | None]]:
    report = Report.objects.get(org=org)
    rows = AuditEntry.objects.filter(object_type="reporting.report", object_id=str(report.pk)).order_by("id")
    return [(e.event, e.detail) for e in rows]


def test_the_statements_of_an_import_do_not_grow_with_its_reports(wf, year, many):
    values = valid_values_y()
    with CaptureQueriesContext(connection) as two:
        _import(wf, year, many[:2], values)
    with CaptureQueriesContext(connection) as ten:
        _import(wf, year, many[2:], values)
    assert len(ten.captured_queries) == len(two.captured_queries)
    assert len(ten.captured_queries) <= 30  # checks read once, reports, values and audit rows each in one set

    # Changing the stored values of existing reports: the same, with their versions checked.
    changed = {WORKERS: "2000", STUDIO_VALUE: "12.5"}
    with CaptureQueriesContext(connection) as again_two:
        _import(wf, year, many[:2], changed, {o.pk: 2 for o in many[:2]})
    with CaptureQueriesContext(connection) as again_ten:
        _import(wf, year, many[2:], changed, {o.pk: 2 for o in many[2:]})
    assert len(again_ten.captured_queries) == len(again_two.captured_queries)
    assert {r.version for r in Report.objects.filter(org__in=many)} == {3}


def test_an_import_leaves_what_web_entry_leaves(tree, wf, year, many):
    imported, typed = many[0], many[1]
    values = valid_values_y()
    _import(wf, year, [imported], values)
    report = services.report_open(by=SYSTEM, org=typed, dataset=wf[0], period=year)
    services.values_save(by=SYSTEM, report=report, version=report.version, values=values)
    assert _stored(imported) == _stored(typed) and len(_stored(imported)) == len(values)
    assert Report.objects.get(org=imported).version == Report.objects.get(org=typed).version == 2
    assert _events(imported) == _events(typed)
    assert [event for event, _ in _events(imported)] == ["reporting.report.open", "reporting.values.save"]

    # A second import changing two cells and clearing none: only those move, to the new version, with before/after.
    result = _import(wf, year, [imported], {**values, WORKERS: "2000", STUDIO_VALUE: "12.5"}, {imported.pk: 2})
    assert result[0].changed == sorted([WORKERS, STUDIO_VALUE])
    stored = _stored(imported)
    assert stored[WORKERS] == ("2000", Decimal("2000"), 3, None)
    assert stored[STUDIO_VALUE][:3] == ("12.5", Decimal("12.5"), 3)
    assert {key: row[2] for key, row in stored.items() if key not in (WORKERS, STUDIO_VALUE)} == {
        key: 2 for key in values if key not in (WORKERS, STUDIO_VALUE)
    }
    last = _events(imported)[-1]
    assert last[0] == "reporting.values.save"
    assert last[1]["version"] == 3
    assert last[1]["changes"] == {
        "WF_WORKERS[]": [values[WORKERS], "2000"],
        "WF_STUDIO_VALUE[]": [values[STUDIO_VALUE], "12.5"],
    }
    assert audit.verify().intact


def test_a_stale_version_fails_that_report_as_a_conflict_and_writes_nothing(wf, year, many):
    _import(wf, year, many[:3], {WORKERS: "1000"})
    before = {o.pk: _stored(o) for o in many[:4]}
    audit_rows = AuditEntry.objects.count()
    with pytest.raises(ImportFailed) as failure:
        # many[1] was read at version 1, before the first import; many[3] has no report yet and is opened.
        _import(wf, year, many[:4], {WORKERS: "3000"}, {many[0].pk: 2, many[1].pk: 1, many[2].pk: 2})
    assert failure.value.status_code == 409
    assert [(f.org.pk, f.conflict) for f in failure.value.failures] == [(many[1].pk, True)]
    assert "第 1 版" in failure.value.failures[0].message and "第 2 版" in failure.value.failures[0].message
    assert {o.pk: _stored(o) for o in many[:4]} == before
    assert not Report.objects.filter(org=many[3]).exists()
    assert AuditEntry.objects.count() == audit_rows


def test_every_refused_item_is_listed_and_nothing_is_written(tree, wf, year, many):
    with pytest.raises(ImportFailed) as failure:
        _import(wf, year, many[:3], {WORKERS: "一千"})
    assert [f.org.pk for f in failure.value.failures] == [o.pk for o in many[:3]]
    assert all(f.problems and f.problems[0].element_code == "WF_WORKERS" for f in failure.value.failures)
    assert not Report.objects.filter(org__in=many).exists()
