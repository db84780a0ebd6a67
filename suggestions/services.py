"""Writes of 五小 and suggestions: campaigns, entering a suggestion for a worker, and its steps.

Every function checks permission itself, validates with Chinese messages naming the field (UserError),
writes under an optimistic lock (`version`) in one transaction, and records its audit row there.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, deadlines
from core.actor import Actor
from core.cleaning import clean_date, clean_text
from core.db import atomic_retrying, lock_row
from core.errors import ConflictError, UserError
from core.models import versioned_update
from core.workflow import transition
from orgs.choices import Action, OrgKind
from orgs.models import Organisation
from orgs.scoping import ensure_allowed, in_subtree
from suggestions.choices import SuggestionKind, SuggestionStatus
from suggestions.models import Campaign, Proposer, Suggestion
from suggestions.workflow import SUGGESTION_WORKFLOW

MAX_REASON = 500
SINCE = 2000  # no suggestion kept here is older than the reform's records
MAX_PROPOSERS = 20
MAX_VALUE = Decimal("999999999999.99")
SUGGESTION_FIELDS = ("kind", "title", "content", "campaign", "submitted_on")
# Organisations that enter suggestions: where workers work.
PROPOSING_KINDS = (OrgKind.ENTERPRISE, OrgKind.UNIT, OrgKind.UNION, OrgKind.PREFECTURE)


def clean_money(value, *, field: str, label: str, required: bool = True) -> Decimal | None:
    """An amount in 元 with at most two decimals, not negative; UserError naming the field otherwise."""
    if value in (None, ""):
        if required:
            raise UserError(_("请填写%(label)s。") % {"label": label}, field=field)
        return None
    text = str(value).strip().replace(",", "").replace("，", "")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise UserError(_("%(label)s应为数字（元）。") % {"label": label}, field=field) from None
    if not amount.is_finite():
        raise UserError(_("%(label)s应为数字（元）。") % {"label": label}, field=field)
    if amount < 0:
        raise UserError(_("%(label)s不能为负数。") % {"label": label}, field=field)
    if amount > MAX_VALUE:
        raise UserError(_("%(label)s过大，请核对（单位为元）。") % {"label": label}, field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise UserError(_("%(label)s最多保留两位小数。") % {"label": label}, field=field)
    return amount.quantize(Decimal("0.01"))


def clean_kind(value) -> str:
    if value not in SuggestionKind.values:
        raise UserError(_("请选择类别：合理化建议或五小（小发明、小创造、小革新、小设计、小建议）。"), field="kind")
    return value


def clean_kinds(values) -> list[str]:
    values = [values] if isinstance(values, str) else list(values or [])
    unknown = [v for v in values if v not in SuggestionKind.values]
    if unknown:
        raise UserError(_("征集类别“%(kind)s”不存在。") % {"kind": unknown[0]}, field="kinds")
    kinds = [k for k in SuggestionKind.values if k in values]
    if not kinds:
        raise UserError(_("请至少选择一个征集类别。"), field="kinds")
    return kinds


def clean_proposers(proposers, org: Organisation) -> list[dict[str, Any]]:
    """The proposers in order: each a name (required), an occupation and optionally a talent-pool person of
    `org`'s subtree; at least one."""
    rows = []
    for number, row in enumerate(proposers or [], start=1):
        name = clean_text(row.get("name"), field="proposers", label=_("建议人姓名"), limit=50)
        occupation = clean_text(row.get("occupation"), field="proposers", label=_("职业（工种）"), limit=100)
        person = row.get("person")
        if not name and person is None:
            if occupation:
                raise UserError(_("第 %(n)d 位建议人请填写姓名。") % {"n": number}, field="proposers")
            continue
        if person is not None:
            if not in_subtree(person.org, org):
                raise UserError(
                    _("“%(name)s”不在“%(org)s”的人才库中，不能关联。") % {"name": person.name, "org": org.name},
                    field="proposers",
                )
            name = name or person.name
            occupation = occupation or person.occupation
        rows.append({"name": name, "occupation": occupation, "person": person})
    if not rows:
        raise UserError(_("请至少填写一位建议人的姓名。"), field="proposers")
    if len(rows) > MAX_PROPOSERS:
        raise UserError(_("建议人最多 %(n)d 位。") % {"n": MAX_PROPOSERS}, field="proposers")
    seen = set()
    for row in rows:
        key = row["person"].pk if row["person"] else row["name"]
        if key in seen:
            raise UserError(_("建议人“%(name)s”填写了两次。") % {"name": row["name"]}, field="proposers")
        seen.add(key)
    return rows


def _check_campaign(campaign: Campaign | None, *, org: Organisation, kind: str, day: dt.date) -> None:
    if campaign is None:
        return
    province_wide = campaign.organiser.kind in (OrgKind.OFFICE, OrgKind.PROVINCE)
    if not province_wide and not in_subtree(org, campaign.organiser):
        raise UserError(
            _("“%(org)s”不在“%(campaign)s”主办单位的范围内，不能参加该活动。")
            % {"org": org.name, "campaign": campaign.name},
            field="campaign",
        )
    if kind not in campaign.kinds:
        raise UserError(
            _("“%(campaign)s”不征集“%(kind)s”，请选择活动征集的类别：%(kinds)s。")
            % {
                "campaign": campaign.name,
                "kind": SuggestionKind(kind).label,
                "kinds": "、".join(campaign.kind_labels()),
            },
            field="kind",
        )
    if not campaign.starts_on <= day <= campaign.ends_on:
        raise UserError(
            _("提出日期不在“%(campaign)s”的活动期间（%(start)s 至 %(end)s）内。")
            % {
                "campaign": campaign.name,
                "start": f"{campaign.starts_on:%Y-%m-%d}",
                "end": f"{campaign.ends_on:%Y-%m-%d}",
            },
            field="submitted_on",
        )


def _write_proposers(suggestion: Suggestion, rows: list[dict[str, Any]]) -> None:
    suggestion.proposers.all().delete()
    Proposer.objects.bulk_create(
        Proposer(suggestion=suggestion, order=n, name=r["name"], occupation=r["occupation"], person=r["person"])
        for n, r in enumerate(rows, start=1)
    )


def _proposer_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    # The audit row keeps how many and which talent-pool people, not the names typed.
    return {"proposers": len(rows), "linked": [r["person"].pk for r in rows if r["person"]]}


@atomic_retrying
def suggestion_submit(
    *, by: Actor, org: Organisation, kind: str, title: str, content: str, proposers: list[dict[str, Any]],
    campaign: Campaign | None = None, submitted_on: dt.date | str | None = None,
) -> Suggestion:  # fmt: skip
    """Enter a suggestion for the worker(s) at `org` (EDIT there: the union's reporters and administrators)."""
    ensure_allowed(by, Action.EDIT, org)
    if org.kind not in PROPOSING_KINDS:
        raise UserError(_("请选择建议人所在的企业或基层单位，“%(org)s”不是。") % {"org": org.name}, field="org")
    if org.closed_on is not None:
        raise UserError(_("“%(org)s”已撤销，不能再录入建议。") % {"org": org.name}, field="org")
    kind = clean_kind(kind)
    day = clean_date(submitted_on or deadlines.today(), field="submitted_on", label=_("提出日期"), since=SINCE)
    _check_campaign(campaign, org=org, kind=kind, day=day)
    rows = clean_proposers(proposers, org)
    suggestion = Suggestion.objects.create(
        org=org, kind=kind, campaign=campaign, submitted_on=day, submitted_by=by.user,
        title=clean_text(title, field="title", label=_("名称"), required=True, limit=200),
        content=clean_text(content, field="content", label=_("主要内容"), required=True),
    )  # fmt: skip
    _write_proposers(suggestion, rows)
    audit.record(by, "suggestions.suggestion.submit", suggestion, detail=_proposer_summary(rows))
    return suggestion


def _lock(suggestion: Suggestion, version: int | None) -> Suggestion:
    locked = lock_row(Suggestion.objects.select_related("org", "campaign"), pk=suggestion.pk)
    if version is not None and locked.version != version:
        raise ConflictError(_("该建议已被他人修改，请刷新后重试。"))
    return locked


@atomic_retrying
def suggestion_update(
    *, by: Actor, suggestion: Suggestion, version: int, proposers: list[dict[str, Any]] | None = None, **fields: Any
) -> Suggestion:
    """Correct a suggestion still waiting for review (EDIT on its organisation); 409 if saved meanwhile."""
    ensure_allowed(by, Action.EDIT, suggestion.org)
    unknown = set(fields) - set(SUGGESTION_FIELDS)
    if unknown:
        raise UserError(_("不能修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    suggestion = _lock(suggestion, version)
    if suggestion.status not in SUGGESTION_WORKFLOW.editable:
        raise UserError(
            _("建议当前状态为“%(status)s”，已进入审查，不能再修改。") % {"status": suggestion.get_status_display()},
            field="status",
        )
    kind = clean_kind(fields.get("kind", suggestion.kind))
    campaign = fields.get("campaign", suggestion.campaign)
    day = clean_date(
        fields.get("submitted_on", suggestion.submitted_on), field="submitted_on", label=_("提出日期"), since=SINCE
    )
    _check_campaign(campaign, org=suggestion.org, kind=kind, day=day)
    title = fields.get("title", suggestion.title)
    content = fields.get("content", suggestion.content)
    changes = {
        "kind": kind,
        "campaign": campaign,
        "submitted_on": day,
        "title": clean_text(title, field="title", label=_("名称"), required=True, limit=200),
        "content": clean_text(content, field="content", label=_("主要内容"), required=True),
    }
    rows = clean_proposers(proposers, suggestion.org) if proposers is not None else None
    before = audit.snapshot(suggestion)
    versioned_update(suggestion, version, conflict_message=_("该建议已被他人修改，请刷新后重试。"), **changes)
    if rows is not None:
        _write_proposers(suggestion, rows)
    audit.record(
        by, "suggestions.suggestion.update", suggestion, before=before, detail=_proposer_summary(rows) if rows else None
    )
    return suggestion


@atomic_retrying
def suggestion_step(
    *, by: Actor, suggestion: Suggestion, step: str, version: int, reason: str = "", note: str = "",
    implemented_on=None, value=None, value_basis: str = "", reward_amount=None, reward_form: str = "", rewarded_on=None,
) -> Suggestion:  # fmt: skip
    """Take `step` along suggestions.workflow.SUGGESTION_WORKFLOW, recording who and when.

    review: an optional note; reject: the reason (required, shown to the submitter); implement: the date;
    assess: the value created (元) and the basis of the assessment; reward: an amount (元) and/or a form, and
    the date. Raises PermissionDenied (403), IllegalTransition / ConflictError (409), UserError (400).
    """
    try:
        definition = SUGGESTION_WORKFLOW.step(step)
    except KeyError:
        raise UserError(_("操作“%(step)s”不存在。") % {"step": step}, field="step") from None
    ensure_allowed(by, definition.action, suggestion.org)
    suggestion = _lock(suggestion, version)
    SUGGESTION_WORKFLOW.ensure_step(status=suggestion.status, step=step, status_label=suggestion.get_status_display())
    reason = SUGGESTION_WORKFLOW.clean_reason(
        step, clean_text(reason, field="reason", label=_("原因"), limit=MAX_REASON)
    )
    now = timezone.now()
    today = deadlines.today()
    user = by.user
    fields: dict[str, Any] = {}
    detail: dict[str, Any] = {}
    if step == "review":
        fields = {"reviewed_at": now, "reviewed_by": user,
                  "review_note": clean_text(note, field="note", label=_("审查意见"), limit=MAX_REASON)}  # fmt: skip
    elif step == "adopt":
        fields = {"decided_on": today, "decided_by": user, "reject_reason": ""}
    elif step == "reject":
        fields = {"decided_on": today, "decided_by": user, "reject_reason": reason}
        detail = {"reason": reason}
    elif step == "implement":
        day = clean_date(implemented_on, field="implemented_on", label=_("实施日期"), since=SINCE)
        if suggestion.decided_on and day < suggestion.decided_on:
            raise UserError(
                _("实施日期不能早于采纳日期（%(d)s）。") % {"d": f"{suggestion.decided_on:%Y-%m-%d}"},
                field="implemented_on",
            )
        fields = {"implemented_on": day, "implemented_by": user}
    elif step == "assess":
        amount = clean_money(value, field="value", label=_("创效金额"))
        basis = clean_text(value_basis, field="value_basis", label=_("效益评估依据"), required=True)
        fields = {"value": amount, "value_basis": basis, "assessed_on": today, "assessed_by": user}
        detail = {"value": str(amount)}
    elif step == "reward":
        amount = clean_money(reward_amount, field="reward_amount", label=_("奖励金额"), required=False)
        form = clean_text(reward_form, field="reward_form", label=_("奖励形式"), limit=200)
        if amount is None and not form:
            raise UserError(_("请填写奖励金额或奖励形式（如通报表扬、荣誉证书）。"), field="reward_amount")
        day = clean_date(rewarded_on, field="rewarded_on", label=_("奖励日期"), since=SINCE)
        if suggestion.implemented_on and day < suggestion.implemented_on:
            raise UserError(
                _("奖励日期不能早于实施日期（%(d)s）。") % {"d": f"{suggestion.implemented_on:%Y-%m-%d}"},
                field="rewarded_on",
            )
        fields = {"reward_amount": amount, "reward_form": form, "rewarded_on": day, "rewarded_by": user}
        detail = {"reward_amount": str(amount) if amount is not None else ""}
    return transition(
        workflow=SUGGESTION_WORKFLOW, item=suggestion, step=step, by=by, event=f"suggestions.suggestion.{step}",
        detail=detail or None, **fields,
    )  # fmt: skip


# Campaigns ---------------------------------------------------------------------------------------------------


def _campaign_fields(fields: dict[str, Any], current: Campaign | None = None) -> dict[str, Any]:
    get = lambda name: fields.get(name, getattr(current, name, None))  # noqa: E731
    starts = clean_date(get("starts_on"), field="starts_on", label=_("开始日期"), future=True, since=SINCE)
    ends = clean_date(get("ends_on"), field="ends_on", label=_("结束日期"), future=True, since=SINCE)
    if ends < starts:
        raise UserError(_("结束日期不能早于开始日期。"), field="ends_on")
    return {
        "name": clean_text(get("name"), field="name", label=_("活动名称"), required=True, limit=200),
        "starts_on": starts,
        "ends_on": ends,
        "kinds": clean_kinds(get("kinds")),
        "description": clean_text(get("description"), field="description", label=_("活动说明")),
    }


@atomic_retrying
def campaign_create(*, by: Actor, organiser: Organisation, **fields: Any) -> Campaign:
    """A union (REVIEW at the organiser: its administrators, or the office) starts a campaign."""
    ensure_allowed(by, Action.REVIEW, organiser)
    unknown = set(fields) - {"name", "starts_on", "ends_on", "kinds", "description"}
    if unknown:
        raise UserError(_("不能填写：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    campaign = Campaign.objects.create(organiser=organiser, created_by=by.user, **_campaign_fields(fields))
    audit.record(by, "suggestions.campaign.create", campaign)
    return campaign


@atomic_retrying
def campaign_update(*, by: Actor, campaign: Campaign, version: int, **fields: Any) -> Campaign:
    """Change a campaign (REVIEW at its organiser); its suggestions must still fit its period and kinds."""
    ensure_allowed(by, Action.REVIEW, campaign.organiser)
    unknown = set(fields) - {"name", "starts_on", "ends_on", "kinds", "description"}
    if unknown:
        raise UserError(_("不能修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    campaign = lock_row(Campaign.objects.select_related("organiser"), pk=campaign.pk)
    changes = _campaign_fields(fields, campaign)
    rows = Suggestion.objects.filter(campaign=campaign)
    outside = rows.exclude(submitted_on__gte=changes["starts_on"], submitted_on__lte=changes["ends_on"]).count()
    if outside:
        raise UserError(
            _("活动中有 %(n)d 条建议的提出日期不在新的活动期间内，不能这样修改。") % {"n": outside}, field="starts_on"
        )
    dropped = rows.exclude(kind__in=changes["kinds"]).values_list("kind", flat=True).first()
    if dropped:
        raise UserError(
            _("活动中已有“%(kind)s”，不能取消这一征集类别。") % {"kind": SuggestionKind(dropped).label}, field="kinds"
        )
    before = audit.snapshot(campaign)
    versioned_update(campaign, version, conflict_message=_("该活动已被他人修改，请刷新后重试。"), **changes)
    audit.record(by, "suggestions.campaign.update", campaign, before=before)
    return campaign


__all__ = [
    "SuggestionStatus", "campaign_create", "campaign_update", "suggestion_step", "suggestion_submit",
    "suggestion_update",
]  # fmt: skip
