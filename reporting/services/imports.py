"""Imports: the values of many reports at once (Excel, CSV, JSON), all or nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.actor import Actor
from core.batch import write_batch
from core.db import atomic_retrying, lock_rows
from core.errors import UserError
from core.jobs import current_job_progress
from orgs.models import Organisation
from reporting import queries
from reporting.models import DataSet, Period, Report
from reporting.services.filling import (
    CellKey,
    ReportConflict,
    SaveResult,
    ValueProblem,
    ValuesInvalid,
    report_open,
    values_save,
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

    Each organisation's report is opened (report_open) and saved (values_save), so permissions,
    entry windows, locks, value cleaning, version checks and the per-report audit rows are exactly
    those of web entry. `dataset_version_number` is the version the file was made for: a report on
    another version is refused. Every failure is collected before ImportFailed is raised (and
    everything rolled back); on success one more audit row records the import as a whole.
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


def _values_import(*, by, dataset, period, items, dataset_version_number, source) -> list[SaveResult]:
    failures: list[ImportFailure] = []
    results: list[SaveResult] = []
    # The lock order of core/db.py: the existing reports first, before opening a new one writes an audit row.
    lock_rows(Report.objects.filter(dataset=dataset, period=period, org__in=[item.org.pk for item in items]))
    for done, item in enumerate(items):
        # Run as a background job, the person sees how far it is (outside this transaction: see core.jobs).
        current_job_progress(done=done, total=len(items))
        try:
            with transaction.atomic():
                report = report_open(by=by, org=item.org, dataset=dataset, period=period)
                if dataset_version_number is not None and report.dataset_version.number != dataset_version_number:
                    raise UserError(
                        _("模板版本已过期：模板是第 %(file)d 版，该单位的报表是第 %(report)d 版。")
                        % {"file": dataset_version_number, "report": report.dataset_version.number}
                    )
                version = item.version if item.version is not None else 1
                results.append(values_save(by=by, report=report, version=version, values=item.values))
        except ValuesInvalid as error:
            failures.append(ImportFailure(item.org, error.message, tuple(error.problems)))
        except ReportConflict as error:
            failures.append(ImportFailure(item.org, error.message, conflict=True))
        except UserError as error:
            failures.append(ImportFailure(item.org, error.message))
        except PermissionDenied as error:
            failures.append(ImportFailure(item.org, str(error.args[0]) if error.args else _("没有权限。")))
    current_job_progress(done=len(items), total=len(items))
    if failures:
        raise ImportFailed(failures)
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
