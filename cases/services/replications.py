"""Recording that an organisation adopted a published case (复制推广), which counts for the case's source.

One record per organisation and case. The adopting organisation's editors record it (EDIT on that organisation);
the case must be published, and an organisation does not replicate its own case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases.choices import CaseStatus
from cases.models import Case, Replication
from cases.services.cases import _text
from core import audit, deadlines
from core.actor import Actor
from core.db import atomic_retrying, lock_row
from core.errors import UserError
from core.models import versioned_update
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import ensure_allowed

FIELDS = ("adopted_on", "adopted", "result")


def _clean(*, case: Case, org: Organisation, adopted_on: Any, adopted: str, result: str) -> dict[str, Any]:
    if not isinstance(org, Organisation):
        raise UserError(_("请选择复制推广单位。"), field="org")
    if org.pk == case.org_id:
        raise UserError(
            _("“%(org)s”是本案例的来源单位，不能登记复制推广本单位的案例。") % {"org": org.name}, field="org"
        )
    if org.closed_on is not None:
        raise UserError(_("“%(org)s”已撤销，不能登记复制推广。") % {"org": org.name}, field="org")
    if not isinstance(adopted_on, dt.date):
        raise UserError(_("请填写借鉴日期。"), field="adopted_on")
    if adopted_on > deadlines.today():
        raise UserError(_("借鉴日期不能晚于今天。"), field="adopted_on")
    if adopted_on.year < case.year:
        raise UserError(_("借鉴日期不能早于案例年度（%(year)d年）。") % {"year": case.year}, field="adopted_on")
    return {
        "adopted_on": adopted_on,
        "adopted": _text(adopted, "adopted", _("借鉴或改进的做法"), 1000, required=True),
        "result": _text(result, "result", _("取得的效果"), 1000),
    }


def _snapshot(row: Replication) -> dict[str, Any]:
    return {
        "case": row.case_id,
        "org": row.org.code,
        "adopted_on": row.adopted_on.isoformat(),
        "adopted": row.adopted,
        "result": row.result,
    }


@atomic_retrying
def replication_record(
    *, by: Actor, case: Case, org: Organisation, adopted_on: dt.date, adopted: str, result: str = ""
) -> Replication:
    """`org` adopted the published `case` (EDIT on `org`); UserError when it already recorded so."""
    ensure_allowed(by, Action.EDIT, org)
    case = lock_row(Case.objects.all(), pk=case.pk)
    if case.status != CaseStatus.PUBLISHED:
        raise UserError(_("只有已发布的案例可以登记复制推广。"), field="case")
    data = _clean(case=case, org=org, adopted_on=adopted_on, adopted=adopted, result=result)
    if Replication.objects.filter(case=case, org=org).exists():
        raise UserError(_("“%(org)s”已登记过复制推广本案例，如需补充请修改原记录。") % {"org": org.name}, field="org")
    try:
        with transaction.atomic():
            row = Replication.objects.create(case=case, org=org, recorded_by=by.user, **data)
    except IntegrityError:  # a second request for the same organisation that got in first
        raise UserError(_("“%(org)s”已登记过复制推广本案例。") % {"org": org.name}, field="org") from None
    audit.record(by, "cases.replication.create", row, before=None, after=_snapshot(row))
    return row


@atomic_retrying
def replication_update(*, by: Actor, replication: Replication, version: int, **fields: Any) -> Replication:
    """Change what the adopting organisation recorded (EDIT on it); 409 if someone saved it meanwhile."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise UserError(_("不能修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    ensure_allowed(by, Action.EDIT, replication.org)
    row = lock_row(Replication.objects.select_related("case", "org"), pk=replication.pk)
    merged = {f: fields.get(f, getattr(row, f)) for f in FIELDS}
    data = _clean(case=row.case, org=row.org, **merged)
    before = _snapshot(row)
    versioned_update(row, version, conflict_message=_("该复制推广记录已被他人修改，请刷新后重试。"), **data)
    audit.record(by, "cases.replication.update", row, before=before, after=_snapshot(row))
    return row


@atomic_retrying
def replication_delete(*, by: Actor, replication: Replication) -> None:
    """Remove an adoption record (EDIT on the adopting organisation)."""
    ensure_allowed(by, Action.EDIT, replication.org)
    row = lock_row(Replication.objects.select_related("org"), pk=replication.pk)
    audit.record(by, "cases.replication.delete", row, before=_snapshot(row), after=None)
    row.delete()
