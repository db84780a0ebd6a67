"""培训覆盖: for a year, the share of the expected organisations with at least one person who completed a class."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from core import audit, deadlines
from core.actor import Actor
from core.exports import export_file, export_response, rate_limited
from orgs.choices import Action
from orgs.scoping import ensure_action
from training.queries import class_years
from training.queries.coverage import audience_choices, coverage


class CoverageForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    audience = forms.ChoiceField(label=_("应培训单位"))

    def __init__(self, *args, years: list[int], audiences: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}") for y in years]
        self.fields["audience"].choices = audiences
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"


def _chosen(request: HttpRequest):
    """The form, the year and the audience asked for (this year and the default audience when not valid)."""
    today = deadlines.today()
    years = sorted({*class_years(request.user), today.year}, reverse=True)
    raw_year = request.GET.get("year", "")
    year = int(raw_year) if raw_year.isdigit() and int(raw_year) in years else today.year
    audiences = audience_choices(request.user, year)
    form = CoverageForm(
        {"year": year, "audience": request.GET.get("audience", "default")}, years=years, audiences=audiences
    )
    audience = form.data["audience"] if form.is_valid() else "default"
    return form, coverage(request.user, year=year, audience=audience)


@require_GET
def coverage_page(request: HttpRequest) -> HttpResponse:
    ensure_action(request.user, Action.VIEW)
    form, result = _chosen(request)
    return render(request, "training/coverage.html", {"form": form, "result": result})


@require_GET
def coverage_xlsx(request: HttpRequest) -> HttpResponse:
    """The coverage's organisations as .xlsx (trained or not, people completed); audited with the row count."""
    ensure_action(request.user, Action.EXPORT)
    wait = rate_limited(request, "training-coverage")
    if wait:
        response = HttpResponse(gettext("导出过于频繁，请%(s)d秒后再试。") % {"s": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    _form, result = _chosen(request)
    headers = [gettext("单位"), gettext("类型"), gettext("所属州市/工会"), gettext("结业人次"), gettext("是否已培训")]
    rows = [
        [
            line.org.name,
            line.org.get_kind_display(),
            line.group,
            line.people,
            gettext("是") if line.trained else gettext("否"),
        ]
        for line in result.orgs
    ]
    fileobj, count = export_file(
        "xlsx", sheet_title=gettext("%(year)d年培训覆盖") % {"year": result.year}, headers=headers, rows=rows
    )
    audit.record(
        Actor.from_request(request), "training.coverage.export", after=None,
        detail={"year": result.year, "audience": result.audience, "rows": count},
    )  # fmt: skip
    stem = gettext("培训覆盖-%(year)d") % {"year": result.year}
    return export_response(fileobj, fmt="xlsx", filename_stem=stem, fallback_stem=f"coverage-{result.year}")
