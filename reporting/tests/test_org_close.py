"""Closing an organisation before the dates of its reports (issue 11): refused unless the person
confirms, and the confirmation is audited with what the reports were."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from core.errors import UserError
from core.models import AuditEntry
from orgs import services
from orgs.choices import Role
from orgs.tests.factories import SYSTEM
from reporting.tests.factories import filled_report


@pytest.fixture
def enterprise_with_2021_report(tree, wf):
    yearly, _quarterly = wf
    filled_report(tree, yearly, "2021", org=tree.ent_a2)
    tree.ent_a2.refresh_from_db()
    return tree.ent_a2


def test_closing_before_the_reports_is_refused_and_names_them(enterprise_with_2021_report):
    org = enterprise_with_2021_report
    with pytest.raises(UserError) as error:
        services.org_close(by=SYSTEM, org=org, on=dt.date(2020, 7, 1), version=org.version)
    assert error.value.message == (
        f"“{org.name}”在撤销日期2020-07-01之后还有数据：1 份统计报表（最晚2021-12-31）。"
        "请改选不早于这些数据的撤销日期；确需撤销请勾选确认。"
    )
    assert error.value.field == "on"
    org.refresh_from_db()
    assert org.closed_on is None
    assert not AuditEntry.objects.filter(event="orgs.organisation.close").exists()


def test_closing_after_the_reports_needs_no_confirmation(enterprise_with_2021_report):
    org = enterprise_with_2021_report
    services.org_close(by=SYSTEM, org=org, on=dt.date(2022, 1, 1), version=org.version)
    entry = AuditEntry.objects.get(event="orgs.organisation.close")
    assert entry.detail is None


def test_a_confirmed_close_is_audited_with_the_later_reports(enterprise_with_2021_report):
    org = enterprise_with_2021_report
    services.org_close(by=SYSTEM, org=org, on=dt.date(2020, 7, 1), version=org.version, confirm_later_records=True)
    org.refresh_from_db()
    assert org.closed_on == dt.date(2020, 7, 1)
    entry = AuditEntry.objects.get(event="orgs.organisation.close")
    assert entry.detail == {"later_records": [["1 份统计报表", "2021-12-31"]]}


def test_the_api_refuses_then_accepts_with_confirmation(tree, enterprise_with_2021_report):
    org = enterprise_with_2021_report
    client = APIClient()
    client.force_authenticate(tree.user(Role.OFFICE_ADMIN))
    url = f"/api/v1/organisations/{org.code}/close/"
    refused = client.post(url, {"on": "2020-07-01", "version": org.version}, format="json")
    assert refused.status_code == 400
    assert "1 份统计报表" in refused.json()["detail"]
    done = client.post(url, {"on": "2020-07-01", "version": org.version, "confirm_later_records": True}, format="json")
    assert done.status_code == 200, done.json()


def test_the_page_asks_for_confirmation_only_once_the_date_is_refused(tree, client, enterprise_with_2021_report):
    org = enterprise_with_2021_report
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    url = f"/orgs/{org.code}/close/"
    assert 'type="checkbox"' not in client.get(url).content.decode()

    refused = client.post(url, {"on": "2020-07-01", "version": org.version}).content.decode()
    assert "1 份统计报表（最晚2021-12-31）" in refused
    assert 'type="checkbox" name="confirm_later_records"' in refused

    done = client.post(url, {"on": "2020-07-01", "version": org.version, "confirm_later_records": "on"})
    assert done.status_code == 302
    org.refresh_from_db()
    assert org.closed_on == dt.date(2020, 7, 1)
