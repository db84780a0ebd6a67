"""The prefecture map: Yunnan's 16 prefectures coloured by one measure for one period."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from analytics import engine
from analytics.choices import Level
from analytics.forms import MapForm
from analytics.views.common import (
    PREFECTURE_NAMES,
    as_float,
    ensure_viewer,
    page_url,
    period_type_of,
    save_form_for,
)
from analytics.views.presenters import figure_note
from analytics.web import outside_scope_is_404, scope_of
from core.errors import UserError
from core.replica import reads_from_replica
from orgs.choices import Action
from orgs.regions import PREFECTURES
from orgs.scoping import has_action


def short_prefecture(name: str) -> str:
    """楚雄彝族自治州 → 楚雄州, 西双版纳傣族自治州 → 西双版纳州; cities stay as they are."""
    if name.endswith("自治州"):
        stem = name[: -len("自治州")]
        for people in ("哈尼族彝族", "壮族苗族", "傣族景颇族", "傈僳族", "彝族", "傣族", "白族", "藏族"):
            if stem.endswith(people):
                return stem[: -len(people)] + "州"
    return name


def map_layout(answer: engine.Answer) -> dict:
    """An answer by prefecture as the map page shows it: the map's spec, a row per prefecture linking to
    its enterprises in the pivot, the figures of no prefecture, the total, and the pivot's parameters."""
    period = answer.periods[0][0]
    base = {
        "measure": answer.measure,
        "period_type": period_type_of(period),
        "period_from": period,
        "period_to": period,
        "include_submitted": "1" if answer.query.include_submitted else "",
    }
    by_region = {f.group.partition(":")[2]: f for f in answer.rows if f.group.startswith("region:") and not f.option}
    codes = [code for code, _name in PREFECTURES]
    spec = {
        "kind": "map",
        "title": answer.label,
        "unit": answer.unit,
        "decimals": answer.decimals,
        "as_of": answer.as_of_label,
        "categories": codes,
        "short_names": [short_prefecture(PREFECTURE_NAMES[c]) for c in codes],
        "map": {"url": static("vendor/yunnan-map/yunnan.json")},
        "series": [
            {
                "name": f"{answer.label}（{answer.periods[0][1]}）",
                # No figure, or one whose inputs no report collected: null, drawn grey (not as 0).
                "values": [as_float(by_region[c].value) if c in by_region else None for c in codes],
                "labels": [by_region[c].display if c in by_region else _("无数据") for c in codes],
                "notes": [figure_note(by_region.get(c)) for c in codes],
                "urls": [page_url("analytics:pivot", {**base, "region": c, "level": Level.ENTERPRISE}) for c in codes],
            }
        ],
    }
    rows = [
        {
            "code": c,
            "name": PREFECTURE_NAMES[c],
            "figure": by_region.get(c),
            "url": page_url("analytics:pivot", {**base, "region": c, "level": Level.ENTERPRISE}),
        }
        for c in codes
    ]
    others = [f for f in answer.rows if not f.option and f.group.partition(":")[2] not in PREFECTURE_NAMES]
    no_data = [
        PREFECTURE_NAMES[c] for c in codes if c not in by_region or by_region[c].no_data or by_region[c].value is None
    ]
    return {
        "spec": spec,
        "rows": rows,
        "no_data": no_data,
        "others": others,
        "total": next((f for f in answer.totals if not f.option), None),
        "params": {**base, "level": Level.PREFECTURE},
    }


@require_GET
@outside_scope_is_404
@reads_from_replica
def prefecture_map(request: HttpRequest) -> HttpResponse:
    """Yunnan's 16 prefectures coloured by one measure for one period; click one to list its enterprises."""
    ensure_viewer(request)
    current = engine.current_year(request.user)
    form = MapForm(request.GET, current_year=current)
    answer = None
    if form.is_valid():
        data = form.cleaned_data
        query = engine.Query(
            measure=data["measure"],
            level=Level.PREFECTURE,
            periods=(data["period"],),
            include_submitted=bool(data.get("include_submitted")),
        )
        try:
            answer = engine.answer(scope_of(request), query)
        except UserError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    context = {"form": form, "answer": answer, "title": _("州市地图")}
    if answer is not None:
        layout = map_layout(answer)
        params = layout.pop("params")
        context.update(
            **layout,
            export_url=page_url("analytics:pivot_export", params),
            pivot_url=page_url("analytics:pivot", params),
            save_form=save_form_for("map", {**params, "kind": "map"}),
            may_export=has_action(request.user, Action.EXPORT),
            png_name=f"{answer.label}-{answer.periods[0][1]}-州市",
        )
    return render(request, "analytics/map.html", context)
