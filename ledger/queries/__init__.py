"""Reads of the reform ledger, each through the door (orgs.scoping): ledgers here, the rest by subject
(ledger/queries/written.py, alerts.py, roadmap.py …)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from core import deadlines
from ledger.choices import OfficerKind, TargetKind, TaskStatus
from ledger.models import Ledger, Officer, ReformSettings, Task
from orgs.choices import Action
from orgs.scoping import get_visible_or_404


def ledgers_visible(user, action: str = Action.VIEW):
    """The ledgers of the organisations in `user`'s scope, with their organisation."""
    return Ledger.objects.visible_to(user, action).select_related("org", "org__region")


def ledger_or_404(user, code: str, action: str = Action.VIEW) -> Ledger:
    """The ledger of organisation `code` if the user may see it (404 otherwise, including "not on the ledger")."""
    return get_visible_or_404(Ledger.objects.select_related("org"), user, action, org__code=code)


@dataclass
class LedgerRow:
    """One line of the ledger list: what the organisation has set up and how its tasks stand."""

    ledger: Ledger
    plan_year: int | None
    group_year: int | None
    info_officers: int = 0
    liaisons: int = 0
    tasks: int = 0
    quantified: int = 0
    overdue: int = 0
    done: int = 0
    union: str = ""
    open_alerts: int = 0
    alert_kinds: list[str] = field(default_factory=list)

    @property
    def quantified_share(self) -> float | None:
        return self.quantified / self.tasks if self.tasks else None


def ledger_rows(ledgers, *, today: dt.date | None = None) -> list[LedgerRow]:
    """The list's lines for `ledgers` (already scoped), read in a fixed number of queries."""
    from ledger.models import Alert

    today = today or deadlines.today()
    ledgers = list(ledgers)
    ids = [ledger.pk for ledger in ledgers]
    settings = ReformSettings.current()
    officers: dict[int, Counter] = defaultdict(Counter)
    for ledger_id, kind in Officer.objects.filter(ledger_id__in=ids).current(today).values_list("ledger_id", "kind"):
        officers[ledger_id][kind] += 1
    tasks: dict[int, Counter] = defaultdict(Counter)
    for ledger_id, kind, status, deadline in Task.objects.filter(ledger_id__in=ids).values_list(
        "ledger_id", "target_kind", "status", "deadline"
    ):
        if status == TaskStatus.CANCELLED:
            continue
        counts = tasks[ledger_id]
        counts["all"] += 1
        counts["quantified"] += kind != TargetKind.NONE
        counts["done"] += status == TaskStatus.DONE
        counts["overdue"] += status != TaskStatus.DONE and deadline < today
    alerts: dict[int, list[str]] = defaultdict(list)
    open_alerts = Alert.objects.open().filter(org_id__in=[x.org_id for x in ledgers])
    for org_id, kind in open_alerts.values_list("org_id", "kind"):
        alerts[org_id].append(kind)
    unions = _union_names(ledgers)
    rows = []
    for ledger in ledgers:
        counts = tasks[ledger.pk]
        rows.append(
            LedgerRow(
                ledger=ledger,
                plan_year=settings.reform_year(ledger.plan_issued_on),
                group_year=settings.reform_year(ledger.group_established_on),
                info_officers=officers[ledger.pk][OfficerKind.INFO],
                liaisons=officers[ledger.pk][OfficerKind.LIAISON],
                tasks=counts["all"],
                quantified=counts["quantified"],
                overdue=counts["overdue"],
                done=counts["done"],
                union=unions.get(ledger.org_id, ""),
                open_alerts=len(alerts[ledger.org_id]),
                alert_kinds=sorted(set(alerts[ledger.org_id])),
            )
        )
    return rows


def _union_names(ledgers) -> dict[int, str]:
    """{organisation id: the name of the union it belongs to (itself for a union)}."""
    from orgs.choices import OrgKind
    from orgs.models import Organisation

    steplen = Organisation.steplen
    prefixes = {ledger.org.path[: steplen * depth] for ledger in ledgers for depth in range(1, ledger.org.depth + 1)}
    names = dict(Organisation.objects.filter(path__in=prefixes, kind=OrgKind.UNION).values_list("path", "name"))
    found = {}
    for ledger in ledgers:
        path = ledger.org.path
        found[ledger.org_id] = next((names[path[:n]] for n in range(len(path), 0, -steplen) if path[:n] in names), "")
    return found


def filter_ledgers(queryset, *, union: str = "", prefecture: str = "", text: str = ""):
    """Narrow a scoped ledger queryset by union code, prefecture (region) code and a name or code search."""
    from orgs.models import Organisation
    from orgs.scoping import within

    if union:
        root = Organisation.objects.filter(code=union).values_list("path", flat=True).first()
        queryset = queryset.filter(within("org__path", [root])) if root else queryset.none()
    if prefecture:
        queryset = queryset.filter(Q(org__region_id=prefecture) | Q(org__region__parent_id=prefecture))
    if text:
        text = text.strip()
        queryset = queryset.filter(
            Q(org__name__icontains=text) | Q(org__code__iexact=text) | Q(org__pinyin_initials__icontains=text)
        )
    return queryset


def own_ledger(user) -> Ledger | None:
    """The ledger of the organisation the user works at, if it is on the ledger (their first such role)."""
    from orgs.scoping import _active_memberships

    for membership in _active_memberships(user):
        ledger = Ledger.objects.filter(org=membership.org).select_related("org").first()
        if ledger is not None:
            return ledger
    return None


def ledger_totals(ledgers) -> dict[str, int]:
    """How many of `ledgers` have a plan, a group, a method (for the list's summary line)."""
    return {
        "all": ledgers.count(),
        "plans": ledgers.filter(plan_issued_on__isnull=False).count(),
        "groups": ledgers.filter(group_established_on__isnull=False).count(),
        "methods": ledgers.filter(method_issued_on__isnull=False).count(),
    }


def union_choices(user) -> list[tuple[str, str]]:
    """(code, name) of the provincial unions on the ledger within `user`'s scope (the union filters' options)."""
    from orgs.choices import OrgKind

    return list(
        Ledger.objects.visible_to(user)
        .filter(org__kind=OrgKind.UNION)
        .order_by("org__path")
        .values_list("org__code", "org__name")
    )


def prefecture_choices() -> list[tuple[str, str]]:
    """(code, name) of the province's prefectures (GB/T 2260), the prefecture filters' options."""
    from orgs.models import Region

    return list(Region.objects.filter(parent_id="530000").order_by("code").values_list("code", "name"))


def addable_orgs(user) -> list[tuple[str, str]]:
    """Unions and enterprises in the user's scope not yet on the ledger, as (code, name), for the office's picker."""
    from ledger.services.ledgers import TASKED_KINDS
    from orgs.models import Organisation

    return list(
        Organisation.objects.visible_to(user)
        .filter(kind__in=TASKED_KINDS, closed_on__isnull=True, ledger__isnull=True)
        .values_list("code", "name")[:2000]
    )


def people_of(ledger: Ledger):
    """The accounts working in the ledger's organisation (its subtree): whom a member, officer or owner may link to."""
    from django.contrib.auth import get_user_model

    from orgs.models import Membership
    from orgs.scoping import within

    ids = (
        Membership.objects.filter(is_active=True)
        .filter(within("org__path", [ledger.org.path]))
        .values_list("user_id", flat=True)
    )
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username")


def tasks_of(ledger: Ledger):
    return (
        Task.objects.filter(ledger=ledger)
        .select_related("indicator", "ledger__org")
        .order_by("key_task", "deadline", "pk")
    )


def records_after(org, on: dt.date) -> list[tuple[str, dt.date]]:
    """Ledger records of `org`'s subtree dated on or after `on` (progress updates, tasks still running then):
    what closing `org` from `on` would leave behind (orgs.services.records_after)."""
    from django.db.models import Count, Max
    from django.utils.translation import gettext as _

    from ledger.models import TaskUpdate
    from orgs.scoping import within

    found = []
    updates = TaskUpdate.objects.filter(within("task__ledger__org__path", [org.path]), on__gte=on).aggregate(
        n=Count("id"), latest=Max("on")
    )
    if updates["n"]:
        found.append((_("%(n)d 条改革任务进展") % {"n": updates["n"]}, updates["latest"]))
    tasks = Task.objects.filter(
        within("ledger__org__path", [org.path]), deadline__gte=on, status__in=(TaskStatus.PLANNED, TaskStatus.ACTIVE)
    ).aggregate(n=Count("id"), latest=Max("deadline"))
    if tasks["n"]:
        found.append((_("%(n)d 项未完成的改革任务") % {"n": tasks["n"]}, tasks["latest"]))
    return found


# One ledger's rows, for a ledger already read through the door (ledger_or_404).


def members_of(ledger: Ledger) -> list:
    from ledger.models import GroupMember

    return list(GroupMember.objects.filter(ledger=ledger).select_related("user"))


def officers_of(ledger: Ledger) -> list:
    return list(Officer.objects.filter(ledger=ledger).select_related("user"))


def documents_of(ledger: Ledger, limit: int = 50) -> list:
    from ledger.models import Document

    return list(Document.objects.filter(org_id=ledger.org_id).order_by("-uploaded_at")[:limit])
