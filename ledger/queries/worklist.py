"""What a person should do next in the ledger, for the home page's 待办事项 (core.registry.todos).

Read through the door, in a fixed number of queries whatever the scope:
- the organisations the person edits (their own, where they hold EDIT on it): written reports to write or
  to correct (returned), open alerts on their own ledger;
- reviewers: written reports submitted and waiting for them (their union's subtree, or the province).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import deadlines
from core.registry import Todo
from ledger.choices import WrittenStatus
from ledger.models import Alert, Ledger, WrittenReport, WrittenRound
from ledger.workflow import may_review
from orgs.choices import Action, OrgKind
from orgs.queries import active_memberships
from orgs.scoping import can, has_action, is_office


def _own_ledgers(user) -> list[Ledger]:
    """The ledgers of the organisations where the person holds a role allowing EDIT on that organisation itself."""
    from ledger.services.ledgers import TASKED_KINDS

    orgs = {
        m.org_id: m.org
        for m in active_memberships(user)
        if m.org.kind in TASKED_KINDS and can(user, Action.EDIT, m.org)
    }
    if not orgs:
        return []  # the office, departments, prefectures: no ledger of their own (and no query)
    return list(Ledger.objects.filter(org_id__in=orgs).select_related("org").order_by("org__path"))


def ledger_todos(user) -> list[Todo]:
    today = deadlines.today()
    found: list[Todo] = []
    own = _own_ledgers(user)
    if own:
        org_ids = [ledger.org_id for ledger in own]
        names = {ledger.org_id: ledger.org.display_name for ledger in own}
        codes = {ledger.org_id: ledger.org.code for ledger in own}
        for report in WrittenReport.objects.filter(org_id__in=org_ids, status=WrittenStatus.RETURNED).select_related(
            "round"
        ):
            found.append(Todo(
                _("%(org)s的《%(round)s》书面报告被退回，请按审核意见修改后重新提交。")
                % {"org": names[report.org_id], "round": report.round.title},
                reverse("ledger:written", args=[report.pk]), 0,
            ))  # fmt: skip
        started = set(
            WrittenReport.objects.filter(org_id__in=org_ids)
            .exclude(status=WrittenStatus.DRAFT)
            .values_list("round_id", "org_id")
        )
        for round_ in WrittenRound.objects.filter(due_on__gte=today - STILL_ASKED, period_start__lte=today):
            for ledger in own:
                if (round_.pk, ledger.org_id) in started or ledger.listed_on > round_.period_end:
                    continue
                late = round_.due_on < today
                found.append(Todo(
                    (_("%(org)s的《%(round)s》书面报告已过报送期限（%(due)s），请尽快报送。") if late else
                     _("%(org)s的《%(round)s》书面报告请于 %(due)s 前报送。"))
                    % {"org": names[ledger.org_id], "round": round_.title, "due": f"{round_.due_on:%Y-%m-%d}"},
                    reverse("ledger:org_written", args=[codes[ledger.org_id]]), 0 if late else 1,
                ))  # fmt: skip
        for org_id, count in _count_by_org(org_ids).items():
            found.append(Todo(
                ngettext("%(org)s有 %(n)d 条产改预警待处理。", "%(org)s有 %(n)d 条产改预警待处理。", count)
                % {"org": names[org_id], "n": count},
                f"{reverse('ledger:detail', args=[codes[org_id]])}#alerts", 1,
            ))  # fmt: skip
    waiting = _waiting_for_review(user)
    if waiting:
        found.append(Todo(
            ngettext("有 %(n)d 份书面报告等待您审核。", "有 %(n)d 份书面报告等待您审核。", waiting) % {"n": waiting},
            reverse("ledger:written_rounds"), 0,
        ))  # fmt: skip
    return found


# A round still asks for a missing report up to a year after its due day (the alert list keeps it after that).
STILL_ASKED = dt.timedelta(days=366)


def _count_by_org(org_ids: list[int]) -> dict[int, int]:
    rows = Alert.objects.open().filter(org_id__in=org_ids).values("org_id").annotate(n=Count("id"))
    return {row["org_id"]: row["n"] for row in rows.order_by("org_id")}


def _waiting_for_review(user) -> int:
    """Submitted written reports the person reviews (REVIEW above the organisation, never their own); for the
    office, the reports sent to it (the provincial unions'), not those their unions review first."""
    if not has_action(user, Action.REVIEW):
        return 0
    submitted = WrittenReport.objects.visible_to(user, Action.REVIEW).filter(status=WrittenStatus.SUBMITTED)
    if is_office(user):
        submitted = submitted.filter(org__kind=OrgKind.UNION)
    return sum(1 for report in submitted.select_related("org") if may_review(user, report.org))
