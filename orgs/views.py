"""Organisation pages: the tree browser with search, the organisation page, and its changes; the home page.

Reads go through the scope (`get_visible_or_404`, `visible_to`): outside it an organisation does
not exist for the user (404). Changes go through orgs.services, which check ORG_MANAGE again;
the views check it first so that a user inside the scope without the right gets 403, not a form.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import registry
from core.actor import Actor
from core.errors import ConflictError, UserError
from orgs import queries, services
from orgs.choices import Action, Industry, OrgKind, Ownership, Role
from orgs.filters import OrganisationFilter
from orgs.forms import AssignmentEndForm, AssignmentForm, OrgCloseForm, OrgCreateForm, OrgEditForm, OrgMoveForm
from orgs.models import Assignment, Organisation
from orgs.pickers import PURPOSES
from orgs.scoping import can, ensure_action, get_visible_or_404, has_action, is_office

SEARCH_LIMIT = 50
CHILDREN_BATCH = 100
# The tree page opens its roots when there are this many or fewer.
ROOTS_OPENED = 3
DETAIL_CHILDREN_PER_PAGE = 50
BUSINESS_KINDS = (OrgKind.UNION, OrgKind.ENTERPRISE, OrgKind.UNIT)


def _visible_org(request: HttpRequest, code: str, queryset=None) -> Organisation:
    """The organisation with `code` if the user may browse it; 404 otherwise (missing or not theirs)."""
    return get_visible_or_404(
        queryset if queryset is not None else Organisation.objects, request.user, Action.ORG_VIEW, code=code
    )


def _managed_org(request: HttpRequest, code: str) -> Organisation:
    """The organisation with `code` if the user may change it: 404 outside the scope, 403 without the right."""
    org = _visible_org(request, code)
    if not can(request.user, Action.ORG_MANAGE, org):
        raise PermissionDenied(_("您没有维护“%(org)s”的权限。") % {"org": org.name})
    return org


def _flag(request: HttpRequest, name: str) -> bool:
    return request.GET.get(name) in {"1", "on", "true"}


@require_GET
def org_tree(request: HttpRequest) -> HttpResponse:
    """The tree from the user's visible roots, or search results with each hit's path."""
    ensure_action(request.user, Action.ORG_VIEW)
    filterset = OrganisationFilter(
        request.GET, queryset=Organisation.objects.visible_to(request.user, Action.ORG_VIEW), request=request
    )
    include_closed = filterset.include_closed
    context = {"filter": filterset, "include_closed": include_closed, "search_limit": SEARCH_LIMIT}
    if filterset.searching:
        hits = list(filterset.qs[: SEARCH_LIMIT + 1])
        ancestors = queries.visible_ancestors(user=request.user, orgs=hits[:SEARCH_LIMIT])
        context.update(
            searching=True,
            more=len(hits) > SEARCH_LIMIT,
            results=[(hit, ancestors[hit.pk]) for hit in hits[:SEARCH_LIMIT]],
        )
    else:
        roots = list(queries.visible_roots(user=request.user, include_closed=include_closed))
        if len(roots) <= ROOTS_OPENED:
            # A few roots (the province, or one union) open on arrival with their first level shown.
            for root in roots:
                rows = list(
                    queries.children_of(user=request.user, parent=root, include_closed=include_closed)[
                        : CHILDREN_BATCH + 1
                    ]
                )
                root.opened_children = rows[:CHILDREN_BATCH]
                root.next_offset = CHILDREN_BATCH if len(rows) > CHILDREN_BATCH else None
        context.update(searching=False, roots=roots)
    partial = request.htmx and not request.htmx.history_restore_request
    return render(request, "orgs/org_tree.html" + ("#results" if partial else ""), context)


def _pick_rate_exceeded(request: HttpRequest) -> int:
    """Count one picker search by this user; the seconds to wait when over the per-minute limit, else 0."""
    limit = getattr(settings, "ORG_PICK_RATE_PER_MINUTE", 120)
    key = f"org-pick-rate:{request.user.pk}"
    if cache.add(key, 1, 60):
        return 0
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 60)
        return 0
    return 60 if count > limit else 0


@require_GET
def org_pick(request: HttpRequest) -> HttpResponse:
    """The organisation picker's search (JSON): at most ten open organisations the user may act on for the
    picker's purpose (`for`), matching a name, short name, pinyin initials or code."""
    purpose = request.GET.get("for") or "view"
    if purpose not in PURPOSES:
        return JsonResponse({"detail": _("未知的机构选择用途。")}, status=400)
    wait = _pick_rate_exceeded(request)
    if wait:
        response = JsonResponse({"detail": _("查询过于频繁，请稍后再试。")}, status=429)
        response["Retry-After"] = str(wait)
        return response
    text = (request.GET.get("q") or "").strip()
    results, more = queries.orgs_pick(user=request.user, text=text, action=PURPOSES[purpose]) if text else ([], False)
    response = JsonResponse({"results": results, "more": more})
    response["Cache-Control"] = "no-store, private"
    return response


@require_GET
def org_children(request: HttpRequest, code: str) -> HttpResponse:
    """One batch of a node's children, for the tree browser (htmx swaps it in when a node opens)."""
    parent = _visible_org(request, code)
    include_closed = _flag(request, "closed")
    try:
        offset = max(0, int(request.GET.get("offset", "0")))
    except ValueError:
        offset = 0
    rows = list(
        queries.children_of(user=request.user, parent=parent, include_closed=include_closed)[
            offset : offset + CHILDREN_BATCH + 1
        ]
    )
    context = {
        "parent": parent,
        "children": rows[:CHILDREN_BATCH],
        "next_offset": offset + CHILDREN_BATCH if len(rows) > CHILDREN_BATCH else None,
        "include_closed": include_closed,
    }
    return render(request, "orgs/org_tree.html#children", context)


@require_GET
def org_detail(request: HttpRequest, code: str) -> HttpResponse:
    """An organisation's attributes, path, children, history, members and assignments."""
    org = _visible_org(request, code, Organisation.objects.select_related("region"))
    include_closed = _flag(request, "closed")
    children = Paginator(
        queries.children_of(user=request.user, parent=org, include_closed=include_closed), DETAIL_CHILDREN_PER_PAGE
    ).get_page(request.GET.get("page"))
    assignments = None
    if org.kind == OrgKind.DEPARTMENT:
        assignments = list(queries.department_assignments(department=org))
    elif org.kind in BUSINESS_KINDS:
        assignments = list(queries.enterprise_assignments(enterprise=org))
    for assignment in assignments or ():
        # Ending an assignment is the department's side's decision (orgs.services.assignment_end).
        assignment.may_end = assignment.valid_to is None and can(request.user, Action.ORG_MANAGE, assignment.department)
    context = {
        "org": org,
        "ancestors": queries.visible_ancestors(user=request.user, orgs=[org])[org.pk],
        "children": children,
        "include_closed": include_closed,
        "page_extra": "&closed=1" if include_closed else "",
        "links": list(org.links.select_related("parent").order_by("-valid_from")),
        "members": list(queries.org_members(org=org)),
        "assignments": assignments,
        "may_manage": can(request.user, Action.ORG_MANAGE, org),
        "is_department": org.kind == OrgKind.DEPARTMENT,
        "is_business": org.kind in BUSINESS_KINDS,
    }
    return render(request, "orgs/org_detail.html", context)


def _label(name: str) -> str:
    if name == "parent":
        return _("上级机构")
    try:
        return str(Organisation._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a key from an older audit row is shown as it is
        return name


_CHOICES = {"kind": OrgKind, "ownership": Ownership, "industry": Industry}


def _shown(name: str, value) -> str:
    if value in (None, ""):
        return _("（空）")
    if name in _CHOICES:
        try:
            return str(_CHOICES[name](value).label)
        except ValueError:
            return str(value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


def _changes_since(org: Organisation, version: int) -> list[dict]:
    """What others changed after `version`, with field labels and displayable values."""
    return [
        {
            "at": change["at"],
            "fields": [(_label(name), _shown(name, old), _shown(name, new)) for name, old, new in change["fields"]],
        }
        for change in queries.org_changes_since(org=org, version=version)
    ]


def _conflict(form, org: Organisation, error: ConflictError) -> list[dict]:
    """Show the conflict: the message, what changed meanwhile; the form now carries the current version."""
    form.add_error(None, error.message)
    stale = form.cleaned_data.get("version") or 0
    org.refresh_from_db()
    form.set_version(org.version)
    return _changes_since(org, stale)


@require_http_methods(["GET", "POST"])
def org_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Edit an organisation's attributes; a stale version is refused with what changed meanwhile."""
    org = _managed_org(request, code)
    changes = None
    if request.method == "POST":
        form = OrgEditForm(request.POST)
        if form.is_valid():
            try:
                services.org_update(
                    by=Actor.from_request(request), org=org, version=form.cleaned_data["version"], **form.changes()
                )
            except ConflictError as error:
                changes = _conflict(form, org, error)
            except UserError as error:
                form.add_service_error(error)
                org.refresh_from_db()
            else:
                messages.success(request, _("已保存“%(name)s”的修改。") % {"name": org.name})
                return redirect(org)
    else:
        form = OrgEditForm(initial=OrgEditForm.initial_for(org))
    return render(request, "orgs/org_form.html", {"org": org, "form": form, "changes": changes, "mode": "edit"})


@require_http_methods(["GET", "POST"])
def org_create(request: HttpRequest, code: str) -> HttpResponse:
    """Add a child organisation under the one with `code`."""
    parent = _managed_org(request, code)
    if request.method == "POST":
        form = OrgCreateForm(request.POST)
        if form.is_valid():
            values = form.values()
            try:
                child = services.org_create(
                    by=Actor.from_request(request),
                    parent=parent,
                    code=values.pop("code"),
                    name=values.pop("name"),
                    kind=values.pop("kind"),
                    **values,
                )
            except UserError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("已新增机构“%(name)s”。") % {"name": child.name})
                return redirect(child)
    else:
        form = OrgCreateForm()
    return render(request, "orgs/org_form.html", {"org": parent, "form": form, "mode": "create"})


@require_http_methods(["GET", "POST"])
def org_move(request: HttpRequest, code: str) -> HttpResponse:
    """Move an organisation (with its subtree) under another parent from a date; history is kept."""
    org = _managed_org(request, code)
    changes = None
    if request.method == "POST":
        form = OrgMoveForm(request.POST)
        if form.is_valid():
            new_parent = (
                Organisation.objects.visible_to(request.user, Action.ORG_MANAGE)
                .filter(code=form.cleaned_data["new_parent"])
                .first()
            )
            if new_parent is None:
                form.add_error(
                    "new_parent",
                    _("找不到机构代码为“%(code)s”的机构，或您无权在其下维护机构。")
                    % {"code": form.cleaned_data["new_parent"]},
                )
            else:
                try:
                    services.org_move(
                        by=Actor.from_request(request),
                        org=org,
                        new_parent=new_parent,
                        on=form.cleaned_data["on"],
                        version=form.cleaned_data["version"],
                    )
                except ConflictError as error:
                    changes = _conflict(form, org, error)
                except UserError as error:
                    form.add_service_error(error)
                else:
                    messages.success(
                        request,
                        _("已将“%(name)s”迁移到“%(parent)s”之下。") % {"name": org.name, "parent": new_parent.name},
                    )
                    return redirect(org)
    else:
        form = OrgMoveForm(initial={"version": org.version})
    return render(request, "orgs/org_form.html", {"org": org, "form": form, "changes": changes, "mode": "move"})


@require_http_methods(["GET", "POST"])
def org_close(request: HttpRequest, code: str) -> HttpResponse:
    """Close (撤销) an organisation from a date; refused while it has open children."""
    org = _managed_org(request, code)
    changes = None
    if request.method == "POST":
        form = OrgCloseForm(request.POST)
        if form.is_valid():
            try:
                services.org_close(
                    by=Actor.from_request(request),
                    org=org,
                    on=form.cleaned_data["on"],
                    version=form.cleaned_data["version"],
                    confirm_later_records=form.cleaned_data["confirm_later_records"],
                )
            except ConflictError as error:
                changes = _conflict(form, org, error)
            except UserError as error:
                on = form.cleaned_data["on"]
                form.add_service_error(error)
                if services.records_after(org, on):
                    form.ask_confirmation()
            else:
                messages.success(request, _("已撤销“%(name)s”。") % {"name": org.name})
                return redirect(org)
    else:
        form = OrgCloseForm(initial={"version": org.version})
    return render(request, "orgs/org_form.html", {"org": org, "form": form, "changes": changes, "mode": "close"})


@require_http_methods(["GET", "POST"])
def assignment_create(request: HttpRequest, code: str) -> HttpResponse:
    """Assign an enterprise to a member department (挂钩帮带), from the page of either."""
    org = _managed_org(request, code)
    if org.kind != OrgKind.DEPARTMENT and org.kind not in BUSINESS_KINDS:
        raise PermissionDenied(_("只有成员单位和企业可以设置挂钩帮带关系。"))
    if request.method == "POST":
        form = AssignmentForm(request.POST, org=org)
        if form.is_valid():
            other = (
                Organisation.objects.visible_to(request.user, Action.ORG_MANAGE)
                .filter(code=form.cleaned_data["other"])
                .first()
            )
            if other is None:
                form.add_error(
                    "other",
                    _("找不到机构代码为“%(code)s”的机构，或您无权维护该机构。") % {"code": form.cleaned_data["other"]},
                )
            else:
                department, enterprise = (org, other) if org.kind == OrgKind.DEPARTMENT else (other, org)
                try:
                    services.assignment_create(
                        by=Actor.from_request(request),
                        department=department,
                        enterprise=enterprise,
                        valid_from=form.cleaned_data["valid_from"],
                    )
                except UserError as error:
                    form.add_service_error(error)
                else:
                    messages.success(
                        request,
                        _("已将“%(enterprise)s”挂钩到“%(department)s”。")
                        % {"enterprise": enterprise.name, "department": department.name},
                    )
                    return redirect(org)
    else:
        form = AssignmentForm(org=org)
    return render(request, "orgs/org_form.html", {"org": org, "form": form, "mode": "assign"})


@require_POST
def assignment_end(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """End an assignment shown on the page of its department or enterprise (post/redirect/get)."""
    org = _visible_org(request, code)
    assignment = get_visible_or_404(
        Assignment.objects.filter(Q(department=org) | Q(enterprise=org)).select_related("department", "enterprise"),
        request.user,
        Action.ORG_VIEW,
        pk=pk,
    )
    if not can(request.user, Action.ORG_MANAGE, assignment.department):
        raise PermissionDenied(_("您没有维护“%(org)s”的权限。") % {"org": assignment.department.name})
    form = AssignmentEndForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_end(by=Actor.from_request(request), assignment=assignment, on=form.cleaned_data["on"])
        except UserError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("已结束“%(enterprise)s”与“%(department)s”的挂钩关系。")
                % {"enterprise": assignment.enterprise.name, "department": assignment.department.name},
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("结束日期：%(error)s") % {"error": error})
    return redirect(org)


# --- the home page ---------------------------------------------------------------------------------------

MEMBER_ROLES = (Role.REPORTER, Role.INFO_OFFICER, Role.LIAISON, Role.GUIDANCE)
# Kinds worth counting on an overview: the structural ones (province, categories) are not.
OVERVIEW_KINDS = (OrgKind.PREFECTURE, OrgKind.UNION, OrgKind.ENTERPRISE, OrgKind.UNIT, OrgKind.DEPARTMENT)
LIST_LIMIT = 20


def _kind_rows(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(kind.value, kind.label, counts.get(kind.value, 0)) for kind in OVERVIEW_KINDS]


def _limited(queryset, limit: int = LIST_LIMIT) -> tuple[list, bool]:
    """At most `limit` rows and whether there were more (one query, no COUNT)."""
    rows = list(queryset[: limit + 1])
    return rows[:limit], len(rows) > limit


def _office_panel(user, counts: dict[str, int]) -> dict:
    idle, idle_more = _limited(queries.unions_without_active_user(user=user), 50)
    return {"kinds": _kind_rows(counts), "idle_unions": idle, "idle_more": idle_more}


def _union_panel(org) -> dict:
    missing = queries.enterprises_missing_officers(org=org)
    rows, more = _limited(missing)
    return {
        "org": org,
        "enterprises": queries.subtree_enterprise_count(org=org),
        "users": queries.subtree_user_count(org=org),
        "missing": rows,
        "missing_count": missing.count() if more else len(rows),
    }


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """One card per role held, and for each kind of role the panel of what to do next."""
    user = request.user
    memberships = queries.active_memberships(user)
    roles = {m.role for m in memberships}
    cards = [{"membership": m, "may_open": can(user, Action.ORG_VIEW, m.org)} for m in memberships]

    context: dict = {
        "cards": cards,
        "roles": roles,
        "todos": [],
        "app_todos": registry.todos_for(user),
        "rounds": registry.rounds_for(user),
    }
    todos: list[str] = context["todos"]

    counts = None
    if is_office(user) or Role.LEADER in roles:
        counts = queries.org_kind_counts(user=user)
    if is_office(user):
        office = _office_panel(user, counts)
        office["may_manage_users"] = has_action(user, Action.USER_MANAGE)
        context["office"] = office
        if office["idle_unions"]:
            todos.append(
                _("%(count)s 个产业系统公司工会还没有任何人使用平台，请督促其明确管理员。")
                % {"count": f"{len(office['idle_unions'])}{'+' if office['idle_more'] else ''}"}
            )
    if Role.LEADER in roles:
        context["leader"] = {"kinds": _kind_rows(counts), "prefectures": counts.get(OrgKind.PREFECTURE, 0)}

    unions = [_union_panel(m.org) for m in memberships if m.role == Role.UNION_ADMIN]
    context["unions"] = unions
    for panel in unions:
        if panel["missing_count"]:
            todos.append(
                _("“%(org)s”下有 %(count)s 家企业尚未配齐填报员、信息员或联络员。")
                % {"org": panel["org"].display_name, "count": panel["missing_count"]}
            )

    # One panel per organisation where the person is a reporter, officer, liaison or guidance member.
    member_orgs: dict[int, dict] = {}
    for m in memberships:
        if m.role in MEMBER_ROLES:
            panel = member_orgs.setdefault(m.org_id, {"org": m.org, "roles": []})
            panel["roles"].append(m.get_role_display())
    for panel in member_orgs.values():
        panel["colleagues"] = list(queries.org_members(org=panel["org"]))
    context["members"] = list(member_orgs.values())

    context["departments"] = [
        {"org": m.org, "assignments": list(queries.assigned_enterprises(department=m.org))}
        for m in memberships
        if m.role == Role.DEPT_VIEWER
    ]

    if Role.SYS_ADMIN in roles:
        accounts = queries.account_counts()
        context["accounts"] = accounts
        if accounts["without_role"]:
            todos.append(_("%(count)s 个有效账号尚未分配角色。") % {"count": accounts["without_role"]})
        if accounts["must_change_password"]:
            todos.append(_("%(count)s 个账号尚未修改初始密码。") % {"count": accounts["must_change_password"]})
    if Role.SEC_ADMIN in roles:
        requested = queries.roles_requested()
        if requested:
            todos.append(
                _("%(count)s 个角色申请（系统管理员新建账号时提出）待您批准或驳回：请在“用户管理”中处理。")
                % {"count": requested}
            )
    context["security_admin"] = Role.SEC_ADMIN in roles
    context["audit_admin"] = Role.AUDIT_ADMIN in roles
    return render(request, "home.html", context)
