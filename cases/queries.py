"""Reads of the case library that carry a rule: who sees which case, the library's search, the office's views.

Every read goes through the door (Case.objects.visible_to and friends): drafts, submitted and returned cases within
the organisational scope, published cases for every business user of the province (cases.models.CaseQuerySet).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from cases.choices import CaseStatus, KeyTask, SortOrder
from cases.models import Case, CaseFile, Replication, Topic
from core import search
from orgs.choices import Action, OrgKind
from orgs.models import Organisation, Region
from orgs.scoping import get_visible_or_404, is_office, within

SEARCH_FIELDS = ("title", "summary", "body_text")
MAX_RESULTS = 500  # ranked in Python; the library holds hundreds of cases, not hundreds of thousands


def cases_visible(user, action: str = Action.VIEW):
    return Case.objects.visible_to(user, action).select_related("org")


def case_or_404(user, pk, action: str = Action.VIEW) -> Case:
    return get_visible_or_404(Case.objects.select_related("org", "created_by"), user, action, pk=pk)


def file_or_404(user, case: Case, pk) -> CaseFile:
    return get_visible_or_404(CaseFile.objects.select_related("case"), user, Action.VIEW, pk=pk, case=case)


def replications_visible(user, action: str = Action.VIEW):
    return Replication.objects.visible_to(user, action).select_related("org", "case", "case__org")


def replication_or_404(user, pk, action: str = Action.VIEW) -> Replication:
    return get_visible_or_404(Replication.objects.select_related("org", "case", "case__org"), user, action, pk=pk)


def published_of(user, org) -> list[Case]:
    """The published cases whose source is `org` or below it, as `user` may read them (a site's experience)."""
    from orgs.scoping import within

    rows = cases_visible(user).filter(status=CaseStatus.PUBLISHED).filter(within("org__path", [org.path]))
    return list(with_counts(rows).order_by("-published_at", "-id")[:20])


def with_counts(queryset):
    """Cases with `replication_total`: how many organisations recorded adopting each."""
    return queryset.annotate(replication_total=Count("replications", distinct=True))


# --- The library ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    q: str = ""
    task: str = ""
    topic: int | None = None
    year: int | None = None
    prefecture: str = ""  # a region code of a prefecture (GB/T 2260), e.g. 530100
    union: str = ""  # an organisation code of a provincial union
    sort: str = ""

    @classmethod
    def from_params(cls, params) -> Filters:
        """The filters from a query string, unknown or malformed values dropped (never an error)."""
        task = params.get("task", "")
        topic = params.get("topic", "")
        year = params.get("year", "")
        sort = params.get("sort", "")
        prefecture = params.get("prefecture", "").strip()
        return cls(
            q=(params.get("q") or "").strip()[: search.MAX_QUERY_LENGTH],
            task=task if task in KeyTask.values else "",
            topic=int(topic) if topic.isdigit() and topic.isascii() and len(topic) < 10 else None,
            year=int(year) if year.isdigit() and year.isascii() and len(year) == 4 else None,
            prefecture=prefecture if prefecture.isdigit() and len(prefecture) == 6 else "",
            union=params.get("union", "").strip()[:64],
            sort=sort if sort in SortOrder.values else "",
        )

    @property
    def effective_sort(self) -> str:
        return self.sort or (SortOrder.RELEVANCE if self.q else SortOrder.NEWEST)

    def query_string(self, **changes) -> str:
        from urllib.parse import urlencode

        values = {"q": self.q, "task": self.task, "topic": self.topic or "", "year": self.year or "",
                  "prefecture": self.prefecture, "union": self.union, "sort": self.sort, **changes}  # fmt: skip
        return urlencode({k: v for k, v in values.items() if v})


@dataclass
class Hit:
    case: Case
    score: int
    snippet: str


def filtered(rows, filters: Filters):
    """`rows` (cases) narrowed by the filters and the search words (every word must occur)."""
    if filters.task:
        rows = rows.filter(tasks__contains=f",{filters.task},")
    if filters.topic:
        rows = rows.filter(topics__pk=filters.topic)
    if filters.year:
        rows = rows.filter(year=filters.year)
    if filters.prefecture:
        prefecture = Organisation.objects.filter(kind=OrgKind.PREFECTURE, region_id=filters.prefecture).first()
        condition = Q(org__region__code__startswith=filters.prefecture[:4])
        if prefecture is not None:
            condition |= within("org__path", [prefecture.path])
        rows = rows.filter(condition)
    if filters.union:
        union = Organisation.objects.filter(kind=OrgKind.UNION, code=filters.union).first()
        rows = rows.filter(within("org__path", [union.path])) if union else rows.none()
    if search.words(filters.q):
        rows = search.search(rows, SEARCH_FIELDS, filters.q)
    return rows


def ranked(rows, filters: Filters) -> tuple[list[Hit], list[str]]:
    """The cases of `rows` matching `filters`, sorted as asked, each with its score and marked snippet."""
    words = search.words(filters.q)
    found = list(
        with_counts(filtered(rows, filters)).prefetch_related("topics").order_by("-published_at", "-id")[:MAX_RESULTS]
    )
    hits = [
        Hit(
            case=case,
            score=search.rank([case.title, case.title, case.title, case.summary, case.body_text], words),
            snippet=search.snippet(case.summary + " " + case.body_text, words, width=90) if words else "",
        )
        for case in found
    ]
    sort = filters.effective_sort
    if sort == SortOrder.RELEVANCE and words:
        hits.sort(key=lambda h: -h.score)  # stable: equal scores stay newest first
    elif sort == SortOrder.REPLICATED:
        hits.sort(key=lambda h: -h.case.replication_total)
    return hits, words


def library(user, filters: Filters) -> tuple[list[Hit], list[str]]:
    """The published cases matching `filters`, ranked, with a marked snippet each; and the query's words."""
    return ranked(cases_visible(user).published(), filters)


def filter_choices() -> dict:
    """The library's filter lists: tasks, topics, years with published cases, prefectures and unions."""
    published = Case.objects.published()
    years = sorted(set(published.values_list("year", flat=True)), reverse=True)
    return {
        "tasks": KeyTask.choices,
        "topics": list(Topic.objects.filter(Q(is_active=True) | Q(cases__status=CaseStatus.PUBLISHED)).distinct()),
        "years": years,
        "prefectures": list(Region.objects.filter(parent_id="530000").order_by("code").values_list("code", "name")),
        "unions": list(
            Organisation.objects.filter(kind=OrgKind.UNION, closed_on__isnull=True)
            .order_by("code")
            .values_list("code", "name")
        ),
    }


# --- My cases and the office's review -------------------------------------------------------------------------


def my_cases(user):
    """The cases the person may write: in their EDIT scope (the office: the ones they created themselves)."""
    rows = with_counts(Case.objects.visible_to(user, Action.EDIT).select_related("org"))
    if is_office(user):
        rows = rows.filter(created_by=user)
    return rows.order_by("-updated_at", "-id")


def review_queue(user):
    """Submitted cases waiting for the office (empty for anyone without ACCEPT)."""
    return (
        Case.objects.visible_to(user, Action.ACCEPT)
        .filter(status=CaseStatus.SUBMITTED)
        .select_related("org")
        .order_by("submitted_at", "id")
    )


def recently_reviewed(user, limit: int = 20):
    return (
        Case.objects.visible_to(user, Action.ACCEPT)
        .filter(status__in=(CaseStatus.RETURNED, CaseStatus.PUBLISHED, CaseStatus.WITHDRAWN))
        .select_related("org")
        .order_by("-updated_at", "-id")[:limit]
    )


def spread(user, limit: int = 20) -> dict:
    """The office's view of 复制推广: the cases adopted most, and the organisations that adopt most."""
    cases = (
        with_counts(cases_visible(user).published())
        .filter(replication_total__gt=0)
        .order_by("-replication_total", "-published_at")[:limit]
    )
    adopters = (
        replications_visible(user)
        .values("org__code", "org__name")
        .annotate(n=Count("id"), latest=Max("adopted_on"))
        .order_by("-n", "org__code")[:limit]
    )
    sources = (
        replications_visible(user)
        .values("case__org__code", "case__org__name")
        .annotate(n=Count("id"), cases=Count("case", distinct=True))
        .order_by("-n", "case__org__code")[:limit]
    )
    return {"cases": list(cases), "adopters": list(adopters), "sources": list(sources)}


# --- For other parts of the platform -----------------------------------------------------------------------------


def records_after(org, on: dt.date) -> list[tuple[str, dt.date]]:
    """Cases published and adoptions recorded in `org`'s subtree after `on` (orgs.services.records_after)."""
    found = []
    cases = Case.objects.filter(within("org__path", [org.path]), published_on__gt=on).aggregate(
        n=Count("id"), latest=Max("published_on")
    )
    if cases["n"]:
        found.append((_("%(n)d 个已发布的改革案例") % {"n": cases["n"]}, cases["latest"]))
    adoptions = Replication.objects.filter(within("org__path", [org.path]), adopted_on__gt=on).aggregate(
        n=Count("id"), latest=Max("adopted_on")
    )
    if adoptions["n"]:
        found.append((_("%(n)d 条复制推广记录") % {"n": adoptions["n"]}, adoptions["latest"]))
    return found
