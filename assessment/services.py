"""Writes of the assessment app: frameworks, rounds and their life cycle, ratings, appeals, computations.

Every function checks permission itself, refuses stale versions and writes its audit row in the same
transaction. The reform office (Action.ASSESS_MANAGE) keeps frameworks and runs rounds; raters rate only
what they were assigned and never their own organisation; only the assessed organisation appeals.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import inputs, scoring
from assessment.choices import (
    INDICATOR_KINDS,
    SCORED_KINDS,
    AppealStatus,
    Combine,
    CriterionKind,
    Curve,
    EntryKind,
    EvidenceKind,
    FrameworkStatus,
    Grade,
    GradeMethod,
    PeerGroup,
    RoundStatus,
)
from assessment.models import (
    Appeal,
    Calibration,
    Computation,
    Criterion,
    CriterionResult,
    Dimension,
    Entry,
    Evidence,
    Framework,
    Participant,
    RaterAssignment,
    Rating,
    Result,
    Round,
)
from core import audit
from core.actor import Actor
from core.errors import ConflictError, UserError
from orgs.choices import Action, OrgKind
from orgs.models import Membership, Organisation
from orgs.scoping import ensure_action, ensure_allowed

FRAMEWORK_FIELDS = ("name", "total_points", "grade_method", "thresholds", "quotas", "peer_group", "notes")
CRITERION_FIELDS = (
    "code", "name", "description", "kind", "points", "sort_order", "indicator", "target", "floor", "cap", "curve",
    "bands", "full_at", "fact", "levels", "combine", "items", "grade_cap", "kinds", "ownerships", "industries",
)  # fmt: skip


def _office(by: Actor) -> None:
    ensure_action(by, Action.ASSESS_MANAGE)


def _bump(model, obj, version: int, **changes) -> None:
    """Write `changes` only if the row still has `version`; ConflictError otherwise."""
    changed = model.objects.filter(pk=obj.pk, version=version).update(version=F("version") + 1, **changes)
    if not changed:
        raise ConflictError(_("该记录已被他人修改，请刷新后重试。"))
    obj.refresh_from_db()


# --- Frameworks ---------------------------------------------------------------------------------------


def _claim(model, obj, version: int | None) -> None:
    """Take the next version of a row being edited, or raise ConflictError if someone saved it since `version`
    was loaded (None: the caller did not load it, e.g. a script)."""
    if version is None:
        return
    if not model.objects.filter(pk=obj.pk, version=version).update(version=F("version") + 1):
        raise ConflictError(_("该记录已被他人修改，请刷新后重试。"))
    obj.version = version + 1


def _ensure_editable(framework: Framework) -> None:
    if framework.is_frozen:
        raise UserError(_("“%(name)s”已用于考核轮次，不能再修改；如需调整，请复制为新版本。") % {"name": framework})


def _back_to_draft(by: Actor, framework: Framework) -> None:
    """An issued framework that is edited goes back to draft: it must be checked and issued again before a
    round may use it (nothing has used it yet, or it would be frozen)."""
    if framework.status != FrameworkStatus.ISSUED:
        return
    before = audit.snapshot(framework, ["status"])
    Framework.objects.filter(pk=framework.pk).update(status=FrameworkStatus.DRAFT)
    framework.status = FrameworkStatus.DRAFT
    audit.record(by, "assessment.framework.unissue", framework, before=before, after={"status": framework.status})


@transaction.atomic
def framework_create(*, by: Actor, year: int, name: str, copy_from: Framework | None = None) -> Framework:
    """A new framework version for `year`: empty, or a copy of `copy_from` with its dimensions and criteria."""
    _office(by)
    number = (Framework.objects.filter(year=year).aggregate(n=Max("number"))["n"] or 0) + 1
    framework = Framework.objects.create(year=year, number=number, name=name.strip(), copied_from=copy_from)
    if copy_from is not None:
        for field in FRAMEWORK_FIELDS[1:]:
            setattr(framework, field, getattr(copy_from, field))
        framework.save()
        for dimension in copy_from.dimensions.order_by("sort_order", "id"):
            criteria = list(dimension.criteria.order_by("sort_order", "id"))
            dimension.pk = None
            dimension.framework = framework
            dimension.save()
            for criterion in criteria:
                criterion.pk = None
                criterion.dimension = dimension
                criterion.save()
    audit.record(
        by, "assessment.framework.create", framework, detail={"copied_from": copy_from.pk if copy_from else None}
    )
    return framework


def _clean_grading(data: dict) -> dict:
    thresholds = data.get("thresholds") or {}
    try:
        values = [Decimal(str(thresholds[g])) for g in (Grade.EXCELLENT, Grade.GOOD, Grade.PASS)]
    except (KeyError, InvalidOperation) as error:
        raise UserError(_("请填写优秀、良好、合格三个等次的分数线。"), field="thresholds") from error
    if not values[0] > values[1] > values[2] >= 0:
        raise UserError(_("分数线应为：优秀 > 良好 > 合格 ≥ 0。"), field="thresholds")
    quotas = data.get("quotas") or {}
    try:
        shares = [Decimal(str(quotas.get(g, 0))) for g in (Grade.EXCELLENT, Grade.GOOD)]
    except InvalidOperation as error:
        raise UserError(_("等次比例应为数字。"), field="quotas") from error
    if any(s < 0 for s in shares) or sum(shares) > 100:
        raise UserError(_("优秀与良好的比例之和不能超过 100%。"), field="quotas")
    return data


@transaction.atomic
def framework_update(*, by: Actor, framework: Framework, version: int, **data) -> Framework:
    """Change a draft framework's name, full points, grading or peer groups."""
    _office(by)
    _ensure_editable(framework)
    unknown = set(data) - set(FRAMEWORK_FIELDS)
    if unknown:
        raise ValueError(unknown)
    merged = {f: data.get(f, getattr(framework, f)) for f in FRAMEWORK_FIELDS}
    _clean_grading(merged)
    if merged["grade_method"] not in GradeMethod.values or merged["peer_group"] not in PeerGroup.values:
        raise UserError(_("定等方式或同类排名依据无效。"))
    before = audit.snapshot(framework)
    _bump(Framework, framework, version, status=FrameworkStatus.DRAFT, **merged)  # edited: to be issued again
    audit.record(by, "assessment.framework.update", framework, before=before)
    return framework


@transaction.atomic
def dimension_save(
    *, by: Actor, framework: Framework, dimension: Dimension | None = None, code: str, name: str, area: str,
    points: Decimal, sort_order: int = 0, version: int | None = None,
) -> Dimension:  # fmt: skip
    """Add or change a dimension of a draft framework; ConflictError when it changed since `version`."""
    _office(by)
    _ensure_editable(framework)
    _back_to_draft(by, framework)
    if points is None or points < 0:
        raise UserError(_("维度分值不能为负数。"), field="points")
    clash = framework.dimensions.filter(code=code)
    if dimension is not None:
        clash = clash.exclude(pk=dimension.pk)
    if clash.exists():
        raise UserError(_("本方案已有代码为“%(code)s”的维度。") % {"code": code}, field="code")
    before = audit.snapshot(dimension) if dimension else None
    if dimension is not None:
        _claim(Dimension, dimension, version)
    dimension = dimension or Dimension(framework=framework)
    dimension.code, dimension.name, dimension.area, dimension.points, dimension.sort_order = (
        code, name.strip(), area, points, sort_order,
    )  # fmt: skip
    dimension.save()
    audit.record(by, "assessment.dimension.save", dimension, before=before)
    return dimension


@transaction.atomic
def dimension_delete(*, by: Actor, dimension: Dimension) -> None:
    """Delete a dimension of an editable framework with its criteria (one audit row each)."""
    _office(by)
    _ensure_editable(dimension.framework)
    _back_to_draft(by, dimension.framework)
    for criterion in dimension.criteria.all():
        audit.record(by, "assessment.criterion.delete", criterion, before=audit.snapshot(criterion), after=None)
    before = audit.snapshot(dimension)
    audit.record(by, "assessment.dimension.delete", dimension, before=before, after=None)
    dimension.delete()


def criterion_problems(data: dict) -> list[tuple[str, str]]:
    """What is wrong with a criterion's settings, as (field, message) pairs in Chinese."""
    kind = data.get("kind")
    problems: list[tuple[str, str]] = []
    if kind not in CriterionKind.values:
        return [("kind", _("请选择考核指标的类型。"))]
    if data.get("points") is None or data["points"] < 0:
        problems.append(("points", _("分值不能为负数。")))
    if kind in INDICATOR_KINDS and not data.get("indicator"):
        problems.append(("indicator", _("请选择该项依据的指标。")))
    if kind in (CriterionKind.INDICATOR_TARGET, CriterionKind.INDICATOR_RANK):
        if data.get("curve") == Curve.BANDS:
            bands = data.get("bands") or []
            try:
                pairs = [(Decimal(str(lo)), Decimal(str(sh))) for lo, sh in bands]
            except (TypeError, ValueError, InvalidOperation):
                pairs = None
            if not pairs or any(not (0 <= sh <= 1) for _lo, sh in pairs):
                problems.append(("bands", _("分档应为若干“下限, 得分比例”，得分比例在 0 到 1 之间。")))
        elif data.get("floor") is None or data.get("cap") is None or not data["floor"] < data["cap"]:
            problems.append(("cap", _("满分线应高于起评线。")))
    if kind == CriterionKind.INDICATOR_IMPROVEMENT and (data.get("full_at") is None or data["full_at"] <= 0):
        problems.append(("full_at", _("请填写得满分所需的提升幅度（大于 0）。")))
    if kind == CriterionKind.FACT and not data.get("fact"):
        problems.append(("fact", _("请选择该项依据的平台事实。")))
    if kind == CriterionKind.QUALITATIVE:
        levels = data.get("levels") or []
        codes = [lv.get("code") for lv in levels if isinstance(lv, dict)]
        try:
            shares = [Decimal(str(lv["share"])) for lv in levels]
        except (KeyError, TypeError, InvalidOperation):
            shares = []
        if len(levels) < 2 or len(shares) != len(levels) or len(set(codes)) != len(codes) or not all(codes):
            problems.append(("levels", _("定性评价至少要有两个等级，每个等级有不重复的代码、名称和得分比例。")))
        elif any(not (0 <= s <= 1) for s in shares):
            problems.append(("levels", _("等级的得分比例应在 0 到 1 之间。")))
        if data.get("combine") not in Combine.values:
            problems.append(("combine", _("请选择多人评分的合成方式。")))
    if kind in (CriterionKind.BONUS, CriterionKind.DEDUCTION):
        items = data.get("items") or []
        try:
            ok = bool(items) and all(i["code"] and i["label"] and Decimal(str(i["points"])) > 0 for i in items)
        except (KeyError, TypeError, InvalidOperation):
            ok = False
        if not ok:
            problems.append(("items", _("请列出加（扣）分事项，每项有代码、名称和大于 0 的分值。")))
    if kind == CriterionKind.VETO and data.get("grade_cap") not in Grade.values:
        problems.append(("grade_cap", _("请选择发生否决事项后的最高等次。")))
    return problems


@transaction.atomic
def criterion_save(
    *, by: Actor, dimension: Dimension, criterion: Criterion | None = None, version: int | None = None, **data
) -> Criterion:
    """Add or change a criterion of a draft framework; UserError names the first wrong field, ConflictError
    says it changed since `version`."""
    _office(by)
    _ensure_editable(dimension.framework)
    _back_to_draft(by, dimension.framework)
    unknown = set(data) - set(CRITERION_FIELDS)
    if unknown:
        raise ValueError(unknown)
    # A new criterion starts from the model's defaults (floor 60%, cap 100%, linear …), as the form does.
    current = {f: getattr(criterion or Criterion(), f) for f in CRITERION_FIELDS}
    merged = {**current, **data}
    problems = criterion_problems(merged)
    if problems:
        field, message = problems[0]
        raise UserError(message, field=field)
    clash = Criterion.objects.filter(dimension__framework=dimension.framework, code=merged["code"])
    if criterion is not None:
        clash = clash.exclude(pk=criterion.pk)
    if clash.exists():
        raise UserError(_("本方案已有代码为“%(code)s”的考核指标。") % {"code": merged["code"]}, field="code")
    before = audit.snapshot(criterion) if criterion else None
    if criterion is not None:
        _claim(Criterion, criterion, version)
    criterion = criterion or Criterion(dimension=dimension)
    criterion.dimension = dimension
    for field, value in merged.items():
        setattr(criterion, field, value)
    criterion.full_clean(exclude=["dimension", "indicator"])
    criterion.save()
    audit.record(by, "assessment.criterion.save", criterion, before=before)
    return criterion


@transaction.atomic
def criterion_delete(*, by: Actor, criterion: Criterion) -> None:
    _office(by)
    _ensure_editable(criterion.dimension.framework)
    _back_to_draft(by, criterion.dimension.framework)
    audit.record(by, "assessment.criterion.delete", criterion, before=audit.snapshot(criterion), after=None)
    criterion.delete()


def framework_problems(framework: Framework) -> list[str]:
    """What stops a framework from being issued: points that do not add up, empty dimensions, bad criteria."""
    problems = []
    dimensions = list(
        framework.dimensions.order_by("sort_order", "id").prefetch_related("criteria", "criteria__indicator")
    )
    if not dimensions:
        return [_("方案还没有维度。")]
    total = sum((d.points for d in dimensions), Decimal(0))
    if total != framework.total_points:
        problems.append(
            _("各维度分值之和为 %(sum)s 分，与满分 %(total)s 分不符。")
            % {"sum": total, "total": framework.total_points}
        )
    for dimension in dimensions:
        scored = [c for c in dimension.criteria.all() if c.kind in SCORED_KINDS]
        if not scored:
            problems.append(_("维度“%(name)s”没有计分的考核指标。") % {"name": dimension.name})
            continue
        common = sum((c.points for c in scored if c.is_common), Decimal(0))
        if common > dimension.points:
            problems.append(
                _("维度“%(name)s”中适用于全部单位的指标分值合计 %(sum)s 分，超过维度分值 %(points)s 分。")
                % {"name": dimension.name, "sum": common, "points": dimension.points}
            )
        if scored and all(c.is_common for c in scored) and common != dimension.points:
            problems.append(
                _("维度“%(name)s”的指标分值合计 %(sum)s 分，与维度分值 %(points)s 分不符。")
                % {"name": dimension.name, "sum": common, "points": dimension.points}
            )
        for criterion in dimension.criteria.all():
            data = {f: getattr(criterion, f) for f in CRITERION_FIELDS}
            for _field, message in criterion_problems(data):
                problems.append(_("“%(name)s”：%(message)s") % {"name": criterion.name, "message": message})
    return problems


@transaction.atomic
def framework_issue(*, by: Actor, framework: Framework, version: int) -> Framework:
    """Mark a framework ready for rounds; UserError lists what does not add up."""
    _office(by)
    problems = framework_problems(framework)
    if problems:
        raise UserError(_("方案还不能发布：%(problems)s") % {"problems": "；".join(problems)})
    before = audit.snapshot(framework)
    _bump(Framework, framework, version, status=FrameworkStatus.ISSUED)
    audit.record(by, "assessment.framework.issue", framework, before=before)
    return framework


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
    _bump(Round, round_, version, status=target)
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
    _bump(Participant, participant, version, self_note=note.strip(), self_submitted_at=timezone.now())
    audit.record(by, "assessment.self_assessment.submit", participant, before=before)
    return participant


@transaction.atomic
def evidence_add(
    *, by: Actor, participant: Participant, criterion: Criterion | None, title: str, url: str = "",
    upload=None, report=None,
) -> Evidence:  # fmt: skip
    """Attach a file (checked by content, as report attachments), a link or one of the organisation's reports."""
    from reporting.services.attachments import checked_upload, new_storage_name

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
        if not report.org.path.startswith(participant.org.path):
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
    return assignment


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
    return any(org.path.startswith(p) or p.startswith(org.path) for p in own_org_paths(user))


def assigned(user, participant: Participant, criterion: Criterion) -> bool:
    """Whether `user` was named to rate this criterion of this participant."""
    for a in RaterAssignment.objects.filter(round_id=participant.round_id, user=user).select_related("org"):
        if (a.criterion_id in (None, criterion.pk)) and (a.org is None or participant.org.path.startswith(a.org.path)):
            return True
    return False


@transaction.atomic
def rating_save(
    *, by: Actor, participant: Participant, criterion: Criterion, level: str, comment: str, evidence: str = "",
    version: int | None = None,
) -> Rating:  # fmt: skip
    """A rater's level on a qualitative criterion; PermissionDenied unless assigned and not their own organisation."""
    user = by.user
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
    _bump(Rating, rating, version, level=level, comment=comment.strip(), evidence=evidence.strip())
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


# --- Computing, publishing, appeals -------------------------------------------------------------------


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
    CriterionResult.objects.bulk_create(
        (
            CriterionResult(
                computation=computation,
                participant_id=s.participant_id,
                criterion_id=c.criterion_id,
                applicable=c.applicable,
                points=c.points,
                max_points=c.max_points,
                detail={**c.detail, "unresolved": c.unresolved},
            )  # fmt: skip
            for s in scores
            for c in s.criteria
        ),
        batch_size=5000,
    )
    return computation


@transaction.atomic
def round_compute(*, by: Actor, round_: Round, reason: str = "") -> Computation:
    """Score every participant from the framework and the current inputs; a new computation, never an edit."""
    _office(by)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.status in (RoundStatus.PUBLISHED, RoundStatus.LOCKED):
        raise UserError(_("考核结果已公布；数据变化后需先重新开启本轮，再重新计算。"))
    spec, orgs = inputs.round_inputs(round_)
    scores = scoring.score_round(spec, orgs)
    number = (round_.computations.aggregate(n=Max("number"))["n"] or 0) + 1
    computation = _store(round_, number, inputs.fingerprint(spec, orgs), scores, by=by, reason=reason)
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
    Computation.objects.filter(pk=computation.pk).update(published_at=timezone.now())
    _bump(Round, round_, version, status=RoundStatus.PUBLISHED, published=computation)
    audit.record(by, "assessment.round.publish", round_, before=before, detail={"computation": computation.number})
    return round_


@transaction.atomic
def round_reopen(*, by: Actor, round_: Round, version: int, reason: str) -> Round:
    """Back to calibration after publication (data changed, an appeal upheld); earlier results stay kept."""
    _office(by)
    if round_.status not in (RoundStatus.PUBLISHED, RoundStatus.LOCKED):
        raise UserError(_("只有已公布或已锁定的轮次需要重新开启。"))
    if not reason.strip():
        raise UserError(_("请填写重新开启的原因。"), field="reason")
    before = audit.snapshot(round_)
    _bump(Round, round_, version, status=RoundStatus.CALIBRATION)
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
    _bump(Round, round_, version, status=RoundStatus.LOCKED)
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
    today = timezone.localdate()
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
    _bump(
        Appeal, appeal, version, status=AppealStatus.UPHELD if upheld else AppealStatus.REJECTED,
        answer=answer.strip(), answered_by=by.user, answered_at=timezone.now(),
    )  # fmt: skip
    audit.record(by, "assessment.appeal.answer", appeal, before=before)
    return appeal


# --- Framework editor: order of dimensions and criteria (added with the framework pages) ----------------------


def _move(rows: list, obj, direction: str) -> bool:
    """Swap `obj` with its neighbour in `rows` and number them 1, 2, 3 …; False when it cannot move."""
    if direction not in ("up", "down"):
        raise UserError(_("移动方向无效。"))
    index = next(i for i, row in enumerate(rows) if row.pk == obj.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(rows):
        return False
    rows[index], rows[other] = rows[other], rows[index]
    changed = []
    for position, row in enumerate(rows, start=1):
        if row.sort_order != position:
            row.sort_order = position
            changed.append(row)
    type(obj).objects.bulk_update(changed, ["sort_order"])
    return True


@transaction.atomic
def dimension_move(*, by: Actor, dimension: Dimension, direction: str) -> Dimension:
    """Move a dimension of an editable framework one place "up" or "down"; the others keep their order."""
    _office(by)
    _ensure_editable(dimension.framework)
    _back_to_draft(by, dimension.framework)
    before = audit.snapshot(dimension)
    rows = list(
        Dimension.objects.select_for_update().filter(framework=dimension.framework).order_by("sort_order", "id")
    )
    if _move(rows, dimension, direction):
        dimension.refresh_from_db()
        audit.record(by, "assessment.dimension.move", dimension, before=before, detail={"direction": direction})
    return dimension


@transaction.atomic
def criterion_move(*, by: Actor, criterion: Criterion, direction: str) -> Criterion:
    """Move a criterion one place "up" or "down" within its dimension."""
    _office(by)
    _ensure_editable(criterion.dimension.framework)
    _back_to_draft(by, criterion.dimension.framework)
    before = audit.snapshot(criterion)
    rows = list(
        Criterion.objects.select_for_update().filter(dimension=criterion.dimension).order_by("sort_order", "id")
    )
    if _move(rows, criterion, direction):
        criterion.refresh_from_db()
        audit.record(by, "assessment.criterion.move", criterion, before=before, detail={"direction": direction})
    return criterion
