"""Integrity seals on accepted statistics reports (core/integrity.py, docs/integrity.md).

A report is sealed when the office accepts it (services.report_accept) and the seal is cleared when it is
reopened. The seal covers the report's identity (its id, organisation, period, data set and version) and
every stored cell that holds something: "<element code>[<option key>]" → [text, number, comment]. A cell
whose value is empty and has no comment is the same as no cell, so it is left out.

`values_by_report` reads the cells of many reports in one query, so sealing one report and checking all of
them stay set-based.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit, integrity
from core.actor import Actor
from core.db import lock_row
from core.models import AuditEntry
from reporting.choices import ReportStatus
from reporting.models import DataValue, Report

KIND = "reporting.report"
SEALED_STATES = (ReportStatus.ACCEPTED, ReportStatus.LOCKED)
BATCH = 500  # reports whose values one query reads while checking


def cell_key(code: str, option_key: str) -> str:
    """A cell as the seal and the audit log's value changes name it: "CODE[option key]"."""
    return f"{code}[{option_key}]"


def identity(report: Report) -> dict[str, Any]:
    return {
        "report": report.pk,
        "org": report.org_id,
        "period": report.period.code,
        "dataset": report.dataset.code,
        "dataset_version": report.dataset_version_id,
    }


def values_by_report(report_ids: Iterable[int]) -> dict[int, dict[str, list]]:
    """{report id: {cell: [text, number, comment]}} for the cells that hold something, in one query."""
    ids = list(report_ids)
    found: dict[int, dict[str, list]] = {pk: {} for pk in ids}
    rows = (
        DataValue.objects.filter(report_id__in=ids)
        .filter(~Q(value="") | Q(number__isnull=False) | ~Q(comment=""))
        .values_list("report_id", "element__code", "option_combo__key", "value", "number", "comment")
    )
    for report_id, code, option_key, text, number, comment in rows:
        found[report_id][cell_key(code, option_key)] = [text, integrity.number_text(number), comment]
    return found


def seal_fields(report: Report) -> dict[str, Any]:
    """The columns that seal `report` as its values are stored now (one query for the values)."""
    values = values_by_report([report.pk])[report.pk]
    key_id, mac = integrity.seal(KIND, identity(report), values)
    return {"seal": mac, "seal_key_id": key_id, "sealed_at": timezone.now()}


UNSEAL_FIELDS = {"seal": "", "seal_key_id": "", "sealed_at": None}


def _accepted() -> Any:
    return Report.objects.filter(status__in=SEALED_STATES).select_related("org", "period", "dataset").order_by("pk")


def items() -> Iterator[integrity.Item]:
    """Every accepted or locked report with its stored cells, BATCH reports per query."""
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
                period=report.period.label,
                subject=report.dataset.name,
            )
        last = reports[-1].pk


def recorded_values(report_id: int) -> tuple[dict[str, str], dict[str, str]]:
    """The last text and comment the audit log recorded for each cell of a report ({cell: text}, {cell: comment})."""
    texts: dict[str, str] = {}
    comments: dict[str, str] = {}
    rows = (
        AuditEntry.objects.filter(
            object_type=Report._meta.label_lower,
            object_id=str(report_id),
            event__in=("reporting.values.save", "reporting.value.comment"),
        )
        .order_by("id")
        .values_list("event", "detail", "after")
    )
    for event, detail, after in rows:
        detail = detail or {}
        if event == "reporting.values.save":
            for cell, change in (detail.get("changes") or {}).items():
                if isinstance(change, list | tuple) and len(change) == 2:
                    texts[cell] = change[1] or ""
        elif detail.get("cell"):
            comments[detail["cell"]] = (after or {}).get("comment", "") or ""
    return texts, comments


def explain(item: integrity.Item) -> list[dict[str, Any]]:
    """The cells whose stored text or comment differs from what the audit log last recorded for them."""
    texts, comments = recorded_values(item.pk)
    labels = _labels(item.pk)
    differ = []
    for cell in sorted(set(texts) | set(comments) | set(item.values)):
        stored = item.values.get(cell) or ["", None, ""]
        for recorded, now, what in (
            (texts.get(cell, ""), stored[0] or "", _("值")),
            (comments.get(cell, ""), stored[2] or "", _("备注")),
        ):
            if recorded != now:
                differ.append(
                    {"key": cell, "label": labels.get(cell, cell), "what": what, "recorded": recorded, "stored": now}
                )
        parsed = _number(stored[0])
        if parsed is not None and stored[1] is not None and integrity.number_text(parsed) != stored[1]:
            # The number kept for rules and sums no longer repeats the text.
            differ.append(
                {"key": cell, "label": labels.get(cell, cell), "what": _("数值"), "recorded": stored[0],
                 "stored": stored[1]}
            )  # fmt: skip
    return differ


def _number(text: str) -> decimal.Decimal | None:
    """The number a cell's text stands for (yes/no as 1/0, reporting/values.py), None for other text."""
    if text in ("true", "false"):
        return decimal.Decimal(1 if text == "true" else 0)
    try:
        number = decimal.Decimal(text)
    except (decimal.InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _labels(report_id: int) -> dict[str, str]:
    from reporting import queries

    report = Report.objects.filter(pk=report_id).select_related("dataset_version").first()
    if report is None:
        return {}
    try:
        layout = queries.version_layout(report.dataset_version)
    except Exception:  # a layout that no longer loads must not hide the mismatch itself
        return {}
    return {cell_key(code, key): cell.label for (code, key), cell in layout.cells.items()}


def seal_missing(by: Actor) -> int:
    """Seal accepted or locked reports that have none (accepted before sealing existed); each one audited."""
    count = 0
    for pk in list(_accepted().filter(seal="").values_list("pk", flat=True)):
        with transaction.atomic():
            report = lock_row(_accepted(), pk=pk)
            if report.seal or report.status not in SEALED_STATES:
                continue  # reopened or sealed meanwhile
            fields = seal_fields(report)
            Report.objects.filter(pk=pk).update(**fields)
            audit.record(
                by,
                "core.integrity.seal",
                report,
                after=None,
                detail={"seal_key_id": fields["seal_key_id"], "seal": fields["seal"], "cells": "accepted"},
            )
        count += 1
    return count


SEALABLE = integrity.Sealable(
    kind=KIND, label=gettext_lazy("统计报表"), items=items, seal_missing=seal_missing, explain=explain
)
