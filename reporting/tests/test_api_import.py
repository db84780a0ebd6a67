"""Importing a report's values through the API as CSV or JSON (issue 3 §4, last bullet).

A dry run by default: the answer is the plan (what would change against what is stored), and
nothing is written. `?dry_run=0` imports all or nothing through services.values_import. Every
problem comes back at once with its CSV line or JSON item and the column or key, in Chinese; a
refused import writes no value and leaves one audit row (SECURITY.md part b).
"""

from __future__ import annotations

import json

import pytest
from django.db.models import F

from accounts.tests.factories import api_client
from core.models import AuditEntry
from orgs.choices import Role
from reporting.choices import ReportStatus as S
from reporting.models import DataValue, Report
from reporting.tests.factories import open_report, submitted_report

HEADER = "element,option,value\n"
GOOD_CSV = HEADER + 'WF_WORKERS,,1000\nWF_WORKERS_GROUP,MIGRANT.MALE,300\nWF_NOTES,,"说明，含逗号"\n'


@pytest.fixture
def report(tree, wf):
    return open_report(tree, wf[0], "2021")


@pytest.fixture
def client(tree):
    return api_client(tree.user(Role.REPORTER, tree.ent_a1), ip="10.71.0.1")


def url(report: Report, query: str = "") -> str:
    return f"/api/v1/reports/{report.pk}/import/{query}"


def send(client, report, body, content_type="text/csv", query="", **headers):
    """POST an import; a write (`dry_run=0`) carries the version the client read, as a careful client does,
    unless the test sends its own (If-Match, a JSON version) or `overwrite`."""
    if isinstance(body, dict | list):
        body = json.dumps(body, ensure_ascii=False)
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    versioned = "HTTP_IF_MATCH" in headers or '"version"' in text or "overwrite" in query
    writes = "dry_run=0" in query or '"dry_run": false' in text
    if writes and not versioned:
        report.refresh_from_db()
        headers["HTTP_IF_MATCH"] = f'"{report.version}"'
    return client.generic("POST", url(report, query), body, content_type=content_type, **headers)


def stored(report: Report) -> dict[tuple[str, str], str]:
    return {
        (v.element.code, v.option_combo.key): v.value
        for v in DataValue.objects.filter(report=report).select_related("element", "option_combo")
    }


def refused_audits() -> int:
    return AuditEntry.objects.filter(event="reporting.import.refused", success=False).count()


# --- Dry run and import ---------------------------------------------------------------------------------------------


def test_csv_is_a_dry_run_by_default_and_returns_the_plan(report, client):
    response = send(client, report, GOOD_CSV)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["dry_run"] is True and body["applied"] is False
    assert [(c["element"], c["option"], c["row"], c["old"], c["new"]) for c in body["changes"]] == [
        ("WF_WORKERS", "", 2, "", "1,000"),
        ("WF_WORKERS_GROUP", "MIGRANT.MALE", 3, "", "300"),
        ("WF_NOTES", "", 4, "", "说明，含逗号"),
    ]
    # The plan also shows which rules the result would break (they block submission, not saving).
    assert any("产业工人构成各项之和应等于产业工人总数" in e for e in body["rule_errors"])
    assert stored(report) == {}
    report.refresh_from_db()
    assert report.version == 1
    assert AuditEntry.objects.filter(event="reporting.import.preview").count() == 1


def test_dry_run_zero_imports_everything_and_is_audited(report, client):
    response = send(client, report, GOOD_CSV, query="?dry_run=0")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["applied"] is True and body["version"] == 2
    assert response["ETag"] == '"2"'
    assert stored(report) == {
        ("WF_WORKERS", ""): "1000",
        ("WF_WORKERS_GROUP", "MIGRANT.MALE"): "300",
        ("WF_NOTES", ""): "说明，含逗号",
    }
    assert AuditEntry.objects.filter(event="reporting.values.save", object_id=str(report.pk)).count() == 1
    applied = AuditEntry.objects.get(event="reporting.import.apply")
    assert applied.detail["api"] == "csv" and applied.detail["cells_changed"] == 3


def test_json_rows_import_with_numbers_booleans_and_null(report, client):
    send(client, report, GOOD_CSV, query="?dry_run=0")
    body = {
        "values": [
            {"element": "WF_WORKERS", "value": 1200},
            {"element": "WF_CONGRESS", "option": "", "value": True},
            {"element": "WF_NOTES", "value": None},  # clears the cell
        ],
        "dry_run": False,
    }
    response = send(client, report, body, "application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["applied"] is True
    assert stored(report) == {
        ("WF_WORKERS", ""): "1200",
        ("WF_WORKERS_GROUP", "MIGRANT.MALE"): "300",
        ("WF_CONGRESS", ""): "true",
        ("WF_NOTES", ""): "",
    }


def test_the_same_import_twice_is_a_no_op(report, client):
    assert send(client, report, GOOD_CSV, query="?dry_run=0").json()["version"] == 2
    again = send(client, report, GOOD_CSV, query="?dry_run=0")
    assert again.status_code == 200
    assert again.json()["changes"] == [] and again.json()["unchanged"] == 3 and again.json()["version"] == 2
    assert AuditEntry.objects.filter(event="reporting.values.save", object_id=str(report.pk)).count() == 1


def test_accepted_conversions_are_noted(report, client):
    body = HEADER + 'WF_WORKERS,,"1,234"\nWF_FRONTLINE,, 700 \nWF_TECH_STAFF,,１２０\n'
    response = send(client, report, body)
    assert response.status_code == 200
    plan = response.json()
    assert [c["new"] for c in plan["changes"]] == ["1,234", "700", "120"]
    assert set(plan["notes"]) == {"已去除千分位逗号", "已去除首尾空格", "已将全角字符转换为半角"}


# --- Versions -----------------------------------------------------------------------------------------------------


def test_a_stale_json_version_is_409_and_writes_nothing(report, client):
    send(client, report, GOOD_CSV, query="?dry_run=0")  # version 2 now
    response = send(
        client,
        report,
        {"values": [{"element": "WF_WORKERS", "value": 5}], "version": 1, "dry_run": False},
        "application/json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["detail"].startswith("导入内容有 1 处问题，未写入任何数据：")
    assert body["problems"][0]["code"] == "conflict"
    assert "该报表已被他人修改（您打开的是第 1 版，当前为第 2 版）" in body["problems"][0]["message"]
    assert stored(report)[("WF_WORKERS", "")] == "1000"


def test_a_stale_if_match_is_412(report, client):
    Report.objects.filter(pk=report.pk).update(version=F("version") + 1)
    response = send(client, report, GOOD_CSV, query="?dry_run=0", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert stored(report) == {}


def test_a_submitted_report_cannot_be_imported_into(tree, wf):
    report = submitted_report(tree, wf[0])
    client = api_client(tree.user(Role.REPORTER, tree.ent_a1), ip="10.71.0.2")
    before = stored(report)
    response = send(client, report, HEADER + "WF_WORKERS,,5\n", query="?dry_run=0")
    assert response.status_code == 400
    problem = response.json()["problems"][0]
    assert problem["code"] == "report_not_editable"
    assert problem["message"] == "“昆明供电局”的报表状态为“已提交”，不能导入"
    assert stored(report) == before
    report.refresh_from_db()
    assert report.status == S.SUBMITTED


def test_read_only_roles_cannot_import(tree, report):
    leader = api_client(tree.user(Role.LEADER), ip="10.71.0.3")
    response = send(leader, report, HEADER + "WF_WORKERS,,5\n", query="?dry_run=0")
    assert response.status_code == 400
    assert response.json()["problems"][0]["code"] == "org_not_allowed"
    assert stored(report) == {}


# --- Bad inputs (SECURITY.md part b) -----------------------------------------------------------------------------


BAD_VALUES = [
    ("WF_WORKERS", "١٢٣", "“١٢٣”含有非阿拉伯数字字符“١”，请只使用 0–9。"),
    ("WF_WORKERS", "۱۲۳", "“۱۲۳”含有非阿拉伯数字字符“۱”，请只使用 0–9。"),
    ("WF_WORKERS", "1_000", "“1_000”中不能用下划线分隔数字，请直接填写，如 1000。"),
    ("WF_WORKERS", "1e3", "“1e3”是科学计数法，请填写完整的数字，如 1e3 应填写 1000。"),
    ("WF_WORKERS", "NaN", "“NaN”不是有效的数字，请填写具体数值。"),
    ("WF_WORKERS", "inf", "“inf”不是有效的数字，请填写具体数值。"),
    ("WF_WORKERS", "-0", "“-0”为负数；人数、次数等计数不能为负数。"),
    ("WF_WORKERS", "-3", "“-3”为负数；人数、次数等计数不能为负数。"),
    ("WF_WORKERS", "12.5", "“12.5”不是整数；人数、次数等应填写整数。"),
    ("WF_WORKERS", "一百二十", "“一百二十”是中文数字，请改用阿拉伯数字填写，如“一百二十”应填写 120。"),
    ("WF_WORKERS", "1.2万", "“1.2万”带有“万”“亿”等单位，请换算成完整的数字后填写，如 1.2万 应填写 12000。"),
    ("WF_WORKERS", "#DIV/0!", "单元格是 Excel 错误值“#DIV/0!”，请修正公式或直接填写数值。"),
    ("WF_NOTES", "a\x00b", "包含不可见的控制字符（U+0000），请删除后重新输入。"),
    ("WF_NOTES", "a\u202eb", "包含不可见的文字方向控制字符（U+202E），请删除后重新输入。"),
    ("WF_NOTES", "x" * 100_000, "内容过长：最多 2000 个字符，当前 100000 个。"),
]


@pytest.mark.parametrize(("element", "value", "message"), BAD_VALUES, ids=[repr(v[:12]) for _e, v, _m in BAD_VALUES])
@pytest.mark.parametrize("kind", ["csv", "json"])
def test_each_bad_value_is_refused_with_its_place_and_nothing_is_written(report, client, kind, element, value, message):
    good = [("WF_FRONTLINE", "700")]
    rows = [*good, (element, value)]
    if kind == "csv":
        body = HEADER + "".join(f'{e},,"{v}"\n' for e, v in rows)
        response = send(client, report, body, query="?dry_run=0")
        row, column = 3, "value"
    else:
        response = send(
            client,
            report,
            {"values": [{"element": e, "value": v} for e, v in rows], "dry_run": False},
            "application/json",
        )
        row, column = 2, "value"
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("导入内容有 1 处问题，未写入任何数据：")
    [problem] = body["problems"]
    assert (problem["code"], problem["row"], problem["column"], problem["message"]) == (
        "value_invalid",
        row,
        column,
        message,
    )
    assert problem["fix"].startswith("应填写：")
    assert stored(report) == {}
    assert refused_audits() == 1


def test_every_problem_is_reported_at_once(report, client):
    body = (
        HEADER
        + "WF_WORKERS,,1000\n"
        + "WF_FRONTLINE,,١٢٣\n"
        + "WF_NO_SUCH,,1\n"
        + "WF_WORKERS_GROUP,NOPE,3\n"
        + ",,4\n"
        + "WF_WORKERS,,1001\n"
        + "WF_TECH_STAFF,,1,2\n"
    )
    response = send(client, report, body, query="?dry_run=0")
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert [(p["row"], p["code"]) for p in problems] == [
        (3, "value_invalid"),
        (4, "unknown_cell"),
        (5, "unknown_cell"),
        (6, "format"),
        (7, "duplicate_org"),
        (8, "format"),
    ]
    messages = {p["row"]: p["message"] for p in problems}
    assert messages[6] == "缺少数据元代码"
    assert messages[7] == "同一项在第 2 行和第 7 行重复出现"
    assert messages[8] == "这一行有 4 列，表头有 3 列"
    assert response.json()["detail"].endswith("等 6 处")
    assert stored(report) == {}


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        ("", "text/csv", 400, "没有数据"),
        (HEADER, "text/csv", 400, "没有数据"),
        ("\n\n", "text/csv", 400, "没有数据"),
        ("元素,值\nWF_WORKERS,1\n", "text/csv", 400, "表头不正确：元素,值"),
        (b"element,option,value\nWF_NOTES,,\xc4\xe3\xba\xc3\n", "text/csv", 400, "内容不是 UTF-8 编码"),
        ("{not json", "application/json", 400, "JSON 格式错误："),
        ('{"rows": []}', "application/json", 400, "JSON 应为对象，且含有 values 数组"),
        ('{"values": []}', "application/json", 400, "没有数据"),
        (
            '{"values": [{"element": "WF_WORKERS", "value": {"a": 1}}]}',
            "application/json",
            400,
            "value 应为数字、文字、true/false 或 null",
        ),
        (
            '{"values": [{"element": "WF_WORKERS", "value": 1, "org": "E-B1"}]}',
            "application/json",
            400,
            "这一行属于机构 E-B1，不属于本报表的机构 E-A1",
        ),
        (
            "org,element,option,value\nE-A1,WF_WORKERS,,1\nE-B1,WF_FRONTLINE,,2\n",
            "text/csv",
            400,
            "这一行属于机构 E-B1，不属于本报表的机构 E-A1",
        ),
        (
            '{"values": [{"element": "WF_WORKERS", "value": 1}], "status": "accepted"}',
            "application/json",
            400,
            "不认识的字段：status",
        ),
    ],
    ids=[
        "empty",
        "header-only",
        "blank-lines",
        "bad-header",
        "gbk",
        "bad-json",
        "no-values",
        "empty-values",
        "object-value",
        "foreign-org-json",
        "foreign-org-csv",
        "mass-assignment",
    ],
)
def test_unreadable_bodies_are_refused_clearly(report, client, body, content_type, status, message):
    response = send(client, report, body, content_type, query="?dry_run=0")
    assert response.status_code == status
    problems = response.json()["problems"]
    assert problems and all(p["message"] for p in problems)
    if message.endswith("："):  # the parser's own detail follows
        assert problems[0]["message"].startswith(message)
    else:
        assert problems[0]["message"] == message
    assert stored(report) == {}
    report.refresh_from_db()
    assert (report.status, report.version) == (S.DRAFT, 1)
    assert refused_audits() == 1


def test_an_unsupported_content_type_is_415(report, client):
    response = send(client, report, "<values/>", "application/xml", query="?dry_run=0")
    assert response.status_code == 415
    assert response.json() == {"detail": "不支持的请求内容类型。"}
    assert stored(report) == {}


def test_a_body_over_the_size_limit_is_413_before_it_is_read(report, client, settings):
    settings.REPORTING_IMPORT_MAX_BYTES = 1000
    body = HEADER + "".join(f"WF_WORKERS,,{n}\n" for n in range(200))
    response = send(client, report, body, query="?dry_run=0")
    assert response.status_code == 413
    assert response.json()["problems"][0]["message"] == "内容超过大小上限（0 MB）"
    assert stored(report) == {}
    assert refused_audits() == 1


def test_a_bad_dry_run_flag_is_refused(report, client):
    response = send(client, report, GOOD_CSV, query="?dry_run=maybe")
    assert response.status_code == 400
    assert response.json()["errors"] == {"dry_run": ["dry_run 应为 1（只检查）或 0（导入）。"]}
    assert stored(report) == {}


def test_formula_like_text_is_stored_as_typed_not_evaluated(report, client):
    payload = "=cmd|' /C calc'!A0"
    response = send(
        client, report, {"values": [{"element": "WF_NOTES", "value": payload}], "dry_run": False}, "application/json"
    )
    assert response.status_code == 200
    assert stored(report) == {("WF_NOTES", ""): payload}


# --- A write names the version it is based on (issue 17: nothing overwritten unseen) --------------------------------


def test_a_write_without_a_version_is_428_and_writes_nothing(report, client):
    response = client.generic("POST", url(report, "?dry_run=0"), GOOD_CSV, content_type="text/csv")

    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"] and "overwrite=1" in response.json()["detail"]
    assert stored(report) == {}
    dry = client.generic("POST", url(report), GOOD_CSV, content_type="text/csv")
    assert dry.status_code == 200  # a dry run writes nothing and needs no version


def test_an_explicit_overwrite_imports_and_the_audit_says_so(report, client):
    response = client.generic("POST", url(report, "?dry_run=0&overwrite=1"), GOOD_CSV, content_type="text/csv")

    assert response.status_code == 200 and response.json()["applied"] is True
    assert stored(report)[("WF_WORKERS", "")] == "1000"
    applied = AuditEntry.objects.get(event="reporting.import.apply")  # the import's row, on the data set
    assert applied.detail["overwrite"] is True and applied.detail["report_ids"] == [report.pk]
    bad = client.generic("POST", url(report, "?dry_run=0&overwrite=maybe"), GOOD_CSV, content_type="text/csv")
    assert bad.status_code == 400 and "overwrite" in bad.json()["detail"] + json.dumps(bad.json())
