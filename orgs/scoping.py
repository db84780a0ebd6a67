"""The one door to organisation-owned data.

Every page, export, API call and service reads scoped rows through `visible_to()` /
`get_visible_or_404()` and checks writes with `ensure_allowed()`. Outside a user's scope an
object does not exist for them (404); inside it but without the right action they get 403.

One function per concern:
- `within(field, paths)` builds every path filter (Q) and `in_subtree(org, ancestor)` answers the
  same question in Python; no other module compares materialised paths itself.
- `visible_or_province_wide()` is the scope of rows that name an organisation or none (deadline
  extensions, indicator targets).
- `is_office()` is the one meaning of "office" (an office role); `office_or_404()` refuses
  everyone else on the office's pages, `ensure_office()` in services.
- "May this rater see this participant" is about rater assignments, so it lives in
  `assessment.services.assigned` (orgs does not import the apps); it uses `in_subtree`.

core/tests/test_conventions.py checks that views, API and export modules go through the door, and
core/tests/test_idor_pages.py with core/tests/test_api_idor.py probe every route from another branch.
"""

from __future__ import annotations

import operator
from functools import reduce
from typing import TYPE_CHECKING, Any, Self

from django.core.exceptions import PermissionDenied
from django.db import connections, models
from django.db.models import OuterRef, Q
from django.db.models.expressions import Combinable
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.choices import Action, Role
from orgs.roles import OFFICE_ROLES, actions_for

if TYPE_CHECKING:
    from orgs.models import Organisation

_CACHE_ATTR = "_changai_scope_cache"


def _active_memberships(user) -> list:
    from orgs.models import Membership

    cache = user.__dict__.setdefault(_CACHE_ATTR, {})
    if "memberships" not in cache:
        cache["memberships"] = list(
            Membership.objects.filter(user=user, is_active=True, org__closed_on__isnull=True)
            .select_related("org")
            .order_by("id")
        )
    return cache["memberships"]


def _assigned_paths(department_ids: list[int]) -> list[str]:
    from orgs.models import Assignment

    today = timezone.localdate()
    return list(
        Assignment.objects.filter(department_id__in=department_ids, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
        .values_list("enterprise__path", flat=True)
    )


def scope_path(membership) -> str:
    """The subtree a membership covers: its organisation's, or the whole tree for office roles."""
    if membership.role in OFFICE_ROLES:
        return membership.org.path[: membership.org.steplen]
    return membership.org.path


def _minimal(paths: set[str]) -> tuple[str, ...]:
    """Drop paths inside another kept path: fewer OR terms, same rows."""
    kept: list[str] = []
    for path in sorted(paths):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return tuple(kept)


def granted_paths(user, action: str = Action.VIEW) -> tuple[str, ...]:
    """Tree paths whose subtrees `user` may act on with `action`; empty when none.

    Cached on the user object, which lives for one request.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    cache = user.__dict__.setdefault(_CACHE_ATTR, {})
    key = ("paths", str(action))
    if key in cache:
        return cache[key]
    paths: set[str] = set()
    departments: list[int] = []
    for membership in _active_memberships(user):
        if action not in actions_for(membership.role):
            continue
        if membership.role == Role.DEPT_VIEWER:
            departments.append(membership.org_id)
            if action == Action.ORG_VIEW:
                paths.add(membership.org.path)
        else:
            paths.add(scope_path(membership))
    if departments:
        paths.update(_assigned_paths(departments))
    cache[key] = _minimal(paths)
    return cache[key]


def clear_scope_cache(user) -> None:
    """Forget cached grants, after the user's roles change within one request or test."""
    user.__dict__.pop(_CACHE_ATTR, None)


def has_action(user, action: str) -> bool:
    """Whether `user` may do `action` anywhere (for actions not tied to an organisation)."""
    return bool(granted_paths(user, action))


def roles_of(user) -> set[str]:
    return {m.role for m in _active_memberships(user)} if getattr(user, "is_authenticated", False) else set()


def is_office(user) -> bool:
    """Whether `user` works in the reform office: holds an office role (OFFICE_ROLES).

    The one meaning of "office". An office role covers the whole province (see `scope_path`), so an
    office member accepts reports everywhere, extends deadlines and locks periods. What an office
    member may change beyond that (metadata, indicators, assessment frameworks and rounds) is an
    action held by the office's administrators, checked with `has_action` / `ensure_action`.
    """
    return bool(roles_of(user) & OFFICE_ROLES)


def office_or_404(user) -> None:
    """Raise Http404 unless `user` is in the office: an office-only page does not exist for anyone else.

    The one answer for "not yours". An office member who lacks the action a page needs gets 403 from
    the page's own `ensure_action` check instead (the page is theirs, the change is not allowed).
    """
    if not is_office(user):
        raise Http404


def ensure_office(actor_or_user: Any) -> None:
    """Raise PermissionDenied unless the actor is the system or in the office (for services)."""
    if getattr(actor_or_user, "system_name", ""):
        return
    if not is_office(getattr(actor_or_user, "user", actor_or_user)):
        raise PermissionDenied(_("只有产改办可以执行此操作。"))


def covers(paths: tuple[str, ...], org: Organisation) -> bool:
    return any(org.path.startswith(p) for p in paths)


def in_subtree(org: Organisation | str, ancestor: Organisation | str | None, *, strict: bool = False) -> bool:
    """Whether `org` lies in the subtree at `ancestor` (itself included unless `strict`); None covers all.

    Either may be an organisation or its materialised path.
    """
    if ancestor is None:
        return True
    path, top = getattr(org, "path", org), getattr(ancestor, "path", ancestor)
    return path.startswith(top) and not (strict and path == top)


def can(user, action: str, org: Organisation) -> bool:
    """Whether `user` may do `action` on `org` (and so on anything it owns)."""
    return covers(granted_paths(user, action), org)


def ensure_allowed(actor_or_user: Any, action: str, org: Organisation) -> None:
    """Raise PermissionDenied unless the actor may do `action` on `org`.

    Services call this themselves, because views, the API, imports and tasks all reach them.
    """
    user = getattr(actor_or_user, "user", actor_or_user)
    if getattr(actor_or_user, "system_name", ""):
        return  # tasks and management commands act as the system
    if not can(user, action, org):
        raise PermissionDenied(_("您没有对“%(org)s”执行此操作的权限。") % {"org": org.name})


def ensure_action(actor_or_user: Any, action: str) -> None:
    """Raise PermissionDenied unless the actor holds `action` somewhere."""
    if getattr(actor_or_user, "system_name", ""):
        return
    user = getattr(actor_or_user, "user", actor_or_user)
    if not has_action(user, action):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def subtree_q(field: str, path: str, vendor: str) -> Q:
    """Rows whose `field` (a materialised path) lies in the subtree at `path`.

    SQLite's LIKE ignores case and so cannot use the path index; a range on the same prefix
    can ('~' sorts after every path character). PostgreSQL uses its pattern-ops index for LIKE,
    and a range there would depend on the database collation, so it gets the prefix alone.
    """
    condition = Q(**{f"{field}__startswith": path})
    if vendor == "sqlite":
        condition &= Q(**{f"{field}__gte": path, f"{field}__lt": path + "~"})
    return condition


def within(field: str, paths, using: str = "default") -> Q:
    """Rows whose `field` (a materialised path, e.g. "org__path") lies in any subtree at `paths`.

    The one place a path filter is built: `paths` may be path strings or organisations; an empty
    `paths` matches nothing. It may also be one expression (e.g. `OuterRef("path")` in a subquery),
    which gets the prefix condition alone.
    """
    if isinstance(paths, Combinable | OuterRef):
        return Q(**{f"{field}__startswith": paths})
    vendor = connections[using].vendor
    prefixes = _minimal({getattr(p, "path", p) for p in paths})
    if not prefixes:
        return Q(pk__in=[])
    return reduce(operator.or_, (subtree_q(field, p, vendor) for p in prefixes))


def visible_or_province_wide(queryset, user, action: str = Action.VIEW, *, org_field: str = "org"):
    """Rows of `queryset` whose organisation (`org_field`, nullable) lies in `user`'s scope for `action`,
    plus the rows that name no organisation because they apply to the whole province.

    For rows such as deadline extensions and indicator targets: province-wide ones concern everyone,
    an organisation's own one only those who may see that organisation.
    """
    paths = granted_paths(user, action)
    if not paths:
        return queryset.none()
    return queryset.filter(Q(**{f"{org_field}__isnull": True}) | within(f"{org_field}__path", paths, queryset.db))


class ScopedQuerySet(models.QuerySet):
    """Rows owned by an organisation (through `org_field`; empty means the row is the organisation)."""

    org_field = "org"

    def visible_to(self, user, action: str = Action.VIEW) -> Self:
        """Rows whose organisation lies in a subtree where `user` holds a role allowing `action`."""
        paths = granted_paths(user, action)
        if not paths:
            return self.none()
        field = f"{self.org_field}__path" if self.org_field else "path"
        return self.filter(within(field, paths, self.db))


def get_visible_or_404(queryset, user, action: str = Action.VIEW, **lookup):
    # One answer for "missing" and "not yours", so ids outside the scope leak nothing.
    if isinstance(queryset, models.Manager):
        queryset = queryset.all()
    return get_object_or_404(queryset.visible_to(user, action), **lookup)
