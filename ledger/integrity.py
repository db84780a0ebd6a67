"""Integrity seals on accepted nine-aspect written reports (core/integrity.py, docs/integrity.md).

A written report is sealed when its reviewer accepts it (services.written.written_step) and the seal is
cleared when it is reopened. The seal covers the report's identity (its id, organisation and round) and each
aspect's text with the files attached to it (id and SHA-256). Reviewers' comments stay open to them after
acceptance and are not sealed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit, integrity
from core.actor import Actor
from core.db import lock_row
from core.models import AuditEntry
from ledger.choices import Aspect, WrittenStatus
from ledger.models import WrittenReport, WrittenSection

KIND = "ledger.writtenreport"
BATCH = 500


def identity(report: WrittenReport) -> dict[str, Any]:
    return {"report": report.pk, "org": report.org_id, "round": report.round.code}


def values_by_report(report_ids: Iterable[int]) -> dict[int, dict[str, list]]:
    """{report id: {aspect: [text, [[file id, sha256], ...]]}} in one query (a row per attached file)."""
    ids = list(report_ids)
    found: dict[int, dict[str, list]] = {pk: {} for pk in ids}
    rows = WrittenSection.objects.filter(report_id__in=ids).values_list(
        "report_id", "aspect", "body", "attachments__id", "attachments__sha256"
    )
    for report_id, aspect, body, file_id, sha256 in rows:
        entry = found[report_id].setdefault(str(aspect), [body, []])
        if file_id is not None:
            entry[1].append([file_id, sha256])
    for sections in found.values():
        for entry in sections.values():
            entry[1].sort()
    return found


def seal_fields(report: WrittenReport) -> dict[str, Any]:
    values = values_by_report([report.pk])[report.pk]
    key_id, mac = integrity.seal(KIND, identity(report), values)
    return {"seal": mac, "seal_key_id": key_id, "sealed_at": timezone.now()}


UNSEAL_FIELDS = {"seal": "", "seal_key_id": "", "sealed_at": None}


def _accepted():
    return WrittenReport.objects.filter(status=WrittenStatus.ACCEPTED).select_related("org", "round").order_by("pk")


def items() -> Iterator[integrity.Item]:
    last = 0
    while True:
        reports = list(_accepted().filter(pk__gt=last)[:BATCH])
        if not reports:
            return
        values = values_by_report(r.pk for r in reports)
        for report in reports:
            yield integrity.Item(
                kind=KIND,
                pk=report.pk,
                identity=identity(report),
                values=values[report.pk],
                seal=report.seal,
                key_id=report.seal_key_id,
                org_name=report.org.name,
                org_code=report.org.code,
                period=report.round.title,
                subject=str(_("九个方面书面报告")),
            )
        last = reports[-1].pk


def recorded(report_id: int) -> tuple[dict[str, str], dict[str, set[int]]]:
    """The last text the audit log recorded for each aspect, and the files it recorded attached."""
    texts: dict[str, str] = {}
    files: dict[str, set[int]] = {}
    rows = (
        AuditEntry.objects.filter(
            object_type=WrittenReport._meta.label_lower, object_id=str(report_id), event="ledger.written.save"
        )
        .order_by("id")
        .values_list("after", "detail")
    )
    for after, detail in rows:
        after, detail = after or {}, detail or {}
        aspect = str(detail.get("aspect", (after or {}).get("aspect", "")))
        if "body" in after:
            texts[aspect] = after["body"] or ""
        if detail.get("attached"):
            files.setdefault(aspect, set()).add(detail["attached"])
        if detail.get("detached"):
            files.setdefault(aspect, set()).discard(detail["detached"])
    return texts, files


def explain(item: integrity.Item) -> list[dict[str, Any]]:
    """The aspects whose text or files differ from what the audit log last recorded for them."""
    texts, files = recorded(item.pk)
    differ = []
    for aspect in sorted(set(texts) | set(files) | set(item.values), key=lambda a: int(a) if a.isdigit() else 0):
        body, attached = item.values.get(aspect) or ["", []]
        label = Aspect(int(aspect)).label if aspect.isdigit() and int(aspect) in Aspect.values else aspect
        if texts.get(aspect, "") != body:
            differ.append(
                {"key": aspect, "label": str(label), "what": _("内容"), "recorded": texts.get(aspect, ""),
                 "stored": body}
            )  # fmt: skip
        now = sorted(file_id for file_id, _sha in attached)
        if sorted(files.get(aspect, set())) != now:
            differ.append(
                {"key": aspect, "label": str(label), "what": _("附件"),
                 "recorded": ", ".join(str(i) for i in sorted(files.get(aspect, set()))),
                 "stored": ", ".join(str(i) for i in now)}
            )  # fmt: skip
    return differ


def seal_missing(by: Actor) -> int:
    """Seal accepted written reports that have none (accepted before sealing existed); each one audited."""
    count = 0
    for pk in list(_accepted().filter(seal="").values_list("pk", flat=True)):
        with transaction.atomic():
            report = lock_row(_accepted(), pk=pk)
            if report.seal:
                continue
            fields = seal_fields(report)
            WrittenReport.objects.filter(pk=pk).update(**fields)
            audit.record(
                by, "core.integrity.seal", report, after=None,
                detail={"seal_key_id": fields["seal_key_id"], "seal": fields["seal"]},
            )  # fmt: skip
        count += 1
    return count


SEALABLE = integrity.Sealable(
    kind=KIND, label=gettext_lazy("书面报告"), items=items, seal_missing=seal_missing, explain=explain
)
