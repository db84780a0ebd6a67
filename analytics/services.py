"""Writes of the analytics app: indicators, their targets, outside figures and saved views.

Indicator definitions, targets and outside figures belong to the reform office (METADATA_MANAGE);
a saved view belongs to its owner. Every write is audited in its own transaction and refuses a
stale version (ConflictError) instead of overwriting someone else's change.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from analytics import sources
from analytics.choices import IndicatorTask, Level
from analytics.models import ExternalFigure, Indicator, IndicatorTarget, SavedView
from core import audit
from core.actor import Actor
from core.errors import UserError
from core.models import versioned_update
from orgs.choices import Action, OrgKind
from orgs.scoping import ensure_action, ensure_allowed
from reporting import expressions
from reporting.choices import COUNTABLE_TYPES, MigrantScope
from reporting.models import DataElement, code_validator

INDICATOR_FIELDS = (
    "name", "short_name", "task", "numerator", "denominator", "factor", "decimals", "unit", "migrant_scope",
    "scope", "description", "higher_is_better", "is_key", "is_active", "sort_order",
)  # fmt: skip
FIELD_LABELS = {"numerator": _("分子"), "denominator": _("分母")}


def _ensure_manager(by: Actor) -> None:
    ensure_action(by, Action.METADATA_MANAGE)


def expression_check(*, text: str, field: str, required: bool = True) -> None:
    """Parse an indicator expression and check each reference against the data elements.

    Raises UserError naming the field (分子/分母), the position or the reference, in Chinese.
    """
    label = {"numerator": _("分子"), "denominator": _("分母")}.get(field, field)
    text = (text or "").strip()
    if not text:
        if required:
            raise UserError(_("%(field)s：请填写表达式。") % {"field": label}, field=field)
        return
    try:
        node = expressions.parse(text)
    except expressions.ExpressionError as error:
        raise UserError(f"{label}：{error.message}", field=field) from error
    refs = expressions.references(node)
    if not refs:
        raise UserError(_("%(field)s：表达式至少要引用一个数据元，如 #{WF_WORKERS}。") % {"field": label}, field=field)
    for ref in [r for r in refs if sources.is_source_ref(r)]:
        try:
            sources.from_ref(ref)
        except UserError as error:
            raise UserError(f"{label}：{error.message}", field=field) from error
    refs = [r for r in refs if not sources.is_source_ref(r)]
    elements = {
        e.code: e
        for e in DataElement.objects.filter(code__in={r.element for r in refs}).select_related("category_combo")
    }
    for ref in refs:
        element = elements.get(ref.element)
        if element is None:
            raise UserError(
                _("%(field)s：数据元“%(code)s”不存在。") % {"field": label, "code": ref.element}, field=field
            )
        if element.value_type not in COUNTABLE_TYPES:
            raise UserError(
                _("%(field)s：数据元“%(name)s”不是数值，不能参与计算。") % {"field": label, "name": element.name},
                field=field,
            )
        if ref.options:
            keys = [k.split(".") for k in element.category_combo.option_combos.values_list("key", flat=True)]
            if not any(set(ref.options).issubset(k) for k in keys):
                raise UserError(
                    _("%(field)s：“%(ref)s”中的分类选项不属于数据元“%(name)s”的分类。")
                    % {"field": label, "ref": str(ref), "name": element.name},
                    field=field,
                )


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    clean = {k: v for k, v in data.items() if k in INDICATOR_FIELDS}
    if "task" in clean and clean["task"] not in IndicatorTask.values:
        raise UserError(_("所属任务无效。"), field="task")
    if "migrant_scope" in clean and clean["migrant_scope"] not in MigrantScope.values:
        raise UserError(_("农民工口径无效。"), field="migrant_scope")
    if "factor" in clean:
        try:
            clean["factor"] = Decimal(str(clean["factor"]))
        except InvalidOperation as error:
            raise UserError(_("乘数应为数字，如 100。"), field="factor") from error
        if clean["factor"] <= 0:
            raise UserError(_("乘数必须大于 0。"), field="factor")
    if "decimals" in clean and not (isinstance(clean["decimals"], int) and 0 <= clean["decimals"] <= 6):
        raise UserError(_("小数位数应为 0 到 6 之间的整数。"), field="decimals")
    if "name" in clean and not str(clean["name"]).strip():
        raise UserError(_("请填写指标名称。"), field="name")
    if "scope" in clean and not str(clean["scope"]).strip():
        raise UserError(_("请说明指标口径（统计对象、是否含农民工、数据来源）。"), field="scope")
    if "numerator" in clean:
        expression_check(text=clean["numerator"], field="numerator")
    if "denominator" in clean:
        expression_check(text=clean["denominator"], field="denominator", required=False)
    return clean


@transaction.atomic
def indicator_create(*, by: Actor, code: str, **data: Any) -> Indicator:
    """Define a new indicator; its expressions are checked against the data elements."""
    _ensure_manager(by)
    try:
        code_validator(code)
    except ValidationError as error:
        raise UserError(_("代码：%(msg)s") % {"msg": "；".join(error.messages)}, field="code") from error
    if Indicator.objects.filter(code=code).exists():
        raise UserError(_("代码“%(code)s”已被其他指标使用。") % {"code": code}, field="code")
    for required in ("name", "task", "numerator", "scope"):
        if not data.get(required):
            raise UserError(_("请填写%(field)s。") % {"field": Indicator._meta.get_field(required).verbose_name},
                            field=required)  # fmt: skip
    indicator = Indicator.objects.create(code=code, **_clean(data))
    audit.record(by, "analytics.indicator.create", indicator)
    return indicator


@transaction.atomic
def indicator_update(*, by: Actor, indicator: Indicator, version: int, **changes: Any) -> Indicator:
    """Change an indicator's definition (the code stays); a stale version changes nothing."""
    _ensure_manager(by)
    clean = _clean(changes)
    before = audit.snapshot(indicator)
    versioned_update(indicator, version, conflict_message=_("该指标已被他人修改，请刷新后重试。"), **clean)
    audit.record(by, "analytics.indicator.update", indicator, before=before)
    return indicator


@transaction.atomic
def indicator_target_set(*, by: Actor, indicator: Indicator, year: int, value: Any, note: str = "", org=None
                         ) -> IndicatorTarget:  # fmt: skip
    """Set (or replace) an indicator's target for a year, province-wide (org None) or for one organisation
    within the actor's scope, whose own dashboard and pivot then use it instead of the province's."""
    _ensure_manager(by)
    if org is not None:
        ensure_allowed(by, Action.METADATA_MANAGE, org)
        if org.kind == OrgKind.PROVINCE:
            raise UserError(_("全省目标请不要选择机构。"), field="org")
        if org.kind in (OrgKind.DEPARTMENT, OrgKind.OFFICE):
            raise UserError(_("“%(org)s”不填报统计数据，不能为其设定目标。") % {"org": org.name}, field="org")
        if org.closed_on is not None:
            raise UserError(_("“%(org)s”已撤销，不能再设定目标。") % {"org": org.name}, field="org")
    try:
        number = Decimal(str(value))
    except InvalidOperation as error:
        raise UserError(_("目标值应为数字。"), field="value") from error
    if not 2000 <= int(year) <= 2100:
        raise UserError(_("年度应在 2000 到 2100 之间。"), field="year")
    target = IndicatorTarget.objects.filter(indicator=indicator, year=year, org=org).first()
    before = audit.snapshot(target) if target else None
    if target is None:
        target = IndicatorTarget.objects.create(indicator=indicator, year=year, org=org, value=number, note=note)
    else:
        target.value, target.note, target.version = number, note, target.version + 1
        target.save(update_fields=["value", "note", "version", "updated_at"])
    audit.record(by, "analytics.target.set", target, before=before)
    return target


@transaction.atomic
def external_figure_create(*, by: Actor, code: str, name: str, period, value: Any, unit: str, scope: str,
                           source: str, region=None, note: str = "") -> ExternalFigure:  # fmt: skip
    """Record a figure from outside the reporting system, with its own scope and source (both required)."""
    _ensure_manager(by)
    if not (scope or "").strip():
        raise UserError(_("请说明口径：外部数据与企业填报数据口径不同，不能混用。"), field="scope")
    if not (source or "").strip():
        raise UserError(_("请填写数据来源，如“省人力资源社会保障厅”。"), field="source")
    try:
        number = Decimal(str(value))
    except InvalidOperation as error:
        raise UserError(_("数值应为数字。"), field="value") from error
    try:
        with transaction.atomic():
            figure = ExternalFigure.objects.create(
                code=code, name=name, period=period, region=region, value=number, unit=unit, scope=scope,
                source=source, note=note,
            )  # fmt: skip
    except IntegrityError as error:
        raise UserError(_("该报告期的“%(name)s”已经录入。") % {"name": name}, field="period") from error
    audit.record(by, "analytics.external.create", figure)
    return figure


# --- Saved views ---------------------------------------------------------------------------------------------

QUERY_KEYS = {"measure", "org", "level", "periods", "by_category", "region", "include_submitted", "restate",
              "chart", "rows", "columns", "filters", "compare", "baseline"}  # fmt: skip


def _clean_query(query: Any) -> dict[str, Any]:
    if not isinstance(query, dict):
        raise UserError(_("查询格式无效。"), field="query")
    unknown = set(query) - QUERY_KEYS
    if unknown:
        raise UserError(_("查询含有不支持的项：%(keys)s。") % {"keys": "、".join(sorted(unknown))}, field="query")
    if "level" in query and query["level"] not in Level.values:
        raise UserError(_("不支持的汇总层级。"), field="query")
    if len(str(query)) > 5000:
        raise UserError(_("查询过长。"), field="query")
    return query


@transaction.atomic
def saved_view_create(*, by: Actor, name: str, query: dict, shared: bool = False, description: str = "",
                      kind: str = "pivot") -> SavedView:  # fmt: skip
    """Save a query under a name for its owner (shared: listed for every user, who see their own scope)."""
    if by.user is None:
        raise PermissionDenied
    ensure_action(by, Action.VIEW)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise UserError(_("名称不能为空，最多 100 个字。"), field="name")
    view = SavedView.objects.create(
        owner=by.user, name=name, query=_clean_query(query), shared=bool(shared), description=description[:300],
        kind=kind[:20],
    )  # fmt: skip
    audit.record(by, "analytics.view.create", view)
    return view


def _ensure_owner(by: Actor, view: SavedView) -> None:
    if by.user is None or view.owner_id != by.user.pk:
        raise PermissionDenied(_("只有创建者可以修改或删除该视图。"))


@transaction.atomic
def saved_view_update(*, by: Actor, view: SavedView, version: int, **changes: Any) -> SavedView:
    """Rename, re-share or change the query of one's own saved view; a stale version changes nothing."""
    _ensure_owner(by, view)
    allowed = {k: v for k, v in changes.items() if k in {"name", "query", "shared", "description"}}
    if "query" in allowed:
        allowed["query"] = _clean_query(allowed["query"])
    if "name" in allowed and not str(allowed["name"]).strip():
        raise UserError(_("名称不能为空，最多 100 个字。"), field="name")
    before = audit.snapshot(view)
    versioned_update(view, version, conflict_message=_("该视图已被修改，请刷新后重试。"), **allowed)
    audit.record(by, "analytics.view.update", view, before=before)
    return view


@transaction.atomic
def saved_view_delete(*, by: Actor, view: SavedView) -> None:
    """Delete one's own saved view."""
    _ensure_owner(by, view)
    before = audit.snapshot(view)
    audit.record(by, "analytics.view.delete", view, before=before, after=None)
    view.delete()
