"""What the round pages share: the stages and the office's tabs, access to rounds and participants, the
context every office tab shows, form error helpers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment import forms as f
from assessment import queries
from assessment.choices import RoundStatus
from assessment.models import Participant, Round
from assessment.scoring import NORMALISATION_TEXT
from assessment.views.exports import may_export_summary
from core.errors import UserError
from orgs.choices import Action
from orgs.scoping import get_visible_or_404, office_or_404

PER_PAGE = 100
STAGES = [RoundStatus.SELF_ASSESSMENT, RoundStatus.RATING, RoundStatus.CALIBRATION, RoundStatus.PUBLISHED,
          RoundStatus.LOCKED]  # fmt: skip
STAGE_HELP = {
    RoundStatus.SELF_ASSESSMENT: gettext_lazy("被考核单位填写自评说明、上传佐证材料；产改办指派评分人。"),
    RoundStatus.RATING: gettext_lazy("评分人对定性评价指标评分；被考核单位仍可补充材料。"),
    RoundStatus.CALIBRATION: gettext_lazy(
        "产改办计算得分，校准评分不一致的定性指标，登记加分、扣分和否决事项，确认后公布。"
    ),
    RoundStatus.PUBLISHED: gettext_lazy("结果已公布，被考核单位可在申诉期内对单项得分提出申诉，产改办逐件答复。"),
    RoundStatus.LOCKED: gettext_lazy("申诉期结束，结果锁定。已验收数据如有更正，需重新开启本轮并重新计算。"),
}
OFFICE_TABS = [
    ("round_detail", gettext_lazy("概况")),
    ("round_raters", gettext_lazy("评分人")),
    ("round_ranking", gettext_lazy("计算与排名")),
    ("round_calibration", gettext_lazy("校准")),
    ("round_entries", gettext_lazy("加扣分与否决")),
    ("round_appeals", gettext_lazy("申诉")),
]


# --- Access ---------------------------------------------------------------------------------------------


def _ensure_office(request: HttpRequest) -> None:
    """Office-only pages: 404 outside the office, 403 for an office member who does not run rounds."""
    office_or_404(request.user)
    if not queries.runs_assessment(request.user):
        raise PermissionDenied(_("只有产改办可以管理考核轮次。"))


def _visible_round(request: HttpRequest, pk: int) -> Round:
    """The round if the user runs it, rates in it or has a published result in it; 404 otherwise."""
    return get_object_or_404(queries.rounds_visible(request.user).select_related("framework", "published"), pk=pk)


def _office_round(request: HttpRequest, pk: int) -> Round:
    round_ = _visible_round(request, pk)
    _ensure_office(request)
    return round_


def _visible_participant(request: HttpRequest, pk: int, action: str = Action.VIEW) -> Participant:
    return get_visible_or_404(
        Participant.objects.select_related("round__framework", "round__published", "org"), request.user, action, pk=pk
    )


def _url(name: str, *args) -> str:
    return reverse(name, args=args)


def _put_error(form, error: UserError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _form_errors(form) -> str:
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


def _stages(round_: Round) -> list[dict]:
    current = STAGES.index(round_.status)
    return [
        {"status": s, "label": RoundStatus(s).label, "state": "done" if i < current else "current" if i == current
         else "todo", "help": STAGE_HELP[s]}
        for i, s in enumerate(STAGES)
    ]  # fmt: skip


def _summary_links(request: HttpRequest, round_: Round) -> dict:
    """The provincial summary's page and downloads (views_exports), for those allowed to have them."""
    if not may_export_summary(request.user, round_):
        return {}
    return {
        "summary_url": _url("assessment:summary", round_.pk),
        "summary_xlsx_url": _url("assessment:summary_xlsx", round_.pk),
        "summary_pdf_url": _url("assessment:summary_pdf", round_.pk),
    }


def _round_context(request: HttpRequest, round_: Round, tab: str) -> dict:
    """What every office tab of a round shows: the stage, the tabs, the links to exports."""
    return {
        "round": round_,
        "tab": tab,
        "tabs": OFFICE_TABS,
        "stages": _stages(round_),
        "stage_help": STAGE_HELP[round_.status],
        "framework_url": _url("assessment:framework_detail", round_.framework_id),
        **(_summary_links(request, round_) if round_.computations.exists() else {}),
        "normalisation": _(NORMALISATION_TEXT),
        "pending_appeals": queries.pending_appeals(round_).count(),
        "version_form": f.VersionForm(initial={"version": round_.version}),
        "reopen_form": f.ReopenForm(initial={"version": round_.version}),
        "compute_form": f.ComputeForm(),
    }


def _back(request: HttpRequest, round_: Round, default: str = "assessment:round_detail") -> HttpResponse:
    """Back to the tab the form was posted from (only our own round pages), else `default`."""
    names = {name for name, _label in OFFICE_TABS}
    target = request.POST.get("next_tab", "")
    return redirect(f"assessment:{target}" if target in names else default, pk=round_.pk)
