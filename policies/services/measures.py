"""Writes to the policy library: measures, their state, their eligibility rules and files (the office's).

Every write checks that the actor is the reform office with the right to maintain definitions, validates with a
message naming the field, and leaves one audit row with the values before and after.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from core import attachments, audit, richtext
from core.actor import Actor
from core.cleaning import clean_date, clean_text
from core.db import atomic_retrying, lock_row
from core.errors import UserError
from core.models import versioned_update
from orgs.choices import Action
from orgs.scoping import ensure_action, ensure_office
from policies import rules as rule_table
from policies.choices import Category, MeasureStatus
from policies.models import Measure, MeasureFile, Rule

MEASURE_FIELDS = (
    "title", "issuer", "doc_number", "issued_on", "category", "eligible_text", "benefits", "apply_steps",
    "apply_where", "apply_contact", "apply_deadline", "valid_from", "valid_to", "body",
)  # fmt: skip
REQUIRED = {"title": _("政策名称"), "issuer": _("发文单位"), "issued_on": _("发布日期"), "valid_from": _("有效期起")}
MAX_LENGTHS = {"title": 200, "issuer": 200, "doc_number": 100, "apply_where": 300, "apply_contact": 200}
MAX_TEXT = 20_000
TEXT_LIMITS = {**MAX_LENGTHS, "eligible_text": MAX_TEXT, "benefits": MAX_TEXT, "apply_steps": MAX_TEXT}
DATES = ("issued_on", "valid_from", "valid_to", "apply_deadline")
MAX_BODY = 200_000
MAX_RULES = 12


def ensure_librarian(by: Actor) -> None:
    """The reform office's administrators keep the library (OFFICE_ADMIN: the right to maintain definitions)."""
    ensure_office(by)
    ensure_action(by, Action.METADATA_MANAGE)


def clean_fields(fields: dict[str, Any], current: Measure | None = None) -> dict[str, Any]:
    """The measure's fields stripped and checked, each problem naming its field (UserError)."""
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise UserError(_("不能修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    merged = {f: fields.get(f, getattr(current, f, None)) for f in MEASURE_FIELDS}
    for key, limit in TEXT_LIMITS.items():
        label = REQUIRED.get(key) or Measure._meta.get_field(key).verbose_name
        merged[key] = clean_text(merged[key], field=key, label=label, required=key in REQUIRED, limit=limit)
    merged["category"] = str(merged["category"] or "").strip()
    for key in DATES:
        label = REQUIRED.get(key) or Measure._meta.get_field(key).verbose_name
        merged[key] = clean_date(merged[key], field=key, label=label, required=key in REQUIRED, future=True, since=1949)
    if merged["category"] not in Category.values:
        raise UserError(
            _("类别“%(value)s”无效；可选：%(choices)s。")
            % {"value": merged["category"], "choices": "、".join(str(label) for label in Category.labels)},
            field="category",
        )
    if merged["valid_to"] is not None and merged["valid_to"] < merged["valid_from"]:
        raise UserError(_("有效期止不能早于有效期起。"), field="valid_to")
    body = merged["body"] or ""
    if len(body) > MAX_BODY:
        raise UserError(_("政策全文过长（不能超过 %(n)d 个字符）。") % {"n": MAX_BODY}, field="body")
    body = richtext.clean(body) if "<" in body else richtext.from_plain(body)
    merged["body"] = body
    merged["body_text"] = richtext.plain_text(body)
    return merged


@atomic_retrying
def measure_create(*, by: Actor, status: str = MeasureStatus.DRAFT, **fields: Any) -> Measure:
    """Add a measure to the library (a draft unless `status` says published)."""
    ensure_librarian(by)
    if status not in (MeasureStatus.DRAFT, MeasureStatus.PUBLISHED):
        raise UserError(_("新政策只能保存为草稿或直接发布。"), field="status")
    cleaned = clean_fields(fields)
    measure = Measure.objects.create(**cleaned, status=status, created_by=by.user)
    audit.record(by, "policies.measure.create", measure)
    return measure


@atomic_retrying
def measure_update(*, by: Actor, measure: Measure, version: int, **fields: Any) -> Measure:
    """Change a measure's text, dates or category; 409 if someone saved it meanwhile."""
    ensure_librarian(by)
    measure = lock_row(Measure.objects.all(), pk=measure.pk)
    cleaned = clean_fields(fields, measure)
    before = audit.snapshot(measure)
    versioned_update(measure, version, conflict_message=_("该政策已被他人修改，请刷新后重试。"), **cleaned)
    audit.record(by, "policies.measure.update", measure, before=before)
    return measure


@atomic_retrying
def measure_set_status(*, by: Actor, measure: Measure, version: int, status: str) -> Measure:
    """Publish a draft, repeal a published measure, or take it back to a draft."""
    ensure_librarian(by)
    if status not in MeasureStatus.values:
        raise UserError(_("状态无效。"), field="status")
    measure = lock_row(Measure.objects.all(), pk=measure.pk)
    if measure.status == status:
        raise UserError(_("该政策已是“%(s)s”状态。") % {"s": MeasureStatus(status).label}, field="status")
    before = audit.snapshot(measure, ["status"])
    versioned_update(measure, version, conflict_message=_("该政策已被他人修改，请刷新后重试。"), status=status)
    after = audit.snapshot(measure, ["status"])
    if status == MeasureStatus.PUBLISHED:
        audit.record(by, "policies.measure.publish", measure, before=before, after=after)
    elif status == MeasureStatus.REPEALED:
        audit.record(by, "policies.measure.repeal", measure, before=before, after=after)
    else:
        audit.record(by, "policies.measure.unpublish", measure, before=before, after=after)
    return measure


@atomic_retrying
def rule_add(*, by: Actor, measure: Measure, field: str, operator: str, value: str) -> Rule:
    """Add one eligibility condition to a measure (policies.rules checks field, operator and value)."""
    ensure_librarian(by)
    measure = lock_row(Measure.objects.all(), pk=measure.pk)
    normalised = rule_table.check(field, operator, value)
    if measure.rules.count() >= MAX_RULES:
        raise UserError(_("每项政策最多 %(n)d 个适用条件。") % {"n": MAX_RULES})
    if measure.rules.filter(field=field, operator=operator).exists():
        raise UserError(_("已有相同的条件项和比较方式，请修改原条件或先删除它。"), field="field")
    position = (measure.rules.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    rule = Rule.objects.create(measure=measure, field=field, operator=operator, value=normalised, position=position)
    audit.record(by, "policies.rule.add", rule, detail={"measure": measure.pk, "rule": str(rule)})
    return rule


@atomic_retrying
def rule_delete(*, by: Actor, rule: Rule) -> None:
    ensure_librarian(by)
    before = audit.snapshot(rule)
    text = str(rule)
    audit.record(by, "policies.rule.delete", rule, before=before, after=None, detail={"rule": text})
    rule.delete()


@atomic_retrying
def file_add(*, by: Actor, measure: Measure, upload) -> MeasureFile:
    """Keep a file of the measure (checked by content; macros refused) through core.attachments."""
    ensure_librarian(by)
    row = attachments.keep(MeasureFile(measure=measure), upload, by_user=by.user)
    audit.record(by, "policies.file.add", row, detail={"measure": measure.pk})
    return row
