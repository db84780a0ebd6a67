"""Computing a round's scores (always a new computation, never an edit) and publishing the latest one."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import inputs, integrity, scoring
from assessment.choices import RoundStatus
from assessment.models import Computation, CriterionResult, Result, Round
from assessment.services import notices
from assessment.services.common import _office
from core import audit
from core.actor import Actor
from core.db import insert_rows
from core.errors import UserError
from core.jobs import current_job_progress
from core.models import versioned_update

# --- Computing and publishing -----------------------------------------------------------------------


def _store(round_: Round, number: int, fingerprint: str, scores: list[scoring.ParticipantScore], *,
           by: Actor, reason: str) -> Computation:  # fmt: skip
    computation = Computation.objects.create(
        round=round_, number=number, fingerprint=fingerprint, reason=reason[:300], computed_at=timezone.now(),
        computed_by=by.username[:150],
    )  # fmt: skip
    Result.objects.bulk_create(
        [
            Result(
                computation=computation,
                participant_id=s.participant_id,
                raw=s.raw,
                max_points=s.max_points,
                normalised=s.normalised,
                bonus=s.bonus,
                deduction=s.deduction,
                total=s.total,
                grade=s.grade,
                grade_before_cap=s.grade_before_cap,
                vetoed=s.vetoed,
                rank=s.rank,
                group_rank=s.group_rank,
                group_size=s.group_size,
                weakest_id=s.weakest_id,
                unresolved=s.unresolved,
            )  # fmt: skip
            for s in scores
        ],
        batch_size=2000,
    )
    insert_rows(  # 200,000 rows for a round of 5,000 organisations × 40 criteria: as one set (core.db)
        CriterionResult,
        ["computation_id", "participant_id", "criterion_id", "applicable", "points", "max_points", "detail"],
        (
            (computation.pk, s.participant_id, c.criterion_id, c.applicable, c.points, c.max_points,
             {**c.detail, "unresolved": c.unresolved})
            for s in scores
            for c in s.criteria
        ),
    )  # fmt: skip
    return computation


@transaction.atomic
def round_compute(*, by: Actor, round_: Round, reason: str = "") -> Computation:
    """Score every participant from the framework and the current inputs; a new computation, never an edit."""
    _office(by)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.status in (RoundStatus.PUBLISHED, RoundStatus.LOCKED):
        raise UserError(_("考核结果已公布；数据变化后需先重新开启本轮，再重新计算。"))
    # Run as a background job, the person sees the steps done (read, score, store; see core.jobs).
    current_job_progress(done=0, total=3)
    spec, orgs = inputs.round_inputs(round_)
    current_job_progress(done=1, total=3)
    scores = scoring.score_round(spec, orgs)
    current_job_progress(done=2, total=3)
    number = (round_.computations.aggregate(n=Max("number"))["n"] or 0) + 1
    computation = _store(round_, number, inputs.fingerprint(spec, orgs), scores, by=by, reason=reason)
    current_job_progress(done=3, total=3)
    audit.record(
        by, "assessment.round.compute", round_, after=None,
        detail={"computation": number, "fingerprint": computation.fingerprint, "participants": len(scores)},
    )  # fmt: skip
    return computation


def latest_computation(round_: Round) -> Computation | None:
    return round_.computations.order_by("-number").first()


@transaction.atomic
def round_publish(*, by: Actor, round_: Round, version: int) -> Round:
    """Publish the latest computation; refused while criteria await calibration or the inputs changed since."""
    _office(by)
    if round_.status != RoundStatus.CALIBRATION:
        raise UserError(_("只有在校准阶段才能公布考核结果。"))
    computation = latest_computation(round_)
    if computation is None:
        raise UserError(_("请先计算得分，再公布。"))
    unresolved = computation.results.filter(unresolved__gt=0).count()
    if unresolved:
        raise UserError(
            _("还有 %(n)d 家单位存在待校准或缺少设置的考核项，请处理并重新计算后再公布。") % {"n": unresolved}
        )
    spec, orgs = inputs.round_inputs(round_)
    if inputs.fingerprint(spec, orgs) != computation.fingerprint:
        raise UserError(_("计算后评分或数据又有变化，请重新计算后再公布。"))
    before = audit.snapshot(round_)
    republished = round_.computations.filter(published_at__isnull=False).exclude(pk=computation.pk).exists()
    # Sealed as published: the seal, and each participant's digest to trace a later change, are in the audit row.
    sealed, results = integrity.seal_fields(computation)
    Computation.objects.filter(pk=computation.pk).update(published_at=timezone.now(), **sealed)
    versioned_update(round_, version, status=RoundStatus.PUBLISHED, published=computation)
    audit.record(
        by, "assessment.round.publish", round_, before=before,
        detail={"computation": computation.number, "seal": sealed["seal"], "seal_key_id": sealed["seal_key_id"],
                "results": results},
    )  # fmt: skip
    notices.results_published(round_, computation, republished=republished)
    return round_
