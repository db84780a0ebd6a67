"""The alerts' one write: compare today's findings (ledger/alerts.py) with the open alerts and bring them in line."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit, deadlines
from core.actor import Actor
from core.db import lock_row
from core.jobs import current_job_progress
from ledger import alerts
from ledger.models import Alert, ReformSettings
from ledger.services.ledgers import ensure_manager

BATCH = 500


@transaction.atomic
def alerts_refresh(
    *, by: Actor, today: dt.date | None = None, org_ids: list[int] | None = None
) -> alerts.RefreshResult:
    """Raise the alerts found anew (since, raised on `today`), update the reason and evidence of those
    still found, clear those whose cause is gone (cleared on `today`); one audit row with the counts.

    The system (the daily run, the command) or the reform office's manager (the "立即重新计算" job) may
    run it; the settings row is locked first, so two refreshes at once run one after the other and the
    second finds the first's alerts. Raises PermissionDenied for anyone else.
    """
    ensure_manager(by)
    today = today or deadlines.today()
    ReformSettings.current()
    lock_row(ReformSettings.objects.all(), pk=1)
    found = alerts.findings(
        today=today, progress=lambda done, total: current_job_progress(done=done, total=total), org_ids=org_ids
    )
    open_rows = Alert.objects.open() if org_ids is None else Alert.objects.open().filter(org_id__in=org_ids)
    open_alerts = {(a.org_id, a.kind, a.subject): a for a in open_rows}

    new = [
        Alert(
            org_id=org_id,
            kind=kind,
            subject=subject,
            reason=finding.reason,
            evidence=audit._jsonable(finding.evidence),
            since=finding.since or today,
            raised_on=today,
            checked_on=today,
        )  # fmt: skip
        for (org_id, kind, subject), finding in found.items()
        if (org_id, kind, subject) not in open_alerts
    ]
    kept = []
    for key, alert in open_alerts.items():
        finding = found.get(key)
        if finding is None:
            continue
        alert.reason, alert.evidence, alert.checked_on = finding.reason, audit._jsonable(finding.evidence), today
        kept.append(alert)
    gone = [alert.pk for key, alert in open_alerts.items() if key not in found]

    Alert.objects.bulk_create(new, batch_size=BATCH)
    Alert.objects.bulk_update(kept, ["reason", "evidence", "checked_on"], batch_size=BATCH)
    for start in range(0, len(gone), BATCH):
        Alert.objects.filter(pk__in=gone[start : start + BATCH]).update(cleared_on=today, checked_on=today)
    result = alerts.RefreshResult(raised=len(new), cleared=len(gone), kept=len(kept))
    if org_ids is not None and not (new or gone):
        return result  # a recheck after an organisation's own write that changed nothing: no row to audit
    audit.record(
        by, "ledger.alerts.refresh", object_type="ledger.alert", object_repr=_("产改预警"), after=None,
        detail={
            "today": today.isoformat(), "orgs": org_ids,
            "raised": result.raised, "cleared": result.cleared, "kept": result.kept,
            "raised_by_kind": alerts.kinds_of(key for key in found if key not in open_alerts),
            "cleared_by_kind": alerts.kinds_of(key for key in open_alerts if key not in found),
        },
    )  # fmt: skip
    current_job_progress(done=1, total=1)
    return result


def recheck_after_commit(org_id: int) -> None:
    """Recheck one organisation's alerts once the write that may have changed them is committed, so its
    ledger shows at once that recording a plan cleared "未出台实施方案" (the daily run checks everyone).

    Many writes in one transaction (a form saving files and the plan, a demo or an import) make one recheck
    of every organisation they touched, after the commit."""
    connection = transaction.get_connection()
    queued = getattr(connection, "_ledger_recheck", None)
    # Still queued only while its callback waits in this transaction (a rollback drops the callback).
    if queued is not None and any(entry[1] is queued[1] for entry in connection.run_on_commit):
        queued[0].add(org_id)
        return
    org_ids: set[int] = {org_id}

    def run() -> None:
        connection._ledger_recheck = None
        alerts_refresh(by=Actor.system("ledger.alerts"), org_ids=sorted(org_ids))

    connection._ledger_recheck = (org_ids, run)
    transaction.on_commit(run)
