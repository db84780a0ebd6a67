"""The home page's to-dos and rounds from the demonstration sites (registry.todos / registry.rounds).

- a group union: batches open for nominations (with how many it has nominated) and its returned nominations;
- the office: nominations waiting for a decision, per batch;
- a guidance-group member: assigned sites without a visit this quarter, and the group's overdue follow-ups;
- whoever must close a follow-up (the site or its union): their overdue follow-ups.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import deadlines
from core.registry import RoundProgress, Todo
from orgs.choices import Action
from orgs.scoping import granted_paths, has_action, is_office, within
from sites.choices import BatchStatus, FollowUpStatus, NominationStatus, SiteStatus
from sites.models import Batch, FollowUp, Nomination, Site


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _nominator(user) -> bool:
    return not is_office(user) and bool(granted_paths(user, Action.REVIEW))


def _batches(user) -> list[Batch]:
    """Every batch, each with `overdue_owned`: overdue follow-ups of its sites the user's organisations must close.

    One query for the whole home page (to-dos and rounds), cached on the user for the request, so a page costs
    the same whatever the number of batches; the follow-ups themselves are read only when there are some.
    """
    cache = user.__dict__.setdefault("_sites_worklist", {})
    if "batches" not in cache:
        paths = () if is_office(user) else granted_paths(user, Action.EDIT)
        owned = Q(
            within("sites__followups__owner__path", paths),
            sites__followups__status=FollowUpStatus.OPEN,
            sites__followups__deadline__lt=deadlines.today(),
        )
        cache["batches"] = list(Batch.objects.annotate(overdue_owned=Count("sites__followups", filter=owned)))
    return cache["batches"]


def _open_batches(user) -> list[Batch]:
    now = timezone.now()
    found = [b for b in _batches(user) if b.status == BatchStatus.COLLECTING and b.is_open(now)]
    return sorted(found, key=lambda b: b.closes_on)


def site_todos(user) -> list[Todo]:
    today = deadlines.today()
    todos: list[Todo] = []
    if _nominator(user):
        mine = Nomination.objects.visible_to(user)
        open_batches = _open_batches(user)
        counts = {} if not open_batches else dict(
            mine.filter(batch__in=open_batches).exclude(status=NominationStatus.DRAFT)
            .order_by().values_list("batch_id").annotate(n=Count("pk"))
        )  # fmt: skip
        for batch in open_batches:
            todos.append(
                Todo(
                    text=_("“%(batch)s”正在征集推荐，截止 %(closes)s；您已推荐 %(n)d 家。")
                    % {"batch": batch.name, "closes": f"{batch.closes_on:%Y-%m-%d}", "n": counts.get(batch.pk, 0)},
                    url=reverse("sites:batch", args=[batch.pk]),
                    urgency=1,
                    due=batch.closes_on,
                )
            )
        pending = [b.pk for b in _batches(user) if b.status != BatchStatus.ANNOUNCED]
        returned = mine.filter(status=NominationStatus.RETURNED, batch_id__in=pending) if pending else mine.none()
        for nomination in returned.select_related("org", "batch")[:20]:
            todos.append(
                Todo(
                    text=_("%(org)s的示范点推荐被退回：%(reason)s")
                    % {"org": nomination.org.name, "reason": nomination.reason[:60]},
                    url=nomination.get_absolute_url(),
                    urgency=0,
                    due=nomination.batch.closes_on,
                )
            )
    if is_office(user) and has_action(user, Action.ACCEPT):
        waiting = (
            Nomination.objects.filter(status=NominationStatus.SUBMITTED)
            .order_by().values("batch_id", "batch__name").annotate(n=Count("pk"))
        )  # fmt: skip
        for row in waiting:
            todos.append(
                Todo(
                    text=_("“%(batch)s”有 %(n)d 份推荐等待遴选。") % {"batch": row["batch__name"], "n": row["n"]},
                    url=reverse("sites:batch", args=[row["batch_id"]]),
                    urgency=1,
                )
            )
    todos += _guidance_todos(user, today)
    todos += _owner_todos(user, today)
    return todos


def _guidance_todos(user, today: dt.date) -> list[Todo]:
    from orgs.scoping import roles_of
    from sites.services.sites import MEMBER_ROLES

    if not roles_of(user) & set(MEMBER_ROLES):
        return []
    sites = list(
        Site.objects.filter(group__members=user, status=SiteStatus.GUIDING)
        .annotate(last=Max("visits__visited_on"))
        .select_related("org")
        .distinct()
    )
    found = []
    start = quarter_start(today)
    for site in sites:
        if site.last is None or site.last < start:
            found.append(
                Todo(
                    text=_("示范点“%(site)s”本季度还没有指导走访。") % {"site": site.org.name},
                    url=reverse("sites:visit_create", args=[site.pk]),
                    urgency=2,
                )
            )
    overdue = FollowUp.objects.filter(
        site__group__members=user, status=FollowUpStatus.OPEN, deadline__lt=today
    ).select_related("site__org")
    for followup in overdue.distinct()[:20]:
        found.append(
            Todo(
                text=_("跟进事项逾期未完成（%(site)s）：%(title)s")
                % {"site": followup.site.org.name, "title": followup.title},
                url=reverse("sites:site", args=[followup.site_id]) + "#followups",
                urgency=1,
                due=followup.deadline,
            )
        )
    return found


def _owner_todos(user, today: dt.date) -> list[Todo]:
    if is_office(user):
        return []
    paths = granted_paths(user, Action.EDIT)
    if not paths or not any(b.overdue_owned for b in _batches(user)):
        return []
    overdue = (
        FollowUp.objects.filter(within("owner__path", paths), status=FollowUpStatus.OPEN, deadline__lt=today)
        .exclude(site__group__members=user)
        .select_related("site__org")
        .order_by("deadline")[:20]
    )
    return [
        Todo(
            text=_("示范点跟进事项已逾期，请办结：%(title)s（%(site)s）") % {"title": f.title, "site": f.site.org.name},
            url=reverse("sites:site", args=[f.site_id]) + "#followups",
            urgency=0,
            due=f.deadline,
        )
        for f in overdue
    ]


def batch_rounds(user) -> list[RoundProgress]:
    """Open batches for the office and the unions: nominations received of the quota."""
    if not (is_office(user) or _nominator(user)):
        return []
    batches = sorted((b for b in _batches(user) if b.status != BatchStatus.ANNOUNCED), key=lambda b: b.closes_on)
    if not batches:
        return []
    received = dict(
        Nomination.objects.filter(batch__in=batches)
        .filter(Q(status__in=(NominationStatus.SUBMITTED, NominationStatus.SELECTED, NominationStatus.REJECTED,
                              NominationStatus.RETURNED)))
        .order_by().values_list("batch_id").annotate(n=Count("pk"))
    )  # fmt: skip
    return [
        RoundProgress(
            title=batch.name,
            stage=batch.get_status_display(),
            url=reverse("sites:batch", args=[batch.pk]),
            done=received.get(batch.pk, 0),
            expected=batch.quota,
            done_label=_("已收到推荐 %(n)d 份 / 名额 %(quota)d 个")
            % {"n": received.get(batch.pk, 0), "quota": batch.quota},
            due=batch.closes_on,
        )
        for batch in batches
    ]
