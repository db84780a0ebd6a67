"""The shared workflow (core/workflow.py), tested once as a table: (state, step, role) → outcome.

Two definitions go through the same table: a small one written here, as a later app would write
its own, and the report workflow (reporting/workflow.py), with the roles of orgs/roles.py.
"""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import ConflictError, UserError
from core.models import AuditEntry, versioned_update
from core.workflow import IllegalTransition, State, Step, Workflow, changes_since, history, transition
from orgs.choices import Role
from orgs.roles import actions_for
from orgs.tests.factories import SYSTEM
from reporting.choices import ReportStatus as S
from reporting.tests.factories import at, filled_report
from reporting.workflow import REPORT_WORKFLOW, report_steps

# --- A small workflow, as a later app defines one ---------------------------------------------------------------

MINI = Workflow(
    name="test.item",
    item_label="材料",
    states=(State("draft", "草稿", editable=True), State("sent", "已报送"), State("done", "已采用")),
    steps=(
        Step("send", "报送", frozenset({"draft"}), "sent", "edit"),
        Step("adopt", "采用", frozenset({"sent"}), "done", "review"),
        Step("back", "退回", frozenset({"sent", "done"}), "draft", "review", True, "请填写退回原因。"),
    ),
)
MINI_ROLES = {"writer": {"edit"}, "editor": {"review"}, "both": {"edit", "review"}, "reader": set()}

MINI_TABLE = [
    # state, step, role, → allowed, resulting state or why refused
    ("draft", "send", "writer", True, "sent"),
    ("draft", "send", "both", True, "sent"),
    ("draft", "send", "editor", False, "permission"),
    ("draft", "send", "reader", False, "permission"),
    ("sent", "send", "writer", False, "state"),
    ("done", "send", "both", False, "state"),
    ("sent", "adopt", "editor", True, "done"),
    ("sent", "adopt", "writer", False, "permission"),
    ("draft", "adopt", "editor", False, "state"),
    ("done", "adopt", "both", False, "state"),
    ("sent", "back", "editor", True, "draft"),
    ("done", "back", "editor", True, "draft"),
    ("done", "back", "writer", False, "permission"),
    ("draft", "back", "both", False, "state"),
]


def _outcome(workflow, status, step, actions):
    result = workflow.check(status=status, step=step, may=lambda action: action in actions)
    return result.allowed, result.target if result.allowed else result.refusal


@pytest.mark.parametrize(("status", "step", "role", "allowed", "then"), MINI_TABLE)
def test_small_workflow_table(status, step, role, allowed, then):
    assert _outcome(MINI, status, step, MINI_ROLES[role]) == (allowed, then)


def test_small_workflow_table_covers_every_state_and_step():
    assert {(s, st) for s, st, *_rest in MINI_TABLE} >= {
        (state.value, step.name) for state in MINI.states for step in MINI.steps
    }


def test_small_workflow_offers_only_allowed_steps_and_knows_what_is_editable():
    assert MINI.available("sent", lambda a: a in MINI_ROLES["both"]) == ["adopt", "back"]
    assert MINI.available("sent", lambda a: a in MINI_ROLES["writer"]) == []
    assert MINI.editable == frozenset({"draft"})


def test_small_workflow_refuses_a_step_from_the_wrong_state_and_a_return_without_reason():
    with pytest.raises(IllegalTransition) as caught:
        MINI.ensure_step(status="draft", step="adopt")
    assert caught.value.message == "当前状态为“草稿”的材料不能采用。"
    assert caught.value.status_code == 409
    with pytest.raises(UserError) as caught:
        MINI.clean_reason("back", "   ")
    assert (caught.value.message, caught.value.field) == ("请填写退回原因。", "reason")
    assert MINI.clean_reason("back", " 数据有误 ") == "数据有误"
    assert MINI.clean_reason("send", "") == ""


def test_a_definition_naming_an_unknown_state_is_refused():
    with pytest.raises(ValueError, match="unknown states"):
        Workflow(name="bad", item_label="x", states=(State("a", "甲"),), steps=(Step("go", "走", {"a"}, "b", "edit"),))


def test_changes_since_lists_changed_added_and_cleared_values():
    before = {"A|": "1", "B|": "2", "C|": "3"}
    after = {"A|": "1", "B|": "5", "D|": "4"}
    assert [(c.key, c.old, c.new) for c in changes_since(before, after)] == [
        ("B|", "2", "5"),
        ("C|", "3", ""),
        ("D|", "", "4"),
    ]


# --- The report workflow through the same table ----------------------------------------------------------------

REPORT_TABLE = [
    (S.DRAFT, "submit", Role.REPORTER, True, S.SUBMITTED),
    (S.RETURNED, "submit", Role.REPORTER, True, S.SUBMITTED),
    (S.SUBMITTED, "submit", Role.REPORTER, False, "state"),
    (S.DRAFT, "submit", Role.OFFICE_REVIEWER, False, "permission"),
    (S.SUBMITTED, "approve", Role.UNION_ADMIN, True, S.APPROVED),
    (S.SUBMITTED, "approve", Role.REPORTER, False, "permission"),
    (S.APPROVED, "approve", Role.UNION_ADMIN, False, "state"),
    (S.SUBMITTED, "return", Role.UNION_ADMIN, True, S.RETURNED),
    (S.APPROVED, "return", Role.OFFICE_REVIEWER, True, S.RETURNED),
    (S.ACCEPTED, "return", Role.OFFICE_REVIEWER, False, "state"),
    (S.APPROVED, "accept", Role.OFFICE_REVIEWER, True, S.ACCEPTED),
    (S.SUBMITTED, "accept", Role.OFFICE_ADMIN, True, S.ACCEPTED),
    (S.APPROVED, "accept", Role.UNION_ADMIN, False, "permission"),
    (S.DRAFT, "accept", Role.OFFICE_ADMIN, False, "state"),
    (S.ACCEPTED, "lock", Role.OFFICE_REVIEWER, True, S.LOCKED),
    (S.APPROVED, "lock", Role.OFFICE_ADMIN, False, "state"),
    (S.ACCEPTED, "lock", Role.UNION_ADMIN, False, "permission"),
    (S.ACCEPTED, "reopen", Role.OFFICE_REVIEWER, True, S.RETURNED),
    (S.LOCKED, "reopen", Role.OFFICE_ADMIN, True, S.RETURNED),
    (S.RETURNED, "reopen", Role.OFFICE_ADMIN, False, "state"),
    (S.LOCKED, "reopen", Role.LEADER, False, "permission"),
    (S.LOCKED, "submit", Role.DEPT_VIEWER, False, "state"),
]


@pytest.mark.parametrize(("status", "step", "role", "allowed", "then"), REPORT_TABLE)
def test_report_workflow_table(status, step, role, allowed, then):
    assert _outcome(REPORT_WORKFLOW, status, step, set(actions_for(role))) == (allowed, then)


def _office_steps(status, *, union_above=True, own=False, period_locked=False, window_open=True):
    return report_steps(
        status=status,
        may=lambda action: action in set(actions_for(Role.OFFICE_ADMIN)),
        union_above=union_above,
        may_review_union=lambda: True,
        own=own,
        period_locked=period_locked,
        window_open=lambda: window_open,
    )


@pytest.mark.parametrize(
    ("status", "conditions", "steps"),
    [
        (S.DRAFT, {}, ["submit"]),
        (S.DRAFT, {"window_open": False}, []),
        (S.RETURNED, {"window_open": False}, ["submit"]),  # the reviewer asked for the fix: no window
        (S.SUBMITTED, {}, ["approve", "return"]),
        (S.SUBMITTED, {"union_above": False}, ["return", "accept"]),  # no union: the office accepts
        (S.SUBMITTED, {"own": True}, ["return"]),  # four eyes
        (S.APPROVED, {}, ["return", "accept"]),
        (S.APPROVED, {"own": True}, ["return"]),
        (S.ACCEPTED, {}, ["lock", "reopen"]),
        (S.ACCEPTED, {"period_locked": True}, ["lock"]),
        (S.LOCKED, {"period_locked": True}, []),
    ],
)
def test_report_rules_beyond_the_table(status, conditions, steps):
    assert _office_steps(status, **conditions) == steps


# --- Taking a step: versioned update, audit row as history -----------------------------------------------------


@pytest.mark.django_db
def test_transition_moves_the_item_and_writes_its_history(tree, wf, clock):
    report = filled_report(tree, wf[0])
    version = report.version

    transition(workflow=REPORT_WORKFLOW, item=report, step="submit", by=SYSTEM, event="reporting.report.submit")

    report.refresh_from_db()
    assert (report.status, report.version) == (S.SUBMITTED, version + 1)
    assert [e.event for e in history(report)][-1] == "reporting.report.submit"


@pytest.mark.django_db
def test_transition_from_a_state_that_moved_meanwhile_changes_nothing(tree, wf, clock):
    report = filled_report(tree, wf[0])
    version = report.version
    type(report).objects.filter(pk=report.pk).update(status=S.SUBMITTED)  # submitted by someone else meanwhile
    entries = AuditEntry.objects.count()

    with pytest.raises(ConflictError):
        transition(workflow=REPORT_WORKFLOW, item=report, step="submit", by=SYSTEM, event="reporting.report.submit")

    report.refresh_from_db()
    assert (report.status, report.version) == (S.SUBMITTED, version)
    assert AuditEntry.objects.count() == entries


# --- The versioned update -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_versioned_update_bumps_version_and_sets_updated_at(tree, clock):
    org = tree.ent_a1
    clock.set(at(2022, 3, 1, 9))
    versioned_update(org, org.version, notes="张三")

    org.refresh_from_db()
    assert (org.notes, org.version) == ("张三", 2)
    assert org.updated_at == at(2022, 3, 1, 9).astimezone(dt.UTC)


@pytest.mark.django_db
def test_versioned_update_with_a_stale_version_changes_nothing(tree):
    org = tree.ent_a1
    stale = org.version
    versioned_update(org, stale, notes="先到")

    with pytest.raises(ConflictError) as caught:
        versioned_update(org, stale, conflict_message="该机构已被他人修改，请刷新后重试。", notes="后到")

    assert caught.value.message == "该机构已被他人修改，请刷新后重试。"
    assert caught.value.status_code == 409
    org.refresh_from_db()
    assert (org.notes, org.version) == ("先到", stale + 1)


@pytest.mark.django_db
def test_versioned_update_keeps_the_joined_rows_whose_key_did_not_change(tree, wf, django_assert_num_queries):
    from reporting.models import Report

    report = Report.objects.select_related("org", "dataset", "period", "submitted_by").get(
        pk=filled_report(tree, wf[0]).pk
    )
    user = tree.user(Role.REPORTER, tree.ent_a1)
    versioned_update(report, report.version, status=S.SUBMITTED, submitted_by=user)

    with django_assert_num_queries(1):  # the one changed key is read again; org, data set and period are kept
        assert (report.org.code, report.dataset.code, report.period.code) == ("E-A1", "WF_Y", "2021")
        assert report.submitted_by.pk == user.pk
    assert report.status == S.SUBMITTED


def test_every_report_step_has_a_page_action():
    from reporting.views.entry import STEP_DONE, STEP_SERVICES

    steps = {step.name for step in REPORT_WORKFLOW.steps}
    assert set(STEP_SERVICES) == steps
    assert set(STEP_DONE) == steps
