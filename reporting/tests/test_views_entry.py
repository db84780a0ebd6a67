"""The reporter's and reviewer's pages (issue 3 §3, §6, §8): my reports, the entry grid with its
version check, comments, warning explanations, attachments, the report page and its workflow steps,
the changes since the last submission, a group union reporting for a subsidiary, and the inbox.

Each write is asserted in the response, the database and the audit log; each refusal shares its
setup with an allowed case, so it cannot pass for the wrong reason.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import login_verified
from core.models import AuditEntry
from orgs.choices import Role
from orgs.tests.factories import SYSTEM
from reporting import services
from reporting.choices import ReportStatus
from reporting.models import DataValue, Notification, Report, ReportAttachment, ReportSnapshot, ValueReturn
from reporting.tests.factories import (
    as_actor,
    at,
    filled_report,
    open_report,
    submitted_report,
    valid_values_y,
)
from reporting.views.entry_grid import field_name

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, *args) -> str:
    return reverse(f"reporting:{name}", args=args)


def events(report: Report, event: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type="reporting.report", object_id=str(report.pk), event=event))


def login(client, user):
    client.force_login(user)
    return client


def entry_post(report: Report, values: dict, *, version: int | None = None, original: dict | None = None, **extra):
    """The entry form as the page posts it: the cells typed, the version and values the page was loaded with."""
    report.refresh_from_db()
    data = {field_name(key): text for key, text in values.items()}
    data["version"] = str(version if version is not None else report.version)
    if original is not None:
        data["original"] = json.dumps({field_name(k): v for k, v in original.items()}, ensure_ascii=False)
    data.update(extra)
    return data


def stored(report: Report) -> dict[tuple[str, str], str]:
    return {(v.element.code, v.option_combo.key): v.value for v in DataValue.objects.filter(report=report)}


@pytest.fixture
def reporter(tree):
    return tree.user(Role.REPORTER, tree.ent_a1)


@pytest.fixture
def union_admin(tree):
    return tree.user(Role.UNION_ADMIN, tree.union_a)


@pytest.fixture
def office(tree):
    return tree.user(Role.OFFICE_REVIEWER, tree.province)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- 我的填报 ----------------------------------------------------------------------------------------------


def test_my_reports_lists_the_open_round_with_deadline_and_status(client, tree, wf, reporter):
    login(client, reporter)
    response = client.get(url("my_reports"))
    assert response.status_code == 200
    rounds = response.context["rounds"]
    mine = [r for r in rounds if r["round"].dataset.code == "WF_Y" and r["round"].period.code == "2021"]
    assert len(mine) == 1
    assert mine[0]["round"].report is None
    assert mine[0]["days_left"] == 21  # 2022-01-10 → deadline 2022-01-31
    body = response.content.decode()
    assert "开始填报" in body
    assert "剩 21 天" in body
    assert "2022-01-31" in body


def test_my_reports_shows_status_and_timeliness_of_each_report(client, tree, wf, reporter, clock):
    open_report(tree, wf[0], "2021")
    login(client, reporter)
    body = client.get(url("my_reports")).content.decode()
    assert "继续填报" in body
    assert "草稿" in body

    clock.set(at(2022, 2, 2))  # after the deadline, inside the grace days
    login(client, reporter)  # a new session: the old one has timed out meanwhile
    response = client.get(url("my_reports"))
    row = next(r for r in response.context["rows"] if r["report"].period.code == "2021")
    assert row["timeliness"] == "missing"
    assert row["late_days"] == 2
    assert "已逾期 2 天" in response.content.decode()


def test_my_reports_marks_a_late_submission_late(client, tree, wf, reporter, clock):
    clock.set(at(2022, 2, 3))
    submitted_report(tree, wf[0])
    login(client, reporter)
    response = client.get(url("my_reports"))
    row = next(r for r in response.context["rows"] if r["report"].period.code == "2021")
    assert row["timeliness"] == "late"
    assert "逾期报送" in response.content.decode()


def test_my_reports_lists_only_reports_in_scope(client, tree, wf, reporter):
    mine = open_report(tree, wf[0], "2021")
    other = open_report(tree, wf[0], "2021", org=tree.ent_b1)
    login(client, reporter)
    response = client.get(url("my_reports"))
    shown = {row["report"].pk for row in response.context["rows"]}
    assert mine.pk in shown
    assert other.pk not in shown


def test_the_report_filter_offers_periods_by_label_and_finds_units_by_initials(client, tree, wf, union_admin):
    """Walk-through finding: the report list's filter asked for a typed period code."""
    yearly = open_report(tree, wf[0], "2021")
    quarterly = open_report(tree, wf[1], "2021Q4", org=tree.ent_a2)
    login(client, union_admin)
    html = client.get(url("my_reports")).content.decode()
    select = re.search(r'<select class="form-select form-select-sm" id="f-period".*?</select>', html, re.S).group(0)
    assert re.findall(r"<option value=\"(\w*)\"[^>]*>([^<]+)<", select) == [
        ("", "全部报告期"),
        ("2021", "2021年度"),
        ("2021Q4", "2021年第四季度"),
    ]
    by_period = client.get(url("my_reports"), {"period": "2021Q4"}).context["rows"]
    assert [row["report"].pk for row in by_period] == [quarterly.pk]
    by_initials = client.get(url("my_reports"), {"q": "kmgdj"}).context["rows"]
    assert [row["report"].pk for row in by_initials] == [yearly.pk]


def test_my_reports_shows_the_review_queue_to_the_union(client, tree, wf, union_admin):
    report = submitted_report(tree, wf[0])
    login(client, union_admin)
    response = client.get(url("my_reports"))
    assert response.context["queue_kind"] == "approve"
    assert [row["report"].pk for row in response.context["queue"]] == [report.pk]
    assert "去审核" in response.content.decode()


def test_my_reports_without_a_business_role_says_so(client, tree):
    login_verified(client, tree.user(Role.SYS_ADMIN))
    response = client.get(url("my_reports"))
    assert response.status_code == 200
    assert "您的角色不涉及统计填报" in response.content.decode()


# --- Opening a report ---------------------------------------------------------------------------------------


def test_open_creates_the_draft_once_and_audits_it(client, tree, wf, reporter):
    login(client, reporter)
    data = {"dataset": "WF_Y", "period": "2021", "org": tree.ent_a1.code}
    response = client.post(url("report_open"), data)
    report = Report.objects.get(org=tree.ent_a1, dataset=wf[0], period__code="2021")
    assert response.status_code == 302
    assert response["Location"] == url("report_entry", report.pk)
    assert report.status == ReportStatus.DRAFT
    client.post(url("report_open"), data)
    assert Report.objects.filter(org=tree.ent_a1, dataset=wf[0]).count() == 1
    assert len(events(report, "reporting.report.open")) == 1


def test_open_outside_the_scope_is_404_and_without_edit_right_403(client, tree, wf, reporter):
    login(client, reporter)
    response = client.post(url("report_open"), {"dataset": "WF_Y", "period": "2021", "org": tree.ent_b1.code})
    assert response.status_code == 404
    login(client, tree.user(Role.INFO_OFFICER, tree.ent_a1))
    response = client.post(url("report_open"), {"dataset": "WF_Y", "period": "2021", "org": tree.ent_a1.code})
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_open_before_the_round_opens_says_when(client, tree, wf, reporter):
    login(client, reporter)
    response = client.post(
        url("report_open"), {"dataset": "WF_Y", "period": "2022", "org": tree.ent_a1.code}, follow=True
    )
    assert "尚未开放填报" in response.content.decode()
    assert not Report.objects.exists()


# --- The grid -----------------------------------------------------------------------------------------------


def test_grid_shows_inputs_numbers_right_aligned_and_the_previous_value(client, tree, wf, reporter, clock):
    clock.set(at(2021, 1, 10))
    previous = filled_report(tree, wf[0], "2020")
    clock.set(at(2022, 1, 10))
    report = open_report(tree, wf[0], "2021")
    login(client, reporter)
    response = client.get(url("report_entry", report.pk))
    assert response.status_code == 200
    assert response.context["editable"] is True
    grid = response.context["grid"]
    workers = grid.cell(("WF_WORKERS", ""))
    assert workers.previous == "1,000"
    assert workers.numeric
    body = response.content.decode()
    assert f'name="{field_name(("WF_WORKERS", ""))}"' in body
    assert "text-end cell-number" in body
    assert "上期 300" in body  # beside the migrant-male cell of the breakdown
    assert previous.pk != report.pk


def test_save_draft_writes_only_the_edits_and_audits_once(client, tree, wf, reporter):
    report = open_report(tree, wf[0], "2021")
    login(client, reporter)
    original = {("WF_WORKERS", ""): "", ("WF_FRONTLINE", ""): ""}
    data = entry_post(report, {("WF_WORKERS", ""): "1,000", ("WF_FRONTLINE", ""): ""}, original=original)
    response = client.post(url("report_entry", report.pk), data)
    assert response.status_code == 302
    assert response["Location"] == f"{url('report_entry', report.pk)}?saved=1"
    assert stored(report) == {("WF_WORKERS", ""): "1000"}
    report.refresh_from_db()
    assert report.version == 2
    [entry] = events(report, "reporting.values.save")
    assert entry.user_id == reporter.pk
    assert entry.detail["changes"] == {"WF_WORKERS[]": ["", "1000"]}
    page = client.get(response["Location"]).content.decode()
    assert "已保存 1 项修改（第 2 版）" in page
    assert "已自动规范填写格式" in page  # the thousands separator was noted


def test_a_refused_value_is_explained_next_to_its_cell_and_the_valid_edits_are_saved(client, tree, wf, reporter):
    # Walk-through finding: one bad cell blocked saving every other valid edit in the grid.
    report = open_report(tree, wf[0], "2021")
    login(client, reporter)
    data = entry_post(report, {("WF_WORKERS", ""): "1,000", ("WF_TECH_STAFF", ""): "一百二十"}, original={})
    response = client.post(url("report_entry", report.pk), data)
    assert response.status_code == 200
    assert stored(report) == {("WF_WORKERS", ""): "1000"}
    report.refresh_from_db()
    assert report.version == 2
    [entry] = events(report, "reporting.values.save")
    assert entry.detail["changes"] == {"WF_WORKERS[]": ["", "1000"]}
    message = "“一百二十”是中文数字，请改用阿拉伯数字填写，如“一百二十”应填写 120。"
    cell = response.context["grid"].cell(("WF_TECH_STAFF", ""))
    assert cell.error == message
    assert cell.value == "一百二十"  # what was typed stays in the input, still an unsaved edit
    assert response.context["grid"].cell(("WF_WORKERS", "")).value == "1000"  # as stored
    assert response.context["version"] == 2  # the next save builds on the saved version
    original = json.loads(response.context["original_json"])
    assert original[field_name(("WF_WORKERS", ""))] == "1000"
    assert original[field_name(("WF_TECH_STAFF", ""))] == ""
    body = response.content.decode()
    assert f'id="err-{cell.index}">{message}</div>' in body
    assert "已保存 1 项修改（第 2 版）；另有 1 个数值不正确，未保存" in body

    # Corrected and saved again: no conflict with the version the first save made.
    data = entry_post(report, {("WF_TECH_STAFF", ""): "120"}, version=2, original={})
    response = client.post(url("report_entry", report.pk), data)
    assert response.status_code == 302
    assert stored(report) == {("WF_WORKERS", ""): "1000", ("WF_TECH_STAFF", ""): "120"}


def test_a_save_with_a_refused_value_on_a_stale_version_is_a_conflict_and_writes_nothing(
    client, tree, wf, reporter, union_admin
):
    report = open_report(tree, wf[0], "2021")
    services.values_save(by=as_actor(union_admin), report=report, version=1, values={("WF_FRONTLINE", ""): "5"})
    login(client, reporter)
    data = entry_post(report, {("WF_WORKERS", ""): "1000", ("WF_TECH_STAFF", ""): "1e3"}, version=1, original={})
    response = client.post(url("report_entry", report.pk), data)
    assert response.status_code == 409
    assert stored(report) == {("WF_FRONTLINE", ""): "5"}
    assert len(events(report, "reporting.values.save")) == 1


def test_a_negative_count_is_refused_with_its_cell(client, tree, wf, reporter):
    report = open_report(tree, wf[0], "2021")
    login(client, reporter)
    data = entry_post(report, {("WF_WORKERS_GROUP", "MIGRANT.MALE"): "-3"}, original={})
    response = client.post(url("report_entry", report.pk), data)
    cell = response.context["grid"].cell(("WF_WORKERS_GROUP", "MIGRANT.MALE"))
    assert cell.error
    assert "农民工" in cell.label
    assert not DataValue.objects.filter(report=report).exists()


def test_saving_without_the_version_is_refused(client, tree, wf, reporter):
    report = open_report(tree, wf[0], "2021")
    login(client, reporter)
    data = entry_post(report, {("WF_WORKERS", ""): "1000"})
    del data["version"]
    response = client.post(url("report_entry", report.pk), data)
    assert response.status_code == 400
    assert "缺少版本号" in response.content.decode()
    assert not DataValue.objects.filter(report=report).exists()


def test_concurrent_edit_shows_the_second_editor_what_changed_and_writes_nothing(client, tree, wf, reporter):
    report = open_report(tree, wf[0], "2021")
    colleague = tree.user(Role.UNION_ADMIN, tree.union_a)
    loaded = report.version
    # The colleague saves first, from another session, on the same version.
    other = type(client)()
    login(other, colleague)
    first = other.post(
        url("report_entry", report.pk),
        entry_post(report, {("WF_WORKERS", ""): "900", ("WF_FRONTLINE", ""): "600"}, version=loaded, original={}),
    )
    assert first.status_code == 302
    login(client, reporter)
    mine = {("WF_WORKERS", ""): "1000", ("WF_CERTIFIED", ""): "300"}
    response = client.post(url("report_entry", report.pk), entry_post(report, mine, version=loaded, original={}))
    assert response.status_code == 409
    assert stored(report) == {("WF_WORKERS", ""): "900", ("WF_FRONTLINE", ""): "600"}
    rows = {row["label"]: row for row in response.context["conflict_rows"]}
    assert rows["产业工人总数"]["theirs"] == "900"
    assert rows["产业工人总数"]["mine"] == "1000"
    assert rows["产业工人总数"]["both"] is True
    assert rows["一线职工人数"]["both"] is False
    assert rows["一线职工人数"]["mine"] == ""
    body = response.content.decode()
    assert "本报表在您打开后已被他人修改（您打开的是第 1 版，当前为第 2 版），您的修改尚未保存。" in body
    assert "未修改，采用他人的值" in body
    assert "以我的修改为准重新保存" in body
    assert "他人已改为：900" in body
    # What the user typed stays in the inputs; a cell only the colleague changed shows the colleague's value.
    grid = response.context["grid"]
    assert grid.cell(("WF_WORKERS", "")).value == "1000"
    assert grid.cell(("WF_FRONTLINE", "")).value == "600"
    # The page keeps the version it was loaded with; the decision posts the current one as the base.
    assert response.context["version"] == loaded
    current = response.context["conflict"].current_version
    page_original = json.loads(response.context["original_json"])
    decided = entry_post(report, {**mine, ("WF_FRONTLINE", ""): "600"}, version=loaded, base_version=str(current))
    decided["original"] = json.dumps(page_original, ensure_ascii=False)
    response = client.post(url("report_entry", report.pk), decided)
    assert response.status_code == 302
    assert stored(report) == {
        ("WF_WORKERS", ""): "1000",
        ("WF_FRONTLINE", ""): "600",  # the colleague's other value survives
        ("WF_CERTIFIED", ""): "300",
    }
    assert len(events(report, "reporting.values.save")) == 2


def test_a_save_that_changes_nothing_is_no_conflict(client, tree, wf, reporter):
    report = open_report(tree, wf[0], "2021")
    services.values_save(
        by=as_actor(reporter), report=report, version=report.version, values={("WF_WORKERS", ""): "900"}
    )
    login(client, reporter)
    # A stale page whose user changed nothing: the unchanged cells are not written.
    data = entry_post(report, {("WF_WORKERS", ""): ""}, version=1, original={("WF_WORKERS", ""): ""})
    response = client.post(url("report_entry", report.pk), data, follow=True)
    assert response.status_code == 200
    assert "没有需要保存的修改" in response.content.decode()
    assert stored(report) == {("WF_WORKERS", ""): "900"}


def test_grid_is_read_only_for_viewers_and_after_submission(client, tree, wf, reporter):
    report = submitted_report(tree, wf[0])
    login(client, reporter)
    response = client.get(url("report_entry", report.pk))
    assert response.context["editable"] is False
    assert "不能修改" in response.context["read_only_reason"]
    assert 'id="entry-form"' in response.content.decode()
    assert 'id="save-button"' not in response.content.decode()
    before = stored(report)
    response = client.post(url("report_entry", report.pk), entry_post(report, {("WF_WORKERS", ""): "5"}, original={}))
    assert response.status_code == 400
    assert stored(report) == before
    login(client, tree.user(Role.LEADER))
    response = client.get(url("report_entry", report.pk))
    assert response.status_code == 200
    assert response.context["read_only_reason"] == "您可以查看本报表，但没有填报权限。"


def test_a_viewer_posting_values_gets_403(client, tree, wf):
    report = open_report(tree, wf[0], "2021")
    login(client, tree.user(Role.LEADER))
    response = client.post(url("report_entry", report.pk), entry_post(report, {("WF_WORKERS", ""): "5"}, original={}))
    assert response.status_code == 403
    assert not DataValue.objects.filter(report=report).exists()


# --- Comments and warning explanations ----------------------------------------------------------------------


def test_comment_on_a_value_is_saved_shown_and_audited(client, tree, wf, reporter):
    report = open_report(tree, wf[0], "2021")
    login(client, reporter)
    response = client.post(
        url("value_comment", report.pk), {"cell": "WF_WORKERS|", "comment": "含劳务派遣 20 人"}, **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "已保存备注。" in body
    assert 'hx-swap-oob="true"' in body  # the cell's button shows the comment at once
    value = DataValue.objects.get(report=report, element__code="WF_WORKERS")
    assert value.comment == "含劳务派遣 20 人"
    assert value.value == ""
    [entry] = events(report, "reporting.value.comment")
    assert entry.after == {"comment": "含劳务派遣 20 人"}
    page = client.get(url("report_detail", report.pk)).content.decode()
    assert "备注：含劳务派遣 20 人" in page


def test_comment_on_an_unknown_cell_is_refused(client, tree, wf, reporter):
    report = open_report(tree, wf[0], "2021")
    login(client, reporter)
    response = client.post(url("value_comment", report.pk), {"cell": "NOPE|", "comment": "x"}, **HTMX)
    assert response.status_code == 400
    assert "没有找到要备注的数据项" in response.content.decode()
    assert not events(report, "reporting.value.comment")


def warning_values() -> dict:
    """A valid filling that fails one warning: union members above workers plus new-form workers."""
    values = valid_values_y()
    values[("WF_UNION_MEMBERS", "")] = "1100"
    return values


def test_warning_explanation_is_saved_and_lets_the_report_be_submitted(client, tree, wf, reporter):
    report = open_report(tree, wf[0], "2021")
    services.values_save(by=as_actor(reporter), report=report, version=report.version, values=warning_values())
    login(client, reporter)
    page = client.get(url("report_entry", report.pk))
    assert [r.code for r in page.context["rules"]] == ["R_MEMBERS_LE_WORKERS"]
    assert "说明（警告需填写说明后才能提交）" in page.content.decode()

    report.refresh_from_db()
    blocked = client.post(url("report_submit", report.pk), {"version": report.version})
    assert blocked.status_code == 400
    assert "警告未说明" in blocked.content.decode()
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT

    response = client.post(
        url("warning_explain", report.pk), {"rule": "R_MEMBERS_LE_WORKERS", "text": "含离退休会员"}, **HTMX
    )
    assert response.status_code == 200
    assert "已保存说明：含离退休会员" in response.content.decode()
    assert report.explanations.get().text == "含离退休会员"
    assert len(events(report, "reporting.warning.explain")) == 1
    report.refresh_from_db()
    response = client.post(url("report_submit", report.pk), {"version": report.version})
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_an_empty_explanation_is_refused_in_chinese(client, tree, wf, reporter):
    report = open_report(tree, wf[0], "2021")
    services.values_save(by=as_actor(reporter), report=report, version=report.version, values=warning_values())
    login(client, reporter)
    response = client.post(url("warning_explain", report.pk), {"rule": "R_MEMBERS_LE_WORKERS", "text": " "}, **HTMX)
    assert response.status_code == 400
    assert "请填写对警告“会员人数合理”的说明。" in response.content.decode()
    assert not report.explanations.exists()


def test_explanations_posted_with_the_submission_count(client, tree, wf, reporter):
    report = open_report(tree, wf[0], "2021")
    services.values_save(by=as_actor(reporter), report=report, version=report.version, values=warning_values())
    report.refresh_from_db()
    login(client, reporter)
    response = client.post(
        url("report_submit", report.pk),
        {"version": report.version, "explain:R_MEMBERS_LE_WORKERS": "含离退休会员"},
    )
    assert response.status_code == 302
    assert report.explanations.get().text == "含离退休会员"


# --- Attachments --------------------------------------------------------------------------------------------

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_attachment_upload_download_delete(client, tree, wf, reporter, media, django_capture_on_commit_callbacks):
    report = open_report(tree, wf[0], "2021")
    login(client, reporter)
    upload = SimpleUploadedFile("../../培训名单.pdf", PDF_BYTES, content_type="text/html")
    response = client.post(url("attachment_upload", report.pk), {"file": upload}, **HTMX)
    assert response.status_code == 200
    attachment = ReportAttachment.objects.get(report=report)
    assert attachment.original_name == "培训名单.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.file.name.startswith(f"reporting/attachments/{report.pk}/")
    assert ".." not in attachment.file.name
    assert "培训名单.pdf" in response.content.decode()
    assert len(events(report, "reporting.attachment.add")) == 1

    download = client.get(url("attachment_download", report.pk, attachment.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f"attachment; filename=\"attachment-{attachment.pk}.pdf\"; filename*=utf-8''{quote('培训名单.pdf')}"
    )
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert len(events(report, "reporting.attachment.download")) == 1

    stored_path = media / attachment.file.name
    assert stored_path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("attachment_delete", report.pk, attachment.pk), **HTMX)
    assert response.status_code == 200
    assert not ReportAttachment.objects.exists()
    assert not stored_path.exists()
    assert len(events(report, "reporting.attachment.delete")) == 1


def _docm() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        archive.writestr("word/vbaProject.bin", b"macro")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("截图.xlsx", PNG_BYTES, "内容是PNG 图片，与扩展名“.xlsx”不符"),
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 64, "内容不是有效的"),
        ("报告.docx", _docm(), "含宏"),
        ("page.html", b"<html><script>alert(1)</script></html>", "类型不允许上传"),
        ("空.pdf", b"", "是空文件"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_stored(client, tree, wf, reporter, media, name, content, message):
    report = open_report(tree, wf[0], "2021")
    login(client, reporter)
    response = client.post(url("attachment_upload", report.pk), {"file": SimpleUploadedFile(name, content)}, **HTMX)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReportAttachment.objects.exists()
    assert not list(media.rglob("*.*"))
    [refusal] = events(report, "reporting.attachment.add")
    assert refusal.success is False
    assert message in refusal.detail["message"]


def test_an_attachment_over_the_limit_is_413(client, tree, wf, reporter, media):
    report = open_report(tree, wf[0], "2021")
    login(client, reporter)
    response = client.post(
        url("attachment_upload", report.pk),
        {"file": SimpleUploadedFile("a.pdf", PDF_BYTES)},
        CONTENT_LENGTH=str(30 * 1024 * 1024),
        **HTMX,
    )
    assert response.status_code == 413
    assert "超过了 20 MB 的上限" in response.content.decode()
    assert not ReportAttachment.objects.exists()


def test_attachments_of_another_organisation_are_404(client, tree, wf, reporter, media):
    other = open_report(tree, wf[0], "2021", org=tree.ent_b1)
    owner = tree.user(Role.REPORTER, tree.ent_b1)
    attachment = services.attachment_add(
        by=as_actor(owner), report=other, upload=SimpleUploadedFile("a.pdf", PDF_BYTES)
    )
    mine = open_report(tree, wf[0], "2021")
    login(client, reporter)
    assert client.get(url("attachment_download", other.pk, attachment.pk)).status_code == 404
    # The attachment id with one's own report id does not reach it either.
    assert client.get(url("attachment_download", mine.pk, attachment.pk)).status_code == 404
    assert client.post(url("attachment_delete", other.pk, attachment.pk)).status_code == 404
    upload = SimpleUploadedFile("b.pdf", PDF_BYTES)
    assert client.post(url("attachment_upload", other.pk), {"file": upload}).status_code == 404
    assert ReportAttachment.objects.count() == 1


def test_attachments_cannot_change_after_submission(client, tree, wf, reporter, media):
    report = open_report(tree, wf[0], "2021")
    attachment = services.attachment_add(
        by=as_actor(reporter), report=report, upload=SimpleUploadedFile("a.pdf", PDF_BYTES)
    )
    services.values_save(by=as_actor(reporter), report=report, version=report.version, values=valid_values_y())
    report.refresh_from_db()
    services.report_submit(by=as_actor(reporter), report=report, version=report.version)
    login(client, reporter)
    response = client.post(url("attachment_delete", report.pk, attachment.pk), **HTMX)
    assert response.status_code == 400
    assert "不能修改" in response.content.decode()
    assert ReportAttachment.objects.count() == 1
    # The reviewer can still download it.
    login(client, tree.user(Role.UNION_ADMIN, tree.union_a))
    assert client.get(url("attachment_download", report.pk, attachment.pk)).status_code == 200


# --- The report page and the workflow -----------------------------------------------------------------------


def test_reporter_submits_from_the_report_page(client, tree, wf, reporter, union_admin):
    report = filled_report(tree, wf[0])
    login(client, reporter)
    page = client.get(url("report_detail", report.pk))
    assert page.context["actions"] == ["submit"]
    assert "完整，可以提交" in page.content.decode()
    key = page.context["idempotency_key"]
    response = client.post(url("report_submit", report.pk), {"version": report.version, "idempotency_key": key})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_by == reporter
    assert report.on_behalf_of is False
    assert len(events(report, "reporting.report.submit")) == 1
    note = Notification.objects.get(user=union_admin)
    assert note.title.startswith("待审核")
    assert "已提交，等待审核。" in client.get(response["Location"]).content.decode()


def test_double_submit_with_the_same_key_is_one_transition(client, tree, wf, reporter, union_admin):
    report = filled_report(tree, wf[0])
    login(client, reporter)
    data = {"version": report.version, "idempotency_key": "k-1"}
    first = client.post(url("report_submit", report.pk), data)
    second = client.post(url("report_submit", report.pk), data)
    assert first.status_code == second.status_code == 302
    assert ReportSnapshot.objects.filter(report=report).count() == 1
    assert len(events(report, "reporting.report.submit")) == 1
    assert Notification.objects.filter(user=union_admin).count() == 1


def test_double_submit_without_a_key_is_refused_the_second_time(client, tree, wf, reporter):
    report = filled_report(tree, wf[0])
    login(client, reporter)
    data = {"version": report.version}
    assert client.post(url("report_submit", report.pk), data).status_code == 302
    second = client.post(url("report_submit", report.pk), data)
    assert second.status_code == 409
    assert "该报表已经提交，请勿重复提交。" in second.content.decode()
    assert len(events(report, "reporting.report.submit")) == 1


def test_an_incomplete_report_lists_what_is_missing(client, tree, wf, reporter):
    report = open_report(tree, wf[0], "2021")
    login(client, reporter)
    response = client.post(url("report_submit", report.pk), {"version": report.version})
    assert response.status_code == 400
    body = response.content.decode()
    assert "报表尚不能提交" in body
    assert "必填未填：" in body
    assert "产业工人总数" in body
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    assert not events(report, "reporting.report.submit")


def test_union_approves_and_office_accepts(client, tree, wf, reporter, union_admin, office):
    report = submitted_report(tree, wf[0])
    login(client, union_admin)
    page = client.get(url("report_detail", report.pk))
    assert page.context["actions"] == ["approve", "return"]
    assert page.context["reviewer"] is True
    response = client.post(url("report_approve", report.pk), {"version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert report.approved_by == union_admin
    assert len(events(report, "reporting.report.approve")) == 1
    assert Notification.objects.filter(user=office, title__startswith="待验收").count() == 1

    login(client, office)
    page = client.get(url("my_reports"))
    assert page.context["queue_kind"] == "accept"
    assert [r["report"].pk for r in page.context["queue"]] == [report.pk]
    assert client.get(url("report_detail", report.pk)).context["actions"] == ["return", "accept"]
    response = client.post(url("report_accept", report.pk), {"version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert len(events(report, "reporting.report.accept")) == 1
    assert Notification.objects.filter(user=reporter, title__startswith="已验收").count() == 1
    history = [row["label"] for row in client.get(url("report_detail", report.pk)).context["history"]]
    assert history[-3:] == ["提交", "审核通过", "验收"]


@pytest.mark.parametrize(
    ("who", "step", "status"),
    [
        ("reporter", "approve", 403),
        ("reporter", "accept", 403),
        ("reporter", "return", 403),
        ("leader", "approve", 403),
        ("info_officer", "return", 403),
        ("union", "accept", 403),
        ("union_b", "approve", 404),
        ("sys_admin", "approve", 404),
        ("office", "submit", 403),
        ("office", "accept", 409),  # enterprise A1 has a union above: it approves first
    ],
)
def test_wrong_role_or_scope_cannot_take_a_step(client, tree, wf, who, step, status):
    report = submitted_report(tree, wf[0])
    user = {
        "reporter": lambda: tree.user(Role.REPORTER, tree.ent_a1),
        "leader": lambda: tree.user(Role.LEADER),
        "info_officer": lambda: tree.user(Role.INFO_OFFICER, tree.ent_a1),
        "union": lambda: tree.user(Role.UNION_ADMIN, tree.union_a),
        "union_b": lambda: tree.user(Role.UNION_ADMIN, tree.union_b),
        "sys_admin": lambda: tree.user(Role.SYS_ADMIN),
        "office": lambda: tree.user(Role.OFFICE_REVIEWER, tree.province),
    }[who]()
    login_verified(client, user)
    before = len(events(report, f"reporting.report.{step}"))
    response = client.post(url(f"report_{step}", report.pk), {"version": report.version, "reason": "有误"})
    assert response.status_code == status
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert len(events(report, f"reporting.report.{step}")) == before


def test_steps_are_post_only(client, tree, wf, union_admin):
    report = submitted_report(tree, wf[0])
    login(client, union_admin)
    assert client.get(url("report_approve", report.pk)).status_code == 405
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_approving_with_a_stale_version_changes_nothing(client, tree, wf, union_admin):
    report = submitted_report(tree, wf[0])
    login(client, union_admin)
    response = client.post(url("report_approve", report.pk), {"version": report.version - 1})
    assert response.status_code == 409
    assert "该报表已被他人修改" in response.content.decode()
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_return_a_whole_report_with_the_reason_shown_to_the_reporter(client, tree, wf, reporter, union_admin):
    report = submitted_report(tree, wf[0])
    login(client, union_admin)
    response = client.post(url("report_return", report.pk), {"version": report.version, "reason": "请核对全部数据"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    [entry] = events(report, "reporting.report.return")
    assert entry.detail["reason"] == "请核对全部数据"
    assert Notification.objects.filter(user=reporter, title__startswith="已退回").count() == 1
    login(client, reporter)
    page = client.get(url("report_entry", report.pk))
    assert page.context["editable"] is True
    assert "报表被退回：</strong>请核对全部数据" in page.content.decode()
    listing = client.get(url("my_reports")).content.decode()
    assert "修改后重新提交" in listing


def test_return_without_a_reason_is_refused(client, tree, wf, union_admin):
    report = submitted_report(tree, wf[0])
    login(client, union_admin)
    response = client.post(url("report_return", report.pk), {"version": report.version, "reason": ""})
    assert response.status_code == 400
    assert "请填写退回原因。" in response.content.decode()
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_return_one_section(client, tree, wf, reporter, union_admin):
    report = submitted_report(tree, wf[0])
    login(client, union_admin)
    response = client.post(
        url("report_return", report.pk), {"version": report.version, "reason": "技能等级请重填", "section": "SKILL"}
    )
    assert response.status_code == 302
    ret = ValueReturn.objects.get(report=report)
    assert ret.section.code == "SKILL"
    assert ret.element is None
    login(client, reporter)
    page = client.get(url("report_entry", report.pk))
    skill = next(sv for sv in page.context["grid"].sections if sv.section.code == "SKILL")
    assert skill.returns == ["技能等级请重填"]
    assert "本分区被退回，原因：技能等级请重填" in page.content.decode()


def test_return_single_values_with_the_reason_beside_each_cell(client, tree, wf, reporter, union_admin):
    report = submitted_report(tree, wf[0])
    login(client, union_admin)
    page = client.get(url("report_detail", report.pk))
    assert page.context["may_return_cells"] is True
    assert 'name="cells" value="WF_CERTIFIED|"' in page.content.decode()
    response = client.post(
        url("report_return", report.pk),
        {
            "version": report.version,
            "reason": "与人社台账不符",
            "cells": ["WF_CERTIFIED|", "WF_WORKERS_GROUP|MIGRANT.MALE"],
        },
    )
    assert response.status_code == 302
    assert ValueReturn.objects.filter(report=report).count() == 2
    login(client, reporter)
    page = client.get(url("report_entry", report.pk))
    grid = page.context["grid"]
    assert grid.cell(("WF_CERTIFIED", "")).returns == ["与人社台账不符"]
    assert grid.cell(("WF_WORKERS_GROUP", "MIGRANT.MALE")).returns == ["与人社台账不符"]
    assert grid.cell(("WF_WORKERS", "")).returns == []
    assert page.content.decode().count("退回原因：与人社台账不符") == 2


def test_return_with_an_unknown_cell_is_refused(client, tree, wf, union_admin):
    report = submitted_report(tree, wf[0])
    login(client, union_admin)
    response = client.post(
        url("report_return", report.pk), {"version": report.version, "reason": "x", "cells": ["junk"]}
    )
    assert response.status_code == 400
    assert not ValueReturn.objects.exists()


def test_the_reviewer_sees_what_changed_since_the_last_submission(client, tree, wf, reporter, union_admin):
    report = submitted_report(tree, wf[0])
    services.report_return(by=as_actor(union_admin), report=report, version=report.version, reason="持证人数有误")
    report.refresh_from_db()
    login(client, reporter)
    data = entry_post(report, {("WF_TRAINING_HOURS", ""): "11000"}, original={("WF_TRAINING_HOURS", ""): "12000"})
    assert client.post(url("report_entry", report.pk), data).status_code == 302
    report.refresh_from_db()
    assert client.post(url("report_submit", report.pk), {"version": report.version}).status_code == 302

    login(client, union_admin)
    page = client.get(url("report_detail", report.pk))
    changes = page.context["changes"]
    assert [(c.element_code, c.old, c.new) for c in changes] == [("WF_TRAINING_HOURS", "12000", "11000")]
    assert page.context["grid"].cell(("WF_TRAINING_HOURS", "")).change is not None
    body = page.content.decode()
    assert "自上次提交以来的改动" in body
    assert "上次提交：12000" in body
    # The reporter does not get the reviewer's panels.
    login(client, reporter)
    assert client.get(url("report_detail", report.pk)).context["reviewer"] is False


def test_only_the_office_reopens_an_accepted_report(client, tree, wf, reporter, union_admin, office):
    report = submitted_report(tree, wf[0])
    report = services.report_approve(by=as_actor(union_admin), report=report, version=report.version)
    report = services.report_accept(by=as_actor(office), report=report, version=report.version)
    login(client, union_admin)
    assert "reopen" not in client.get(url("report_detail", report.pk)).context["actions"]
    response = client.post(url("report_reopen", report.pk), {"version": report.version, "reason": "更正"})
    assert response.status_code == 403
    login(client, office)
    response = client.post(url("report_reopen", report.pk), {"version": report.version, "reason": ""})
    assert response.status_code == 400
    assert "请填写重新打开的原因。" in response.content.decode()
    response = client.post(url("report_reopen", report.pk), {"version": report.version, "reason": "口径更正"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert [e.detail["reason"] for e in events(report, "reporting.report.reopen")] == ["口径更正"]
    login(client, reporter)
    assert "口径更正" in client.get(url("report_entry", report.pk)).content.decode()


def test_group_union_submits_on_behalf_of_its_subsidiary(client, tree, wf, union_admin, office):
    report = filled_report(tree, wf[0])
    login(client, union_admin)
    rounds = client.get(url("my_reports")).context["rounds"]
    assert {(r["round"].org.code, r["round"].period.code) for r in rounds} >= {("E-A1", "2021"), ("E-A2", "2021")}
    page = client.get(url("report_detail", report.pk))
    assert "submit" in page.context["actions"]
    response = client.post(url("report_submit", report.pk), {"version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.on_behalf_of is True
    assert report.submitted_by == union_admin
    [entry] = events(report, "reporting.report.submit")
    assert entry.user_id == union_admin.pk
    # Four eyes: the union does not approve what it submitted itself.
    page = client.get(url("report_detail", report.pk))
    assert "approve" not in page.context["actions"]
    assert "上级代报" in page.content.decode()
    assert client.post(url("report_approve", report.pk), {"version": report.version}).status_code == 403


def test_group_union_opens_a_subsidiary_report(client, tree, wf, union_admin):
    login(client, union_admin)
    response = client.post(url("report_open"), {"dataset": "WF_Y", "period": "2021", "org": tree.ent_a2.code})
    report = Report.objects.get(org=tree.ent_a2)
    assert response["Location"] == url("report_entry", report.pk)
    data = entry_post(report, {("WF_WORKERS", ""): "500"}, original={})
    assert client.post(url("report_entry", report.pk), data).status_code == 302
    assert stored(report) == {("WF_WORKERS", ""): "500"}


# --- Scope: every page of a report outside the user's subtree is 404 ----------------------------------------


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("report_detail", "get"),
        ("report_entry", "get"),
        ("report_entry", "post"),
        ("value_comment", "post"),
        ("warning_explain", "post"),
        ("attachment_upload", "post"),
        ("report_submit", "post"),
        ("report_approve", "post"),
        ("report_return", "post"),
        ("report_accept", "post"),
        ("report_lock", "post"),
        ("report_reopen", "post"),
    ],
)
def test_reports_outside_the_scope_are_404(client, tree, wf, name, method):
    other = filled_report(tree, wf[0], org=tree.ent_b1)
    mine = filled_report(tree, wf[0])
    login(client, tree.user(Role.REPORTER, tree.ent_a1))
    data = {"version": other.version, "cell": "WF_WORKERS|", "comment": "x", "rule": "R_MEMBERS_LE_WORKERS"}
    # The same request on one's own report is answered (so the 404 is about the scope).
    assert getattr(client, method)(url(name, mine.pk), data).status_code != 404
    before = AuditEntry.objects.filter(object_id=str(other.pk), object_type="reporting.report").count()
    response = getattr(client, method)(url(name, other.pk), data)
    assert response.status_code == 404
    assert AuditEntry.objects.filter(object_id=str(other.pk), object_type="reporting.report").count() == before
    [refusal] = AuditEntry.objects.filter(event="access.not_found", detail__path__startswith=url(name, other.pk))
    assert refusal.success is False


def test_department_viewer_sees_only_assigned_enterprises(client, tree, wf):
    assigned = filled_report(tree, wf[0])
    other = filled_report(tree, wf[0], org=tree.ent_a2)
    login(client, tree.user(Role.DEPT_VIEWER, tree.dept))
    assert client.get(url("report_detail", assigned.pk)).status_code == 200
    assert client.get(url("report_detail", other.pk)).status_code == 404
    response = client.post(url("report_submit", assigned.pk), {"version": assigned.version})
    assert response.status_code == 403


# --- The inbox ----------------------------------------------------------------------------------------------


def test_inbox_lists_marks_read_and_opens_the_report(client, tree, wf, union_admin):
    report = submitted_report(tree, wf[0])
    login(client, union_admin)
    page = client.get(url("inbox"))
    assert page.status_code == 200
    assert page.context["unread_count"] == 1
    body = page.content.decode()
    assert "待审核" in body
    assert "1 条未读" in body
    note = Notification.objects.get(user=union_admin)
    response = client.post(url("notification_open", note.pk))
    assert response.status_code == 302
    assert response["Location"] == url("report_detail", report.pk)
    note.refresh_from_db()
    assert note.read_at is not None
    assert client.get(url("inbox") + "?unread=1").context["page_obj"].paginator.count == 0


def test_inbox_mark_one_and_all_read(client, tree, wf, reporter, union_admin):
    report = submitted_report(tree, wf[0])
    services.report_return(by=as_actor(union_admin), report=report, version=report.version, reason="请核对")
    report.refresh_from_db()
    report = services.values_save(
        by=as_actor(reporter), report=report, version=report.version, values={("WF_NOTES", ""): "已核对"}
    ).report
    report = services.report_submit(by=as_actor(reporter), report=report, version=report.version)
    services.report_return(by=as_actor(union_admin), report=report, version=report.version, reason="再核对")
    login(client, reporter)
    assert client.get(url("inbox")).context["unread_count"] == 2
    first = Notification.objects.filter(user=reporter).first()
    response = client.post(url("notification_read", first.pk), **HTMX)
    assert response.status_code == 200
    assert "标为已读" not in response.content.decode()
    assert client.get(url("inbox")).context["unread_count"] == 1
    response = client.post(url("inbox_read_all"), follow=True)
    assert "已将 1 条通知标为已读。" in response.content.decode()
    assert not Notification.objects.filter(user=reporter, read_at__isnull=True).exists()


def test_a_long_inbox_opens_with_its_digest_by_kind(client, tree, wf, reporter, monkeypatch):
    from reporting.services.notifications import deliver
    from reporting.views.entry import inbox

    monkeypatch.setattr(inbox, "DIGEST_FROM", 3)
    deliver([reporter], title="已验收：2021年度报表", body="", url="")
    deliver([reporter], title="已验收：2020年度报表", body="", url="")
    deliver([reporter], title="催报提醒：2021年第四季度报表还有 3 天截止", body="", url="")
    deliver([reporter], title="系统维护通知", body="", url="")
    login(client, reporter)

    page = client.get(url("inbox"))

    assert [(line.kind, line.count) for line in page.context["digest"]] == [("已验收", 2), ("催报提醒", 1), ("其他", 1)]
    assert "未读通知摘要" in page.content.decode()
    only = client.get(url("inbox") + "?unread=1&kind=已验收")
    assert only.context["page_obj"].paginator.count == 2 and only.context["digest"] == []
    response = client.post(url("inbox_read_all"), {"kind": "已验收"}, follow=True)
    assert "已将 2 条通知标为已读。" in response.content.decode()
    assert sorted(Notification.objects.filter(user=reporter, read_at__isnull=True).values_list("title", flat=True)) == [
        "催报提醒：2021年第四季度报表还有 3 天截止",
        "系统维护通知",
    ]


def test_a_short_inbox_has_no_digest(client, tree, wf, reporter):
    login(client, reporter)
    assert client.get(url("inbox")).context["digest"] == []


def test_someone_elses_notification_is_404(client, tree, wf, reporter, union_admin):
    submitted_report(tree, wf[0])
    note = Notification.objects.get(user=union_admin)
    login(client, reporter)
    assert client.post(url("notification_read", note.pk)).status_code == 404
    assert client.post(url("notification_open", note.pk)).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_a_notification_never_redirects_off_site(client, tree, wf, union_admin):
    submitted_report(tree, wf[0])
    note = Notification.objects.get(user=union_admin)
    Notification.objects.filter(pk=note.pk).update(url="https://evil.example/steal")
    login(client, union_admin)
    response = client.post(url("notification_open", note.pk))
    assert response["Location"] == url("inbox")


# --- Saving in the background (a draft survives a closed browser) -------------------------------------------


def test_autosave_saves_the_edits_and_answers_the_new_version(client, tree, wf, reporter):
    report = open_report(tree, wf[0], "2021")
    login(client, reporter)
    data = entry_post(report, {("WF_WORKERS", ""): "1,000", ("WF_FRONTLINE", ""): ""}, original={}, autosave="1")
    response = client.post(url("report_entry", report.pk), data)
    assert response.status_code == 200
    answer = response.json()
    assert answer["ok"] is True
    assert answer["version"] == 2
    assert answer["values"] == {field_name(("WF_WORKERS", "")): "1000", field_name(("WF_FRONTLINE", "")): ""}
    assert "已自动保存到服务器（第 2 版" in answer["message"]
    assert stored(report) == {("WF_WORKERS", ""): "1000"}
    assert len(events(report, "reporting.values.save")) == 1
    # Reopening the page (another browser, the next day) shows what was saved.
    page = client.get(url("report_entry", report.pk))
    assert page.context["grid"].cell(("WF_WORKERS", "")).value == "1000"
    assert page.context["version"] == 2


def test_autosave_of_a_refused_value_names_the_cell_and_saves_the_rest(client, tree, wf, reporter):
    report = open_report(tree, wf[0], "2021")
    login(client, reporter)
    data = entry_post(report, {("WF_WORKERS", ""): "1000", ("WF_TECH_STAFF", ""): "1e3"}, original={}, autosave="1")
    response = client.post(url("report_entry", report.pk), data)
    assert response.status_code == 200
    answer = response.json()
    assert answer["ok"] is True
    assert answer["version"] == 2
    assert answer["values"] == {field_name(("WF_WORKERS", "")): "1000"}
    assert list(answer["problems"]) == [field_name(("WF_TECH_STAFF", ""))]
    assert "科学计数法" in answer["problems"][field_name(("WF_TECH_STAFF", ""))]
    assert "另有 1 个数值不正确，未保存" in answer["message"]
    assert stored(report) == {("WF_WORKERS", ""): "1000"}


def test_autosave_after_someone_else_saved_is_a_conflict(client, tree, wf, reporter, union_admin):
    report = open_report(tree, wf[0], "2021")
    services.values_save(
        by=as_actor(union_admin), report=report, version=report.version, values={("WF_WORKERS", ""): "900"}
    )
    login(client, reporter)
    data = entry_post(report, {("WF_WORKERS", ""): "1000"}, version=1, original={}, autosave="1")
    response = client.post(url("report_entry", report.pk), data)
    assert response.status_code == 409
    answer = response.json()
    assert answer["conflict"] is True
    assert "该报表已被他人修改" in answer["message"]
    assert stored(report) == {("WF_WORKERS", ""): "900"}
    # The page the button then shows does not save in the background until the user decides.
    response = client.post(
        url("report_entry", report.pk), entry_post(report, {("WF_WORKERS", ""): "1000"}, version=1, original={})
    )
    assert response.status_code == 409
    assert response.context["autosave_ms"] == 0


def test_autosave_refusals(client, tree, wf, reporter):
    report = open_report(tree, wf[0], "2021")
    login(client, reporter)
    data = entry_post(report, {("WF_WORKERS", ""): "1000"}, original={}, autosave="1")
    del data["version"]
    response = client.post(url("report_entry", report.pk), data)
    assert response.status_code == 400
    assert "缺少版本号" in response.json()["message"]
    login(client, tree.user(Role.LEADER))
    data = entry_post(report, {("WF_WORKERS", ""): "1000"}, original={}, autosave="1")
    assert client.post(url("report_entry", report.pk), data).status_code == 403
    assert not DataValue.objects.filter(report=report).exists()


def test_the_entry_page_warns_before_leaving_and_autosaves(client, tree, wf, reporter):
    report = open_report(tree, wf[0], "2021")
    login(client, reporter)
    response = client.get(url("report_entry", report.pk))
    assert response.context["autosave_ms"] == 3000
    body = response.content.decode()
    assert 'data-autosave-ms="3000"' in body
    assert 'id="autosave-state"' in body
    script = (settings_base() / "static" / "reporting" / "entry.js").read_text()
    assert '"beforeunload"' in script
    assert '"pagehide"' in script


def settings_base():
    from django.conf import settings

    return settings.BASE_DIR


def test_check_and_submit_saves_the_edits_then_opens_the_report_page(client, tree, wf, reporter):
    report = open_report(tree, wf[0], "2021")
    login(client, reporter)
    data = entry_post(report, {("WF_WORKERS", ""): "1000"}, original={}, next="detail")
    response = client.post(url("report_entry", report.pk), data)
    assert response.status_code == 302
    assert response["Location"] == url("report_detail", report.pk) + "#actions"
    assert stored(report) == {("WF_WORKERS", ""): "1000"}


def test_office_locks_an_accepted_report_and_nobody_edits_it(client, tree, wf, reporter, union_admin, office):
    report = submitted_report(tree, wf[0])
    report = services.report_approve(by=as_actor(union_admin), report=report, version=report.version)
    report = services.report_accept(by=as_actor(office), report=report, version=report.version)
    login(client, union_admin)
    assert client.post(url("report_lock", report.pk), {"version": report.version}).status_code == 403
    login(client, office)
    assert client.get(url("report_detail", report.pk)).context["actions"] == ["lock", "reopen"]
    assert client.post(url("report_lock", report.pk), {"version": report.version}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.LOCKED
    assert len(events(report, "reporting.report.lock")) == 1
    login(client, reporter)
    page = client.get(url("report_entry", report.pk))
    assert page.context["editable"] is False
    assert "已锁定" in page.content.decode()


# --- Outlier warnings at entry (walk-through finding: 1 → 9000 submitted with "警告 0 条") ---------------------


def test_the_reporter_is_warned_of_an_outlier_next_to_the_cell_while_filling_and_before_submitting(
    client, tree, wf, reporter, clock
):
    clock.set(at(2021, 1, 10))
    last_year = filled_report(tree, wf[0], "2020")
    services.values_save(by=SYSTEM, report=last_year, version=last_year.version, values={("WF_TECH_STAFF", ""): "1"})
    clock.set(at(2022, 1, 10))
    report = filled_report(tree, wf[0], "2021")
    login(client, reporter)
    tech = field_name(("WF_TECH_STAFF", ""))

    # While filling: the background save answers the warnings of what it saved.
    data = entry_post(report, {("WF_TECH_STAFF", ""): "9000"}, original={}, autosave="1")
    answer = client.post(url("report_entry", report.pk), data).json()
    assert answer["ok"] is True
    assert answer["outliers"] == {tech: "专业技术人员人数：上期 1，本期 9000，是上期的 9000 倍，请核对。"}

    # On the grid: next to the cell, and in the list of checks.
    page = client.get(url("report_entry", report.pk))
    assert (
        page.context["grid"].cell(("WF_TECH_STAFF", "")).outlier
        == "专业技术人员人数：上期 1，本期 9000，是上期的 9000 倍，请核对。"
    )
    body = page.content.decode()
    assert 'class="cell-note cell-outlier" data-outlier>警告：专业技术人员人数：上期 1，本期 9000' in body
    assert 'id="outlier-checks"' in body

    # Before submitting: counted and listed; it does not block, and a comment on the cell explains it.
    detail = client.get(url("report_detail", report.pk))
    assert detail.context["warning_count"] == 1
    assert "是上期的 9000 倍" in detail.content.decode()
    services.value_comment(
        by=as_actor(reporter), report=report, element_code="WF_TECH_STAFF", comment="并入研究院后人数大增"
    )
    detail = client.get(url("report_detail", report.pk)).content.decode()
    assert "填报单位说明（备注）：并入研究院后人数大增" in detail
    report.refresh_from_db()
    services.report_submit(by=as_actor(reporter), report=report, version=report.version)
