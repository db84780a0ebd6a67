"""Batches of demonstration sites: the office opens and edits them, and announces the selected sites."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit, deadlines
from core.actor import Actor
from core.db import atomic_retrying, lock_row
from core.errors import ConflictError, UserError
from core.models import versioned_update
from sites.choices import BatchLevel, BatchStatus, NominationStatus, SiteStatus
from sites.models import Batch, Nomination, Site
from sites.services.common import clean_text, ensure_manager

BATCH_FIELDS = ("level", "year", "name", "quota", "opens_on", "closes_on", "notes")


def _clean(fields: dict[str, Any], current: Batch | None = None) -> dict[str, Any]:
    merged = {f: fields.get(f, getattr(current, f, None)) for f in BATCH_FIELDS}
    if merged["level"] not in BatchLevel.values:
        raise UserError(_("请选择批次级别（省级、集团级或州市级）。"), field="level")
    try:
        year = int(merged["year"])
    except (TypeError, ValueError):
        raise UserError(_("请填写年度，如 2021。"), field="year") from None
    if not 2018 <= year <= 2100:
        raise UserError(_("年度应在 2018 到 2100 之间。"), field="year")
    name = clean_text(merged["name"], field="name", label=_("批次名称"), required=True, limit=100)
    duplicate = Batch.objects.filter(name=name)
    if current is not None:
        duplicate = duplicate.exclude(pk=current.pk)
    if duplicate.exists():
        raise UserError(_("批次名称“%(name)s”已被使用。") % {"name": name}, field="name")
    try:
        quota = int(merged["quota"])
    except (TypeError, ValueError):
        raise UserError(_("请填写名额（入选示范点的个数）。"), field="quota") from None
    if not 1 <= quota <= 500:
        raise UserError(_("名额应在 1 到 500 之间。"), field="quota")
    if current is not None:
        selected = current.nominations.filter(status=NominationStatus.SELECTED).count()
        if quota < selected:
            raise UserError(_("已有 %(n)d 家入选，名额不能少于 %(n)d。") % {"n": selected}, field="quota")
    for key, label in (("opens_on", _("推荐开始日期")), ("closes_on", _("推荐截止日期"))):
        if not isinstance(merged[key], dt.date):
            raise UserError(_("请填写%(label)s。") % {"label": label}, field=key)
    if merged["closes_on"] < merged["opens_on"]:
        raise UserError(_("推荐截止日期不能早于推荐开始日期。"), field="closes_on")
    notes = clean_text(merged["notes"], field="notes", label=_("说明"))
    return {**merged, "year": year, "name": name, "quota": quota, "notes": notes}


@transaction.atomic
def batch_create(*, by: Actor, **fields: Any) -> Batch:
    """The office calls for nominations: a new batch, collecting from its opening day."""
    ensure_manager(by)
    unknown = set(fields) - set(BATCH_FIELDS)
    if unknown:
        raise UserError(_("不能设置：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    batch = Batch.objects.create(**_clean(fields))
    audit.record(by, "sites.batch.create", batch)
    return batch


@atomic_retrying
def batch_update(*, by: Actor, batch: Batch, version: int, status: str | None = None, **fields: Any) -> Batch:
    """Change a batch's details, or move it between 征集中 and 遴选中; 409 if someone saved it meanwhile."""
    ensure_manager(by)
    unknown = set(fields) - set(BATCH_FIELDS)
    if unknown:
        raise UserError(_("不能修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    batch = lock_row(Batch.objects, pk=batch.pk)
    if batch.version != version:
        raise ConflictError(_("该批次已被他人修改，请刷新后重试。"))
    if batch.status == BatchStatus.ANNOUNCED:
        raise UserError(_("批次已公布，不能再修改。"), field="status")
    cleaned = _clean(fields, batch)
    if status is not None and status not in (BatchStatus.COLLECTING, BatchStatus.SELECTING):
        raise UserError(_("批次只能在“征集中”和“遴选中”之间切换；公布请使用“公布”。"), field="status")
    before = audit.snapshot(batch)
    versioned_update(
        batch, version, conflict_message=_("该批次已被他人修改，请刷新后重试。"), status=status or batch.status,
        **cleaned,
    )  # fmt: skip
    audit.record(by, "sites.batch.update", batch, before=before)
    return batch


@atomic_retrying
def batch_announce(*, by: Actor, batch: Batch, version: int, announced_on: dt.date | None = None) -> list[Site]:
    """公布: the batch's selected nominations become sites (已入选, dated), the batch becomes 已公布.

    Refused while nominations still wait for a decision, or when none is selected.
    """
    ensure_manager(by)
    batch = lock_row(Batch.objects, pk=batch.pk)
    if batch.version != version:
        raise ConflictError(_("该批次已被他人修改，请刷新后重试。"))
    if batch.status == BatchStatus.ANNOUNCED:
        raise UserError(_("批次“%(name)s”已经公布。") % {"name": batch.name}, field="status")
    waiting = batch.nominations.filter(status=NominationStatus.SUBMITTED).count()
    if waiting:
        raise UserError(
            _("还有 %(n)d 份推荐未作遴选决定（入选、未入选或退回），请先处理再公布。") % {"n": waiting}, field="status"
        )
    selected = list(
        Nomination.objects.filter(batch=batch, status=NominationStatus.SELECTED).select_related("org").order_by("pk")
    )
    if not selected:
        raise UserError(_("该批次还没有入选的单位，不能公布。"), field="status")
    day = announced_on or deadlines.today()
    before = audit.snapshot(batch)
    versioned_update(batch, version, status=BatchStatus.ANNOUNCED, announced_on=day)
    audit.record(by, "sites.batch.announce", batch, before=before, detail={"sites": len(selected)})
    sites = []
    for nomination in selected:
        site = Site.objects.create(
            org=nomination.org, batch=batch, nomination=nomination, status=SiteStatus.SELECTED,
            goals=nomination.goals, goals_text=nomination.goals_text, contact_name=nomination.contact_name,
            contact_position=nomination.contact_position, contact_phone=nomination.contact_phone, announced_on=day,
        )  # fmt: skip
        audit.record(by, "sites.site.create", site, detail={"batch": batch.pk})
        sites.append(site)
    return sites
