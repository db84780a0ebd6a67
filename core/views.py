"""The home page: what the signed-in person must do, by the roles they hold; a background job's page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.jobs import job_kind_label, job_visible_or_404
from orgs import queries
from orgs.choices import Action, OrgKind, Role
from orgs.scoping import can, has_action, is_office

MEMBER_ROLES = (Role.REPORTER, Role.INFO_OFFICER, Role.LIAISON, Role.GUIDANCE)
# Kinds worth counting on an overview: the structural ones (province, categories) are not.
OVERVIEW_KINDS = (OrgKind.PREFECTURE, OrgKind.UNION, OrgKind.ENTERPRISE, OrgKind.UNIT, OrgKind.DEPARTMENT)
LIST_LIMIT = 20
JOB_REFRESH_SECONDS = 2


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

    context: dict = {"cards": cards, "roles": roles, "todos": []}
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
    context["security_admin"] = Role.SEC_ADMIN in roles
    context["audit_admin"] = Role.AUDIT_ADMIN in roles
    return render(request, "home.html", context)


@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A background job's state; htmx polls the status part every 2 s while it is queued or running.

    Only the person who asked and office administrators see it; anyone else gets 404.
    """
    job = job_visible_or_404(request.user, pk)
    template = "core/job_detail.html" + ("#status" if request.htmx else "")
    return render(
        request, template, {"job": job, "kind_label": job_kind_label(job), "refresh_seconds": JOB_REFRESH_SECONDS}
    )
