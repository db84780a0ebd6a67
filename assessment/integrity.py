"""Integrity seals on published assessment results (core/integrity.py, docs/integrity.md).

A computation is sealed when the office publishes it (services.round_publish). A published computation is
never changed (a reopened round computes a new one), so its seal stays for good. The seal covers the
computation's identity (id, round, number, inputs' fingerprint) and, for each participant, its result (raw,
normalised and total points, bonus, deduction, grade, ranks…) and every criterion result (applicable, points,
maximum, the explanation). The publication's audit row also keeps a digest and the total of each participant's
results, so a mismatch can be traced to the organisations whose results changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.models import Computation, CriterionResult, Participant, Result
from core import audit, integrity
from core.actor import Actor
from core.db import lock_row
from core.models import AuditEntry

KIND = "assessment.computation"
BATCH = 50  # computations per read while checking (each holds every participant's criterion results)
RESULT_FIELDS = (
    "raw", "max_points", "normalised", "bonus", "deduction", "total", "grade", "grade_before_cap", "vetoed", "rank",
    "group_rank", "group_size", "weakest_id", "unresolved",
)  # fmt: skip


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    return integrity.number_text(value)


def identity(computation: Computation) -> dict[str, Any]:
    return {
        "computation": computation.pk,
        "round": computation.round_id,
        "number": computation.number,
        "fingerprint": computation.fingerprint,
    }


def values_by_computation(ids: Iterable[int]) -> dict[int, dict[str, dict[str, Any]]]:
    """{computation id: {participant id: {"org", "result", "criteria"}}}: one query for the results and one
    for the criterion results."""
    ids = list(ids)
    found: dict[int, dict[str, dict[str, Any]]] = {pk: {} for pk in ids}

    def entry(computation_id: int, participant_id: int) -> dict[str, Any]:
        return found[computation_id].setdefault(str(participant_id), {"result": None, "criteria": {}})

    results = Result.objects.filter(computation_id__in=ids).values_list(
        "computation_id", "participant_id", *RESULT_FIELDS
    )
    for computation_id, participant_id, *fields in results:
        entry(computation_id, participant_id)["result"] = [_plain(v) for v in fields]
    criteria = CriterionResult.objects.filter(computation_id__in=ids).values_list(
        "computation_id", "participant_id", "criterion_id", "applicable", "points", "max_points", "detail"
    )
    for computation_id, participant_id, criterion_id, applicable, points, max_points, detail in criteria:
        entry(computation_id, participant_id)["criteria"][str(criterion_id)] = [
            applicable, _plain(points), _plain(max_points), detail
        ]  # fmt: skip
    return found


def digests(values: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per participant: the total and a SHA-256 of its results (kept in the keyed audit chain, not a seal)."""
    return {
        pid: {
            "total": (entry["result"] or [None] * len(RESULT_FIELDS))[RESULT_FIELDS.index("total")],
            "digest": hashlib.sha256(integrity.canonical(KIND, {"participant": pid}, entry)).hexdigest(),
        }
        for pid, entry in values.items()
    }


def seal_fields(computation: Computation) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The columns that seal `computation` as stored now, and each participant's digest for the audit row."""
    values = values_by_computation([computation.pk])[computation.pk]
    key_id, mac = integrity.seal(KIND, identity(computation), values)
    return {"seal": mac, "seal_key_id": key_id, "sealed_at": timezone.now()}, digests(values)


def _published():
    return Computation.objects.filter(published_at__isnull=False).select_related("round").order_by("pk")


def items() -> Iterator[integrity.Item]:
    last = 0
    while True:
        computations = list(_published().filter(pk__gt=last)[:BATCH])
        if not computations:
            return
        values = values_by_computation(c.pk for c in computations)
        for computation in computations:
            yield integrity.Item(
                kind=KIND,
                pk=computation.pk,
                identity=identity(computation),
                values=values[computation.pk],
                seal=computation.seal,
                key_id=computation.seal_key_id,
                org_name=computation.round.name,
                period=str(computation.round.year) + _("年度"),
                subject=str(computation),
            )
        last = computations[-1].pk


def _recorded_digests(computation: Computation) -> dict[str, dict[str, Any]] | None:
    """The participants' digests as the last publication (or late sealing) of `computation` recorded them."""
    rows = AuditEntry.objects.filter(
        event="assessment.round.publish", object_id=str(computation.round_id), object_type="assessment.round"
    ) | AuditEntry.objects.filter(event="core.integrity.seal", object_type=KIND, object_id=str(computation.pk))
    for event, detail in rows.order_by("-id").values_list("event", "detail"):
        detail = detail or {}
        if event == "assessment.round.publish" and detail.get("computation") != computation.number:
            continue
        if isinstance(detail.get("results"), dict):
            return detail["results"]
    return None


def explain(item: integrity.Item) -> list[dict[str, Any]]:
    """The organisations whose results differ from the digests recorded when the results were published."""
    computation = Computation.objects.get(pk=item.pk)
    recorded = _recorded_digests(computation)
    if recorded is None:
        return []
    now = digests(item.values)
    pids = sorted(set(recorded) | set(now), key=lambda p: int(p) if p.isdigit() else 0)
    orgs = {
        str(p.pk): (p.org.code, p.org.name)
        for p in Participant.objects.filter(pk__in=[p for p in pids if p.isdigit()]).select_related("org")
    }
    differ = []
    for pid in pids:
        before, after = recorded.get(pid), now.get(pid)
        if before == after:
            continue
        code, name = orgs.get(pid, (pid, pid))
        if before and after and before.get("total") != after.get("total"):
            what, old, new = _("总分"), before.get("total"), after.get("total")
        elif before and after:
            what, old, new = _("指标得分、等次或排名"), _("公布时的记录"), _("已改变")
        else:
            what, old, new = _("考核结果"), _("有") if before else _("无"), _("有") if after else _("无")
        differ.append({"key": code, "label": name, "what": what, "recorded": old or "", "stored": new or ""})
    return differ


def seal_missing(by: Actor) -> int:
    """Seal published computations that have none (published before sealing existed); each one audited."""
    count = 0
    for pk in list(_published().filter(seal="").values_list("pk", flat=True)):
        with transaction.atomic():
            computation = lock_row(_published(), pk=pk)
            if computation.seal:
                continue
            fields, results = seal_fields(computation)
            Computation.objects.filter(pk=pk).update(**fields)
            audit.record(
                by, "core.integrity.seal", computation, after=None,
                detail={"seal_key_id": fields["seal_key_id"], "seal": fields["seal"], "results": results},
            )  # fmt: skip
        count += 1
    return count


SEALABLE = integrity.Sealable(
    kind=KIND, label=gettext_lazy("考核结果"), items=items, seal_missing=seal_missing, explain=explain
)
