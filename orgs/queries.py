"""Reads of the organisation tree that carry a rule: search, and the tree as it stood on a date."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from orgs.choices import Action
from orgs.models import Organisation, OrgLink
from orgs.pinyin import initials


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


def rollup_target_at(org_id: int, targets: set[int], on: dt.date, parents: dict[int, int | None] | None = None) -> int | None:
    """The first of `targets` (the org itself or an ancestor) that `org_id` rolled up to on `on`."""
    if org_id in targets:
        return org_id
    for ancestor in ancestors_at(org_id, on, parents):
        if ancestor in targets:
            return ancestor
    return None


def children_of(*, user, parent: Organisation | None, include_closed: bool = False) -> QuerySet[Organisation]:
    """Visible children of `parent` (the visible roots when None), for the tree browser."""
    qs = Organisation.objects.visible_to(user, Action.ORG_VIEW)
    if not include_closed:
        qs = qs.filter(closed_on__isnull=True)
    if parent is None:
        return visible_roots(user=user, include_closed=include_closed)
    return qs.filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("path")


def visible_roots(*, user, include_closed: bool = False) -> QuerySet[Organisation]:
    """The top organisations of the user's scope (the organisations their roles are held at)."""
    from orgs.scoping import granted_paths

    paths = granted_paths(user, Action.ORG_VIEW)
    qs = Organisation.objects.filter(path__in=paths)
    if not include_closed:
        qs = qs.filter(closed_on__isnull=True)
    return qs.order_by("path")
