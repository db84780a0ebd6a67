"""What the analysis pages share: who may see them, links between them, the scope above a table
(breadcrumbs, the picker of a multi-top scope), a query run from a form, and the export rate limit."""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from analytics import engine, sources
from analytics.choices import Level
from analytics.forms import QueryForm, SavedViewForm
from core import exports
from core.errors import UserError
from orgs.choices import Action
from orgs.models import Organisation
from orgs.regions import PREFECTURES
from orgs.scoping import has_action
from reporting import expressions

PREFECTURE_NAMES = dict(PREFECTURES)


def ensure_viewer(request: HttpRequest) -> None:
    """Anyone who may see business data somewhere; every figure is then limited to their scope."""
    if not has_action(request.user, Action.VIEW):
        raise PermissionDenied(_("您没有查看统计分析的权限。"))


def page_url(name: str, params: dict) -> str:
    """The URL of page `name` with `params` as its query string (empty values left out)."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "", False)})
    return reverse(name) + (f"?{query}" if query else "")


def as_float(value: Decimal | None) -> float | None:
    """A figure as the number a chart spec carries (JSON has no Decimal)."""
    return None if value is None else float(value)


def breadcrumbs(user, root_id: int | None, params: dict, page: str = "analytics:pivot") -> list[dict]:
    """The chain from the top of the user's scope down to `root_id`, each a link to drill back up; for a
    scope of several subtrees (a department viewer's enterprises) it starts at all of them together."""
    if root_id is None:
        return []  # all the tops together: the scope picker above the table says so
    tops = engine.scope_tops(user)
    first = []
    if tops:
        first = [
            {
                "name": engine.scope_label(user, len(tops)),
                "url": page_url(page, {**params, "org": "", "level": Level.CHILDREN, "region": ""}),
                "current": False,
            }
        ]
    org = Organisation.objects.visible_to(user, Action.VIEW).filter(pk=root_id).first()
    if org is None:
        return first
    above = [org.path[: org.steplen * depth] for depth in range(1, org.depth)]
    chain = list(Organisation.objects.visible_to(user, Action.VIEW).filter(path__in=above).order_by("path")) + [org]
    return first + [
        {
            "name": o.display_name,
            "url": page_url(
                page,
                {**params, "org": o.pk, "level": Level.PREFECTURE if o.depth == 1 else Level.CHILDREN, "region": ""},
            ),
            "current": o.pk == root_id,
        }
        for o in chain
    ]


def scope_picker(user, current: int | None, url_for) -> list[dict]:
    """For a user whose scope has several tops: 'all of them' and each one, as links (empty otherwise)."""
    tops = engine.scope_tops(user)
    if not tops:
        return []
    items = [{"name": engine.scope_label(user, len(tops)), "url": url_for(None), "current": current is None}]
    items += [{"name": name, "url": url_for(pk), "current": current == pk} for pk, name in tops]
    return items


def describe_refs(text: str) -> list[dict]:
    """The references of an expression with the data elements' names, for the definition page."""
    from reporting.models import CategoryOption, DataElement

    if not text.strip():
        return []
    try:
        refs = expressions.references(expressions.parse(text))
    except expressions.ExpressionError:
        return []
    refs = [sources.normalise(r) for r in refs]
    names = dict(DataElement.objects.filter(code__in={r.element for r in refs}).values_list("code", "name"))
    names |= {s.code: str(s.label) for s in sources.all_sources()}  # #{SRC.<KEY>}: a registered source
    options = dict(
        CategoryOption.objects.filter(code__in={o for r in refs for o in r.options}).values_list("code", "name")
    )
    return [
        {"ref": str(r), "name": names.get(r.element, "?"), "options": "·".join(options.get(o, o) for o in r.options)}
        for r in refs
    ]


def run_query(form: QueryForm, user) -> engine.Answer | None:
    """The engine's answer to a valid form; a UserError becomes a form error (nothing raised)."""
    if not form.is_valid():
        return None
    try:
        return engine.answer(engine.Scope.for_user(user), form.query())
    except UserError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None


def save_form_for(kind: str, params: dict) -> SavedViewForm:
    return SavedViewForm(initial={"kind": kind, "query": json.dumps(params, ensure_ascii=False)})


def too_many_exports(request: HttpRequest) -> HttpResponse | None:
    wait = exports.rate_limited(request, "analytics")
    if not wait:
        return None
    response = HttpResponse(_("导出过于频繁，请%(s)d秒后再试。") % {"s": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def org_param(request: HttpRequest) -> int | None:
    """The `org` parameter: an id, or None for the top of the user's scope; anything else is a 404."""
    raw = request.GET.get("org", "")
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as error:
        raise Http404 from error


def default_level(user, org_id: int | None) -> str:
    """The first drill-down step from an organisation: the province by prefecture (its children are a handful
    of categories, often a single one with data), anything below it by its children (a union's or a
    prefecture's enterprises, an enterprise's units). A scope of several tops: one row per top."""
    paths = engine.Scope.for_user(user).paths
    visible = Organisation.objects.visible_to(user, Action.VIEW)
    if org_id is None:
        if len(paths) != 1:
            return Level.CHILDREN
        depth = visible.filter(path=paths[0]).values_list("depth", flat=True).first()
    else:
        depth = visible.filter(pk=org_id).values_list("depth", flat=True).first()
    return Level.PREFECTURE if depth == 1 else Level.CHILDREN


def period_type_of(code: str) -> str:
    from reporting import periods

    try:
        return periods.parse_code(code).period_type
    except UserError:
        return "year"
