"""The ledger's writes: the door, validation with located messages, audit, history by dates, progress."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.actor import Actor
from core.errors import ConflictError, UserError
from core.models import AuditEntry
from ledger import services
from ledger.choices import GroupRole, OfficerKind, TargetKind, TaskStatus
from ledger.models import Officer, ReformSettings
from ledger.progress import is_behind, progress_of
from ledger.tests.factories import make_task
from orgs.choices import Role

pytestmark = pytest.mark.django_db


def actor(user):
    return Actor(user=user, ip="10.0.0.1")


def test_reform_year_counts_twelve_months_from_the_start():
    settings = ReformSettings(reform_start=dt.date(2018, 1, 1))
    assert settings.reform_year(dt.date(2018, 12, 31)) == 1
    assert settings.reform_year(dt.date(2020, 1, 1)) == 3
    assert settings.reform_year(dt.date(2017, 6, 1)) == 0
    mid = ReformSettings(reform_start=dt.date(2018, 7, 15))
    assert mid.reform_year(dt.date(2019, 7, 14)) == 1
    assert mid.reform_year(dt.date(2019, 7, 15)) == 2


def test_an_enterprise_records_its_plan_and_another_branch_cannot(tree, ledgers, clock):
    reporter = tree.user(Role.REPORTER)
    ledger = ledgers["E-A1"]
    services.ledger_update(
        by=actor(reporter), ledger=ledger, version=ledger.version, plan_issued_on=dt.date(2020, 3, 1),
        plan_doc_number="昆供电〔2020〕12号", plan_title="产改实施方案",
    )  # fmt: skip
    ledger.refresh_from_db()
    assert ledger.plan_issued_on == dt.date(2020, 3, 1)
    row = AuditEntry.objects.filter(event="ledger.ledger.update").latest("id")
    assert row.before["plan_issued_on"] is None and row.after["plan_issued_on"] == "2020-03-01"
    other = tree.user(Role.REPORTER, tree.ent_b1)
    with pytest.raises((Http404, PermissionDenied)):
        services.ledger_update(by=actor(other), ledger=ledger, version=ledger.version, notes="x")


def test_a_stale_version_is_refused_and_nothing_is_written(tree, ledgers, clock):
    reporter = tree.user(Role.REPORTER)
    ledger = ledgers["E-A1"]
    services.ledger_update(by=actor(reporter), ledger=ledger, version=1, notes="first")
    with pytest.raises(ConflictError):
        services.ledger_update(by=actor(reporter), ledger=ledger, version=1, notes="second")
    ledger.refresh_from_db()
    assert ledger.notes == "first"


def test_a_plan_date_in_the_future_names_the_field(tree, ledgers, clock):
    with pytest.raises(UserError) as error:
        services.ledger_update(
            by=actor(tree.user(Role.REPORTER)), ledger=ledgers["E-A1"], version=1, plan_issued_on=dt.date(2030, 1, 1)
        )
    assert error.value.field == "plan_issued_on" and "今天" in error.value.message


def test_officers_keep_their_history_and_bad_phones_are_refused(tree, ledgers, clock):
    by = actor(tree.user(Role.REPORTER))
    ledger = ledgers["E-A1"]
    with pytest.raises(UserError) as error:
        services.officer_add(by=by, ledger=ledger, kind=OfficerKind.INFO, name="李四", phone="abc",
                             started_on=dt.date(2021, 1, 1))  # fmt: skip
    assert error.value.field == "phone"
    first = services.officer_add(by=by, ledger=ledger, kind=OfficerKind.INFO, name="李四", phone="138 1234 5678",
                                 started_on=dt.date(2021, 1, 1))  # fmt: skip
    services.officer_end(by=by, officer=first, left_on=dt.date(2021, 6, 30))
    services.officer_add(by=by, ledger=ledger, kind=OfficerKind.INFO, name="王五", started_on=dt.date(2021, 7, 1))
    current = Officer.objects.filter(ledger=ledger).current(dt.date(2021, 8, 1))
    assert [o.name for o in current] == ["王五"]
    assert [o.name for o in Officer.objects.filter(ledger=ledger).current(dt.date(2021, 3, 1))] == ["李四"]
    with pytest.raises(UserError):
        services.officer_end(by=by, officer=first, left_on=dt.date(2021, 7, 1))


def test_group_member_linked_account_must_work_in_the_subtree(tree, ledgers, clock):
    by = actor(tree.user(Role.REPORTER))
    stranger = tree.user(Role.REPORTER, tree.ent_b1)
    with pytest.raises(UserError) as error:
        services.member_add(by=by, ledger=ledgers["E-A1"], name="赵六", role=GroupRole.LEADER,
                            joined_on=dt.date(2020, 1, 1), user=stranger)  # fmt: skip
    assert error.value.field == "user"
    member = services.member_add(by=by, ledger=ledgers["E-A1"], name="赵六", role=GroupRole.LEADER,
                                 joined_on=dt.date(2020, 1, 1), user=by.user)  # fmt: skip
    assert member.user == by.user


def test_a_task_needs_owner_deadline_and_a_complete_target(tree, ledgers, clock):
    by = actor(tree.user(Role.REPORTER))
    base = {"key_task": "skills", "title": "提高持证率", "owner_name": "张三", "starts_on": dt.date(2021, 1, 1),
                "deadline": dt.date(2023, 12, 31)}  # fmt: skip
    with pytest.raises(UserError) as error:
        services.task_create(by=by, ledger=ledgers["E-A1"], **{**base, "owner_name": " "}, target_kind="none")
    assert error.value.field == "owner_name"
    with pytest.raises(UserError) as error:
        services.task_create(by=by, ledger=ledgers["E-A1"], **base, target_kind=TargetKind.INDICATOR)
    assert error.value.field == "indicator"
    with pytest.raises(UserError) as error:
        services.task_create(by=by, ledger=ledgers["E-A1"], **base, target_kind=TargetKind.RESULT,
                             result_text="培训", target_value="很多")  # fmt: skip
    assert error.value.field == "target_value" and "很多" in error.value.message
    task = services.task_create(by=by, ledger=ledgers["E-A1"], **base, target_kind=TargetKind.RESULT,
                                result_text="新增持证人数", target_value="1,200", result_unit="人")  # fmt: skip
    assert task.target_value == Decimal(1200) and task.quantified
    # Changing the kind to "not quantified" clears what the target kept.
    services.task_update(by=by, task=task, version=task.version, target_kind=TargetKind.NONE)
    task.refresh_from_db()
    assert task.target_value is None and task.result_text == "" and not task.quantified


def test_an_update_activates_the_task_and_progress_follows_the_path(tree, ledgers, clock):
    by = actor(tree.user(Role.REPORTER))
    task = make_task(ledgers["E-A1"], starts_on=dt.date(2021, 1, 1), deadline=dt.date(2021, 12, 31))
    with pytest.raises(UserError) as error:
        services.update_add(by=by, task=task, on=dt.date(2021, 7, 1), note="进展")
    assert error.value.field == "value"
    services.update_add(by=by, task=task, on=dt.date(2021, 7, 2), note="建成 2 个", value="2")
    task.refresh_from_db()
    assert task.status == TaskStatus.ACTIVE
    progress = progress_of([task])[task.pk]
    assert progress.actual.value == Decimal(2) and progress.share == Decimal("0.2")
    # On 2 July about half the year has gone: 20% done is ~30 points behind the straight path.
    assert 29 < progress.behind_by() < 31
    assert is_behind(task, progress, 20) and not is_behind(task, progress, 40)


def test_only_the_office_puts_an_organisation_on_the_ledger(tree, clock):
    from ledger.models import Ledger

    with pytest.raises((Http404, PermissionDenied)):
        services.ledger_create(by=actor(tree.user(Role.UNION_ADMIN)), org=tree.ent_a1)
    with pytest.raises(UserError) as error:
        services.ledger_create(by=actor(tree.user(Role.OFFICE_ADMIN)), org=tree.unit_a1)
    assert "基层单位" in error.value.message
    ledger = services.ledger_create(by=actor(tree.user(Role.OFFICE_ADMIN)), org=tree.ent_a1)
    assert Ledger.objects.get(org=tree.ent_a1) == ledger


def test_closing_an_organisation_names_its_later_ledger_records(tree, ledgers, clock):
    from ledger.queries import records_after

    task = make_task(ledgers["E-A1"], starts_on=dt.date(2021, 1, 1), deadline=dt.date(2022, 12, 31))
    task.updates.create(on=dt.date(2021, 9, 1), note="进展", value=2)
    found = dict(records_after(tree.union_a, dt.date(2021, 6, 1)))
    assert found == {"1 条改革任务进展": dt.date(2021, 9, 1), "1 项未完成的改革任务": dt.date(2022, 12, 31)}
    assert records_after(tree.union_b, dt.date(2021, 6, 1)) == []


def test_officer_contacts_are_encrypted_at_rest_and_masked_in_the_audit(tree, ledgers, clock):
    from django.db import connection

    officer = services.officer_add(
        by=actor(tree.user(Role.REPORTER)), ledger=ledgers["E-A1"], kind=OfficerKind.LIAISON, name="周七",
        phone="13987654321", email="zhouqi@example.com", started_on=dt.date(2021, 1, 1),
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, email FROM ledger_officer WHERE id = %s", [officer.pk])
        phone, email = cursor.fetchone()
    assert "13987654321" not in phone and "zhouqi" not in email and phone.startswith("v1$")
    assert Officer.objects.get(pk=officer.pk).phone == "13987654321"
    row = AuditEntry.objects.filter(event="ledger.officer.add").latest("id")
    assert row.after["phone"] == "139****4321" and "zhouqi@" not in str(row.after)
