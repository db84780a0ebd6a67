"""Frameworks, their dimensions and criteria: create, copy, edit, check, issue and reorder."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from assessment import facts
from assessment.choices import (
    INDICATOR_KINDS,
    SCORED_KINDS,
    Combine,
    CriterionKind,
    Curve,
    FrameworkStatus,
    Grade,
    GradeMethod,
    PeerGroup,
)
from assessment.models import Criterion, Dimension, Framework
from assessment.services.common import CRITERION_FIELDS, FRAMEWORK_FIELDS, _office
from core import audit, ordering
from core.actor import Actor
from core.errors import UserError
from core.models import versioned_update

# --- Frameworks ---------------------------------------------------------------------------------------


def _claim(obj, version: int | None) -> None:
    """Take the next version of a row being edited, or raise ConflictError if someone saved it since `version`
    was loaded (None: the caller did not load it, e.g. a script)."""
    if version is None:
        return
    versioned_update(obj, version, refresh=False)


def framework_frozen_message(framework: Framework) -> str | None:
    """Why `framework` may no longer be edited (a round uses it), or None while it may."""
    if framework.is_frozen:
        return _("“%(name)s”已用于考核轮次，不能再修改；如需调整，请复制为新版本。") % {"name": framework}
    return None


def _ensure_editable(framework: Framework) -> None:
    message = framework_frozen_message(framework)
    if message is not None:
        raise UserError(message)


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
    versioned_update(framework, version, status=FrameworkStatus.DRAFT, **merged)  # edited: to be issued again
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
        _claim(dimension, version)
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
    if kind == CriterionKind.INDICATOR_TARGET and data.get("target") is not None and data["target"] <= 0:
        problems.append(
            ("target", _("目标值须大于 0：达标率按“实际值 ÷ 目标值”（越小越好的指标为“目标值 ÷ 实际值”）计算，"
                         "目标为 0 时无法计算。目标就是“没有”的事项（如事故），请改用扣分项或一票否决。"))
        )  # fmt: skip
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
        _claim(criterion, version)
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
            for _field, message in criterion_problems(data) + fact_problems(data):
                problems.append(_("“%(name)s”：%(message)s") % {"name": criterion.name, "message": message})
    return problems


def fact_problems(data: dict) -> list[tuple[str, str]]:
    """The platform facts a criterion names (its own, or its bonus / deduction items') that no app has
    registered, as (field, message) pairs: such a framework is not issued, rather than scoring them "not
    applicable" later."""
    items = [item for item in data.get("items") or [] if isinstance(item, dict)]
    named = [data.get("fact") or ""] + [item.get("fact") or "" for item in items]
    return [("fact", _("平台事实“%(key)s”未登记，其数据来源尚未接入。") % {"key": key}) for key in facts.unknown(named)]


@transaction.atomic
def framework_issue(*, by: Actor, framework: Framework, version: int) -> Framework:
    """Mark a framework ready for rounds; UserError lists what does not add up."""
    _office(by)
    problems = framework_problems(framework)
    if problems:
        raise UserError(_("方案还不能发布：%(problems)s") % {"problems": "；".join(problems)})
    before = audit.snapshot(framework)
    versioned_update(framework, version, status=FrameworkStatus.ISSUED)
    audit.record(by, "assessment.framework.issue", framework, before=before)
    return framework


# --- Framework editor: order of dimensions and criteria (added with the framework pages) ----------------------


def _move(rows: list, obj, direction: str) -> bool:
    """Move `obj` one place in `rows` (core.ordering) and save the new numbers; False when it cannot move."""
    changed = ordering.move(rows, obj.pk, direction)
    if changed is None:
        return False
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
