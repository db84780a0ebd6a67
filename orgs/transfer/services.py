"""The organisation import: upload → preview (a dry run, nothing written) → confirm (all or nothing).

    preview(...)   read and check a stored upload, keep its plan (or its problems) for the page and the API
    examine(...)   read and plan a file: (plan, problems, HTTP status); what preview and the API's dry run do
    confirm(...)   check the stored upload again (a file changed since the preview, or a tree changed since, is
                   refused), then apply it; the upload is deleted whatever happens
    apply(...)     write a plan in one transaction through orgs.services (org_create, org_update, org_move,
                   org_close), so history (OrgLink), audit rows and treebeard paths stay as the tree keeps them;
                   any refusal rolls everything back and is reported with its row

Every upload is audited: `orgs.import.preview` for a clean one, `orgs.import.refused` (or
`security.import.refused` for external links and dangerous formulas) for one with problems, and an applied import
leaves the services' own rows plus one `orgs.import.apply` with its counts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.actor import Actor
from core.errors import ConflictError, UserError
from core.jobs import current_job_progress
from orgs import services
from orgs.models import Organisation, Region
from orgs.scoping import in_subtree
from orgs.transfer import storage
from orgs.transfer.changes import Plan
from orgs.transfer.plan import plan_table
from orgs.transfer.problems import Code, FileRefused, Problem
from orgs.transfer.reading import read_file

SHOWN = 500  # rows of each list kept for the preview page (the API's dry run gives them all)
STORED_PROBLEMS = 2000


def examine(*, actor: Actor, path: Path, kind: str, on: dt.date) -> tuple[Plan | None, list[Problem], int]:
    """Read and plan the file at `path`: (plan, problems, HTTP status for a refusal). Writes nothing."""
    try:
        table = read_file(path, kind)
    except FileRefused as refusal:
        return None, refusal.problems, refusal.status
    plan = plan_table(table=table, actor=actor, on=on)
    return plan, plan.problems, 400


def summary(plan: Plan, limit: int | None = SHOWN) -> dict[str, Any]:
    """The plan as the preview shows it: counts, and the first `limit` rows of each list."""
    data = plan.to_dict()
    data["counts"] = plan.counts()
    for name in ("creates", "changes", "moves", "closes"):
        data[name] = data[name][:limit] if limit else data[name]
    data["problems"] = data["problems"][:STORED_PROBLEMS]
    data["total_problems"] = len(plan.problems)
    return data


def audit_upload(
    actor: Actor, *, token: str, filename: str, facts: dict[str, Any], problems: list[Problem], plan: Plan | None
) -> None:
    """One audit row for an upload (page or API): what was sent, and what was wrong or what it would do."""
    detail: dict[str, Any] = {"file": filename, **facts}
    security = [p for p in problems if p.security or p.code in Code.SECURITY]
    if problems:
        detail.update(
            problems=len(problems),
            codes=dict(Counter(p.code for p in problems)),
            first=[p.text() for p in problems[:10]],
        )
        if security:
            detail["security"] = [p.text() for p in security[:20]]
        event = "security.import.refused" if security else "orgs.import.refused"
    else:
        event = "orgs.import.preview"
        detail["counts"] = plan.counts() if plan else {}
    audit.record(
        actor,
        event,
        None,
        after=None,
        success=not problems,
        detail=detail,
        object_type="orgs.import",
        object_id=token,
        object_repr=filename[:300],
    )


def preview(
    *, actor: Actor, path: Path, token: str, filename: str, kind: str, on: dt.date
) -> tuple[dict[str, Any], Plan | None]:
    """Check and plan an upload saved under `token`; keep the file only when it can be imported.
    Returns its metadata (as the preview page reads it) and the whole plan."""
    sha = storage.sha256_of(path)
    plan, problems, status = examine(actor=actor, path=path, kind=kind, on=on)
    meta: dict[str, Any] = {
        "user_id": actor.user.pk if actor.user else None,
        "file": filename,
        "kind": kind,
        "on": on.isoformat(),
        "sha256": sha,
        "created_at": timezone.now().isoformat(),
    }
    if problems:
        storage.delete(token, ".upload")
        meta.update(
            state="refused",
            status=status,
            problems=[p.as_dict() for p in problems[:STORED_PROBLEMS]],
            total_problems=len(problems),
        )
    else:
        meta.update(state="preview", plan=summary(plan), digest=plan.digest(sha))
    storage.write_meta(token, meta)
    audit_upload(
        actor,
        token=token,
        filename=filename,
        facts={"sha256": sha, "kind": kind, "on": on.isoformat()},
        problems=problems,
        plan=plan,
    )
    return meta, plan


@dataclass
class Outcome:
    """What confirming did: the counts written (all zero when nothing changed), or the problems found."""

    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def conflict(self) -> bool:
        return any(p.code in (Code.CONFLICT, Code.EXPIRED) for p in self.problems)


class ImportFailed(Exception):
    """A service refused one step of the import; everything was rolled back."""

    def __init__(self, problem: Problem):
        super().__init__(problem.text())
        self.problem = problem


def confirm(*, actor: Actor, token: str, meta: dict[str, Any]) -> Outcome:
    """Import a previewed upload if the file and what it would do are still exactly as previewed."""
    path = storage.path_of(token, ".upload")
    try:
        if meta.get("state") != "preview" or not path.exists():
            return Outcome(
                problems=[
                    Problem(Code.EXPIRED, _("该上传已失效（已导入、已放弃或已超过 24 小时）"), _("请重新上传文件。"))
                ]
            )
        sha = storage.sha256_of(path)
        on = dt.date.fromisoformat(meta["on"])
        problems: list[Problem]
        if sha != meta.get("sha256"):
            problems = [
                Problem(
                    Code.CONFLICT,
                    _("文件在预览之后被更改，本次未导入任何数据"),
                    _("请重新上传文件，核对新的预览后再确认。"),
                )
            ]
        else:
            plan, problems, _status = examine(actor=actor, path=path, kind=meta["kind"], on=on)
            if not problems and plan.digest(sha) != meta.get("digest"):
                problems = [
                    Problem(
                        Code.CONFLICT,
                        _("预览之后，组织机构已被他人修改，本次未导入任何数据"),
                        _("请重新上传文件，核对新的预览后再确认。"),
                    )
                ]
        if problems:
            audit_upload(
                actor,
                token=token,
                filename=meta.get("file", ""),
                facts={"sha256": sha, "stage": "confirm"},
                problems=problems,
                plan=None,
            )
            return Outcome(problems=problems)
        try:
            counts = apply(by=actor, plan=plan, source={"file": meta.get("file", ""), "sha256": sha, "token": token})
        except ImportFailed as failed:
            audit_upload(
                actor,
                token=token,
                filename=meta.get("file", ""),
                facts={"sha256": sha, "stage": "confirm"},
                problems=[failed.problem],
                plan=None,
            )
            return Outcome(problems=[failed.problem])
        return Outcome(counts=counts)
    finally:
        storage.delete(token)


def _fields(values: dict[str, Any], regions: dict[str, Region]) -> dict[str, Any]:
    out = dict(values)
    if "region" in out:
        out["region"] = regions.get(out["region"]) if out["region"] else None
    if "opened_on" in out:
        out["opened_on"] = dt.date.fromisoformat(out["opened_on"]) if out["opened_on"] else None
    return out


def _organisations(codes: set[str]) -> dict[str, Organisation]:
    found: dict[str, Organisation] = {}
    listed = sorted(codes)
    for start in range(0, len(listed), 500):
        for org in Organisation.objects.filter(code__in=listed[start : start + 500]):
            found[org.code] = org
    return found


def _row_refused(plan: Plan, row: int, code: str, error: UserError | PermissionDenied) -> ImportFailed:
    """The whole import refused because the write of file row `row` (organisation `code`) was."""
    message = error.message if isinstance(error, UserError) else str(error)
    return ImportFailed(
        Problem(
            Code.CONFLICT if isinstance(error, ConflictError) else Code.CHANGE_REFUSED,
            _("第 %(row)d 行（%(code)s）：%(message)s 本次未导入任何数据")
            % {"row": row, "code": code, "message": message},
            _("请重新上传文件，核对新的预览后再确认。"),
            sheet=plan.sheet,
            row=row,
            org=code,
        )
    )


def _parents_first(creates: list, existing: dict[str, Organisation]) -> list:
    """The new organisations ordered so that each comes after its parent (the plan checked every parent: one
    neither existing nor in the file means the tree changed since, and the import is refused)."""
    ordered, placed, pending = [], set(existing), list(creates)
    while pending:
        ready = [c for c in pending if c.parent in placed]
        if not ready:
            first = pending[0]
            raise ImportFailed(
                Problem(
                    Code.CONFLICT,
                    _("找不到上级机构“%(code)s”") % {"code": first.parent},
                    _("请重新上传文件。"),
                    row=first.row,
                    org=first.code,
                )
            )
        ordered += ready
        placed |= {c.code for c in ready}
        pending = [c for c in pending if c.code not in placed]
    return ordered


@transaction.atomic
def apply(*, by: Actor, plan: Plan, source: dict[str, Any]) -> dict[str, int]:
    """Write `plan` (creates, changes, moves, closures, in that order) or nothing; ImportFailed names the row."""
    total = plan.writes
    done = 0
    regions = {r.code: r for r in Region.objects.all()}
    # The organisations the plan read must still be as it read them (it was re-planned a moment ago).
    locked = (
        Organisation.objects.select_for_update().filter(code__in=list(plan.versions)).values_list("code", "version")
    )
    if any(plan.versions.get(code) != version for code, version in locked):
        raise ImportFailed(
            Problem(
                Code.CONFLICT,
                _("预览之后，组织机构已被他人修改，本次未导入任何数据"),
                _("请重新上传文件，核对新的预览后再确认。"),
            )
        )
    orgs = _organisations(
        {c.parent for c in plan.creates}
        | {m.new_parent for m in plan.moves}
        | {c.code for c in plan.changes}
        | {m.code for m in plan.moves}
        | {c.code for c in plan.closes}
    )

    def step(row: int, code: str, call) -> Any:
        nonlocal done
        try:
            result = call()
        except (UserError, PermissionDenied) as error:
            raise _row_refused(plan, row, code, error) from error
        done += 1
        current_job_progress(done=done, total=total)
        return result

    creates = _parents_first(plan.creates, orgs)
    try:
        orgs.update(
            services.orgs_create_many(
                by=by,
                items=[
                    services.NewOrganisation(c.parent, c.code, c.name, c.kind, _fields(c.fields, regions))
                    for c in creates
                ],
                parents=orgs,
            )
        )
    except services.CreateRefused as refused:
        c = creates[refused.index]
        raise _row_refused(plan, c.row, c.code, refused) from refused
    done += len(creates)
    current_job_progress(done=done, total=total)
    for c in plan.changes:
        org = orgs[c.code]
        org.refresh_from_db()
        step(
            c.row,
            c.code,
            lambda c=c, org=org: services.org_update(by=by, org=org, version=org.version, **_fields(c.fields, regions)),
        )
    pending_moves = list(plan.moves)
    while pending_moves:
        later = []
        for m in pending_moves:
            org, parent = orgs[m.code], orgs[m.new_parent]
            org.refresh_from_db()
            parent.refresh_from_db()
            if in_subtree(parent, org):
                later.append(m)  # its new parent is still below it: another move frees it first
                continue
            step(
                m.row,
                m.code,
                lambda m=m, org=org, parent=parent: services.org_move(
                    by=by, org=org, new_parent=parent, on=dt.date.fromisoformat(m.on), version=org.version
                ),
            )
        if len(later) == len(pending_moves):
            m = later[0]
            raise ImportFailed(
                Problem(Code.CYCLE, _("迁移后上级机构形成循环"), _("请改正上级机构代码。"), row=m.row, org=m.code)
            )
        pending_moves = later
    closes = []
    for c in plan.closes:
        org = orgs.get(c.code) or Organisation.objects.get(code=c.code)
        org.refresh_from_db()
        closes.append((org, c))
    for org, c in sorted(closes, key=lambda pair: -pair[0].depth):  # children before their parents
        org.refresh_from_db()
        step(
            c.row,
            c.code,
            lambda c=c, org=org: services.org_close(
                by=by, org=org, on=dt.date.fromisoformat(c.on), version=org.version
            ),
        )
    counts = plan.counts()
    audit.record(
        by,
        "orgs.import.apply",
        None,
        after=None,
        detail={**source, "counts": counts, "on": plan.on},
        object_type="orgs.import",
        object_id=source.get("token", ""),
        object_repr=str(source.get("file", ""))[:300],
    )
    return counts
