"""Test data for analytics: accepted reports with chosen figures, written directly (fast) or through
the real workflow, and the users who read them."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from analytics import aggregates
from orgs.choices import Role
from reporting.choices import ReportStatus
from reporting.models import CategoryOptionCombo, DataElement, DataValue, Report
from reporting.periods import period_from_code


def office(tree):
    return tree.user(Role.OFFICE_ADMIN, tree.office)


def cells(*, nonmigrant: int = 600, migrant: int = 400, certified: int = 300, college: int = 200, **extra) -> dict:
    """(element, option key) → number for one report: the workforce split, certificates, education."""
    senior = certified // 3
    values = {
        ("WF_WORKERS", ""): nonmigrant + migrant,
        ("WF_WORKERS_GROUP", "NONMIGRANT.MALE"): nonmigrant - nonmigrant // 2,
        ("WF_WORKERS_GROUP", "NONMIGRANT.FEMALE"): nonmigrant // 2,
        ("WF_WORKERS_GROUP", "MIGRANT.MALE"): migrant - migrant // 2,
        ("WF_WORKERS_GROUP", "MIGRANT.FEMALE"): migrant // 2,
        ("WF_CERTIFIED", ""): certified,
        ("WF_CERT_BY_LEVEL", "SENIOR"): senior,
        ("WF_CERT_BY_LEVEL", "JUNIOR"): certified - senior,
        ("WF_EDU_BY_LEVEL", "COLLEGE"): college,
        ("WF_EDU_BY_LEVEL", "SECONDARY"): nonmigrant - college,
    }
    for code, number in extra.items():
        values[(f"WF_{code.upper()}", "")] = number
    return values


def accepted_report(tree, dataset, period: str, org, *, refresh: bool = True, status=ReportStatus.ACCEPTED, **figures):
    """A report of `org` for `period` in state `status` with the figures of `cells(**figures)`,
    written directly, and (when accepted and `refresh`) added to the aggregates as the receiver would."""
    values = figures.pop("values", None) or cells(**figures)
    report = Report.objects.create(
        org=org, dataset=dataset, dataset_version=dataset.current_version(), period=period_from_code(period),
        status=status, accepted_at=timezone.now() if status in aggregates.ACCEPTED_STATUSES else None,
    )  # fmt: skip
    write_values(report, values)
    if refresh and status in aggregates.ACCEPTED_STATUSES:
        aggregates.report_accepted(report)
    return report


def write_values(report, values: dict) -> None:
    elements = {e.code: e for e in DataElement.objects.filter(code__in={code for code, _key in values})}
    combos = {
        (c.combo_id, c.key): c.pk
        for c in CategoryOptionCombo.objects.filter(combo_id__in={e.category_combo_id for e in elements.values()})
    }
    DataValue.objects.bulk_create(
        DataValue(
            report=report,
            element=elements[code],
            option_combo_id=combos[(elements[code].category_combo_id, key)],
            value=str(number),
            number=Decimal(number),
        )  # fmt: skip
        for (code, key), number in values.items()
    )


def accept(report) -> None:
    """Mark a stored report accepted and add it to the aggregates (the receiver's work)."""
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.ACCEPTED, accepted_at=timezone.now())
    report.refresh_from_db()
    aggregates.report_accepted(report)
