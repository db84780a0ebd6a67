"""Results of studios: patents, work methods, 五小 results and others, with the value they created."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.actor import Actor
from core.db import atomic_retrying, lock_row
from core.errors import UserError
from core.models import versioned_update
from orgs.choices import Action
from orgs.scoping import ensure_allowed
from studios.choices import ResultKind, StudioStatus
from studios.models import Studio, StudioResult
from studios.services.common import check_version, clean_date, clean_money, clean_text
from studios.services.studios import ensure_person_of


def _clean(studio: Studio, *, kind, title, achieved_on, value, credited, reference, description) -> dict:
    if kind not in ResultKind.values:
        raise UserError(_("请选择成果类别。"), field="kind")
    people = list({p.pk: p for p in credited or ()}.values())
    if not people:
        raise UserError(_("请至少选择一名完成人。"), field="credited")
    for person in people:
        ensure_person_of(person, studio.org, field="credited", label=_("完成人"))
    reference = clean_text(reference, field="reference", label=_("专利号或编号"), limit=60)
    if kind == ResultKind.PATENT and not reference:
        raise UserError(_("专利成果请填写专利号。"), field="reference")
    achieved_on = clean_date(achieved_on, field="achieved_on", label=_("取得日期"))
    if achieved_on < studio.namings.order_by("named_on").values_list("named_on", flat=True).first():
        raise UserError(_("取得日期不能早于工作室首次命名日期。"), field="achieved_on")
    return {
        "kind": kind,
        "title": clean_text(title, field="title", label=_("成果名称"), required=True, limit=200),
        "achieved_on": achieved_on,
        "value": clean_money(value, field="value", label=_("创效金额")),
        "reference": reference,
        "description": clean_text(description, field="description", label=_("简介")),
    }, people


@transaction.atomic
def result_record(
    *, by: Actor, studio: Studio, kind: str, title: str, achieved_on, credited: Iterable, value=None,
    reference: str = "", description: str = "",
) -> StudioResult:  # fmt: skip
    """Record a result of an active studio, crediting people of its organisation's talent pool."""
    ensure_allowed(by, Action.EDIT, studio.org)
    if studio.status != StudioStatus.ACTIVE:
        raise UserError(_("已撤销的工作室不能再登记成果。"))
    fields, people = _clean(
        studio, kind=kind, title=title, achieved_on=achieved_on, value=value, credited=credited,
        reference=reference, description=description,
    )  # fmt: skip
    result = StudioResult.objects.create(studio=studio, recorded_by=by.user, **fields)
    result.credited.set(people)
    audit.record(by, "studios.result.record", result, after={**audit.snapshot(result), "credited": _ids(people)})
    return result


@atomic_retrying
def result_update(
    *, by: Actor, result: StudioResult, version: int, kind: str, title: str, achieved_on, credited: Iterable,
    value=None, reference: str = "", description: str = "",
) -> StudioResult:  # fmt: skip
    """Correct a result; 409 if someone saved it meanwhile."""
    studio = result.studio
    ensure_allowed(by, Action.EDIT, studio.org)
    result = lock_row(StudioResult.objects.select_related("studio__org"), pk=result.pk)
    check_version(result, version, _("成果"))
    fields, people = _clean(
        studio, kind=kind, title=title, achieved_on=achieved_on, value=value, credited=credited,
        reference=reference, description=description,
    )  # fmt: skip
    before = {**audit.snapshot(result), "credited": _ids(result.credited.all())}
    versioned_update(result, version, **fields)
    result.credited.set(people)
    audit.record(
        by, "studios.result.update", result, before=before, after={**audit.snapshot(result), "credited": _ids(people)}
    )
    return result


def _ids(people) -> list[int]:
    return sorted(p.pk for p in people)
