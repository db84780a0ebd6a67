"""Rounds and their life cycle: opening, self-assessment, evidence, raters, ratings, calibration, entries, appeals."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.choices import (
    AppealStatus,
    CriterionKind,
    EntryKind,
    EvidenceKind,
    FrameworkStatus,
    PeerGroup,
    RoundStatus,
)
from assessment.models import (
    Appeal,
    Calibration,
    Criterion,
    Entry,
    Evidence,
    Framework,
    Participant,
    RaterAssignment,
    Rating,
    Round,
)
from assessment.services import notices
from assessment.services.common import _office
from assessment.services.frameworks import framework_problems
from core import audit, deadlines
from core.actor import Actor
from core.errors import ConflictError, UserError
from core.models import versioned_update
from orgs.choices import Action, OrgKind
from orgs.models import Membership, Organisation
from orgs.scoping import ensure_allowed, in_subtree

# --- Rounds -------------------------------------------------------------------------------------------


def peer_of(org: Organisation, peer_group: str, unions: dict[int, Organisation | None]) -> tuple[str, str]:
    """The peer-group key and name an organisation is ranked in."""
    if peer_group == PeerGroup.INDUSTRY:
        return f"industry:{org.industry}", org.get_industry_display() or _("未设置行业")
    if peer_group == PeerGroup.UNION:
        union = unions.get(org.pk)
        return (f"union:{union.pk}", union.name) if union else ("union:", _("无上级产业工会"))
    return f"ownership:{org.ownership}", org.get_ownership_display() or _("未设置所有制")


@transaction.atomic
def round_open(
    *, by: Actor, framework: Framework, name: str, orgs: list[Organisation],
    self_deadline: dt.date | None = None, appeal_deadline: dt.date | None = None,
) -> Round:  # fmt: skip
    """Open a round on an issued framework over `orgs` (each assessed with its own subtree)."""
    _office(by)
    if framework.status != FrameworkStatus.ISSUED:
        raise UserError(_("只能在已发布的考核方案上开启考核轮次。"))
    problems = framework_problems(framework)  # edited after it was issued
    if problems:
        raise UserError(_("方案发布后又有修改，目前不能使用：%(problems)s") % {"problems": "；".join(problems)})
    if not orgs:
        raise UserError(_("请选择被考核单位。"), field="orgs")
    closed = [o.name for o in orgs if o.closed_on]
    if closed:
        raise UserError(_("已撤销的机构不能参加考核：%(names)s") % {"names": "、".join(closed)}, field="orgs")
    from reporting.queries import unions_above

    unions = unions_above(orgs)
    round_ = Round.objects.create(
        framework=framework, name=name.strip(), self_deadline=self_deadline, appeal_deadline=appeal_deadline,
        opened_by=by.user,
    )  # fmt: skip
    Participant.objects.bulk_create(
        Participant(round=round_, org=org, peer_key=key, peer_label=label)
        for org in orgs
        for key, label in [peer_of(org, framework.peer_group, unions)]
    )
    audit.record(by, "assessment.round.open", round_, detail={"participants": [o.code for o in orgs]})
    return round_


NEXT = {
    RoundStatus.SELF_ASSESSMENT: RoundStatus.RATING,
    RoundStatus.RATING: RoundStatus.CALIBRATION,
}


@transaction.atomic
def round_advance(*, by: Actor, round_: Round, version: int) -> Round:
    """Self-assessment → rating → calibration."""
    _office(by)
    target = NEXT.get(round_.status)
    if target is None:
        raise UserError(_("当前阶段“%(status)s”不能直接进入下一阶段。") % {"status": round_.get_status_display()})
    before = audit.snapshot(round_)
    versioned_update(round_, version, status=target)
    audit.record(by, "assessment.round.advance", round_, before=before)
    return round_


def _editable_by_org(participant: Participant) -> None:
    if participant.round.status not in (RoundStatus.SELF_ASSESSMENT, RoundStatus.RATING):
        raise UserError(_("自评阶段已结束，不能再提交自评材料。"))


@transaction.atomic
def self_assessment_submit(*, by: Actor, participant: Participant, note: str, version: int) -> Participant:
    """The organisation's self-assessment statement (its evidence is added with evidence_add)."""
    ensure_allowed(by, Action.EDIT, participant.org)
    _editable_by_org(participant)
    if not note.strip():
        raise UserError(_("请填写自评说明。"), field="note")
    before = audit.snapshot(participant)
    versioned_update(participant, version, self_note=note.strip(), self_submitted_at=timezone.now())
    audit.record(by, "assessment.self_assessment.submit", participant, before=before)
    return participant


@transaction.atomic
def evidence_add(
    *, by: Actor, participant: Participant, criterion: Criterion | None, title: str, url: str = "",
    upload=None, report=None,
) -> Evidence:  # fmt: skip
    """Attach a file (checked by content, as report attachments), a link or one of the organisation's reports."""
    from core.files import checked_upload, new_storage_name

    ensure_allowed(by, Action.EDIT, participant.org)
    _editable_by_org(participant)
    if criterion is not None and criterion.dimension.framework_id != participant.round.framework_id:
        raise UserError(_("该考核指标不属于本轮方案。"), field="criterion")
    sources = [s for s in (upload, url.strip(), report) if s]
    if len(sources) != 1:
        raise UserError(_("请上传一个文件、填写一个链接或选择一份报表（三选一）。"))
    evidence = Evidence(participant=participant, criterion=criterion, title=title.strip()[:200], uploaded_by=by.user)
    if upload is not None:
        name, kind, digest = checked_upload(upload)
        evidence.kind, evidence.sha256 = EvidenceKind.FILE, digest
        evidence.title = evidence.title or name
        evidence.file.save(new_storage_name(kind.extensions[0]), upload, save=False)
    elif report is not None:
        if not in_subtree(report.org, participant.org):
            raise UserError(_("只能引用本单位（含下属单位）的报表。"), field="report")
        evidence.kind, evidence.report = EvidenceKind.REPORT, report
        evidence.title = evidence.title or str(report)
    else:
        if not url.strip().lower().startswith(("http://", "https://")):
            raise UserError(_("链接应以 http:// 或 https:// 开头。"), field="url")
        evidence.kind, evidence.url = EvidenceKind.LINK, url.strip()
    if not evidence.title:
        raise UserError(_("请填写材料标题。"), field="title")
    evidence.save()
    audit.record(by, "assessment.evidence.add", evidence)
    return evidence


@transaction.atomic
def rater_assign(
    *, by: Actor, round_: Round, user, criterion: Criterion | None = None, org: Organisation | None = None
) -> RaterAssignment:
    """Name a rater for the round's qualitative criteria (or one), over all participants (or a subtree)."""
    _office(by)
    if round_.status in (RoundStatus.PUBLISHED, RoundStatus.LOCKED):
        raise UserError(_("考核结果已公布，不能再指派评分人。"))
    if criterion is not None and (
        criterion.kind != CriterionKind.QUALITATIVE or criterion.dimension.framework_id != round_.framework_id
    ):
        raise UserError(_("只能为本轮方案中的定性评价指标指派评分人。"), field="criterion")
    assignment, created = RaterAssignment.objects.get_or_create(round=round_, user=user, criterion=criterion, org=org)
    if created:
        audit.record(by, "assessment.rater.assign", assignment, detail={"user": user.get_username()})
        transaction.on_commit(lambda: cache.delete(_rater_key(user.pk)))
    return assignment


def _rater_key(user_id: int) -> str:
    return f"assessment.rater.{user_id}"


def is_rater(user) -> bool:
    """Whether `user` was named a rater in any round: cached, dropped when they are assigned; at most five
    minutes old (several app processes without a shared cache each keep their own copy)."""
    return cache.get_or_set(
        _rater_key(user.pk), lambda: RaterAssignment.objects.filter(user=user).exists(), timeout=300
    )


def own_org_paths(user) -> list[str]:
    """The organisations a person belongs to (unions, enterprises, units): they may not rate these."""
    return list(
        Membership.objects.filter(
            user=user,
            is_active=True,
            org__kind__in=(OrgKind.UNION, OrgKind.ENTERPRISE, OrgKind.UNIT, OrgKind.PREFECTURE),
        ).values_list("org__path", flat=True)
    )


def rates_own(user, org: Organisation) -> bool:
    """Whether `org` is the rater's own organisation, above it or below it."""
    return any(in_subtree(org, p) or in_subtree(p, org) for p in own_org_paths(user))


def assigned(user, participant: Participant, criterion: Criterion | int | None = None, *, assignments=None) -> bool:
    """Whether `user` was named to rate `participant` on `criterion` (on any criterion when None), and
    the criterion applies to the participant (a criterion limited to some kinds, ownerships or industries
    is no task for the others).

    The one answer to "may this rater see this participant": the rating service, the rater's task
    list, the evidence download and the API's rating endpoint all ask it. It lives here rather than in
    orgs.scoping because it is about rater assignments (orgs must not import assessment), and here rather
    than in assessment.queries because the rating service needs it and queries already import services.
    `assignments` may be the user's assignments in the round, loaded once by a caller that asks many times.
    """
    if isinstance(criterion, Criterion) and not criterion.applies_to(participant.org):
        return False  # nothing to rate: the criterion does not apply to the organisation
    if assignments is None:
        assignments = RaterAssignment.objects.filter(round_id=participant.round_id, user=user).select_related("org")
    criterion_id = getattr(criterion, "pk", criterion)
    return any(
        (criterion_id is None or a.criterion_id in (None, criterion_id)) and in_subtree(participant.org, a.org)
        for a in assignments
    )


@transaction.atomic
def rating_save(
    *, by: Actor, participant: Participant, criterion: Criterion, level: str, comment: str, evidence: str = "",
    version: int | None = None,
) -> Rating:  # fmt: skip
    """A rater's level on a qualitative criterion; PermissionDenied unless assigned and not their own organisation."""
    user = by.user
    if not criterion.applies_to(participant.org):
        raise UserError(
            _("“%(criterion)s”不适用于%(org)s，无需评分。")
            % {"criterion": criterion.name, "org": participant.org.name},
            field="criterion",
        )
    if user is None or not assigned(user, participant, criterion):
        raise PermissionDenied(_("您不是该单位此项的评分人。"))
    if rates_own(user, participant.org):
        raise PermissionDenied(_("不能为本人所在单位评分。"))
    if participant.round.status != RoundStatus.RATING:
        raise UserError(_("当前不在评分阶段，不能评分。"))
    framework_id = participant.round.framework_id
    if criterion.kind != CriterionKind.QUALITATIVE or criterion.dimension.framework_id != framework_id:
        # An assignment without a criterion covers "all qualitative criteria", not any criterion at all.
        raise UserError(_("只能为本轮方案中的定性评价指标评分。"), field="criterion")
    if level not in {lv["code"] for lv in criterion.levels}:
        raise UserError(_("请选择评分等级。"), field="level")
    if not comment.strip():
        raise UserError(_("请填写评语，说明评分理由。"), field="comment")
    rating = Rating.objects.filter(participant=participant, criterion=criterion, rater=user).first()
    if rating is None:
        rating = Rating.objects.create(
            participant=participant, criterion=criterion, rater=user, level=level, comment=comment.strip(),
            evidence=evidence.strip(),
        )  # fmt: skip
        audit.record(by, "assessment.rating.create", rating)
        return rating
    if version is None:
        raise ConflictError(_("您已为该项评过分，请刷新后修改。"))
    before = audit.snapshot(rating)
    versioned_update(rating, version, level=level, comment=comment.strip(), evidence=evidence.strip())
    audit.record(by, "assessment.rating.update", rating, before=before)
    return rating


@transaction.atomic
def calibrate(*, by: Actor, participant: Participant, criterion: Criterion, level: str, reason: str) -> Calibration:
    """The office sets the level of a qualitative criterion, replacing the raters' combined level."""
    _office(by)
    if participant.round.status != RoundStatus.CALIBRATION:
        raise UserError(_("只有在校准阶段才能校准评分。"))
    if criterion.kind != CriterionKind.QUALITATIVE or level not in {lv["code"] for lv in criterion.levels}:
        raise UserError(_("请选择该定性指标的一个评分等级。"), field="level")
    if not reason.strip():
        raise UserError(_("请填写校准理由。"), field="reason")
    calibration = Calibration.objects.filter(participant=participant, criterion=criterion).first()
    before = audit.snapshot(calibration) if calibration else None
    if calibration is None:
        calibration = Calibration(participant=participant, criterion=criterion)
    else:
        calibration.version += 1
    calibration.level, calibration.reason, calibration.by = level, reason.strip(), by.user
    calibration.save()
    audit.record(by, "assessment.calibration.save", calibration, before=before)
    return calibration


@transaction.atomic
def entry_add(*, by: Actor, participant: Participant, criterion: Criterion, item: str, note: str) -> Entry:
    """Record a bonus, deduction or veto event for a participant, with what it rests on."""
    _office(by)
    if participant.round.status in (RoundStatus.PUBLISHED, RoundStatus.LOCKED):
        raise UserError(_("考核结果已公布；如需调整，请先重新开启本轮。"))
    kinds = {CriterionKind.BONUS: EntryKind.BONUS, CriterionKind.DEDUCTION: EntryKind.DEDUCTION,
             CriterionKind.VETO: EntryKind.VETO}  # fmt: skip
    if criterion.kind not in kinds or criterion.dimension.framework_id != participant.round.framework_id:
        raise UserError(_("只能在本轮方案的加分、扣分或否决项下登记。"), field="criterion")
    if criterion.kind != CriterionKind.VETO and item not in {i["code"] for i in criterion.items}:
        raise UserError(_("请选择登记的事项。"), field="item")
    if not note.strip():
        raise UserError(_("请写明事由和依据。"), field="note")
    entry = Entry.objects.create(
        participant=participant,
        criterion=criterion,
        kind=kinds[criterion.kind],
        item=item,
        note=note.strip(),
        by=by.user,
    )
    audit.record(by, "assessment.entry.add", entry)
    return entry


@transaction.atomic
def entry_delete(*, by: Actor, entry: Entry) -> None:
    _office(by)
    if entry.participant.round.status in (RoundStatus.PUBLISHED, RoundStatus.LOCKED):
        raise UserError(_("考核结果已公布；如需调整，请先重新开启本轮。"))
    audit.record(by, "assessment.entry.delete", entry, before=audit.snapshot(entry), after=None)
    entry.delete()


# --- Reopening, locking, appeals -------------------------------------------------------------------


@transaction.atomic
def round_reopen(*, by: Actor, round_: Round, version: int, reason: str) -> Round:
    """Back to calibration after publication (data changed, an appeal upheld); earlier results stay kept."""
    _office(by)
    if round_.status not in (RoundStatus.PUBLISHED, RoundStatus.LOCKED):
        raise UserError(_("只有已公布或已锁定的轮次需要重新开启。"))
    if not reason.strip():
        raise UserError(_("请填写重新开启的原因。"), field="reason")
    before = audit.snapshot(round_)
    versioned_update(round_, version, status=RoundStatus.CALIBRATION)
    audit.record(by, "assessment.round.reopen", round_, before=before, detail={"reason": reason.strip()})
    return round_


@transaction.atomic
def round_lock(*, by: Actor, round_: Round, version: int) -> Round:
    """Close the appeal window for good; refused while appeals wait for an answer."""
    _office(by)
    if round_.status != RoundStatus.PUBLISHED:
        raise UserError(_("只有已公布的轮次可以锁定。"))
    pending = Appeal.objects.filter(participant__round=round_, status=AppealStatus.PENDING).count()
    if pending:
        raise UserError(_("还有 %(n)d 件申诉未答复，答复后才能锁定。") % {"n": pending})
    before = audit.snapshot(round_)
    versioned_update(round_, version, status=RoundStatus.LOCKED)
    audit.record(by, "assessment.round.lock", round_, before=before)
    return round_


def may_appeal(user, participant: Participant) -> bool:
    """Only people of the assessed organisation itself who may edit its data (not its parent union)."""
    from orgs.roles import actions_for

    return any(
        Action.EDIT in actions_for(m.role)
        for m in Membership.objects.filter(user=user, org=participant.org, is_active=True)
    )


@transaction.atomic
def appeal_file(*, by: Actor, participant: Participant, criterion: Criterion, reason: str) -> Appeal:
    """Contest one criterion of a published result, within the appeal window."""
    if by.user is None or not may_appeal(by.user, participant):
        raise PermissionDenied(_("只有被考核单位本单位的人员可以提出申诉。"))
    round_ = participant.round
    if round_.status != RoundStatus.PUBLISHED:
        raise UserError(_("只有在考核结果公布后的申诉期内可以申诉。"))
    today = deadlines.today()
    if round_.appeal_deadline and today > round_.appeal_deadline:
        raise UserError(_("申诉期已于 %(day)s 结束。") % {"day": f"{round_.appeal_deadline:%Y-%m-%d}"})
    if criterion.dimension.framework_id != round_.framework_id:
        raise UserError(_("该考核指标不属于本轮方案。"), field="criterion")
    if not reason.strip():
        raise UserError(_("请写明申诉理由。"), field="reason")
    if Appeal.objects.filter(participant=participant, criterion=criterion, status=AppealStatus.PENDING).exists():
        raise UserError(_("该项已有待答复的申诉。"), field="criterion")
    appeal = Appeal.objects.create(
        participant=participant, criterion=criterion, reason=reason.strip(), filed_by=by.user
    )
    audit.record(by, "assessment.appeal.file", appeal)
    return appeal


@transaction.atomic
def appeal_answer(*, by: Actor, appeal: Appeal, version: int, upheld: bool, answer: str) -> Appeal:
    """The office's answer; an upheld appeal is followed by reopening the round to correct the score."""
    _office(by)
    if appeal.status != AppealStatus.PENDING:
        raise UserError(_("该申诉已答复。"))
    if not answer.strip():
        raise UserError(_("请填写答复意见。"), field="answer")
    before = audit.snapshot(appeal)
    versioned_update(appeal, version, status=AppealStatus.UPHELD if upheld else AppealStatus.REJECTED,
        answer=answer.strip(), answered_by=by.user, answered_at=timezone.now(),
    )  # fmt: skip
    audit.record(by, "assessment.appeal.answer", appeal, before=before)
    notices.appeal_answered(appeal)
    return appeal
