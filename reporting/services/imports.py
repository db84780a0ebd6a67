"""Imports: the values of many reports at once (Excel, CSV, JSON), all or nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.actor import Actor
from core.batch import write_batch
from core.db import atomic_retrying, locked_rows
from core.errors import UserError
from core.jobs import current_job_progress
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import ensure_allowed
from reporting import queries
from reporting.models import DataSet, Period, Report
from reporting.services.filling import (
    CellKey,
    Cleaned,
    ReportConflict,
    SaveResult,
    Stored,
    ValueProblem,
    ValuesInvalid,
    ValuesWrite,
    _conflict,
    _ensure_editable,
    _ensure_openable,
    changed_cells,
    clean_cells,
    stored_cells,
    write_values,
)

# --- Imports: many reports at once (Excel, CSV, JSON) ------------------------------------------------------


@dataclass(frozen=True)
class ImportItem:
    """One organisation's part of an import: the cells to save, and the report version the preview saw.

    `version` is None when there was no report yet at preview time: the import then expects either
    no report or one nobody has saved values in since it was opened.
    """

    org: Organisation
    values: Mapping[CellKey, Any]
    version: int | None = None


@dataclass(frozen=True)
class ImportFailure:
    """Why one organisation's part of an import was refused."""

    org: Organisation
    message: str
    problems: tuple[ValueProblem, ...] = ()
    conflict: bool = False


class ImportFailed(UserError):
    """At least one organisation's part was refused; nothing of the whole import was written."""

    def __init__(self, failures: list[ImportFailure]):
        self.failures = failures
        conflict = any(f.conflict for f in failures)
        self.status_code = 409 if conflict else 400
        first = "；".join(f"{f.org.name}：{f.message}" for f in failures[:3])
        super().__init__(
            _("有 %(n)d 个单位的数据未能导入，整个文件均未导入：%(first)s") % {"n": len(failures), "first": first}
        )


@atomic_retrying
def values_import(
    *,
    by: Actor,
    dataset: DataSet,
    period: Period,
    items: Sequence[ImportItem],
    dataset_version_number: int | None = None,
    source: Mapping[str, Any] | None = None,
) -> list[SaveResult]:
    """Save the values of several organisations' reports in one transaction: all of them or none.

    The checks are those of web entry (report_open, then values_save), with the same messages: permission,
    whether a new report may be opened, the report's state and entry window, the cleaning of every value and
    the version each item was read at. `dataset_version_number` is the version the file was made for: a report
    on another version is refused. What has one answer per import is read once; every item is checked before
    anything is written, and every failure is collected for ImportFailed. The writes are sets: the existing
    reports locked in one statement, the new ones inserted in one, the values in one insert and one update,
    one audit row per report opened and per report changed, chained together, and one for the import.
    """
    with queries.shared_layouts(), write_batch():
        return _values_import(
            by=by,
            dataset=dataset,
            period=period,
            items=items,
            dataset_version_number=dataset_version_number,
            source=source,
        )


@dataclass
class _Checked:
    """An item that passed its checks: its report (None: to be opened) and its cleaned cells."""

    item: ImportItem
    report: Report | None
    cleaned: Cleaned
    notes: dict[CellKey, tuple[str, ...]]


def _values_import(*, by, dataset, period, items, dataset_version_number, source) -> list[SaveResult]:
    now = timezone.now()
    # The lock order of core/db.py: the existing reports first, in one statement, before any audit row.
    reports: dict[int, Report] = {}
    due: set[int] = set()
    org_ids = [item.org.pk for item in items]
    for start in range(0, len(org_ids), 2000):  # within every database's limit of parameters
        chunk = org_ids[start : start + 2000]
        found = Report.objects.filter(dataset=dataset, period=period, org__in=chunk).select_related("dataset_version")
        reports.update((r.org_id, r) for r in locked_rows(found))
        if new := [pk for pk in chunk if pk not in reports]:
            due.update(queries.orgs_due(dataset, period).filter(pk__in=new).values_list("pk", flat=True))
    current = dataset.current_version()
    failures: list[ImportFailure] = []
    checked: list[_Checked] = []
    for done, item in enumerate(items):
        if done % 500 == 0:  # run as a background job, the person sees how far it is (core.jobs)
            current_job_progress(done=done, total=len(items))
        try:
            checked.append(
                _check(by, item, reports.get(item.org.pk), dataset, period, due, current, now, dataset_version_number)
            )
        except ValuesInvalid as error:
            failures.append(ImportFailure(item.org, error.message, tuple(error.problems)))
        except ReportConflict as error:
            failures.append(ImportFailure(item.org, error.message, conflict=True))
        except UserError as error:
            failures.append(ImportFailure(item.org, error.message))
        except PermissionDenied as error:
            failures.append(ImportFailure(item.org, str(error.args[0]) if error.args else _("没有权限。")))
    stored = stored_cells([c.report.pk for c in checked if c.report is not None])
    changes: list[tuple[Cleaned, Stored]] = []
    for c in checked:
        existing = stored.get(c.report.pk, {}) if c.report is not None else {}
        changed = changed_cells(c.cleaned, existing)
        expected = c.item.version if c.item.version is not None else 1
        if changed and c.report is not None and c.report.version != expected:
            failures.append(ImportFailure(c.item.org, _conflict(c.report, expected).message, conflict=True))
        changes.append((changed, existing))
    if failures:
        raise ImportFailed(failures)
    _open_reports(by, [c for c in checked if c.report is None], dataset, period, current)
    writes = [ValuesWrite(c.report, changed, existing) for c, (changed, existing) in zip(checked, changes, strict=True)]
    write_values(by, [w for w in writes if w.changed])
    current_job_progress(done=len(items), total=len(items))
    results = [SaveResult(w.report, sorted(w.changed), c.notes) for c, w in zip(checked, writes, strict=True)]
    changed = [r for r in results if r.changed]
    audit.record(
        by,
        "reporting.import.apply",
        dataset,
        after=None,
        detail={
            **dict(source or {}),
            "period": period.code,
            "version": dataset_version_number,
            "reports": len(results),
            "reports_changed": len(changed),
            "cells_changed": sum(len(r.changed) for r in changed),
            "report_ids": [r.report.pk for r in changed][:1000],
        },
    )
    return results


def _check(by, item, report, dataset, period, due, current, now, dataset_version_number) -> _Checked:
    """One item's checks, in web entry's order and with its messages; raises what report_open or values_save would."""
    ensure_allowed(by, Action.EDIT, item.org)
    if report is None:
        _ensure_openable(dataset, period, item.org, due=item.org.pk in due, version=current, now=now)
        version = current
    else:
        report.org, report.dataset, report.period = item.org, dataset, period  # the rows joined, already read
        version = report.dataset_version
    if dataset_version_number is not None and version.number != dataset_version_number:
        raise UserError(
            _("模板版本已过期：模板是第 %(file)d 版，该单位的报表是第 %(report)d 版。")
            % {"file": dataset_version_number, "report": version.number}
        )
    if report is not None:
        _ensure_editable(report, now)
    cleaned, problems = clean_cells(queries.version_layout(version), item.values)
    if problems:
        raise ValuesInvalid(problems)
    notes = {key: result.notes for key, (_cell, result) in cleaned.items() if result.notes}
    return _Checked(item, report, cleaned, notes)


def _open_reports(by, opening: list[_Checked], dataset, period, version) -> None:
    """Open the new reports of an import in one insert, each audited as report_open audits it; a report someone
    else opened meanwhile fails the import as a conflict (the person confirms again and sees it)."""
    if not opening:
        return
    new = [
        Report(org=c.item.org, dataset=dataset, dataset_version=version, period=period, created_by=by.user)
        for c in opening
    ]
    try:
        with transaction.atomic():
            Report.objects.bulk_create(new, batch_size=1000)
    except IntegrityError:
        ids = [c.item.org.pk for c in opening]
        taken = set(Report.objects.filter(dataset=dataset, period=period, org__in=ids).values_list("org_id", flat=True))
        if not taken:
            raise
        message = _("其间已有他人打开了该单位的报表，本次未导入任何数据；请重新上传文件预览后再确认。")
        raise ImportFailed(
            [ImportFailure(c.item.org, message, conflict=True) for c in opening if c.item.org.pk in taken]
        ) from None
    for c, report in zip(opening, new, strict=True):
        c.report = report
        audit.record(by, "reporting.report.open", report)
