"""Whom the engine answers for: a user's scope (pages, API, exports) or the whole province (system jobs).

The engine never reads a request or a user's grants itself: every entry point takes a `Scope`. A page
or the API builds `Scope.for_user(request.user)` (the subtrees where the user may view data, exactly as
orgs.scoping grants them); a background job with no request and no user (a newsletter, an evaluation
report) builds `Scope.province()`. An organisation outside the scope, or a scope with nothing in it,
raises `OutOfScope`; pages and the API answer it with 404, like any other id that is not the caller's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from orgs.choices import Action, Role
from orgs.scoping import granted_paths, in_subtree, roles_of, within


class OutOfScope(LookupError):
    """An organisation outside the scope the engine answers for (or a scope with none at all)."""


@dataclass(frozen=True)
class Scope:
    """The subtrees (tree paths) the engine may answer for, and whose scope it is."""

    paths: tuple[str, ...]
    whole_province: bool = False
    user: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def for_user(cls, user) -> Scope:
        """The subtrees where `user` may view data (empty for an anonymous or inactive user)."""
        return cls(paths=granted_paths(user, Action.VIEW), user=user)

    @classmethod
    def province(cls) -> Scope:
        """Everything: the top of every tree (the province), for jobs that run as the system."""
        from orgs.models import Organisation

        paths = Organisation.objects.filter(depth=1).order_by("path").values_list("path", flat=True)
        return cls(paths=tuple(paths), whole_province=True)

    @classmethod
    def of(cls, scope_or_user) -> Scope:
        """`scope_or_user` as a scope: a Scope as it is, a user as Scope.for_user(user). None is refused:
        a job without a user asks for Scope.province() explicitly."""
        if isinstance(scope_or_user, Scope):
            return scope_or_user
        if scope_or_user is None or not hasattr(scope_or_user, "is_authenticated"):
            raise TypeError(f"the analytics engine answers for a Scope (or a user), not {scope_or_user!r}")
        return cls.for_user(scope_or_user)

    @property
    def key(self) -> str:
        """A short name for caches: the same key, the same answers."""
        if self.whole_province:
            return "province"
        # Hashed: a department viewer's scope may hold hundreds of paths; cache keys must stay short.
        digest = hashlib.sha256("|".join(self.paths).encode()).hexdigest()[:16]
        return f"user:{getattr(self.user, 'pk', 0)}:{digest}"

    def covers(self, path: str) -> bool:
        return any(in_subtree(path, p) for p in self.paths)

    def q(self, field_name: str) -> Q:
        """Rows whose `field_name` (a tree path, e.g. "org__path") lies in the scope."""
        return within(field_name, self.paths)

    def visible(self, queryset, field_name: str = "org__path"):
        """`queryset` restricted to the scope (everything for the province)."""
        if self.whole_province:
            return queryset
        if not self.paths:
            return queryset.none()
        return queryset.filter(self.q(field_name))

    def label(self, count: int) -> str:
        """The name of a scope made of several subtrees."""
        if self.user is not None and Role.DEPT_VIEWER in roles_of(self.user):
            return _("全部挂钩帮带企业（共 %(n)d 家）") % {"n": count}
        if self.whole_province:
            return _("全省（共 %(n)d 个顶层单位）") % {"n": count}
        return _("全部可查看单位（共 %(n)d 家）") % {"n": count}
