"""What a person should do next in capacity building, for the home page's 待办事项 (core.registry.todos).

- An audience organisation's administrator (a union administrator at it): a class open for enrolment that
  his organisation is expected at and has not enrolled anyone in yet, with the deadline;
- the organiser: a class whose last day has passed with attendance or completion still to record.

Read through the door, in a fixed number of queries whatever the scope.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext as _

from core import deadlines
from core.registry import Todo
from orgs.choices import Action, Role
from orgs.queries import active_memberships
from orgs.scoping import can
from training.choices import ClassStatus
from training.models import Enrolment, TrainingClass


def _admin_orgs(user) -> dict[int, object]:
    return {
        m.org_id: m.org
        for m in active_memberships(user)
        if m.role == Role.UNION_ADMIN and m.org.closed_on is None and can(user, Action.EDIT, m.org)
    }


def _may_organise(user) -> bool:
    """Whether the person edits an organisation that organises classes (read from the cached roles, no query)."""
    from training.services.classes import ORGANISER_KINDS

    return any(m.org.kind in ORGANISER_KINDS and can(user, Action.EDIT, m.org) for m in active_memberships(user))


def training_todos(user) -> list[Todo]:
    today = deadlines.today()
    found: list[Todo] = []
    orgs = _admin_orgs(user)
    organiser = _may_organise(user)
    if not orgs and not organiser:
        return found
    wanted = Q(pk__in=[])
    if orgs:
        wanted |= Q(status=ClassStatus.OPEN, enrol_deadline__gte=today)
    if organiser:
        unrecorded = Enrolment.objects.filter(klass=OuterRef("pk"), attendance="", completed=False).active()
        wanted |= Q(status__in=(ClassStatus.RUNNING, ClassStatus.FINISHED), ends_on__lt=today) & Q(Exists(unrecorded))
    classes = list(
        TrainingClass.objects.visible_to(user).filter(wanted).select_related("organiser").order_by("ends_on")
    )
    open_classes = [k for k in classes if k.status == ClassStatus.OPEN]
    if open_classes:
        found.extend(_enrol_todos(open_classes, orgs))
    for klass in classes:
        if klass.status == ClassStatus.OPEN or not can(user, Action.EDIT, klass.organiser):
            continue
        found.append(
            Todo(
                _("“%(class)s”已于 %(day)s 结束，请记录考勤和结业情况。")
                % {"class": klass.title, "day": f"{klass.ends_on:%Y-%m-%d}"},
                reverse("training:attendance", args=[klass.pk]),
                1,
                klass.ends_on,
            )
        )
    return found


def _enrol_todos(open_classes: list[TrainingClass], orgs: dict) -> list[Todo]:
    """A class open for enrolment that an administrator's organisation is expected at and has not enrolled in."""
    found = []
    prefetch_related_objects(open_classes, "audience_orgs")
    enrolled = set(
        Enrolment.objects.filter(klass__in=open_classes, org_id__in=orgs).active().values_list("klass_id", "org_id")
    )
    for klass in open_classes:
        named = {o.pk for o in klass.audience_orgs.all()}
        for org_id, org in orgs.items():
            by_kind = org.kind in klass.audience_kinds and (
                klass.organiser.kind in ("office", "province") or org.path.startswith(klass.organiser.path)
            )
            if not (by_kind or org_id in named) or (klass.pk, org_id) in enrolled:
                continue
            found.append(
                Todo(
                    _("“%(class)s”正在报名，%(org)s尚未报名，请于 %(due)s 前报名。")
                    % {"class": klass.title, "org": org.display_name, "due": f"{klass.enrol_deadline:%Y-%m-%d}"},
                    reverse("training:class_detail", args=[klass.pk]),
                    0 if deadlines.days_left(klass.enrol_deadline) <= 3 else 1,
                    klass.enrol_deadline,
                )
            )
    return found
