"""The role × state × step matrix of the report workflow (SECURITY.md rows 10 and 11).

Permission is checked before the state: a role without the right gets 403 (PermissionDenied) in
every state; a role with it gets 409 (IllegalTransition) from a state the step cannot start from.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.models import AuditEntry
from orgs.choices import Role
from reporting import services
from reporting.choices import ReportStatus as S
from reporting.models import Report
from reporting.services import IllegalTransition
from reporting.tests.factories import as_actor, filled_report

STATES = [S.DRAFT, S.SUBMITTED, S.APPROVED, S.RETURNED, S.ACCEPTED, S.LOCKED]
SOURCES = {
    "submit": {S.DRAFT, S.RETURNED},
    "approve": {S.SUBMITTED},
    "return": {S.SUBMITTED, S.APPROVED},
    "accept": {S.APPROVED},  # SUBMITTED only without a union above; enterprise A1 has one
    "lock": {S.ACCEPTED},
    "reopen": {S.ACCEPTED, S.LOCKED},
}
TARGET = {
    "submit": S.SUBMITTED,
    "approve": S.APPROVED,
    "return": S.RETURNED,
    "accept": S.ACCEPTED,
    "lock": S.LOCKED,
    "reopen": S.RETURNED,
}
# Who may take each step on enterprise A1's report (by role, through orgs/roles.py).
ALLOWED = {
    "reporter": {"submit"},
    "union_a": {"submit", "approve", "return"},
    "union_b": set(),
    "office_admin": {"submit", "approve", "return", "accept", "lock", "reopen"},
    "office_reviewer": {"approve", "return", "accept", "lock", "reopen"},
    "leader": set(),
    "dept_viewer": set(),
    "sys_admin": set(),
}


def user_for(tree, who):
    return {
        "reporter": lambda: tree.user(Role.REPORTER),
        "union_a": lambda: tree.user(Role.UNION_ADMIN, tree.union_a),
        "union_b": lambda: tree.user(Role.UNION_ADMIN, tree.union_b),
        "office_admin": lambda: tree.user(Role.OFFICE_ADMIN, tree.province),
        "office_reviewer": lambda: tree.user(Role.OFFICE_REVIEWER, tree.province),
        "leader": lambda: tree.user(Role.LEADER),
        "dept_viewer": lambda: tree.user(Role.DEPT_VIEWER),
        "sys_admin": lambda: tree.user(Role.SYS_ADMIN),
    }[who]()


def report_in(tree, wf, state) -> Report:
    """Enterprise A1's complete 2021 report, put straight into `state` (submitted by a third person)."""
    report = filled_report(tree, wf[0])
    submitter = tree.user(Role.REPORTER, tree.ent_a2)  # neither the reporter nor a reviewer under test
    fields = {"status": state}
    if state != S.DRAFT:
        fields.update(submitted_by=submitter, submitted_at=timezone.now(), first_submitted_at=timezone.now())
    Report.objects.filter(pk=report.pk).update(**fields)
    report.refresh_from_db()
    return report


def take(step, by, report):
    kwargs = {"by": as_actor(by), "report": report, "version": report.version}
    if step in ("return", "reopen"):
        kwargs["reason"] = "数据有误"
    return getattr(services, f"report_{step}")(**kwargs)


ALLOWED_CASES = [
    (who, step, state)
    for who, steps in ALLOWED.items()
    for step in sorted(steps)
    for state in STATES
    if state in SOURCES[step]
]


@pytest.mark.parametrize(("who", "step", "state"), ALLOWED_CASES)
def test_allowed_steps_move_the_report_and_are_audited_once(tree, wf, who, step, state):
    report = report_in(tree, wf, state)

    result = take(step, user_for(tree, who), report)

    assert result.status == TARGET[step]
    assert result.version == report.version + 1
    assert AuditEntry.objects.filter(event=f"reporting.report.{step}", object_id=str(report.pk)).count() == 1


@pytest.mark.parametrize("who", list(ALLOWED))
def test_every_other_role_state_step_is_refused_and_changes_nothing(tree, wf, who):
    """403 without the right (checked first, in every state); 409 from a state the step cannot start from."""
    report = report_in(tree, wf, S.DRAFT)
    user = user_for(tree, who)
    wrong = []
    for state in STATES:
        for step in SOURCES:
            if step in ALLOWED[who] and state in SOURCES[step]:
                continue
            Report.objects.filter(pk=report.pk).update(status=state)
            report.refresh_from_db()
            expected = IllegalTransition if step in ALLOWED[who] else PermissionDenied
            audit_before = AuditEntry.objects.count()
            try:
                take(step, user, report)
                outcome = "allowed"
            except (PermissionDenied, IllegalTransition) as error:
                outcome = type(error).__name__
            report.refresh_from_db()
            if outcome != expected.__name__ or report.status != state or AuditEntry.objects.count() != audit_before:
                wrong.append((state, step, outcome))

    assert wrong == []


def test_reporter_cannot_approve_own_report(tree, wf):
    reporter = tree.user(Role.REPORTER)

    with pytest.raises(PermissionDenied) as error:
        take("approve", reporter, report_in(tree, wf, S.SUBMITTED))

    assert str(error.value) == "您没有对“昆明供电局”执行此操作的权限。"


def test_approving_a_draft_is_a_conflict(tree, wf):
    with pytest.raises(IllegalTransition) as error:
        take("approve", user_for(tree, "union_a"), report_in(tree, wf, S.DRAFT))

    assert error.value.message == "当前状态为“草稿”的报表不能审核通过。"
    assert error.value.status_code == 409


def test_union_admin_cannot_reopen_an_accepted_report(tree, wf):
    report = report_in(tree, wf, S.ACCEPTED)

    with pytest.raises(PermissionDenied):
        take("reopen", user_for(tree, "union_a"), report)

    report.refresh_from_db()
    assert report.status == S.ACCEPTED


def test_nobody_approves_what_they_submitted(tree, wf):
    union_admin = user_for(tree, "union_a")
    report = filled_report(tree, wf[0])
    report = services.report_submit(by=as_actor(union_admin), report=report, version=report.version)

    with pytest.raises(PermissionDenied) as error:
        take("approve", union_admin, report)

    assert str(error.value) == "不能审核本人提交的报表。"
    assert report.on_behalf_of is True


def test_office_accepts_a_submitted_report_directly_when_no_union_is_above(tree, wf):
    from orgs.tests.factories import make_org

    direct = make_org(tree.kunming, "昆明钢铁", code="E-KM1", region_id="530100")
    report = filled_report(tree, wf[0], org=direct)
    reporter = tree.user(Role.REPORTER, direct)
    report = services.report_submit(by=as_actor(reporter), report=report, version=report.version)

    with pytest.raises(IllegalTransition) as error:
        take("approve", user_for(tree, "office_admin"), report)
    accepted = take("accept", user_for(tree, "office_admin"), report)

    assert error.value.message == "“昆明钢铁”上级没有产业（系统）工会，报表由产改办直接验收。"
    assert accepted.status == S.ACCEPTED


def test_office_cannot_accept_before_the_union_approved(tree, wf):
    with pytest.raises(IllegalTransition) as error:
        take("accept", user_for(tree, "office_admin"), report_in(tree, wf, S.SUBMITTED))

    assert error.value.message == "该报表须先由“云南电网”审核通过，才能验收。"


def test_the_workflows_item_is_a_report_in_english_too():
    # "报表" names a data set elsewhere; in the workflow's messages it is the filled-in report.
    from django.utils import translation

    from reporting.workflow import REPORT_WORKFLOW

    assert str(REPORT_WORKFLOW.item_label) == "报表"
    with translation.override("en"):
        assert str(REPORT_WORKFLOW.item_label) == "report"
