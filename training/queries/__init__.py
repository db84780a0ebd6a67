"""Reads of capacity building that carry a rule: which classes and enrolments a person sees, and where they
may enrol. Coverage is in training/queries/coverage.py, the home page's to-dos in worklist.py."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Q

from orgs.choices import Action
from orgs.models import Organisation
from orgs.queries import active_memberships
from orgs.scoping import can, within
from training.choices import EnrolmentStatus
from training.models import ClassFile, Enrolment, TrainingClass, audience_q
from training.services.classes import ORGANISER_KINDS


def classes_visible(user, *, year: int | None = None, kind: str = "", status: str = ""):
    """Classes the person sees (organised in their scope, or for their organisations), filtered, with the
    number of people enrolled and completed."""
    rows = TrainingClass.objects.visible_to(user).select_related("organiser")
    if year:
        rows = rows.filter(year=year)
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    return rows.annotate(
        enrolled=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED)),
        completed_count=Count(
            "enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED, enrolments__completed=True)
        ),
    ).order_by("-starts_on", "-id")


def class_years(user) -> list[int]:
    return sorted(set(TrainingClass.objects.visible_to(user).values_list("year", flat=True)), reverse=True)


def manages(user, klass: TrainingClass) -> bool:
    """Whether the person runs the class (EDIT on its organiser)."""
    return can(user, Action.EDIT, klass.organiser)


def enrolments_for(user, klass: TrainingClass, *, withdrawn: bool = False):
    """The class's enrolments the person sees: all of them for whoever may see the organiser, otherwise
    those of their own organisations."""
    rows = Enrolment.objects.visible_to(user).filter(klass=klass).select_related("org", "user")
    if not withdrawn:
        rows = rows.filter(status=EnrolmentStatus.ENROLLED)
    return rows.order_by("org__path", "id")


def audience_orgs_for(user, klass: TrainingClass) -> list[Organisation]:
    """The organisations a class names as its audience that the person may see (others are not named to them)."""
    return list(klass.audience_orgs.visible_to(user, Action.ORG_VIEW).order_by("path"))


def files_of(klass: TrainingClass):
    return ClassFile.objects.filter(klass=klass).order_by("uploaded_at", "id")


def seats_taken(klass: TrainingClass) -> int:
    return Enrolment.objects.filter(klass=klass).active().count()


def own_organisers(user) -> list[Organisation]:
    """The person's own organisations (from the cached roles) that organise classes: the default organiser."""
    return [
        m.org
        for m in active_memberships(user)
        if m.org.kind in ORGANISER_KINDS and m.org.closed_on is None and can(user, Action.EDIT, m.org)
    ]


def may_organise(user) -> bool:
    return Organisation.objects.visible_to(user, Action.EDIT).filter(kind__in=ORGANISER_KINDS).exists()


def enrolling_orgs(user, klass: TrainingClass) -> list[Organisation]:
    """The person's own organisations (where they hold EDIT) that are in the class's audience: whom they
    enrol for by default."""
    own = {m.org_id for m in active_memberships(user) if can(user, Action.EDIT, m.org)}
    if not own:
        return []
    return list(Organisation.objects.filter(audience_q(klass), pk__in=own, closed_on__isnull=True).order_by("path"))


def may_enrol_somewhere(user, klass: TrainingClass) -> bool:
    """Whether the person may enrol anyone of the audience (EDIT on some audience organisation)."""
    return Organisation.objects.visible_to(user, Action.EDIT).filter(audience_q(klass)).exists()


def records_after(org: Organisation, on: dt.date) -> list[tuple[str, dt.date]]:
    """Enrolments of `org`'s subtree in classes that start after `on` (for closing an organisation)."""
    from django.utils.translation import gettext as _

    latest = (
        Enrolment.objects.filter(within("org__path", [org]), klass__starts_on__gt=on)
        .active()
        .aggregate(day=Max("klass__starts_on"))["day"]
    )
    return [(_("培训报名"), latest)] if latest else []
