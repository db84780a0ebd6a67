"""The Excel pages end to end: download, upload → preview → confirm, the error report, scope,
size limits, CSRF and audit."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEntry
from orgs.choices import Role
from reporting.excel import storage
from reporting.models import DataValue, Period, Report
from reporting.tests.excel_files import XLSX, cell_rows, download, fill_single, page_url, template_url
from reporting.tests.factories import valid_values_y

PAGE = page_url("WF_Y", "2021", "E-A1")
WORKERS = ("WF_WORKERS", "")


@pytest.fixture
def imports(settings, tmp_path):
    settings.REPORTING_IMPORT_DIR = tmp_path / "imports"
    return settings.REPORTING_IMPORT_DIR


@pytest.fixture
def reporter(client, tree, wf, imports):
    user = tree.user(Role.REPORTER, tree.ent_a1)
    client.force_login(user)
    return user


def upload(client, url: str, data: bytes, name: str = "填好的.xlsx"):
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type=XLSX)})


def token_of(response) -> str:
    match = re.search(r"/excel/uploads/([0-9a-f]{32})/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def leftovers(imports) -> list[str]:
    return sorted(p.name for p in imports.glob("*.upload")) if imports.exists() else []


def test_page_offers_downloads_and_the_upload_form(client, reporter):
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "空白模板" in html and "含已填数据的模板" in html
    assert 'id="upload-form"' in html
    assert "批量模板" not in html  # an enterprise has no subsidiaries that report


def test_union_page_offers_the_bulk_template(client, tree, wf, imports):
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    html = client.get(page_url("WF_Y", "2021", "U-A")).content.decode()
    assert "批量模板（2 个下属单位，每个单位一行）" in html
    response = client.get(template_url("WF_Y", "2021", "U-A", layout="bulk"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    home = client.get(reverse("reporting:excel_home")).content.decode()
    assert "批量导入" in home
    assert "产业工人队伍基本情况（季报）</option>" in home  # the period type is not repeated
    assert "产业工人队伍基本情况（年报）</option>" in home


def test_downloads_are_named_by_data_set_period_and_organisation_with_an_ascii_fallback(client, tree, wf, imports):
    # Walk-through finding: files were named by raw codes; a Chinese name needs RFC 5987 and an ASCII fallback.
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    bulk = client.get(template_url("WF_Y", "2021", "U-A", layout="bulk"))
    dataset, period = wf[0], Period.objects.get(code="2021")
    name = f"{dataset.name}-{period.label}-{tree.union_a.name}-批量导入模板.xlsx"
    assert bulk["Content-Disposition"] == (
        f"attachment; filename=\"WF_Y-2021-U-A-bulk-template.xlsx\"; filename*=utf-8''{quote(name)}"
    )

    token = token_of(upload(client, page_url("WF_Y", "2021", "U-A"), b"not a workbook", "乱码.xlsx"))
    errors = client.get(reverse("reporting:excel_error_file", args=[token]))
    name = f"{dataset.name}-{period.label}-{tree.union_a.name}-错误报告.xlsx"
    assert errors["Content-Disposition"] == (
        f"attachment; filename=\"WF_Y-2021-U-A-errors.xlsx\"; filename*=utf-8''{quote(name)}"
    )


def test_download_upload_preview_confirm(client, reporter, imports):
    blank = download(client, "WF_Y", "2021", "E-A1")
    assert AuditEntry.objects.filter(event="reporting.template.download", success=True).count() == 1

    response = upload(client, PAGE, fill_single(blank, valid_values_y()))
    assert response.status_code == 302
    token = token_of(response)
    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "导入预览：请核对后确认" in html
    assert "确认导入 60 个数值" in html
    assert "产业工人总数" in html and "1,000" in html
    assert not Report.objects.exists()

    done = client.post(reverse("reporting:excel_confirm", args=[token]))
    assert done.status_code == 302 and done["Location"] == PAGE
    page = client.get(PAGE).content.decode()
    assert "导入成功：已保存 1 个单位的 60 个数值" in page
    assert DataValue.objects.filter(report__org__code="E-A1").count() == 60
    assert AuditEntry.objects.filter(event="reporting.import.apply").count() == 1
    assert leftovers(imports) == []
    assert not list(imports.glob(f"{token}*"))


def test_bad_upload_lists_every_problem_and_offers_the_error_workbook(client, reporter, imports):
    blank = download(client, "WF_Y", "2021", "E-A1")
    rows = cell_rows(blank)
    data = fill_single(blank, {**valid_values_y(), WORKERS: "一千", ("WF_CERTIFIED", ""): "1.2万"})
    response = upload(client, PAGE, data)
    token = token_of(response)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "文件未通过检查，没有导入任何数据" in html
    assert "共发现 2 处问题，整份文件均未导入。" in html
    assert f"“填报数据” 第 {rows[WORKERS]} 行 F 列" in html
    assert "是中文数字，请改用阿拉伯数字填写" in html
    assert "应填写：整数，≥0，必填。" in html
    assert "确认导入" not in html
    assert leftovers(imports) == []
    assert not Report.objects.exists()

    errors = client.get(reverse("reporting:excel_error_file", args=[token]))
    assert errors.status_code == 200
    assert errors["Content-Disposition"].startswith("attachment")
    assert "no-store" in errors["Cache-Control"]
    book = load_workbook(io.BytesIO(b"".join(errors.streaming_content)))
    assert book.sheetnames[0] == "错误清单"
    cell = book["填报数据"][f"F{rows[WORKERS]}"]
    assert cell.value == "一千" and cell.fill.fgColor.rgb.endswith("FF7C80")
    assert "中文数字" in cell.comment.text

    # Confirming a refused upload does nothing.
    confirm = client.post(reverse("reporting:excel_confirm", args=[token]))
    assert confirm.status_code == 409
    assert "该上传已失效" in confirm.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 200, "不是有效的 .xlsx 文件"),
        ("机构代码,数值\nE-A1,1\n".encode(), "不是有效的 .xlsx 文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版 Excel（.xls）"),
        (b"PK\x03\x04" + b"\0" * 100, "文件已损坏或不完整"),
        (b"", "不是有效的 .xlsx 文件"),
    ],
)
def test_files_that_are_not_xlsx_are_refused_on_the_page(client, reporter, imports, body, message):
    response = upload(client, PAGE, body, name="报表.xlsx")
    page = client.get(response["Location"])
    assert message in page.content.decode()
    assert leftovers(imports) == []
    assert not Report.objects.exists()
    assert AuditEntry.objects.filter(event="reporting.import.refused", success=False).count() == 1


def test_file_over_the_limit_gets_413_before_parsing(client, reporter, imports, settings):
    settings.REPORTING_IMPORT_MAX_BYTES = 1024
    data = fill_single(download(client, "WF_Y", "2021", "E-A1"), valid_values_y())
    response = upload(client, PAGE, data + b"\0" * 100_000)
    assert response.status_code == 413
    assert "文件过大" in response.content.decode()
    assert leftovers(imports) == []
    assert AuditEntry.objects.filter(event="reporting.import.refused").count() == 1


class _FullDisk(io.RawIOBase):
    """A file on a disk that fills up after `room` bytes: the next write fails as a full disk does."""

    def __init__(self, path, room: int):
        self.handle, self.room = open(path, "wb"), room  # noqa: SIM115 - closed by close()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        import errno

        fits = bytes(data[: self.room])
        self.handle.write(fits)
        self.room -= len(fits)
        if len(fits) < len(data):
            raise OSError(errno.ENOSPC, "No space left on device")
        return len(fits)

    def close(self) -> None:
        self.handle.close()
        super().close()


def test_full_disk_during_an_upload_says_so_and_keeps_nothing(client, reporter, imports, monkeypatch):
    data = fill_single(download(client, "WF_Y", "2021", "E-A1"), valid_values_y())
    monkeypatch.setattr(storage, "_open_private", lambda path: _FullDisk(path, room=len(data) // 2))
    response = upload(client, PAGE, data)
    assert response.status_code == 507
    assert "服务器存储空间不足" in response.content.decode()
    assert list(imports.iterdir()) == []  # the half-written file is removed
    assert not DataValue.objects.exists()
    monkeypatch.undo()  # space again: the same upload goes through
    assert upload(client, PAGE, data).status_code == 302


def test_client_file_name_is_never_a_path(client, reporter, imports):
    data = fill_single(download(client, "WF_Y", "2021", "E-A1"), valid_values_y())
    response = upload(client, PAGE, data, name="../../x.html")
    token = token_of(response)
    assert sorted(p.name for p in imports.iterdir()) == [f"{token}.json", f"{token}.plan.json", f"{token}.upload"]
    assert "x.html" in client.get(response["Location"]).content.decode()  # shown, escaped, as a name only


def test_discard_removes_the_upload(client, reporter, imports):
    data = fill_single(download(client, "WF_Y", "2021", "E-A1"), valid_values_y())
    token = token_of(upload(client, PAGE, data))
    response = client.post(reverse("reporting:excel_discard", args=[token]))
    assert response.status_code == 302
    assert list(imports.iterdir()) == []
    assert client.get(reverse("reporting:excel_preview", args=[token])).status_code == 404


@pytest.mark.parametrize(
    ("role", "org", "status"),
    [
        (Role.REPORTER, "E-A1", 200),
        (Role.REPORTER, "E-B1", 404),  # a sibling outside the scope
        (Role.REPORTER, "U-A", 404),  # the union above
        (Role.UNION_ADMIN, "E-A1", 200),
        (Role.LEADER, "E-A1", 403),  # sees it, may not fill it
    ],
)
def test_scope_of_the_pages(client, tree, wf, imports, role, org, status):
    homes = {Role.REPORTER: tree.ent_a1, Role.UNION_ADMIN: tree.union_a, Role.LEADER: tree.province}
    client.force_login(tree.user(role, homes[role]))
    assert client.get(page_url("WF_Y", "2021", org)).status_code == status
    assert client.get(template_url("WF_Y", "2021", org)).status_code == status
    assert upload(client, page_url("WF_Y", "2021", org), b"PK").status_code in ((302,) if status == 200 else (status,))


def test_another_persons_upload_is_not_found(client, reporter, tree, imports):
    data = fill_single(download(client, "WF_Y", "2021", "E-A1"), valid_values_y())
    token = token_of(upload(client, PAGE, data))
    other = Client()
    other.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    for name in ("excel_preview", "excel_error_file"):
        assert other.get(reverse(f"reporting:{name}", args=[token])).status_code == 404
    for name in ("excel_confirm", "excel_discard"):
        assert other.post(reverse(f"reporting:{name}", args=[token])).status_code == 404
    assert not Report.objects.exists()
    for bad in ("..%2F..%2Fetc%2Fpasswd", "0" * 31 + "g", token.upper()):
        assert client.get(f"/reporting/excel/uploads/{bad}/").status_code == 404


def test_confirm_needs_post_and_a_csrf_token(tree, wf, imports):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    data = fill_single(download(client, "WF_Y", "2021", "E-A1"), valid_values_y())
    assert upload(client, PAGE, data).status_code == 403  # no token on the upload either
    token = storage.new_token()
    assert client.get(reverse("reporting:excel_confirm", args=[token])).status_code == 405
    assert client.post(reverse("reporting:excel_confirm", args=[token])).status_code == 403
    assert leftovers(imports) == []


# --- "其他报告期或单位": the period and organisation pickers ----------------------------------------------------

UNKNOWN_ORG = "找不到机构“{}”：请输入机构名称、简称、拼音首字母或代码，并从列表中选择。"


def go(client, **params):
    return client.get(reverse("reporting:excel_go"), {"dataset": "WF_Y", "period": "2021", **params})


@pytest.mark.parametrize("typed", ["昆明供电局", "kmgdj", "E-A1"])
def test_other_period_or_unit_takes_the_unit_by_name_initials_or_code(client, reporter, typed):
    """Walk-through finding: the form asked for 报告期代码 and 机构代码 only."""
    response = go(client, org=typed)
    assert response.status_code == 302 and response["Location"] == PAGE


def test_other_period_or_unit_refuses_a_unit_outside_the_scope_like_an_unknown_one(client, reporter):
    for typed in ("曲靖供电局", "E-A2", "无此单位"):
        response = go(client, org=typed)
        assert response.status_code == 200
        html = response.content.decode()
        assert UNKNOWN_ORG.format(typed) in html, typed


def test_the_period_is_chosen_from_a_list_newest_first_grouped_by_type(client, tree, wf, reporter):
    from reporting.periods import period_from_code

    for code in ("2019", "2020", "2021Q2", "2021Q3"):
        period_from_code(code)
    html = client.get(reverse("reporting:excel_home")).content.decode()
    select = re.search(r'<select name="period".*?</select>', html, re.S).group(0)
    assert re.findall(r'<optgroup label="([^"]+)">', select) == ["年度", "季度"]
    # 2021Q4: the open quarterly round, offered before any report made the period exist
    assert re.findall(r'<option value="(\w+)"', select) == ["2021", "2020", "2019", "2021Q4", "2021Q3", "2021Q2"]
    assert ">2021年第三季度</option>" in select
    assert 'data-org-picker data-url="/orgs/pick.json?for=entry"' in html
    assert 'id="go-period"' not in html  # the typed period code is gone


def test_a_period_of_the_wrong_type_or_malformed_is_refused(client, reporter):
    wrong = go(client, period="2021Q2", org="E-A1").content.decode()
    assert "“产业工人队伍基本情况”是年报，请选择年报的报告期。" in wrong
    unknown = go(client, period="下一年", org="E-A1").content.decode()
    assert "“下一年”不是有效的报告期代码" in unknown


def test_a_returned_report_has_an_excel_link(client, tree, wf, reporter, clock):
    from reporting import services
    from reporting.tests.factories import as_actor, at, submitted_report

    report = submitted_report(tree, wf[0])
    services.report_return(
        by=as_actor(tree.user(Role.UNION_ADMIN)), report=report, version=report.version, reason="请核实培训人次"
    )
    clock.set(at(2022, 3, 1))  # past the deadline: the round is no longer listed as open
    client.force_login(reporter)  # a fresh session at the new time
    excel = f'href="{PAGE}"'
    assert excel in client.get(reverse("reporting:my_reports")).content.decode()
    assert excel in client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
