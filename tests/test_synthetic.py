"""bench/synthetic.py: a small synthetic province is deterministic by seed and passes every validation rule."""

from __future__ import annotations

import pytest
from django.db import transaction

from bench.synthetic import build
from orgs.choices import OrgKind
from orgs.models import Organisation
from reporting import queries
from reporting.choices import ReportStatus
from reporting.models import DataValue, Report
from reporting.tests.factories import load_workforce
from reporting.values import clean_value


def _build_and_read(seed: int, *, check=None) -> list[tuple]:
    """Build a 50-subsidiary province, read back every value, run `check`, then roll it all back."""
    with transaction.atomic():
        summary = build(seed=seed, subsidiaries=50, years=(2020, 2021))
        rows = sorted(
            DataValue.objects.values_list(
                "report__org__code", "report__period__code", "element__code", "option_combo__key", "value"
            )
        )
        assert summary.values == len(rows)
        if check is not None:
            check(summary)
        transaction.set_rollback(True)
    return rows


@pytest.mark.django_db
def test_same_seed_same_province_other_seed_other_values():
    load_workforce()
    first = _build_and_read(1)
    assert first == _build_and_read(1)
    other = _build_and_read(2)
    assert other != first


@pytest.mark.django_db
def test_small_province_has_the_shape_and_passes_validation():
    load_workforce()

    def check(summary):
        assert summary.subsidiaries == 50
        assert Organisation.objects.filter(kind=OrgKind.PREFECTURE).count() == 16
        assert Organisation.objects.filter(kind=OrgKind.UNION).count() == 35
        assert summary.periods == [
            "2020",
            "2020Q1",
            "2020Q2",
            "2020Q3",
            "2020Q4",
            "2021",
            "2021Q1",
            "2021Q2",
            "2021Q3",
            "2021Q4",
        ]
        reports = list(Report.objects.select_related("dataset_version", "org"))
        assert len(reports) == summary.reporting_orgs * 10 == summary.reports
        assert {r.status for r in reports} == {ReportStatus.ACCEPTED}
        for report in reports:
            completeness = queries.report_completeness(report)
            assert completeness.missing == [], report
            assert completeness.errors == [], report
            assert completeness.warnings == [], report
        # Stored exactly as the services would store what was typed.
        for value in DataValue.objects.select_related("element")[:3000]:
            cleaned = clean_value(value.value, value.element.value_type)
            assert (cleaned.text, cleaned.number) == (value.value, value.number)
        # Every organisation sits under its parent's path, with one open parent link.
        for org in Organisation.objects.filter(depth__gt=1):
            assert org.links.filter(valid_to__isnull=True).count() == 1
            assert org.links.get().parent.path == org.path[:-4]

    _build_and_read(7, check=check)


@pytest.mark.django_db
def test_refuses_a_database_that_has_organisations(tree):
    load_workforce()
    with pytest.raises(RuntimeError):
        build(seed=1, subsidiaries=5)
