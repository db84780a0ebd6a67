"""Reads of the publishing app that carry a rule: who submits, who edits, who reads an issue; through the door.

- Submissions are their organisation's (`Submission.objects.visible_to`): an information officer sees his
  organisation's subtree, a union's administrator the union's, the office every organisation.
- Who may write and submit for an organisation (`may_submit`): an information officer or a union's
  administrator whose organisation is it or above it (the office edits, it does not submit).
- Who edits (`is_editor`): the office (an office role, orgs.scoping.is_office).
- Who reads an issue (`Issue.objects.visible_to`): the office every issue; anyone else an issued one on
  whose distribution stands one of their organisations, or an organisation above one of them
  (`reader_paths`): the union that received it passes it to its enterprises.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Q
from django.http import Http404
from django.utils.translation import gettext as _

from core import registry
from orgs.choices import Action, Role
from orgs.scoping import get_visible_or_404, in_subtree, is_office, within
from publishing.choices import IssueStatus, SubmissionStatus
from publishing.models import Issue, IssueDocument, Submission, SubmissionFile

SUBMITTER_ROLES = (Role.INFO_OFFICER, Role.UNION_ADMIN)
_CACHE = "_publishing_cache"


def _memberships(user) -> list:
    """The user's active memberships at open organisations (cached on the user for the request)."""
    from orgs.models import Membership

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache = user.__dict__.setdefault(_CACHE, {})
    if "memberships" not in cache:
        cache["memberships"] = list(
            Membership.objects.filter(user=user, is_active=True, org__closed_on__isnull=True).select_related("org")
        )
    return cache["memberships"]


def is_editor(user) -> bool:
    """Whether `user` edits the newsletter: a member of the reform office."""
    return bool(getattr(user, "is_authenticated", False)) and is_office(user)


def submitter_orgs(user) -> list:
    """The organisations where `user` writes submissions (an information officer's or a union administrator's)."""
    return [m.org for m in _memberships(user) if m.role in SUBMITTER_ROLES]


def may_submit(user, org) -> bool:
    """Whether `user` writes and submits `org`'s items (its officer or an administrator of a union above it)."""
    return any(in_subtree(org, top) for top in submitter_orgs(user))


def is_submitter(user) -> bool:
    """Whether `user` holds a submitting role anywhere (from the request's cached roles: no query, for the menu)."""
    from orgs.scoping import roles_of

    return bool(roles_of(user) & set(SUBMITTER_ROLES))


def reader_paths(user) -> list[str]:
    """Every organisation path a distribution may name to reach `user`: the organisations where they hold a
    business role, and those above."""
    from orgs.models import Organisation
    from orgs.roles import BUSINESS_ROLES

    steplen = Organisation.steplen
    paths: set[str] = set()
    for membership in _memberships(user):
        if membership.role not in BUSINESS_ROLES:
            continue  # the three separated administrators read no business data (三权分立)
        path = membership.org.path
        paths.update(path[:n] for n in range(steplen, len(path) + 1, steplen))
    return sorted(paths)


# --- Submissions -------------------------------------------------------------------------------------------------


def submissions_visible(user):
    """The submissions `user` may see (the office's drafts stay with their organisation)."""
    found = Submission.objects.visible_to(user, Action.VIEW).select_related("org", "created_by", "issue")
    if is_editor(user):
        found = found.exclude(status=SubmissionStatus.DRAFT)
    return found


def submission_or_404(user, pk) -> Submission:
    return get_visible_or_404(submissions_visible(user), user, Action.VIEW, pk=pk)


def file_or_404(user, submission: Submission, pk) -> SubmissionFile:
    """One file of a submission already read through the door."""
    return get_visible_or_404(SubmissionFile.objects.filter(submission=submission), user, Action.VIEW, pk=pk)


def steps_for(user, submission: Submission) -> list[str]:
    from publishing.workflow import SUBMISSION_WORKFLOW, permission_for

    return SUBMISSION_WORKFLOW.available(submission.status, permission_for(user, submission.org))


def may_edit(user, submission: Submission) -> bool:
    from publishing.workflow import SUBMISSION_WORKFLOW

    return submission.status in SUBMISSION_WORKFLOW.editable and may_submit(user, submission.org)


def editorial_queue(user):
    """The office's desk: items submitted or being edited, oldest first."""
    if not is_editor(user):
        return Submission.objects.none()
    return (
        submissions_visible(user)
        .filter(status__in=(SubmissionStatus.SUBMITTED, SubmissionStatus.EDITING))
        .order_by("submitted_at", "id")
    )


def counts_by_org(user, year: int) -> list[dict]:
    """Per organisation in `user`'s scope: items submitted (first submitted in `year`) and used (decided in it)."""
    rows = (
        Submission.objects.visible_to(user)
        .filter(first_submitted_at__year=year)
        .values("org__code", "org__name", "org__path")
        .annotate(
            submitted=Count("id"),
            used=Count("id", filter=Q(status=SubmissionStatus.USED)),
        )
        .order_by("org__path")
    )
    return list(rows)


# --- Issues -----------------------------------------------------------------------------------------------------


def issues_visible(user):
    return Issue.objects.visible_to(user).select_related("series")


def issue_or_404(user, pk) -> Issue:
    found = issues_visible(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404
    return found


def document_or_404(user, issue: Issue, pk) -> IssueDocument:
    """A generated file of an issue already read through the door."""
    found = IssueDocument.objects.filter(issue=issue, pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404
    return found


def draft_issues(user):
    """The issues a submission may be accepted into: the office's drafts."""
    if not is_editor(user):
        return Issue.objects.none()
    return Issue.objects.filter(status=IssueStatus.DRAFT).select_related("series").order_by("date", "id")


def history_of(item) -> list:
    from core.workflow import history

    rows = []
    for entry in history(item):
        if not entry.success:
            continue
        detail = entry.detail or {}
        rows.append(
            {"at": entry.at, "who": entry.username, "event": registry.event_label(entry.event),
             "note": detail.get("reason", "")}
        )  # fmt: skip
    return rows


# --- Home page and closing an organisation ------------------------------------------------------------------------


def todos(user) -> list:
    """Editors: items waiting on the desk; officers: items returned to them."""
    from django.urls import reverse

    found = []
    if is_editor(user):
        waiting = Submission.objects.filter(status=SubmissionStatus.SUBMITTED).count()
        if waiting:
            found.append(
                registry.Todo(
                    text=_("有 %(n)d 条报送信息等待编辑接收") % {"n": waiting},
                    url=reverse("publishing:office"),
                    urgency=1,
                )
            )
    if is_submitter(user):
        returned = Submission.objects.filter(created_by=user, status=SubmissionStatus.RETURNED).count()
        if returned:
            found.append(
                registry.Todo(
                    text=_("有 %(n)d 条报送信息被退回修改") % {"n": returned},
                    url=reverse("publishing:submissions") + "?status=returned",
                    urgency=0,
                )
            )
    return found


def records_after(org, on: dt.date) -> list[tuple[str, dt.date]]:
    """Submissions of `org`'s subtree first submitted on or after `on` (orgs.services.records_after)."""
    from core import deadlines

    found = Submission.objects.filter(
        within("org__path", [org.path]), first_submitted_at__gte=deadlines.start_of_day(on)
    ).aggregate(n=Count("id"), latest=Max("first_submitted_at"))
    if not found["n"]:
        return []
    return [(_("%(n)d 条报送信息") % {"n": found["n"]}, deadlines.today(found["latest"]))]
