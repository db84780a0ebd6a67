"""Past years' figures loaded from the office's own spreadsheets (reporting/history.py plans them): all or nothing.

How the workflow treats them (decided here, README › 统计填报):

- Only periods whose entry window has closed are loaded: the figures were collected and checked outside the
  platform, so the entry window and the four-eyes rule of web entry (no accepting what one submitted) do not
  apply to them; every other guard of web entry does (permissions, the period lock, the report's state and
  version, value cleaning and the version's error rules).
- Each report is created if missing (`reporting.report.open`), its cells written through the same write as
  web entry (`reporting.values.save` with the before/after diff), then submitted (`reporting.report.submit`,
  with a snapshot). Loaded by the office (who may accept for the organisation), it is accepted at once
  (`reporting.report.accept`, sealed, added to the aggregates in the same transaction). Loaded by a union
  administrator, it is approved by the union where one is above the organisation (the union vouches for
  the figures it loads) and waits in the office's queue to be accepted as any other report.
- A report already accepted with different figures is changed only when the office chose
  覆盖已验收数据: it is reopened (`reporting.report.reopen`, with the file named in the reason: the
  aggregates subtract it), written and accepted again.
- Every report written carries its source (ReportSource: 历史数据导入, the file's name and SHA-256, who
  loaded it) and the import as a whole leaves one `reporting.history.apply` row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.actor import Actor
from core.batch import write_batch
from core.db import atomic_retrying, lock_row, lock_rows
from core.errors import UserError
from core.jobs import current_job_progress
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import can, ensure_allowed, in_subtree
from reporting import integrity, queries
from reporting.choices import ReportStatus
from reporting.history.plan import ACCEPTED, HistoryItem, may_accept
from reporting.models import DataSet, HistoryMapping, Period, Report, ReportSnapshot, ReportSource
from reporting.services.filling import _store_values, clean_cells
from reporting.services.notifications import _notify, _office_users
from reporting.services.workflow import _acts_on_behalf, _transition, report_reopen
from reporting.signals import accepted_data_changed
from reporting.workflow import EDITABLE


class HistoryFailed(UserError):
    """At least one report of the file was refused; nothing of the whole file was written.

    `failures` lists (item, message, conflict): conflict when the report changed since the preview.
    """

    def __init__(self, failures: list[tuple[HistoryItem, str, bool]]):
        self.failures = failures
        first = "；".join(f"{item.org_name}{item.period_label}：{message}" for item, message, _c in failures[:3])
        self.status_code = 409 if any(conflict for _i, _m, conflict in failures) else 400
        super().__init__(
            _("有 %(n)d 份报表未能导入，整个文件均未导入：%(first)s") % {"n": len(failures), "first": first}
        )


class _Changed(UserError):
    """The report was created or changed by someone else since the preview."""

    def __init__(self):
        super().__init__(_("预览之后该报表已被他人修改，请重新上传文件预览后再确认。"))


@dataclass
class HistoryResult:
    """What history_import wrote: the reports, how many were new, the values changed, accepted, overwritten."""

    reports: list[Report] = field(default_factory=list)
    new_reports: int = 0
    values_changed: int = 0
    accepted: int = 0
    submitted: int = 0
    overwritten: int = 0


def _reopen_reason(source: Mapping[str, Any]) -> str:
    return _("历史数据导入覆盖已验收数据（文件：%(file)s）") % {"file": source.get("file", "")}


def _open(by: Actor, org: Organisation, dataset: DataSet, period: Period, source: Mapping[str, Any]) -> Report:
    version = dataset.current_version()
    if version is None:
        raise UserError(_("报表“%(dataset)s”还没有发布的版本。") % {"dataset": dataset.name})
    report = Report.objects.create(org=org, dataset=dataset, dataset_version=version, period=period, created_by=by.user)
    audit.record(by, "reporting.report.open", report, detail={"history": dict(source)})
    return report


def _write_one(
    *, by: Actor, dataset: DataSet, scope: Organisation, item: HistoryItem, source: Mapping[str, Any], overwrite: bool
) -> tuple[Report, bool, int, str]:
    """One organisation and period: (report, new, values changed, "accepted"/"submitted"/"approved")."""
    org = Organisation.objects.get(pk=item.org_id)
    if not in_subtree(org, scope):
        raise PermissionDenied(_("您没有对“%(org)s”执行此操作的权限。") % {"org": org.name})
    ensure_allowed(by, Action.EDIT, org)
    period = Period.objects.get(code=item.period)
    window = queries.entry_window(dataset, period, org)
    if timezone.now() < window.closes_at:
        raise UserError(_("该报告期的填报尚未结束，历史数据导入只用于已结束的报告期。"))
    if queries.period_lock_of(dataset, period) is not None:
        raise UserError(_("%(dataset)s%(period)s已由产改办锁定。") % {"dataset": dataset.name, "period": period.label})
    existing = Report.objects.filter(org=org, dataset=dataset, period=period).values_list("pk", flat=True).first()
    if (existing or None) != item.report_id:
        raise _Changed()
    new = existing is None
    if new:
        report = _open(by, org, dataset, period, source)
    else:
        report = lock_row(Report.objects.select_related("dataset", "dataset_version", "period", "org"), pk=existing)
        if report.version != item.report_version:
            raise _Changed()
        if report.status in ACCEPTED:
            if not (overwrite and may_accept(by, org)):
                raise UserError(_("报表已验收，只有产改办勾选“覆盖已验收数据”后才能导入。"))
            report = report_reopen(by=by, report=report, version=report.version, reason=_reopen_reason(source))
        if report.status not in EDITABLE:
            raise UserError(_("报表状态为“%(status)s”，正在审核，不能导入。") % {"status": report.get_status_display()})
    cleaned, problems = clean_cells(queries.version_layout(report.dataset_version), item.cells())
    if problems:
        raise UserError(f"{problems[0].label}：{problems[0].message}")
    saved = _store_values(by, report, cleaned, version=report.version, source=source)
    report = saved.report
    return report, new, len(saved.changed), _advance(by, report, source)


def _advance(by: Actor, report: Report, source: Mapping[str, Any]) -> str:
    """Submit the written report, then accept it (the office) or approve it for the office (a union)."""
    now = timezone.now()
    detail = {"history": dict(source)}
    number = (report.snapshots.aggregate(m=Max("number"))["m"] or 0) + 1
    ReportSnapshot.objects.create(
        report=report, number=number, values=queries.snapshot_values(report), submitted_by=by.user, submitted_at=now
    )
    report.returns.filter(resolved_at__isnull=True).update(resolved_at=now)
    report = lock_row(Report.objects.select_related("dataset", "dataset_version", "period", "org"), pk=report.pk)
    report = _transition(
        by,
        report,
        "submit",
        detail={**detail, "snapshot": number},
        submitted_at=now,
        submitted_by=by.user,
        first_submitted_at=report.first_submitted_at or now,
        on_behalf_of=_acts_on_behalf(by, report.org),
        approved_at=None,
        approved_by=None,
    )
    if may_accept(by, report.org):
        sealed = integrity.seal_fields(report)
        report = _transition(by, report, "accept", detail=detail, accepted_at=now, accepted_by=by.user, **sealed)
        accepted_data_changed.send(sender=Report, report=report, accepted=True)
        return ReportStatus.ACCEPTED
    union = queries.reviewing_union(report.org)
    if union is not None and (by.system_name or can(by.user, Action.REVIEW, union)):
        report = _transition(by, report, "approve", detail=detail, approved_at=now, approved_by=by.user)
        return ReportStatus.APPROVED
    return ReportStatus.SUBMITTED


@atomic_retrying
def history_import(
    *,
    by: Actor,
    dataset: DataSet,
    scope: Organisation,
    items: Sequence[HistoryItem],
    source: Mapping[str, Any],
    overwrite: bool = False,
) -> HistoryResult:
    """Write a planned file of past years' figures in one transaction: every report of it, or none.

    `items` come from reporting.history.plan_history (only those with something to write); each is checked
    again here (scope, permission, closed and unlocked period, the report's version and state, each value);
    every failure is collected before HistoryFailed is raised and everything rolled back. `source` names the
    file ({"file", "sha256"}) and goes into every audit row and each report's ReportSource.
    """
    if overwrite and not may_accept(by, scope):
        raise PermissionDenied(_("只有产改办可以覆盖已验收数据。"))
    # One read of each version's layout, the tree's history and the audit chain's head for the whole file.
    with queries.shared_layouts(), write_batch():
        return _history_import(by=by, dataset=dataset, scope=scope, items=items, source=source, overwrite=overwrite)


def _history_import(*, by, dataset, scope, items, source, overwrite) -> HistoryResult:
    result = HistoryResult()
    failures: list[tuple[HistoryItem, str, bool]] = []
    lock_rows(Report.objects.filter(pk__in=[i.report_id for i in items if i.report_id]))
    now = timezone.now()
    for done, item in enumerate(items):
        current_job_progress(done=done, total=len(items))
        try:
            with transaction.atomic():
                report, new, changed, state = _write_one(
                    by=by, dataset=dataset, scope=scope, item=item, source=source, overwrite=overwrite
                )
                ReportSource.objects.update_or_create(
                    report=report,
                    defaults={
                        "file_name": str(source.get("file", ""))[:200],
                        "sha256": str(source.get("sha256", "")),
                        "loaded_by": by.user,
                        "loaded_at": now,
                        "overwrote": bool(item.overwrite),
                    },
                )
        except UserError as error:
            failures.append((item, error.message, isinstance(error, _Changed)))
            continue
        except PermissionDenied as error:
            failures.append((item, str(error.args[0]) if error.args else _("没有权限。"), False))
            continue
        result.reports.append(report)
        result.new_reports += int(new)
        result.values_changed += changed
        result.overwritten += int(item.overwrite)
        if state == ReportStatus.ACCEPTED:
            result.accepted += 1
        else:
            result.submitted += 1
    current_job_progress(done=len(items), total=len(items))
    if failures:
        raise HistoryFailed(failures)
    if result.submitted and result.reports:
        _notify(
            _office_users(scope),
            report=result.reports[0],
            title=_("待验收：历史数据导入 %(n)d 份报表") % {"n": result.submitted},
            body=_("%(who)s 通过历史数据导入（文件：%(file)s）报送了 %(n)d 份“%(dataset)s”，请验收。")
            % {
                "who": by.username or "",
                "file": source.get("file", ""),
                "n": result.submitted,
                "dataset": dataset.name,
            },
        )
    audit.record(
        by,
        "reporting.history.apply",
        dataset,
        after=None,
        detail={
            **dict(source),
            "scope": scope.code,
            "overwrite": overwrite,
            "reports": len(result.reports),
            "new_reports": result.new_reports,
            "values_changed": result.values_changed,
            "accepted": result.accepted,
            "submitted": result.submitted,
            "overwritten": result.overwritten,
            "report_ids": [r.pk for r in result.reports][:1000],
        },
    )
    return result


@atomic_retrying
def history_mapping_save(
    *, by: Actor, org: Organisation, dataset: DataSet, headers: list[str], columns: Mapping[str, str], signature: str
) -> HistoryMapping:
    """Save (or replace) `org`'s mapping for files of this shape, to be offered for the next one."""
    ensure_allowed(by, Action.EDIT, org)
    mapping, created = HistoryMapping.objects.get_or_create(
        org=org, dataset=dataset, signature=signature, defaults={"headers": headers, "columns": dict(columns)}
    )
    before = None if created else {"columns": mapping.columns}
    if not created:
        mapping.headers, mapping.columns = headers, dict(columns)
    mapping.saved_by = by.user
    mapping.save()
    audit.record(by, "reporting.history.mapping", mapping, before=before, after={"columns": mapping.columns})
    return mapping
