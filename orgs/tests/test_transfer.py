"""The organisation tree's export and import: round trip, every problem located, moves and closures keeping
history and past roll-ups, scope, a file changed between preview and confirm, hostile workbooks, pages and jobs."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from core.actor import Actor
from core.errors import UserError
from core.models import AuditEntry
from orgs.choices import OrgKind, Role
from orgs.models import Organisation, OrgLink
from orgs.transfer import services, storage
from orgs.transfer.columns import HEADERS, SHEET
from orgs.transfer.exporting import write_export
from orgs.transfer.problems import Code
from orgs.validators import credit_code_check_char

ON = dt.date(2024, 7, 1)


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.ORG_IMPORT_DIR = tmp_path / "org-imports"
    return settings.ORG_IMPORT_DIR


def export_bytes(user, fmt: str = "xlsx") -> bytes:
    buffer = io.BytesIO()
    write_export(buffer, fmt, user)
    return buffer.getvalue()


def rows_of(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data))[SHEET]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def workbook(rows: list[list], headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def edited(data: bytes, change) -> bytes:
    """The exported workbook with `change(rows)` applied to its data rows (a list of lists, header excluded)."""
    rows = rows_of(data)
    body = [list(r) for r in rows[1:]]
    change(body)
    return workbook(body, rows[0])


def run(user, data: bytes, *, kind: str = "xlsx", on: dt.date = ON, name: str = "机构.xlsx"):
    """Upload → preview as `user`: (token, meta)."""
    token = storage.new_token()
    path = storage.save_upload(token, [data])
    actor = Actor(user=user) if user is not None else Actor.system("tests")
    meta, _plan = services.preview(actor=actor, path=path, token=token, filename=name, kind=kind, on=on)
    return token, meta


def confirm(user, token, meta):
    actor = Actor(user=user) if user is not None else Actor.system("tests")
    return services.confirm(actor=actor, token=token, meta=meta)


def problems(meta) -> list[tuple]:
    return [(p["code"], p["row"], p["column"], p["value"]) for p in meta.get("problems", [])]


def row_index(body, code) -> int:
    return next(i for i, r in enumerate(body) if r[0] == code)


# --- Export and round trip ---------------------------------------------------------------------------------------


def test_export_has_the_template_columns_labels_and_instructions(tree):
    office = tree.user(Role.OFFICE_ADMIN)
    data = export_bytes(office)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [SHEET, "填写说明"]
    rows = rows_of(data)
    assert tuple(rows[0]) == HEADERS
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["530000"][4] is None  # the root has no parent
    assert by_code["E-A1"][1:7] == ["昆明供电局", None, "企业", "U-A", None, "D 电力、热力、燃气及水生产和供应业"]
    assert by_code["E-A1"][7] == "530100"
    assert len(rows) - 1 == Organisation.objects.count()


def test_union_export_is_its_subtree_without_the_parent_outside_it(tree):
    admin = tree.user(Role.UNION_ADMIN)
    rows = rows_of(export_bytes(admin))
    assert [r[0] for r in rows[1:]] == ["U-A", "E-A1", "UNIT-A1", "E-A2"]
    assert rows[1][4] is None  # CAT-UNION is outside its scope: not named


def test_export_neutralises_formulas_and_csv_has_a_bom(tree):
    Organisation.objects.filter(code="E-A1").update(notes="=cmd|' /C calc'!A0", short_name="@SUM(A1)")
    office = tree.user(Role.OFFICE_ADMIN)
    rows = {r[0]: r for r in rows_of(export_bytes(office))[1:]}
    assert rows["E-A1"][11] == "'=cmd|' /C calc'!A0" and rows["E-A1"][2] == "'@SUM(A1)"
    text = export_bytes(office, "csv")
    assert text.startswith(b"\xef\xbb\xbf") and b"'=cmd" in text


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip_changes_nothing(tree, fmt):
    office = tree.user(Role.OFFICE_ADMIN)
    Organisation.objects.filter(code="E-A1").update(notes="=1+1 带公式样的备注")
    before = list(Organisation.objects.values_list("code", "version", "path"))
    audit_rows = AuditEntry.objects.count()
    token, meta = run(office, export_bytes(office, fmt), kind=fmt)
    assert meta["state"] == "preview", problems(meta)
    counts = meta["plan"]["counts"]
    assert counts == {"rows": Organisation.objects.count(), "create": 0, "change": 0, "move": 0, "close": 0,
                      "unchanged": Organisation.objects.count()}  # fmt: skip
    outcome = confirm(office, token, meta)
    assert not outcome.problems and outcome.counts["unchanged"] == counts["rows"]
    assert list(Organisation.objects.values_list("code", "version", "path")) == before
    events = list(AuditEntry.objects.order_by("id").values_list("event", flat=True)[audit_rows:])
    assert events == ["orgs.import.preview", "orgs.import.apply"]


def test_union_round_trip_of_its_own_subtree(tree):
    admin = tree.user(Role.UNION_ADMIN)
    token, meta = run(admin, export_bytes(admin))
    assert meta["state"] == "preview", problems(meta)
    assert meta["plan"]["counts"]["unchanged"] == 4


# --- Every problem, located ----------------------------------------------------------------------------------------

GOOD_CREDIT = "91530100MA6K7ABC1" + credit_code_check_char("91530100MA6K7ABC1")
NEW = ["N-1", "新企业", "", "企业", "U-A", "", "", "", "", "2020-01-01", None, ""]


def _with(**cells):
    row = list(NEW)
    for index, value in cells.items():
        row[int(index[1:])] = value
    return row


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # A duplicate code: the later row, pointing at the first.
        ([NEW, _with(c1="又一个")], [(Code.DUPLICATE_CODE, 3, "A", "N-1")]),
        ([_with(c0="N 1")], [(Code.MALFORMED_CODE, 2, "A", "N 1")]),
        ([_with(c8="91530100MA6K7ABC1X")], [(Code.CREDIT_CODE, 2, "I", "91530100MA6K7ABC1X")]),
        ([_with(c4="NOWHERE")], [(Code.UNKNOWN_PARENT, 2, "E", "NOWHERE")]),
        ([_with(c3="工厂")], [(Code.UNKNOWN_CHOICE, 2, "D", "工厂")]),
        ([_with(c6="Z 未知行业")], [(Code.UNKNOWN_CHOICE, 2, "G", "Z 未知行业")]),
        ([_with(c5="国有")], [(Code.UNKNOWN_CHOICE, 2, "F", "国有")]),
        ([_with(c7="539999")], [(Code.UNKNOWN_REGION, 2, "H", "539999")]),
        ([_with(c10="2019-12-31")], [(Code.DATE_ORDER, 2, "K", "2019-12-31")]),
        ([_with(c9="2021-02-30")], [(Code.DATE_INVALID, 2, "J", "2021-02-30")]),
        ([_with(c4="")], [(Code.REQUIRED, 2, "E", "")]),
        # A cycle across two new rows.
        ([_with(c4="N-2"), _with(c0="N-2", c4="N-1")], [(Code.CYCLE, 2, "E", "N-2"), (Code.CYCLE, 3, "E", "N-1")]),
    ],
    ids=["duplicate", "malformed", "credit-check", "unknown-parent", "unknown-kind", "unknown-industry",
         "unknown-ownership", "unknown-region", "dates-order", "bad-date", "no-parent", "cycle"],
)  # fmt: skip
def test_each_problem_is_refused_with_its_location(tree, rows, expected):
    office = tree.user(Role.OFFICE_ADMIN)
    count = Organisation.objects.count()
    token, meta = run(office, workbook(rows))
    assert meta["state"] == "refused"
    assert problems(meta) == expected
    assert all(p["sheet"] == SHEET and p["fix"] for p in meta["problems"])
    assert Organisation.objects.count() == count
    assert not storage.path_of(token, ".upload").exists()  # a refused upload is not kept


def test_every_problem_is_listed_at_once(tree):
    office = tree.user(Role.OFFICE_ADMIN)
    _token, meta = run(office, workbook([_with(c0="bad code"), _with(c0="N-3", c3="工厂", c7="1"), NEW, NEW]))
    assert [p[0] for p in problems(meta)] == [Code.MALFORMED_CODE, Code.UNKNOWN_CHOICE, Code.UNKNOWN_REGION,
                                              Code.DUPLICATE_CODE]  # fmt: skip


def test_a_move_into_its_own_subtree_is_a_cycle(tree):
    office = tree.user(Role.OFFICE_ADMIN)
    data = edited(export_bytes(office), lambda body: body[row_index(body, "U-A")].__setitem__(4, "UNIT-A1"))
    _token, meta = run(office, data)
    assert [(p[0], p[3]) for p in problems(meta)] == [(Code.CYCLE, "UNIT-A1")]
    assert "U-A → UNIT-A1 → E-A1 → U-A" in meta["problems"][0]["message"]


def test_hostile_headers_are_listed(tree):
    office = tree.user(Role.OFFICE_ADMIN)
    headers = [h for h in HEADERS if h != "类型"] + ["多余的列"]
    _token, meta = run(office, workbook([NEW[:3] + NEW[4:] + ["x"]], headers))
    assert sorted(p["code"] for p in meta["problems"]) == [Code.HEADER, Code.HEADER]
    assert {p["message"] for p in meta["problems"]} == {"未知的列“多余的列”", "缺少“类型”列"}


def test_new_organisations_are_created_under_file_rows_and_the_tree(tree):
    office = tree.user(Role.OFFICE_ADMIN)
    rows = [_with(c0="N-2", c1="子公司", c3="基层单位", c4="N-1", c5="省属企业", c6="C", c8=GOOD_CREDIT), NEW]
    token, meta = run(office, workbook(rows))
    assert meta["state"] == "preview", problems(meta)
    assert [c["code"] for c in meta["plan"]["creates"]] == ["N-2", "N-1"]
    outcome = confirm(office, token, meta)
    assert outcome.counts["create"] == 2, outcome.problems
    child = Organisation.objects.get(code="N-2")
    assert child.get_parent().code == "N-1" and child.get_parent().get_parent().code == "U-A"
    assert (child.kind, child.ownership, child.industry) == (OrgKind.UNIT, "provincial", "C")
    assert OrgLink.objects.get(org=child).valid_from == dt.date(2020, 1, 1)
    assert AuditEntry.objects.filter(event="orgs.organisation.create", object_id=str(child.pk)).count() == 1


def test_changes_show_field_by_field(tree):
    office = tree.user(Role.OFFICE_ADMIN)

    def change(body):
        row = body[row_index(body, "E-A1")]
        row[1], row[5], row[6] = "昆明供电局（新）", "省属企业", "C 制造业"

    token, meta = run(office, edited(export_bytes(office), change))
    [changed] = meta["plan"]["changes"]
    assert [list(s) for s in changed["shown"]] == [
        ["名称", "昆明供电局", "昆明供电局（新）"],
        ["所有制", "（空）", "省属企业"],
        ["行业", "D 电力、热力、燃气及水生产和供应业", "C 制造业"],
    ]
    assert confirm(office, token, meta).counts["change"] == 1
    org = Organisation.objects.get(code="E-A1")
    assert (org.name, org.ownership, org.industry) == ("昆明供电局（新）", "provincial", "C")


# --- Moves and closures keep history ------------------------------------------------------------------------------


def test_a_move_keeps_its_history_from_the_effective_date(tree):
    office = tree.user(Role.OFFICE_ADMIN)
    data = edited(export_bytes(office), lambda body: body[row_index(body, "E-A2")].__setitem__(4, "U-B"))
    token, meta = run(office, data, on=ON)
    [move] = meta["plan"]["moves"]
    assert (move["old_parent"], move["new_parent"], move["on"]) == ("U-A", "U-B", "2024-07-01")
    assert confirm(office, token, meta).counts["move"] == 1
    org = Organisation.objects.get(code="E-A2")
    assert org.get_parent().code == "U-B"
    links = list(
        OrgLink.objects.filter(org=org).order_by("valid_from").values_list("parent__code", "valid_from", "valid_to")
    )
    assert links == [("U-A", dt.date(2018, 1, 1), ON), ("U-B", ON, None)]
    assert AuditEntry.objects.filter(event="orgs.organisation.move", object_id=str(org.pk)).count() == 1


def test_a_closure_ends_the_link_and_keeps_the_row(tree):
    office = tree.user(Role.OFFICE_ADMIN)
    data = edited(export_bytes(office), lambda body: body[row_index(body, "UNIT-A1")].__setitem__(10, "2024-06-30"))
    token, meta = run(office, data)
    assert [c["code"] for c in meta["plan"]["closes"]] == ["UNIT-A1"]
    assert confirm(office, token, meta).counts["close"] == 1
    org = Organisation.objects.get(code="UNIT-A1")
    assert org.closed_on == dt.date(2024, 6, 30)
    assert OrgLink.objects.get(org=org).valid_to == dt.date(2024, 6, 30)


def test_closing_a_parent_with_open_children_is_refused(tree):
    office = tree.user(Role.OFFICE_ADMIN)
    data = edited(export_bytes(office), lambda body: body[row_index(body, "E-A1")].__setitem__(10, "2024-06-30"))
    _token, meta = run(office, data)
    assert [(p[0], p[2]) for p in problems(meta)] == [(Code.CLOSE_REFUSED, "K")]
    assert "UNIT-A1" in meta["problems"][0]["message"]


def test_a_move_dated_before_the_current_link_is_refused_with_the_reason(tree):
    office = tree.user(Role.OFFICE_ADMIN)
    data = edited(export_bytes(office), lambda body: body[row_index(body, "E-A2")].__setitem__(4, "U-B"))
    _token, meta = run(office, data, on=dt.date(2017, 6, 1))
    assert [p[0] for p in problems(meta)] == [Code.MOVE_REFUSED]
    assert "2018-01-01" in meta["problems"][0]["message"]


def test_a_move_before_the_new_parent_existed_would_orphan_reports(tree):
    office = tree.user(Role.OFFICE_ADMIN)
    Organisation.objects.filter(code="U-B").update(opened_on=dt.date(2024, 1, 1))
    data = edited(export_bytes(office), lambda body: body[row_index(body, "E-A2")].__setitem__(4, "U-B"))
    _token, meta = run(office, data, on=dt.date(2023, 6, 1))
    assert [p[0] for p in problems(meta)] == [Code.MOVE_REFUSED]
    assert "无处汇总" in meta["problems"][0]["message"]


def test_reopening_a_closed_organisation_is_refused(tree):
    office = tree.user(Role.OFFICE_ADMIN)
    data = export_bytes(office)
    Organisation.objects.filter(code="UNIT-A1").update(closed_on=dt.date(2023, 1, 1))
    _token, meta = run(office, data)
    assert [(p[0], p[2]) for p in problems(meta)] == [(Code.CLOSE_REFUSED, "K")]


# --- Scope --------------------------------------------------------------------------------------------------------


def test_a_union_cannot_import_outside_its_subtree_and_learns_nothing(tree):
    admin = tree.user(Role.UNION_ADMIN)
    existing_elsewhere = _with(c0="N-9", c4="E-B1")  # E-B1 exists, in another union
    missing = _with(c0="N-8", c4="NO-SUCH")
    _token, meta = run(admin, workbook([existing_elsewhere, missing]))
    messages = [p["message"] for p in meta["problems"]]
    assert [p[0] for p in problems(meta)] == [Code.UNKNOWN_PARENT, Code.UNKNOWN_PARENT]
    assert messages[0].replace("E-B1", "X") == messages[1].replace("NO-SUCH", "X")  # one answer for both
    # Changing an organisation of another union: refused, as for a code taken elsewhere.
    _token, meta = run(admin, workbook([["E-B1", "改名", "", "企业", "", "", "", "", "", "", None, ""]]))
    assert [p[0] for p in problems(meta)] == [Code.NOT_IN_SCOPE]
    assert Organisation.objects.get(code="E-B1").name == "云南铜业股份"


def test_a_union_imports_within_its_subtree(tree):
    admin = tree.user(Role.UNION_ADMIN)
    token, meta = run(admin, workbook([_with(c4="E-A1")]))
    assert meta["state"] == "preview", problems(meta)
    assert confirm(admin, token, meta).counts["create"] == 1
    assert Organisation.objects.get(code="N-1").get_parent().code == "E-A1"


# --- Confirm -------------------------------------------------------------------------------------------------------


def test_a_file_changed_between_preview_and_confirm_is_refused(tree):
    office = tree.user(Role.OFFICE_ADMIN)
    token, meta = run(office, workbook([NEW]))
    storage.path_of(token, ".upload").write_bytes(workbook([_with(c1="偷换的名称")]))
    outcome = confirm(office, token, meta)
    assert [p.code for p in outcome.problems] == [Code.CONFLICT] and outcome.conflict
    assert not Organisation.objects.filter(code="N-1").exists()


def test_a_tree_changed_between_preview_and_confirm_is_refused(tree):
    office = tree.user(Role.OFFICE_ADMIN)
    data = edited(export_bytes(office), lambda body: body[row_index(body, "E-A2")].__setitem__(1, "曲靖局"))
    token, meta = run(office, data)
    Organisation.objects.filter(code="E-A2").update(notes="他人刚改过")
    outcome = confirm(office, token, meta)
    assert [p.code for p in outcome.problems] == [Code.CONFLICT]
    assert Organisation.objects.get(code="E-A2").name == "曲靖供电局"


def test_a_code_that_is_a_page_of_its_own_is_refused_with_its_place(tree):
    office = tree.user(Role.OFFICE_ADMIN)
    _token, meta = run(office, workbook([_with(c0="transfer")]))
    assert meta["state"] == "refused"
    assert (Code.MALFORMED_CODE, 2, "A", "transfer") in problems(meta)
    assert "系统保留" in meta["problems"][0]["message"]


def test_a_refusal_halfway_rolls_everything_back(tree, monkeypatch):
    office = tree.user(Role.OFFICE_ADMIN)

    def change(body):
        body[row_index(body, "E-A1")][1] = "昆明供电局（新）"
        body += [NEW, _with(c0="N-2", c4="N-1")]

    token, meta = run(office, edited(export_bytes(office), change))

    def failing(**kwargs):  # the change comes after the new organisations were written
        raise UserError("模拟的拒绝")

    monkeypatch.setattr(services.services, "org_update", failing)
    outcome = confirm(office, token, meta)
    assert [p.code for p in outcome.problems] == [Code.CHANGE_REFUSED] and "模拟的拒绝" in outcome.problems[0].message
    assert not Organisation.objects.filter(code__in=["N-1", "N-2"]).exists()
    assert Organisation.objects.get(code="E-A1").name == "昆明供电局"


# --- Hostile files --------------------------------------------------------------------------------------------------


def _xlsm(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/vbaProject.bin", b"\x00macro")
    return out.getvalue()


def _external(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/externalLinks/externalLink1.xml", b"<externalLink/>")
    return out.getvalue()


def _bomb(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item.filename))
        dst.writestr("xl/media/padding.xml", b"<a>" + b" " * (30 * 1024 * 1024) + b"</a>")
    return out.getvalue()


def _formula(data: bytes) -> bytes:
    book = load_workbook(io.BytesIO(data))
    book[SHEET]["L2"] = '=HYPERLINK("http://example.invalid","x")'
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "code", "security"),
    [(_xlsm, Code.MACROS, False), (_external, Code.EXTERNAL, True), (_bomb, Code.ZIP_BOMB, False),
     (_formula, Code.FORMULA, True), (lambda d: b"\x89PNG\r\n\x1a\n" + d, Code.NOT_READABLE, False)],
    ids=["xlsm", "external-link", "zip-bomb", "formula", "png-renamed"],
)  # fmt: skip
def test_hostile_workbooks_are_refused_before_reading(tree, settings, make, code, security):
    settings.ORG_IMPORT_MAX_INFLATED = 20 * 1024 * 1024
    office = tree.user(Role.OFFICE_ADMIN)
    token, meta = run(office, make(workbook([NEW])))
    assert [p["code"] for p in meta["problems"]] == [code]
    event = AuditEntry.objects.filter(object_type="orgs.import", object_id=token).get()
    assert event.event == ("security.import.refused" if security else "orgs.import.refused")
    assert not Organisation.objects.filter(code="N-1").exists()


def test_a_file_over_the_row_limit_is_refused(tree, settings):
    settings.ORG_IMPORT_MAX_ROWS = 3
    office = tree.user(Role.OFFICE_ADMIN)
    _token, meta = run(office, workbook([_with(c0=f"N-{i}") for i in range(5)]))
    assert [p["code"] for p in meta["problems"]] == [Code.TOO_MANY_ROWS]
