"""Past years' figures from the office's own spreadsheets (reporting/history, services/history.py): real .xlsx
files written with openpyxl in the office's shape, each problem refused with its location, all or nothing, the
mapping (automatic, changed, saved and reused), the union's subtree, the workflow, analytics and the source."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from analytics.models import NodeAggregate
from core.actor import Actor
from core.models import AuditEntry
from orgs.choices import Role
from reporting.choices import ReportStatus
from reporting.excel import storage
from reporting.history import flow
from reporting.history.plan import ACCEPTED_DIFFERS, PERIOD_NOT_CLOSED, PERIOD_WRONG_TYPE, RULE_FAILED, HistoryContext
from reporting.history.upload import UNKNOWN_PERIOD, parse_period
from reporting.models import DataValue, HistoryMapping, Report, ReportSource
from reporting.tests.factories import office_user

HEADERS = [
    *("机构代码", "机构名称", "报告期", "产业工人总数"),
    *("农民工男", "农民工女", "非农民工男", "非农民工女", "职业技能培训人次"),
]
ROWS = [
    ["E-A1", "昆明供电局", "2019年", 1000, 300, 100, 400, 200, 1500],
    ["E-A2", "曲靖供电局", "2019", 800, 200, 100, 300, 200, 900],
    ["E-B1", "云南铜业股份", "2019年度", 600, 100, 100, 200, 200, 400],
    ["E-A1", "昆明供电局", "2020年", 1100, 300, 200, 400, 200, 1600],
    ["E-A2", "曲靖供电局", "2020", 850, 250, 100, 300, 200, 950],
    ["E-B1", "云南铜业股份", 2020, 640, 120, 120, 200, 200, 420],
]
WORKERS = ("WF_WORKERS", "")
TRAINING = ("WF_TRAINING_PERSON_TIMES", "")


def workbook(rows=ROWS, headers=HEADERS, title: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "历年统计"
    if title:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class Loader:
    """Uploads, previews and confirms history files as one person for one subtree, and reads the result."""

    def __init__(self, tree, wf, user, org):
        self.tree, self.dataset, self.user, self.org = tree, wf[0], user, org

    def ctx(self, overwrite: bool = False) -> HistoryContext:
        return HistoryContext(Actor(user=self.user), self.dataset, self.org, overwrite)

    def upload(self, data: bytes, name: str = "历年产业工人统计.xlsx") -> flow.Step:
        token = storage.new_token()
        path = storage.save_bytes(token, ".upload", data)
        return flow.upload(ctx=self.ctx(), path=str(path), token=token, filename=name)

    def meta(self, step: flow.Step) -> dict:
        return storage.read_meta(step.token) or {}

    def preview(self, step: flow.Step, columns=None, *, save=False, overwrite=False) -> flow.Step:
        meta = self.meta(step)
        columns = columns if columns is not None else flow.suggested_columns(meta)
        return flow.preview(ctx=self.ctx(overwrite), token=step.token, meta=meta, columns=columns, save=save)

    def confirm(self, step: flow.Step, *, overwrite=False) -> flow.Step:
        return flow.confirm(ctx=self.ctx(overwrite), token=step.token, meta=self.meta(step))

    def load(self, data: bytes, columns=None, *, overwrite=False, name="历年产业工人统计.xlsx") -> flow.Step:
        step = self.upload(data, name)
        assert step.ok, [p.text() for p in step.problems]
        previewed = self.preview(step, columns, overwrite=overwrite)
        assert previewed.ok, [p.text() for p in previewed.problems]
        done = self.confirm(step, overwrite=overwrite)
        assert done.ok, [p.text() for p in done.problems]
        return done

    def refused(self, data: bytes, columns=None, *, overwrite=False) -> list:
        """Preview `data`; assert it is refused, audited, with nothing written; return the problems."""
        before = state()
        step = self.upload(data)
        if step.ok:
            step = self.preview(step, columns, overwrite=overwrite)
        assert not step.ok
        assert state() == before
        entry = AuditEntry.objects.order_by("-pk").first()
        assert entry.event == "reporting.history.refused"
        assert entry.success is False
        return step.problems


def state():
    return (
        sorted(Report.objects.values_list("org__code", "period__code", "status", "version")),
        sorted(
            DataValue.objects.values_list(
                "report__org__code", "report__period__code", "element__code", "option_combo__key", "value"
            )
        ),
        ReportSource.objects.count(),
    )


def value(org: str, period: str, key=WORKERS) -> str:
    return DataValue.objects.get(
        report__org__code=org, report__period__code=period, element__code=key[0], option_combo__key=key[1]
    ).value


@pytest.fixture
def imports(settings, tmp_path):
    settings.REPORTING_IMPORT_DIR = tmp_path / "imports"
    return settings.REPORTING_IMPORT_DIR


@pytest.fixture
def office(tree, wf, imports):
    return Loader(tree, wf, office_user(tree), tree.province)


@pytest.fixture
def union(tree, wf, imports):
    return Loader(tree, wf, tree.user(Role.UNION_ADMIN, tree.union_a), tree.union_a)


# --- Periods and the mapping ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("2019", "2019"),
        (2019.0, "2019"),
        ("2019年", "2019"),
        ("2019年度", "2019"),
        (" ２０１９年 ", "2019"),
        ("2019Q3", "2019Q3"),
        ("2019年第3季度", "2019Q3"),
        ("2019年第三季度", "2019Q3"),
        ("2019年三季度", "2019Q3"),
        ("2019H1", "2019H1"),
        ("2019年下半年", "2019H2"),
        ("2019年3月", "201903"),
        ("2019-03", "201903"),
        ("201903", "201903"),
    ],
)
def test_the_usual_chinese_spellings_of_a_period_are_read(typed, code):
    assert parse_period(typed).code == code


@pytest.mark.parametrize("typed", ["19年", "2019年第5季度", "二〇一九年", "2019-13", "去年", None, ""])
def test_anything_else_is_not_a_period(typed):
    assert parse_period(typed) is None


def test_columns_are_matched_by_code_name_and_close_name(office):
    headers = [
        *("机构代码", "报告期", "WF_CERTIFIED", "产业工人总数", "农民工男"),
        *("职业技能培训人次（人次）", "职工技能培训人次", "备用列"),
    ]
    step = office.upload(workbook([["E-A1", 2019, 1, 2, 3, 4, 5, 6]], headers))
    suggested = office.meta(step)["suggested"]
    assert suggested["WF_CERTIFIED"] == {"token": "WF_CERTIFIED", "how": "code"}
    assert suggested["产业工人总数"] == {"token": "WF_WORKERS", "how": "name"}
    assert suggested["职业技能培训人次（人次）"] == {"token": "WF_TRAINING_PERSON_TIMES", "how": "name"}
    # "农民工男" is the breakdown cell 产业工人构成·农民工·男 by a close name; a cell is offered once only.
    assert suggested["农民工男"]["token"] == "WF_WORKERS_GROUP.MIGRANT.MALE"
    assert suggested["职工技能培训人次"]["token"] != "WF_TRAINING_PERSON_TIMES"
    assert suggested["备用列"] == {"token": "", "how": ""}


# --- The good path --------------------------------------------------------------------------------------------------


def test_office_loads_two_past_years_accepted_with_their_source(office, tree):
    done = office.load(workbook())
    assert done.result.new_reports == 6
    assert done.result.accepted == 6
    reports = Report.objects.filter(period__code__in=["2019", "2020"])
    assert reports.count() == 6
    assert set(reports.values_list("status", flat=True)) == {ReportStatus.ACCEPTED}
    assert all(r.seal for r in reports)
    assert value("E-B1", "2020") == "640"
    assert value("E-A1", "2019", TRAINING) == "1500"
    source = ReportSource.objects.get(report__org__code="E-A1", report__period__code="2019")
    assert source.file_name == "历年产业工人统计.xlsx"
    assert len(source.sha256) == 64
    assert source.loaded_by == office.user
    applied = AuditEntry.objects.get(event="reporting.history.apply")
    assert applied.detail["reports"] == 6
    assert applied.detail["sha256"] == source.sha256
    saves = AuditEntry.objects.filter(event="reporting.values.save", object_id=str(source.report_id))
    assert saves.count() == 1
    assert saves.get().detail["changes"]["WF_WORKERS[]"] == ["", "1000"]
    assert saves.get().detail["history"]["file"] == "历年产业工人统计.xlsx"


def test_values_land_in_analytics_as_the_sum_of_the_files_column(office, tree):
    office.load(workbook())
    for period, rows in (("2019", ROWS[:3]), ("2020", ROWS[3:])):
        total = NodeAggregate.objects.get(
            org=tree.province, period__code=period, element__code="WF_WORKERS", option_combo__key=""
        ).total
        assert total == Decimal(sum(r[3] for r in rows))


def test_a_file_is_written_as_one_set_and_its_audit_rows_chain(office):
    from core import audit

    step = office.upload(workbook())
    assert office.preview(step).ok
    with CaptureQueriesContext(connection) as queries:
        assert office.confirm(step).ok

    # Each report: opened, written, submitted, accepted, sealed and added to the aggregates. What has one answer
    # per file (the layout, the period's lock and extensions, the tree, the audit chain's head) is read once:
    # 71 statements a report before, 41 now, with the file read and planned again.
    assert len(queries.captured_queries) <= 42 * len(ROWS)
    audit_writes = [q for q in queries.captured_queries if q["sql"].split(" (")[0].endswith('"core_auditentry"')]
    assert len(audit_writes) == 1
    assert audit.verify(anchor=None).intact


def test_a_second_import_of_the_same_file_changes_nothing(office):
    office.load(workbook())
    before = state()
    audits = AuditEntry.objects.filter(event__startswith="reporting.report.").count()
    done = office.load(workbook())
    assert done.result.reports == []
    assert state() == before
    assert AuditEntry.objects.filter(event__startswith="reporting.report.").count() == audits


def test_reports_show_their_source_in_drill_through(office, tree):
    from analytics import engine
    from analytics.engine.scope import Scope

    office.load(workbook())
    result = engine.drill_through(Scope.of(office.user), "element:WF_WORKERS", None, "2019")
    assert len(result.rows) == 3
    assert result.history_reports == 3
    assert {r.source for r in result.rows} == {"历史数据导入"}


# --- Union administrators ---------------------------------------------------------------------------------------


def test_union_loads_its_subtree_submitted_and_approved_for_the_office(union, tree):
    rows = [r for r in ROWS if r[0] != "E-B1"]
    done = union.load(workbook(rows))
    assert done.result.accepted == 0
    assert done.result.submitted == 4
    statuses = set(Report.objects.values_list("status", flat=True))
    assert statuses == {ReportStatus.APPROVED}
    assert not NodeAggregate.objects.exists()  # nothing counts before the office accepts


def test_union_cannot_import_outside_its_subtree_with_the_uniform_message(union, tree):
    problems = union.refused(workbook([ROWS[0], ROWS[2]]))
    assert [(p.code, p.row, p.column) for p in problems] == [("org_not_allowed", 3, "A")]
    assert problems[0].message == "机构代码 E-B1 不存在，或不在“云南电网”中您有权填报的单位之内"
    unknown = union.refused(workbook([["NOPE", "x", "2019", 1, 1, 1, 1, 1, 1]]))
    assert unknown[0].message == "机构代码 NOPE 不存在，或不在“云南电网”中您有权填报的单位之内"


def test_union_cannot_overwrite_accepted_figures(union, office):
    office.load(workbook(ROWS[:1]))
    problems = union.refused(workbook([["E-A1", "", "2019", 1200, 300, 100, 500, 300, 1500]]))
    assert [p.code for p in problems] == [ACCEPTED_DIFFERS]


# --- Each problem, with its location --------------------------------------------------------------------------------


def test_each_problem_is_refused_with_its_sheet_row_column_and_fix(office, tree):
    rows = [
        ["E-A1", "", "2019", 1000, 300, 100, 400, 200, 1500],  # row 3: fine
        ["E-A2", "", "去年", 800, 200, 100, 300, 200, 900],  # row 4: unknown period
        ["E-A2", "", "2019Q3", 800, 200, 100, 300, 200, 900],  # row 5: a quarter for a yearly data set
        ["E-A2", "", "2021", 800, 200, 100, 300, 200, 900],  # row 6: 2021 is still open on 2022-01-10
        ["E-B1", "", "2019", "六百", 100, 100, 200, 200, 400],  # row 7: a value the element refuses
        ["E-B1", "", "2020", 999, 100, 100, 200, 200, 400],  # row 8: total ≠ parts (an error rule)
        ["E-A1", "", "2019年", 1000, 300, 100, 400, 200, 1500],  # row 9: the same organisation and period again
    ]
    problems = office.refused(workbook(rows, title="历年产业工人情况"))
    located = [(p.code, p.sheet, p.row, p.column) for p in problems]
    assert located == [
        (UNKNOWN_PERIOD, "历年统计", 4, "C"),
        (PERIOD_WRONG_TYPE, "历年统计", 5, "C"),
        (PERIOD_NOT_CLOSED, "历年统计", 6, "C"),
        ("value_invalid", "历年统计", 7, "D"),
        (RULE_FAILED, "历年统计", 8, ""),
        ("duplicate_org", "历年统计", 9, "A"),
    ]
    assert all(p.fix for p in problems)
    assert problems[3].value == "六百"
    assert problems[5].message == "“昆明供电局”2019年度的数据重复：第 3 行已有"


def test_accepted_figures_that_differ_are_refused_unless_the_office_overwrites(office, tree):
    office.load(workbook(ROWS[:1]))
    changed = [["E-A1", "", "2019", 1200, 300, 100, 500, 300, 1500]]
    problems = office.refused(workbook(changed))
    assert [(p.code, p.row, p.column) for p in problems] == [(ACCEPTED_DIFFERS, 2, "D")]
    assert "已验收 1,000" in problems[0].message or "已验收 1000" in problems[0].message
    done = office.load(workbook(changed), overwrite=True)
    assert done.result.overwritten == 1
    report = Report.objects.get(org__code="E-A1", period__code="2019")
    assert report.status == ReportStatus.ACCEPTED
    assert value("E-A1", "2019") == "1200"
    assert ReportSource.objects.get(report=report).overwrote is True
    reopen = AuditEntry.objects.get(event="reporting.report.reopen", object_id=str(report.pk))
    assert "历史数据导入覆盖已验收数据" in reopen.detail["reason"]
    total = NodeAggregate.objects.get(org=tree.province, period__code="2019", element__code="WF_WORKERS").total
    assert total == 1200


def test_a_failure_in_the_last_row_writes_nothing(office, tree, monkeypatch):
    """The plan was clean; the write of the last report fails inside the transaction: nothing stays."""
    from reporting.services import history as service

    step = office.upload(workbook())
    assert office.preview(step).ok
    real = service._advance
    calls = []

    def failing(by, report, source):
        calls.append(report.pk)
        if len(calls) == len(ROWS):
            raise service.UserError("模拟最后一份报表失败")
        return real(by, report, source)

    monkeypatch.setattr(service, "_advance", failing)
    before = state()
    done = office.confirm(step)
    assert not done.ok
    assert done.problems[0].row == 7
    assert state() == before
    assert not NodeAggregate.objects.exists()
    assert not AuditEntry.objects.filter(event="reporting.history.apply").exists()


# --- The mapping: changed, saved and reused ---------------------------------------------------------------------


def test_a_person_changes_the_mapping_and_it_is_reused_for_the_next_file(office, tree):
    headers = ["机构代码", "报告期", "职工总数", "培训次数"]
    step = office.upload(workbook([["E-A1", "2019", 1000, 1500]], headers))
    assert flow.suggested_columns(office.meta(step)) == {"职工总数": "", "培训次数": ""}
    columns = {"职工总数": "WF_WORKERS", "培训次数": "WF_TRAINING_PERSON_TIMES"}
    assert office.preview(step, columns, save=True).ok
    mapping = HistoryMapping.objects.get(org=tree.province)
    assert mapping.columns == columns
    assert AuditEntry.objects.filter(event="reporting.history.mapping").count() == 1
    nxt = office.upload(workbook([["E-A2", "2020", 800, 900]], headers))
    assert office.meta(nxt)["suggested"]["职工总数"] == {"token": "WF_WORKERS", "how": "saved"}
    assert office.preview(nxt).ok
    assert office.confirm(nxt).ok
    assert value("E-A2", "2020") == "800"
    # Another organisation's saved mapping is not offered.
    other = Loader(tree, (office.dataset,), tree.user(Role.UNION_ADMIN, tree.union_a), tree.union_a)
    assert flow.suggested_columns(other.meta(other.upload(workbook([["E-A2", "2020", 8, 9]], headers)))) == {
        "职工总数": "",
        "培训次数": "",
    }


def test_ignored_columns_are_said_in_the_summary(office):
    headers = [*HEADERS, "备注"]
    step = office.upload(workbook([[*ROWS[0], "无"]], headers))
    previewed = office.preview(step)
    assert previewed.ok
    assert office.meta(step)["plan"]["ignored"] == ["备注"]


def test_a_mapping_to_an_unknown_cell_or_twice_to_one_cell_is_refused(office):
    step = office.upload(workbook(ROWS[:1]))
    columns = flow.suggested_columns(office.meta(step))
    columns["产业工人总数"] = "NOPE"
    columns["职业技能培训人次"] = "WF_WORKERS_GROUP.MIGRANT.MALE"
    problems = office.preview(step, columns).problems
    assert [(p.code, p.field) for p in problems] == [
        ("mapping_invalid", "产业工人总数"),
        ("mapping_invalid", "职业技能培训人次"),
    ]


def test_a_file_without_header_or_not_xlsx_is_refused(office):
    problems = office.refused(workbook([["x", "y"]], ["甲", "乙"]))
    assert problems[0].code == "no_header"
    assert "机构代码" in problems[0].fix
    assert office.refused(b"not a workbook at all")[0].code == "not_xlsx"
