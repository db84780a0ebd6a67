"""Per-organisation statistics of suggestions and 五小 for a year, rolled up the tree.

For the organisation asked for (by default the top of the viewer's scope), one line per organisation directly
below it, each over its whole subtree, plus a line for the organisation itself when suggestions were entered
there, and the total. For the year:

- submitted: suggestions whose 提出日期 lies in the year (wuxiao: of them, the 五小 kinds);
- adopted / rejected: decided in the year (adopted counts every state from 已采纳 on);
- adoption rate: adopted ÷ decided (adopted + rejected), none when nothing was decided (never 0%);
- value: the value created (元) of those whose benefit was assessed in the year, none when none was;
- proposers: distinct people among the proposers of the year's submissions (a talent-pool person once, an
  unlinked name once per organisation);
- workers: the reported industrial workforce (WF_WORKERS, accepted reports, the same subtree and year,
  through analytics), none where it was not reported; participation = proposers ÷ workers, and submissions
  per hundred workers, only where the workforce is known (暂无职工人数 otherwise).

Only the suggestions in the viewer's scope count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import granted_paths, within
from suggestions.choices import ADOPTED_STATES, WUXIAO_KINDS, SuggestionStatus
from suggestions.models import Proposer, Suggestion


@dataclass
class StatsLine:
    """One organisation's figures over its subtree (org None: the total)."""

    org: Organisation | None
    own: bool = False  # only what was entered at the organisation itself, not below it
    submitted: int = 0
    wuxiao: int = 0
    adopted: int = 0
    rejected: int = 0
    value: Decimal | None = None
    proposer_keys: set = field(default_factory=set)
    workers: Decimal | None = None
    drill: bool = False

    @property
    def decided(self) -> int:
        return self.adopted + self.rejected

    @property
    def adoption_rate(self) -> Decimal | None:
        return Decimal(self.adopted) / Decimal(self.decided) if self.decided else None

    @property
    def proposers(self) -> int:
        return len(self.proposer_keys)

    @property
    def participation(self) -> Decimal | None:
        return Decimal(self.proposers) / self.workers if self.workers else None

    @property
    def per_hundred(self) -> Decimal | None:
        return (Decimal(self.submitted) * 100 / self.workers).quantize(Decimal("0.01")) if self.workers else None

    # The export names it per capita: submissions per worker.
    @property
    def per_capita(self) -> Decimal | None:
        return (Decimal(self.submitted) / self.workers).quantize(Decimal("0.0001")) if self.workers else None

    @property
    def empty(self) -> bool:
        return not (self.submitted or self.decided or self.value is not None)


@dataclass
class StatsTable:
    year: int
    root: Organisation | None
    lines: list[StatsLine]
    total: StatsLine | None
    parents: list[Organisation] = field(default_factory=list)


def _tops(user) -> list[Organisation]:
    paths = granted_paths(user, Action.VIEW)
    return list(Organisation.objects.filter(path__in=paths).order_by("path"))


def _workers(user, orgs: list[Organisation], year: int) -> dict[int, Decimal | None]:
    """The reported workforce over each organisation's subtree (none where not reported)."""
    from analytics.engine.batch import subtree_values
    from analytics.engine.scope import OutOfScope, Scope
    from core.errors import UserError

    ids = [o.pk for o in orgs]
    if not ids:
        return {}
    try:
        found = subtree_values(Scope.for_user(user), "element:WF_WORKERS", str(year), ids)
    except (UserError, OutOfScope):
        return {}
    return {pk: (value if value else None) for pk, value in found.items()}


def statistics(user, *, year: int, root: Organisation | None = None) -> StatsTable:
    """The year's figures for the organisations below `root` (default: the viewer's scope), read through the door."""
    tops = _tops(user)
    parents: list[Organisation] = []
    if root is None and len(tops) == 1:
        root = tops[0]
    if root is not None:
        children = list(
            Organisation.objects.get_children(root).filter(Q(closed_on__isnull=True) | Q(closed_on__year__gte=year))
        )
        groups = [StatsLine(org=root, own=True)] + [StatsLine(org=c, drill=not c.is_leaf()) for c in children]
        visible_tops = {t.path for t in tops}
        parents = [
            a for a in Organisation.objects.get_ancestors(root) if any(a.path.startswith(p) for p in visible_tops)
        ]
    else:
        groups = [StatsLine(org=t, drill=not t.is_leaf()) for t in tops]
    total = StatsLine(org=None)

    rows = Suggestion.objects.visible_to(user).filter(
        Q(submitted_on__year=year) | Q(decided_on__year=year) | Q(assessed_on__year=year)
    )
    if root is not None:
        rows = rows.filter(within("org__path", [root]))
    by_length = sorted(groups, key=lambda g: -len(g.org.path))

    def line_for(path: str) -> StatsLine | None:
        for group in by_length:
            if group.own:
                if path == group.org.path:
                    return group
            elif path.startswith(group.org.path):
                return group
        return None

    values = rows.values_list(
        "pk", "org__path", "org_id", "kind", "status", "submitted_on", "decided_on", "assessed_on", "value"
    )
    submitted_ids: dict[int, StatsLine] = {}
    for pk, path, _org_id, kind, status, submitted_on, decided_on, assessed_on, value in values:
        line = line_for(path)
        if line is None:
            continue
        for target in (line, total):
            if submitted_on.year == year:
                target.submitted += 1
                target.wuxiao += kind in WUXIAO_KINDS
            if decided_on and decided_on.year == year:
                if status in ADOPTED_STATES:
                    target.adopted += 1
                elif status == SuggestionStatus.REJECTED:
                    target.rejected += 1
            if assessed_on and assessed_on.year == year and value is not None:
                target.value = (target.value or Decimal(0)) + value
        if submitted_on.year == year:
            submitted_ids[pk] = line
    people = Proposer.objects.filter(suggestion_id__in=list(submitted_ids)).values_list(
        "suggestion_id", "person_id", "name", "suggestion__org_id"
    )
    for suggestion_id, person_id, name, org_id in people:
        key = ("p", person_id) if person_id else ("n", org_id, name)
        submitted_ids[suggestion_id].proposer_keys.add(key)
        total.proposer_keys.add(key)

    lines = [g for g in groups if not (g.own and g.empty)]
    workers = _workers(user, [g.org for g in lines if not g.own] + ([root] if root is not None else []), year)
    for line in lines:
        if not line.own:
            line.workers = workers.get(line.org.pk)
    if root is not None:
        total.workers = workers.get(root.pk)
    elif lines:
        known = [line.workers for line in lines if line.workers]
        total.workers = sum(known, Decimal(0)) if len(known) == len(lines) else None
    return StatsTable(year=year, root=root, lines=lines, total=total if lines else None, parents=parents)


def years(user) -> list[int]:
    """The years with suggestions in the viewer's scope, latest first."""
    from suggestions.queries import suggestion_years

    return suggestion_years(user)
