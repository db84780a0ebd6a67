"""CSV and JSON bodies of the API's imports (reporting/excel/tabular.py), planned like a workbook."""

from __future__ import annotations

import json

import pytest

from core.actor import Actor
from orgs.choices import Role
from reporting.excel.importer import plan_entries
from reporting.excel.plan import Context
from reporting.excel.problems import Code, ImportRefused
from reporting.excel.tabular import parse_body
from reporting.periods import period_from_code


def test_csv_with_bom_reads_one_entry_per_line():
    body = parse_body(
        '\ufeffelement,option,value\r\nWF_WORKERS,,1000\r\nWF_WORKERS_GROUP,MIGRANT.MALE,"1,000"\r\n'.encode(),
        "text/csv",
        bulk=False,
        default_org="E-A1",
    )
    assert not body.problems
    assert [(e.org, e.key, e.raw, e.row) for e in body.entries] == [
        ("E-A1", ("WF_WORKERS", ""), "1000", 2),
        ("E-A1", ("WF_WORKERS_GROUP", "MIGRANT.MALE"), "1,000", 3),
    ]


def test_a_row_for_another_organisation_in_one_reports_import_is_a_problem():
    # Regression (issue 3 follow-up): the org column was read in bulk mode only and silently ignored otherwise.
    body = parse_body(
        b"org,element,option,value\nE-A1,WF_WORKERS,,1000\nE-A2,WF_CERTIFIED,,300\n,WF_EDU_BY_LEVEL,COLLEGE,200\n",
        "text/csv",
        bulk=False,
        default_org="E-A1",
    )
    assert [(p.row, p.column, p.message) for p in body.problems] == [
        (3, "org", "这一行属于机构 E-A2，不属于本报表的机构 E-A1")
    ]
    assert [e.key for e in body.entries] == [("WF_WORKERS", ""), ("WF_EDU_BY_LEVEL", "COLLEGE")]


def test_csv_with_a_wrong_header_is_refused():
    with pytest.raises(ImportRefused) as caught:
        parse_body(b"code,value\nWF_WORKERS,1\n", "text/csv", bulk=False, default_org="E-A1")
    assert caught.value.problems[0].message == "表头不正确：code,value"


def test_csv_duplicate_cell_and_short_line_are_listed():
    body = parse_body(
        b"element,option,value\nWF_WORKERS,,1\nWF_WORKERS,,2\nWF_CERTIFIED\n",
        "text/csv",
        bulk=False,
        default_org="E-A1",
    )
    assert [(p.code, p.row) for p in body.problems] == [(Code.DUPLICATE_ORG, 3), (Code.FORMAT, 4)]


def test_json_body_rejects_unknown_keys_and_nested_values():
    raw = json.dumps(
        {
            "values": [{"element": "WF_WORKERS", "value": {"x": 1}}, {"element": "WF_CERTIFIED", "colour": "red"}],
            "extra": 1,
        }
    )
    body = parse_body(raw.encode(), "application/json", bulk=False, default_org="E-A1")
    assert [p.message for p in body.problems] == [
        "不认识的字段：extra",
        "value 应为数字、文字、true/false 或 null",
        "不认识的字段：colour",
    ]


def test_json_that_is_not_json_is_refused():
    with pytest.raises(ImportRefused) as caught:
        parse_body(b"{values: [", "application/json", bulk=False, default_org="E-A1")
    assert caught.value.problems[0].message.startswith("JSON 格式错误")


def test_bulk_json_is_planned_against_the_scope(tree, wf):
    raw = json.dumps(
        {
            "values": [
                {"org": "E-A1", "element": "WF_WORKERS", "value": 1000},
                {"org": "E-B1", "element": "WF_WORKERS", "value": 1000},
                {"org": "E-A2", "element": "WF_WORKERS", "value": "一千"},
            ]
        }
    )
    body = parse_body(raw.encode(), "application/json", bulk=True, default_org="")
    ctx = Context(Actor(user=tree.user(Role.UNION_ADMIN, tree.union_a)), wf[0], period_from_code("2021"), tree.union_a)
    plan = plan_entries(
        ctx=ctx,
        version=wf[0].current_version(),
        entries=body.entries,
        layout="bulk",
        problems=body.problems,
        org_column="org",
    )
    assert sorted((p.code, p.org) for p in plan.problems) == [
        (Code.ORG_NOT_ALLOWED, "E-B1"),
        (Code.VALUE_INVALID, "E-A2"),
    ]
    assert [(o.code, [c.new for c in o.changes]) for o in plan.orgs] == [("E-A1", ["1,000"]), ("E-A2", [])]
