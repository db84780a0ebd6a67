"""Telling the assessed organisations what happened to their result: publication, republication after a
reopening, and the office's answer to an appeal.

The notices go through the platform's one inbox (reporting.services.notifications.deliver, as the report
and written-report workflows do): the inbox rows are written in the step's transaction, so a step rolled
back tells nobody, and the e-mail copies leave once it commits. Who is told: the people of the assessed
organisation itself who act for it (the roles that may appeal, `rounds.may_appeal`), and the person who
filed the appeal.
"""

from __future__ import annotations

from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext as _

from assessment.models import Appeal, Computation, Participant, Result, Round
from orgs.choices import Action
from orgs.models import Membership
from orgs.roles import actions_for


def _people(participants: list[Participant]) -> dict[int, list]:
    """Each participant's people who act for it (a role holding EDIT on the organisation itself), active."""
    by_org: dict[int, dict[int, object]] = defaultdict(dict)
    memberships = Membership.objects.filter(
        org_id__in={p.org_id for p in participants}, is_active=True, user__is_active=True
    ).select_related("user")
    for m in memberships:
        if Action.EDIT in actions_for(m.role):
            by_org[m.org_id][m.user_id] = m.user
    return {p.pk: list(by_org[p.org_id].values()) for p in participants}


def _card_url(participant: Participant) -> str:
    return reverse("assessment:score_card", args=[participant.pk])


def _deliver(users, *, title: str, body: str, url: str) -> None:
    from reporting.services.notifications import deliver  # the platform's inbox lives with reporting

    if users:
        deliver(users, title=title, body=body, url=url)


def results_published(round_: Round, computation: Computation, *, republished: bool) -> None:
    """Tell every participant's people that its result is out (or out again, after a reopening)."""
    results = {
        r.participant_id: r for r in Result.objects.filter(computation=computation).select_related("participant__org")
    }
    participants = [r.participant for r in results.values()]
    people = _people(participants)
    if round_.appeal_deadline:
        day = f"{round_.appeal_deadline:%Y-%m-%d}"
        deadline = _("对单项得分有异议的，可在 %(day)s（含）前在评分表上提出申诉。") % {"day": day}
    else:
        deadline = _("对单项得分有异议的，可在评分表上提出申诉。")
    for participant in participants:
        result = results[participant.pk]
        names = {
            "org": participant.org.name,
            "round": round_.name,
            "total": result.total,
            "grade": result.get_grade_display(),
            "n": computation.number,
        }
        if republished:
            title = _("考核结果已重新公布：%(round)s") % names
            body = (
                _(
                    "“%(round)s”重新计算后再次公布（第 %(n)d 次计算）：%(org)s 总分 %(total)s，等次“%(grade)s”。"
                    "原公布的结果仍保留可查。"
                )
                % names
            )
        else:
            title = _("考核结果已公布：%(round)s") % names
            body = _("“%(round)s”的考核结果已公布：%(org)s 总分 %(total)s，等次“%(grade)s”。") % names
        _deliver(people[participant.pk], title=title, body=body + deadline, url=_card_url(participant))


def appeal_answered(appeal: Appeal) -> None:
    """Tell the organisation's people (and whoever filed it) how the office answered an appeal."""
    participant = appeal.participant
    users = {u.pk: u for u in _people([participant])[participant.pk]}
    if appeal.filed_by is not None and appeal.filed_by.is_active:
        users.setdefault(appeal.filed_by.pk, appeal.filed_by)
    names = {
        "org": participant.org.name,
        "round": participant.round.name,
        "criterion": appeal.criterion.name,
        "status": appeal.get_status_display(),
        "answer": appeal.answer,
    }
    title = _("申诉已答复：%(criterion)s") % names
    body = _("产改办已答复%(org)s对“%(round)s”中“%(criterion)s”的申诉：%(status)s。答复意见：%(answer)s") % names
    _deliver(list(users.values()), title=title, body=body, url=_card_url(participant))
