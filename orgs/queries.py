"""Reads of the organisation tree that carry a rule: search, and the tree as it stood on a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from core import deadlines
from orgs.choices import Action, OrgKind, Role
from orgs.models import Assignment, Membership, Organisation, OrgLink
from orgs.pinyin import initials
from orgs.scoping import within


def orgs_search(*, user, text: str, action: str = Action.ORG_VIEW, limit: int = 50) -> QuerySet[Organisation]:
    """Visible organisations matching a name, short name, code or pinyin initials."""
    text = (text or "").strip()
    qs = Organisation.objects.visible_to(user, action)
    if not text:
        return qs.none()
    condition = Q(name__icontains=text) | Q(short_name__icontains=text) | Q(code__istartswith=text)
    if text.isascii() and text.isalnum():
        condition |= Q(pinyin_initials__startswith=text.lower())
    else:
        letters = initials(text)
        if letters and len(letters) == len(text):
            condition |= Q(pinyin_initials__startswith=letters) & Q(name__contains=text[:1])
    return qs.filter(condition).order_by("depth", "path")[:limit]


def parent_map_at(on: dt.date) -> dict[int, int | None]:
    """Each organisation's parent on date `on`, from the parent links (history, not today's tree).

    An organisation with no link valid on that day (not yet opened, or closed) is absent.
    """
    links = OrgLink.objects.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
    return dict(links.values_list("org_id", "parent_id"))


def ancestors_at(org_id: int, on: dt.date, parents: dict[int, int | None] | None = None) -> list[int]:
    """Ids from `org_id`'s parent up to the root, as the tree stood on `on` (nearest first)."""
    parents = parents if parents is not None else parent_map_at(on)
    chain: list[int] = []
    seen = {org_id}
    current = parents.get(org_id)
    while current is not None and current not in seen:
        chain.append(current)
        seen.add(current)
        current = parents.get(current)
    return chain


def rollup_target_at(
    org_id: int, targets: set[int], on: dt.date, parents: dict[int, int | None] | None = None
) -> int | None:
    """The first of `targets` (the org itself or an ancestor) that `org_id` rolled up to on `on`."""
    if org_id in targets:
        return org_id
    for ancestor in ancestors_at(org_id, on, parents):
        if ancestor in targets:
            return ancestor
    return None


def children_of(*, user, parent: Organisation | None, include_closed: bool = False) -> QuerySet[Organisation]:
    """Visible children of `parent` (the visible roots when None), for the tree browser."""
    if parent is None:
        return visible_roots(user=user, include_closed=include_closed)
    qs = Organisation.objects.visible_to(user, Action.ORG_VIEW)
    if not include_closed:
        qs = qs.filter(closed_on__isnull=True)
    return qs.filter(within("path", [parent], qs.db), depth=parent.depth + 1).order_by("path")


def visible_roots(*, user, include_closed: bool = False) -> QuerySet[Organisation]:
    """The top organisations of the user's scope (the organisations their roles are held at)."""
    from orgs.scoping import granted_paths

    paths = granted_paths(user, Action.ORG_VIEW)
    qs = Organisation.objects.filter(path__in=paths)
    if not include_closed:
        qs = qs.filter(closed_on__isnull=True)
    return qs.order_by("path")


# --- Pages: the home page, the tree browser and the organisation page -----------------------------
# Each function below is one query (or none), so that a page's query count does not grow with data.


def active_memberships(user) -> list[Membership]:
    """The user's active roles at open organisations, organisation loaded (shared with the scope cache)."""
    from orgs.scoping import _active_memberships

    if not getattr(user, "is_authenticated", False):
        return []
    return _active_memberships(user)


def _has_active_member(*, roles: Iterable[str] | None = None, subtree: bool = False) -> Exists:
    """Whether an active account holds an active role (one of `roles`) at the outer organisation.

    With `subtree`, a role held anywhere below the organisation counts too.
    """
    in_org = within("org__path", OuterRef("path")) if subtree else Q(org=OuterRef("pk"))
    members = Membership.objects.filter(in_org, is_active=True, user__is_active=True)
    if roles is not None:
        members = members.filter(role__in=list(roles))
    return Exists(members)


def org_kind_counts(*, user, under: Organisation | None = None) -> dict[str, int]:
    """Open organisations the user may browse (within `under`'s subtree if given), counted by kind."""
    qs = Organisation.objects.visible_to(user, Action.ORG_VIEW).filter(closed_on__isnull=True)
    if under is not None:
        qs = qs.filter(within("path", [under], qs.db))
    rows = qs.order_by().values("kind").annotate(n=Count("id"))
    return {row["kind"]: row["n"] for row in rows}


def unions_without_active_user(*, user) -> QuerySet[Organisation]:
    """Open industry/system/company unions in the user's scope where no active account holds a role,
    neither at the union nor anywhere below it: the unions that have not started using the platform."""
    return (
        Organisation.objects.visible_to(user, Action.ORG_VIEW)
        .filter(kind=OrgKind.UNION, closed_on__isnull=True)
        .annotate(has_user=_has_active_member(subtree=True))
        .filter(has_user=False)
        .order_by("path")
    )


def subtree_enterprise_count(*, org: Organisation) -> int:
    """Open enterprises (and subsidiaries) in `org`'s subtree."""
    return Organisation.objects.filter(within("path", [org]), kind=OrgKind.ENTERPRISE, closed_on__isnull=True).count()


def subtree_user_count(*, org: Organisation) -> int:
    """Active accounts holding an active role somewhere in `org`'s subtree (each counted once)."""
    return (
        Membership.objects.filter(within("org__path", [org]), is_active=True, user__is_active=True)
        .values("user_id")
        .distinct()
        .count()
    )


def enterprises_missing_officers(*, org: Organisation) -> QuerySet[Organisation]:
    """Open enterprises in `org`'s subtree that lack a reporter (填报员), an information officer
    (信息员) or a liaison (联络员) held at the enterprise itself; flags say which are present."""
    return (
        Organisation.objects.filter(within("path", [org]), kind=OrgKind.ENTERPRISE, closed_on__isnull=True)
        .annotate(
            has_reporter=_has_active_member(roles=[Role.REPORTER]),
            has_info_officer=_has_active_member(roles=[Role.INFO_OFFICER]),
            has_liaison=_has_active_member(roles=[Role.LIAISON]),
        )
        .filter(Q(has_reporter=False) | Q(has_info_officer=False) | Q(has_liaison=False))
        .order_by("path")
    )


def org_members(*, org: Organisation) -> QuerySet[Membership]:
    """Active roles held at `org` itself by active accounts, with the account loaded."""
    return (
        Membership.objects.filter(org=org, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("role", "user__username")
    )


def assignments_current(*, on: dt.date | None = None) -> Q:
    """The condition for 挂钩帮带 assignments in force on `on` (today by default)."""
    on = on or deadlines.today()
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gt=on))


def assigned_enterprises(*, department: Organisation, on: dt.date | None = None) -> QuerySet[Assignment]:
    """The enterprises assigned to a member department on `on` (today by default), enterprise loaded."""
    return (
        Assignment.objects.filter(assignments_current(on=on), department=department)
        .select_related("enterprise")
        .order_by("enterprise__path")
    )


def department_assignments(*, department: Organisation) -> QuerySet[Assignment]:
    """Every assignment of a member department, current and ended (current first), both sides loaded."""
    return (
        Assignment.objects.filter(department=department)
        .select_related("department", "enterprise")
        .order_by(F("valid_to").desc(nulls_first=True), "enterprise__path")
    )


def enterprise_assignments(*, enterprise: Organisation) -> QuerySet[Assignment]:
    """Every member department an enterprise has been assigned to (current first), both sides loaded."""
    return (
        Assignment.objects.filter(enterprise=enterprise)
        .select_related("department", "enterprise")
        .order_by(F("valid_to").desc(nulls_first=True), "department__path")
    )


def roles_requested() -> int:
    """Roles the system administrator requested for new accounts, waiting for the security administrator."""
    return Membership.objects.filter(pending=True, user__is_active=True).count()


def account_counts() -> dict[str, int]:
    """Accounts overall, for the system administrator: no business data, one query."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.annotate(
        has_role=Exists(Membership.objects.filter(user=OuterRef("pk"), is_active=True))
    )
    return users.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(is_active=True)),
        inactive=Count("pk", filter=Q(is_active=False)),
        without_role=Count("pk", filter=Q(is_active=True, has_role=False)),
        must_change_password=Count("pk", filter=Q(is_active=True, must_change_password=True)),
    )


def visible_ancestors(
    *, user, orgs: Iterable[Organisation], action: str = Action.ORG_VIEW
) -> dict[int, list[Organisation]]:
    """For each organisation, its ancestors in today's tree that `user` may see, root first.

    One query for all of them: the ancestors' paths are the prefixes of each materialised path.
    Ancestors above the user's scope are left out, so a path never names what the user may not see.
    """
    orgs = list(orgs)
    step = Organisation.steplen
    prefixes = {org.path[:end] for org in orgs for end in range(step, len(org.path), step)}
    found: dict[str, Organisation] = {}
    if prefixes:
        rows = (
            Organisation.objects.visible_to(user, action)
            .filter(path__in=sorted(prefixes))
            .only("id", "path", "depth", "code", "name", "short_name", "kind", "closed_on")
        )
        found = {row.path: row for row in rows}
    return {
        org.pk: [found[org.path[:end]] for end in range(step, len(org.path), step) if org.path[:end] in found]
        for org in orgs
    }


def org_changes_since(*, org: Organisation, version: int, limit: int = 20) -> list[dict[str, Any]]:
    """Changes written to `org` after version `version`, oldest first, from the audit log.

    Each item: {"at": datetime, "event": str, "fields": [(field name, old value, new value), ...]}.
    Used to show a user whose edit was refused as stale what others changed meanwhile.
    """
    from core.audit import diff
    from core.models import AuditEntry

    entries = AuditEntry.objects.filter(object_type=Organisation._meta.label_lower, object_id=str(org.pk)).order_by(
        "-id"
    )[:limit]
    changes = []
    for entry in entries:
        after_version = (entry.after or {}).get("version")
        if not isinstance(after_version, int) or after_version <= version:
            continue
        fields = [
            (name, old, new)
            for name, (old, new) in diff(entry.before, entry.after).items()
            if name not in {"version", "updated_at", "created_at", "pinyin_initials", "path", "depth", "numchild"}
        ]
        changes.append({"at": entry.at, "event": entry.event, "fields": fields})
    changes.reverse()
    return changes


# --- The organisation picker: search as you type, and what a typed name or code stands for -------------------

PICK_LIMIT = 10


def _pick_rank(org: Organisation, text: str) -> int:
    """0 for an exact code, name, short name or initials, 1 for a name that starts with the text, else 2."""
    lowered = text.lower()
    if lowered in (org.code.lower(), org.name, org.short_name, org.pinyin_initials):
        return 0
    if org.name.startswith(text) or (org.short_name and org.short_name.startswith(text)):
        return 1
    return 2


def orgs_pick(*, user, text: str, action: str = Action.ORG_VIEW, limit: int = PICK_LIMIT) -> tuple[list[dict], bool]:
    """Open organisations `user` may act on with `action` that match `text`, best first, as small dicts
    (code, name, short name, kind and its label, the parent's name when the user may see it), and whether
    there were more than `limit`."""
    text = (text or "").strip()[:50]
    found = [org for org in orgs_search(user=user, text=text, action=action, limit=200) if org.closed_on is None]
    found.sort(key=lambda org: _pick_rank(org, text))  # stable: depth and path order within a rank
    shown = found[:limit]
    parent_paths = {org.path[: -org.steplen] for org in shown if org.depth > 1}
    parents = dict(
        Organisation.objects.visible_to(user, Action.ORG_VIEW).filter(path__in=parent_paths).values_list("path", "name")
    )
    results = [
        {
            "code": org.code,
            "name": org.name,
            "short_name": org.short_name,
            "kind": org.kind,
            "kind_label": str(org.get_kind_display()),
            "parent": parents.get(org.path[: -org.steplen], ""),
        }
        for org in shown
    ]
    return results, len(found) > limit


class OrgNotResolved(Exception):
    """What a typed organisation stands for could not be decided; `message` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def org_resolve(*, user, text: str, action: str = Action.ORG_VIEW) -> Organisation:
    """The open organisation `user` may act on with `action` that `text` names: its code, its exact name, or a
    short name or pinyin initials only it has. Raises OrgNotResolved, with the same message for an unknown
    organisation and for one outside the user's scope (nothing leaks), or naming the count when several match.
    """
    from django.utils.translation import gettext as _

    text = (text or "").strip()
    scoped = Organisation.objects.visible_to(user, action).filter(closed_on__isnull=True)
    if text:
        by_code = list(scoped.filter(code__iexact=text)[:2])
        if len(by_code) == 1:
            return by_code[0]
        conditions = [Q(name=text), Q(short_name=text)]
        if text.isascii() and text.isalnum():
            conditions.append(Q(pinyin_initials=text.lower()))
        for condition in conditions:
            matches = list(scoped.filter(condition).order_by("depth", "path")[:50])
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise OrgNotResolved(
                    _("有 %(count)d 个名为“%(text)s”的机构，请从列表中选择。") % {"count": len(matches), "text": text}
                )
    raise OrgNotResolved(
        _("找不到机构“%(text)s”：请输入机构名称、简称、拼音首字母或代码，并从列表中选择。") % {"text": text}
    )
