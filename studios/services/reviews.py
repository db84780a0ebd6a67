"""Annual reviews (年度评估): the studio's side writes and submits its summary, the office rates or returns it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, deadlines
from core.actor import Actor
from core.db import atomic_retrying, lock_row
from core.errors import UserError
from core.models import versioned_update
from core.workflow import transition
from orgs.choices import Action
from orgs.scoping import ensure_allowed
from studios.choices import RUBRIC, StudioStatus, grade_for
from studios.models import Studio, StudioReview
from studios.services.common import check_version, clean_text, clean_year
from studios.workflow import REVIEW_WORKFLOW, review_permission

WHAT = _("年度评估")


def _lock(review: StudioReview, version: int | None) -> StudioReview:
    locked = lock_row(StudioReview.objects.select_related("studio__org"), pk=review.pk)
    check_version(locked, version, WHAT)
    return locked


@transaction.atomic
def review_start(*, by: Actor, studio: Studio, year) -> StudioReview:
    """Open the year's review of an active studio as a draft (one per studio and year)."""
    ensure_allowed(by, Action.EDIT, studio.org)
    year = clean_year(year)
    if studio.status != StudioStatus.ACTIVE:
        raise UserError(_("已撤销的工作室不参加年度评估。"))
    if year < studio.namings.order_by("named_on").values_list("named_on", flat=True).first().year:
        raise UserError(_("工作室命名之前的年度不能评估。"), field="year")
    if year > deadlines.today().year:
        raise UserError(_("只能评估今年及以前的年度。"), field="year")
    if StudioReview.objects.filter(studio=studio, year=year).exists():
        raise UserError(_("%(year)d年度的评估已经建立。") % {"year": year}, field="year")
    review = StudioReview.objects.create(studio=studio, year=year)
    audit.record(by, "studios.review.start", review)
    return review


@atomic_retrying
def review_save(*, by: Actor, review: StudioReview, version: int, summary: str) -> StudioReview:
    """Write the studio's summary while the review is a draft or returned."""
    ensure_allowed(by, Action.EDIT, review.studio.org)
    review = _lock(review, version)
    if review.status not in REVIEW_WORKFLOW.editable:
        raise UserError(_("已提交的年度评估不能修改。"))
    text = clean_text(summary, field="summary", label=_("年度工作总结"), limit=10_000)
    before = audit.snapshot(review, fields=["summary"])
    versioned_update(review, version, summary=text)
    audit.record(by, "studios.review.save", review, before=before, after={"summary": text})
    return review


@atomic_retrying
def review_step(*, by: Actor, review: StudioReview, version: int, step: str, reason: str = "") -> StudioReview:
    """Submit (the studio's side) or return with a reason (the office)."""
    review = _lock(review, version)
    if step not in ("submit", "return"):
        raise UserError(_("不支持的操作。"))
    REVIEW_WORKFLOW.ensure_step(status=review.status, step=step, status_label=review.get_status_display())
    if not by.system_name:
        outcome = REVIEW_WORKFLOW.check(
            status=review.status, step=step, may=review_permission(by.user, review.studio.org)
        )
        if not outcome.allowed:
            raise PermissionDenied(_("您没有执行此操作的权限。"))
    if step == "submit":
        if not review.summary.strip():
            raise UserError(_("请先填写年度工作总结再提交。"), field="summary")
        return transition(
            workflow=REVIEW_WORKFLOW, item=review, step="submit", by=by, event="studios.review.submit",
            submitted_at=timezone.now(), reason="",
        )  # fmt: skip
    text = REVIEW_WORKFLOW.clean_reason("return", clean_text(reason, field="reason", label=_("退回原因"), limit=1000))
    return transition(
        workflow=REVIEW_WORKFLOW, item=review, step="return", by=by, event="studios.review.return",
        detail={"reason": text}, reason=text,
    )  # fmt: skip


def clean_scores(scores: dict) -> tuple[dict[str, Decimal], Decimal]:
    """Each rubric line's points (0 to its maximum, at most one decimal) and their total."""
    cleaned: dict[str, Decimal] = {}
    for criterion in RUBRIC:
        raw = (scores or {}).get(criterion.key)
        if raw in (None, ""):
            raise UserError(_("请填写“%(label)s”的得分。") % {"label": criterion.label}, field=criterion.key)
        try:
            points = Decimal(str(raw).strip())
        except (InvalidOperation, ValueError):
            raise UserError(
                _("“%(label)s”的得分应为数字。") % {"label": criterion.label}, field=criterion.key
            ) from None
        if not points.is_finite() or not 0 <= points <= criterion.max_points:
            raise UserError(
                _("“%(label)s”的得分应在 0 到 %(max)d 之间。")
                % {"label": criterion.label, "max": criterion.max_points},
                field=criterion.key,
            )
        if points != points.quantize(Decimal("0.1")):
            raise UserError(_("“%(label)s”的得分最多保留一位小数。") % {"label": criterion.label}, field=criterion.key)
        cleaned[criterion.key] = points
    return cleaned, sum(cleaned.values(), Decimal(0))


@atomic_retrying
def review_rate(*, by: Actor, review: StudioReview, version: int, scores: dict, comment: str = "") -> StudioReview:
    """The office rates a submitted review on the rubric; the grade follows from the total."""
    review = _lock(review, version)
    REVIEW_WORKFLOW.ensure_step(status=review.status, step="rate", status_label=review.get_status_display())
    if not by.system_name:
        outcome = REVIEW_WORKFLOW.check(
            status=review.status, step="rate", may=review_permission(by.user, review.studio.org)
        )
        if not outcome.allowed:
            raise PermissionDenied(_("只有产改办可以评定年度评估。"))
    cleaned, total = clean_scores(scores)
    return transition(
        workflow=REVIEW_WORKFLOW, item=review, step="rate", by=by, event="studios.review.rate",
        detail={"total": total, "grade": grade_for(total)},
        scores={k: str(v) for k, v in cleaned.items()}, total=total, grade=grade_for(total),
        comment=clean_text(comment, field="comment", label=_("评语"), limit=2000),
        rated_at=timezone.now(), rated_by=by.user,
    )  # fmt: skip
