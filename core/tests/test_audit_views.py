"""The audit log pages (/audit/): audit administrator only, filters, detail diff, exports."""

import csv
import datetime as dt
import io
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook

from core import audit
from core.actor import Actor
from core.models import AuditEntry
from orgs import services
from orgs.choices import Role
from orgs.tests.factories import SYSTEM

LIST = reverse("audit:entry_list")
PAYLOADS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1"]


def verified_login(client, user) -> None:
    """Sign in with both factors done (administrators need the second one outside demo mode)."""
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def auditor_client(client, tree):
    verified_login(client, tree.user(Role.AUDIT_ADMIN))
    return client


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", [r for r in Role if r != Role.AUDIT_ADMIN])
@pytest.mark.parametrize("url", [LIST, "/audit/1/", "/audit/export/xlsx/"])
def test_every_other_role_gets_403_and_the_attempt_is_audited(client, tree, role, url):
    user = tree.user(role)
    verified_login(client, user)
    response = client.get(url)
    assert response.status_code == 403
    denied = AuditEntry.objects.filter(event="access.denied", username=user.username)
    assert [(e.success, e.detail["path"]) for e in denied] == [(False, url)]


def test_audit_admin_sees_newest_first(auditor_client):
    response = auditor_client.get(LIST)
    assert response.status_code == 200
    ids = [e.pk for e in response.context["page"].object_list]
    assert ids == sorted(ids, reverse=True)
    assert ids[0] == AuditEntry.objects.order_by("-id").first().pk
    html = response.content.decode()
    assert "授予角色" in html  # events shown by their Chinese names
    assert "style=" not in html and "<script>" not in html


def test_list_pages_fifty_at_a_time_with_a_query_budget(auditor_client, django_assert_max_num_queries):
    for n in range(60):
        audit.record(SYSTEM, "test.event", object_type="x", object_id=str(n))
    with django_assert_max_num_queries(11):  # session, user, device, roles, count, page, last integrity check, save
        response = auditor_client.get(LIST + "?event=test.")
    page = response.context["page"]
    assert (page.paginator.count, len(page.object_list), page.has_next()) == (60, 50, True)
    second = auditor_client.get(LIST + "?event=test.&page=2").context["page"]
    assert len(second.object_list) == 10


def test_filters(auditor_client, tree):
    reporter = tree.user(Role.REPORTER)
    old = dt.datetime(2025, 3, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with mock.patch("core.audit.timezone.now", return_value=old):
        audit.record(Actor(user=reporter, ip="192.0.2.9"), "accounts.login", success=False)

    def events(query):
        return {e.event for e in auditor_client.get(f"{LIST}?{query}").context["page"].object_list}

    assert events("date_from=2025-03-01&date_to=2025-03-01") == {"accounts.login"}
    assert events("user=REPORTER_e&success=false") == {"accounts.login"}
    assert events("ip=192.0.2.9") == {"accounts.login"}
    assert events("success=false&date_to=2025-02-28") == set()
    assert events(f"object_type=orgs.organisation&object_id={tree.ent_b1.pk}") == {"orgs.organisation.create"}


def test_invalid_filter_shows_the_error_and_no_rows(auditor_client):
    response = auditor_client.get(f"{LIST}?ip=999.1.1.1")
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert "输入一个有效的 IPv4 或 IPv6 地址。" in response.content.decode()


def test_htmx_request_gets_only_the_results(auditor_client):
    response = auditor_client.get(LIST + "?event=orgs.", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="audit-results"')
    assert "<form" not in html


def test_detail_shows_a_field_by_field_diff(auditor_client, tree):
    services.org_update(by=SYSTEM, org=tree.ent_a1, version=tree.ent_a1.version, name="昆明供电局（新）", notes="改名")
    entry = AuditEntry.objects.filter(event="orgs.organisation.update").first()
    response = auditor_client.get(reverse("audit:entry_detail", args=[entry.pk]))
    assert response.status_code == 200
    changes = {c["field"]: (c["label"], c["before"], c["after"]) for c in response.context["changes"]}
    assert changes["name"] == ("名称", "昆明供电局", "昆明供电局（新）")
    assert changes["notes"] == ("备注", "—", "改名")
    assert changes["version"] == ("版本号", "1", "2")
    assert "path" not in changes  # unchanged fields are not listed
    # Stored times (UTC, ISO) are shown in local time.
    stored = entry.after["updated_at"]
    local = timezone.localtime(dt.datetime.fromisoformat(stored)).strftime("%Y-%m-%d %H:%M:%S")
    assert changes["updated_at"][2] == local
    html = response.content.decode()
    assert "修改机构" in html and "修改前后对比" in html


def test_detail_of_a_creation_lists_the_new_values(auditor_client, tree):
    entry = AuditEntry.objects.filter(event="orgs.organisation.create", object_id=str(tree.ent_a1.pk)).first()
    response = auditor_client.get(reverse("audit:entry_detail", args=[entry.pk]))
    assert response.context["is_create"]
    assert {c["field"]: c["after"] for c in response.context["changes"]}["code"] == "E-A1"


def test_detail_of_a_missing_entry_is_404(auditor_client):
    assert auditor_client.get(reverse("audit:entry_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", [LIST, "/audit/1/"])
def test_pages_accept_no_changes(auditor_client, method, url):
    before = list(AuditEntry.objects.values())
    assert getattr(auditor_client, method)(url).status_code == 405
    assert list(AuditEntry.objects.values()) == before


def _formula_entries():
    for payload in PAYLOADS:
        audit.record(SYSTEM, "test.formula", object_type="test.payload", object_id="1", object_repr=payload)


def test_xlsx_export_is_filtered_injection_safe_and_audited(auditor_client, tree):
    _formula_entries()
    response = auditor_client.get(reverse("audit:entry_export", args=["xlsx"]) + "?event=test.formula")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["审计日志"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:8] == ("编号", "时间", "用户名", "角色", "机构代码", "事件", "事件代码", "结果")
    assert len(rows) == 1 + len(PAYLOADS)
    assert {row[5:7] for row in rows[1:]} == {("测试公式注入", "test.formula")}  # the label, then the code
    objects = [row[12] for row in rows[1:]]
    assert sorted(objects) == sorted("'" + p for p in PAYLOADS)
    for row in sheet.iter_rows(min_row=2, min_col=13, max_col=13):
        assert row[0].data_type == "s"
    assert isinstance(rows[1][1], dt.datetime)  # time stays a real date-time cell
    export = AuditEntry.objects.get(event="audit.export")
    assert export.username == tree.user(Role.AUDIT_ADMIN).username
    assert export.detail["rows"] == len(PAYLOADS)
    assert export.detail["format"] == "xlsx"
    assert export.detail["filters"] == {"event": "test.formula"}


def test_csv_export(auditor_client):
    _formula_entries()
    response = auditor_client.get(reverse("audit:entry_export", args=["csv"]) + "?event=test.formula")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 1 + len(PAYLOADS)
    assert rows[0][5:8] == ["事件", "事件代码", "结果"]
    assert {(r[5], r[6]) for r in rows[1:]} == {("测试公式注入", "test.formula")}
    assert sorted(r[12] for r in rows[1:]) == sorted("'" + p for p in PAYLOADS)
    assert AuditEntry.objects.get(event="audit.export").detail["rows"] == len(PAYLOADS)


def test_export_rate_limit(auditor_client, settings):
    settings.EXPORT_RATE_PER_MINUTE = 2
    url = reverse("audit:entry_export", args=["csv"])
    statuses = [auditor_client.get(url).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = auditor_client.get(url)
    assert limited["Retry-After"] == "60"
    assert limited.content.decode() == "导出过于频繁，请60秒后再试。"
    assert AuditEntry.objects.filter(event="audit.export").count() == 2


def test_export_with_an_invalid_filter_exports_nothing(auditor_client):
    response = auditor_client.get(reverse("audit:entry_export", args=["xlsx"]) + "?date_from=2025-13-01", follow=True)
    assert response.redirect_chain[0][0].startswith(LIST)
    assert "筛选条件有误，未导出。请修正后重试。" in [str(m) for m in response.context["messages"]]
    assert not AuditEntry.objects.filter(event="audit.export").exists()


def test_export_over_the_row_limit_is_refused(auditor_client, monkeypatch):
    monkeypatch.setattr("core.audit_views.EXPORT_MAX_ROWS", 3)
    total = AuditEntry.objects.count()
    response = auditor_client.get(reverse("audit:entry_export", args=["csv"]), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [f"符合条件的记录有{total}条，超过单次导出上限3条，请缩小时间范围后再导出。"]
    assert not AuditEntry.objects.filter(event="audit.export").exists()


def test_unknown_export_format_is_404(auditor_client):
    assert auditor_client.get("/audit/export/pdf/").status_code == 404


# --- events by their labels (issue 10, item 4) ------------------------------------------------------


def _rows_for_each_kind(tree):
    """A report submission, a sign-in, an export and an organisation change, as the code writes them."""
    reporter = tree.user(Role.REPORTER)
    audit.record(
        Actor(user=reporter, ip="192.0.2.1"),
        "reporting.report.submit",
        object_type="reporting.report",
        object_id="7",
        object_repr="WF_Y 2025 E-A1",
    )
    audit.record(Actor(user=reporter, ip="192.0.2.1"), "accounts.login", reporter, after=None)
    audit.record(
        Actor(user=reporter, ip="192.0.2.1"), "analytics.pivot.export", after=None, object_type="analytics.query"
    )


def _events_found(client, words: str) -> set[str]:
    from urllib.parse import urlencode

    response = client.get(f"{LIST}?{urlencode({'event': words})}")
    assert response.status_code == 200
    return {e.event for e in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("word", "expected", "not_expected"),
    [
        ("提交", "reporting.report.submit", "accounts.login"),
        ("登录", "accounts.login", "reporting.report.submit"),
        ("导出", "analytics.pivot.export", "accounts.login"),
        ("报表", "reporting.report.submit", "analytics.pivot.export"),
        ("reporting.report", "reporting.report.submit", "accounts.login"),  # a code prefix still works
    ],
)
def test_search_by_a_word_of_the_event_label(auditor_client, tree, word, expected, not_expected):
    _rows_for_each_kind(tree)
    found = _events_found(auditor_client, word)
    assert expected in found
    assert not_expected not in found


def test_search_by_a_word_of_the_label_finds_exports_written_by_the_audit_log_itself(auditor_client, tree):
    auditor_client.get(reverse("audit:entry_export", args=["csv"]))
    assert "audit.export" in _events_found(auditor_client, "导出")
    assert _events_found(auditor_client, "退回") == set()  # no row of that kind yet


def test_search_by_label_through_the_api(tree):
    from accounts.tests.factories import api_client

    _rows_for_each_kind(tree)
    response = api_client(tree.user(Role.AUDIT_ADMIN)).get("/api/v1/audit/", {"event": "提交"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {(r["event"], r["event_label"]) for r in rows} == {("reporting.report.submit", "提交报表")}


def _visible_text_of_rows(html: str) -> str:
    import re

    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.sub(r"<[^>]+>", " ", body)  # tags and their attributes (the code's tooltip) dropped


def test_no_row_shows_a_raw_code_where_a_label_exists(auditor_client, tree):
    from core import registry

    _rows_for_each_kind(tree)
    auditor_client.get(reverse("audit:entry_export", args=["csv"]))
    html = auditor_client.get(LIST).content.decode()
    text = _visible_text_of_rows(html)
    for label in ("提交报表", "登录", "导出数据透视表", "导出审计日志", "新增机构"):
        assert label in text
    shown = [code for code in registry.declared_events() if code in text]
    assert shown == []
    assert 'title="reporting.report.submit"' in html  # the code stays at hand for the administrator


def test_rows_written_before_their_label_existed_show_todays_label(auditor_client, tree, settings, monkeypatch):
    from core import registry

    # Labels are not stored: a row written while its event had no label reads well once it has one.
    settings.AUDIT_STRICT_EVENTS = False
    with monkeypatch.context() as patch:
        patch.delitem(registry._events, "reporting.report.submit")
        entry = audit.record(SYSTEM, "reporting.report.submit", object_type="reporting.report", object_id="9")
        assert "reporting.report.submit" in _visible_text_of_rows(auditor_client.get(LIST).content.decode())
    text = _visible_text_of_rows(auditor_client.get(LIST).content.decode())
    assert "提交报表" in text and "reporting.report.submit" not in text
    detail = auditor_client.get(reverse("audit:entry_detail", args=[entry.pk])).content.decode()
    assert "提交报表" in detail


def test_english_interface_searches_the_chinese_words_too(auditor_client, tree):
    _rows_for_each_kind(tree)
    auditor_client.cookies["django_language"] = "en"
    assert auditor_client.get(LIST)["Content-Language"] == "en"
    assert "reporting.report.submit" in _events_found(auditor_client, "提交")
