"""Score cards and the provincial summary as files: opened again (openpyxl, pdftotext) and compared with the
stored results, who may download which computation, the audit trail, and what never appears in them."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections import Counter
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from assessment import exports, queries, services
from assessment.choices import SCORED_KINDS, CriterionKind, Grade, RoundStatus
from assessment.models import CriterionResult, Dimension, Result
from assessment.scoring import NORMALISATION_TEXT, scale_dimension
from assessment.tests.rounds import advance, published_round
from core.actor import Actor
from core.models import AuditEntry
from orgs.choices import Role
from orgs.tests.factories import make_user

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(tree, wf, clock):
    return published_round(tree, wf, clock)


def _get(client, user, name: str, pk: int):
    client.force_login(user)
    return client.get(reverse(f"assessment:{name}", args=[pk]))


def _workbook(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store, private"
    with tempfile.TemporaryFile() as handle:
        handle.write(b"".join(response.streaming_content))
        handle.seek(0)
        return load_workbook(handle)


def _pdf_text(response, tmp_path: Path, name: str = "file.pdf") -> tuple[str, str]:
    """The PDF's text in the order it was drawn (pdftotext -raw: a table cell's lines stay together), and
    its page and font information (pdfinfo, pdffonts)."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    path = tmp_path / name
    path.write_bytes(b"".join(response.streaming_content))
    text, info, fonts = (_poppler(tool, path) for tool in ("pdftotext", "pdfinfo", "pdffonts"))
    return text, info + fonts


def _poppler(tool: str, path: Path) -> str:
    """Run one of poppler-utils' tools (pdftotext -raw, pdfinfo, pdffonts) on `path`."""
    arguments = ["-raw", str(path), "-"] if tool == "pdftotext" else [str(path)]
    executable = shutil.which(tool)
    assert executable, f"{tool} is missing: install poppler-utils (make system-deps)"
    return subprocess.run(  # noqa: S603 - a fixed tool on our own file, no shell
        [executable, *arguments], capture_output=True, check=True, text=True
    ).stdout


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _rows(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _find(rows: list[list], first: str) -> list:
    found = [r for r in rows if r and r[0] == first]
    assert len(found) == 1, (first, found)
    return found[0]


def _card(sheet) -> tuple[dict[str, str], list[list]]:
    """The lines above the table ({label: value}) and the table with the totals under it."""
    rows = _rows(sheet)
    header = next(i for i, r in enumerate(rows) if r[0] == "维度 / 考核指标")
    return {r[0]: r[1] for r in rows[2:header] if r[0]}, rows[header:]


# --- The score card as .xlsx ----------------------------------------------------------------------------


def test_the_score_card_workbook_holds_every_stored_point_with_its_explanation(client, world):
    participant = world.participants["E-A1"]
    computation = world.computation
    response = _get(client, world.office, "score_card_xlsx", participant.pk)
    sheet = _workbook(response).active
    facts, rows = _card(sheet)

    assert sheet.title == "考核评分表"
    assert sheet["A1"].value == "考核评分表：昆明供电局（2021年度产改工作考核）"
    result = Result.objects.get(computation=computation, participant=participant)
    assert facts["被考核单位"] == "昆明供电局（E-A1）"
    assert facts["考核轮次"] == "2021年度产改工作考核（2021年度量化考核办法（第1版））"
    assert facts["总分"] == f"{result.total} 分"
    assert facts["等次"] == Grade(result.grade).label
    assert facts["总排名"] == f"第 {result.rank} 名"
    assert rows[0] == ["维度 / 考核指标", "类型", "数据", "目标", "达成情况", "计分规则", "计分说明", "分值", "得分",
                      "评分人", "佐证材料"]  # fmt: skip

    stored = CriterionResult.objects.filter(computation=computation, participant=participant).select_related(
        "criterion__dimension"
    )
    raw: dict[int, list[D]] = {}
    for cr in stored:
        row = _find(rows, cr.criterion.name)
        kind = cr.criterion.kind
        if kind in SCORED_KINDS:
            assert row[8] == float(cr.points) and row[7] == float(cr.max_points), cr.criterion.code
            assert row[6] == cr.detail["text"]
            assert row[5] == cr.detail["rule"]
            sums = raw.setdefault(cr.criterion.dimension_id, [D(0), D(0)])
            sums[0] += cr.points
            sums[1] += cr.max_points
        elif kind == CriterionKind.DEDUCTION:
            assert row[8] == -float(cr.points)
        elif kind == CriterionKind.BONUS:
            assert row[8] == float(cr.points) == 3.0
            assert "获全国荣誉 3.00 分（获全国五一劳动奖状）" in row[6]
    cert = _find(rows, "持证率达标")
    assert cert[2:5] == ["50.00%", "20.00%", "250.00%"]  # value, target, attainment as stored
    group = _find(rows, "领导小组和工作机制")
    assert group[9] == "审核人甲：好（材料齐全）\nrater_copper：较好（机制基本健全）"
    assert group[10] == "领导小组成立文件"

    for dimension in Dimension.objects.filter(framework=world.round.framework):
        row = _find(rows, dimension.name)
        got, full = raw[dimension.pk]
        assert row[7] == float(dimension.points)
        assert row[8] == float(scale_dimension(got, full, dimension.points))
    assert _find(rows, "折算基本得分（满分 100.00 分）")[8] == float(result.normalised)
    assert _find(rows, "加分")[8] == float(result.bonus)
    assert _find(rows, "扣分")[8] == -float(result.deduction)
    total = _find(rows, "总分")
    assert total[8] == float(result.total) and total[8] == float(result.normalised + result.bonus - result.deduction)
    assert NORMALISATION_TEXT in [r[0] for r in rows]
    assert any(r[0] and str(r[0]).startswith("分数由平台按考核方案和已验收数据计算") for r in rows)

    entry = AuditEntry.objects.get(event="assessment.score_card.export")
    assert entry.username == world.office.username and entry.object_id == str(participant.pk)
    # 2 dimensions, their 4 criteria, the bonus, the deduction and the veto.
    assert entry.detail == {"format": "xlsx", "round": world.round.pk, "computation": 1, "rows": 9}


def test_deductions_read_as_negative_points_and_a_veto_says_which_grade_it_took_away(client, world):
    by, round_ = Actor(user=world.office), world.round
    a2 = world.participants["E-A2"]
    _facts, rows = _card(_workbook(_get(client, world.office, "score_card_xlsx", a2.pk)).active)
    # 曲靖供电局 sent its 2021 yearly report late: −1 (reports_late), and it was vetoed.
    late = _find(rows, "扣分项")
    assert late[8] == -1.0 and late[7] == 5.0
    assert late[6] == "合计 1.00 分（上限 5.00 分）。 逾期报送 1.00 分（逾期或未报送 1 份（曲靖供电局）。）"
    assert _find(rows, "扣分")[8] == -1.0
    veto = _find(rows, "一票否决")
    assert veto[6] == "发生否决事项：发生较大生产安全事故" and veto[5] == "发生即最高评为“合格”"

    # 昆明供电局 (优秀 on its points) is vetoed after a reopening: its card says what the veto took away.
    services.round_reopen(by=by, round_=round_, version=round_.version, reason="补登否决事项")
    services.entry_add(by=by, participant=world.participants["E-A1"], criterion=world.criteria["VETO"], item="",
                       note="发生重大劳动争议群体事件")  # fmt: skip
    latest = services.round_compute(by=by, round_=round_)
    result = Result.objects.get(computation=latest, participant=world.participants["E-A1"])
    assert (result.grade_before_cap, result.grade) == (Grade.EXCELLENT, Grade.PASS)
    facts, _rows_a1 = _card(_workbook(_get(client, world.office, "score_card_xlsx", result.participant_id)).active)
    assert facts["等次"] == "合格（一票否决，原为优秀）"
    assert _find(_rows_a1, "等次")[8] == "合格"


def test_text_that_looks_like_a_formula_is_written_as_text(client, world, tree):
    participant = world.participants["E-A1"]
    round_ = world.round
    services.round_reopen(by=Actor(user=world.office), round_=round_, version=round_.version, reason="补充材料")
    round_.refresh_from_db()
    # Evidence can only be added during self-assessment and rating: put it straight in, as an old row would be.
    participant.evidence.create(kind="link", title="=cmd|' /C calc'!A0", url="https://example.org/x",
                                criterion=world.criteria["CERT"])  # fmt: skip
    _facts, rows = _card(_workbook(_get(client, world.office, "score_card_xlsx", participant.pk)).active)

    cell = _find(rows, "持证率达标")[10]
    assert cell == "'=cmd|' /C calc'!A0"


# --- Who downloads which computation --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["score_card_xlsx", "score_card_pdf"])
def test_a_card_outside_the_scope_is_not_found(client, world, tree, name):
    a1 = world.participants["E-A1"]
    # The guidance-group member rates 昆明供电局 but belongs to 云南铜业股份: rating gives no sight of scores.
    for outsider in (tree.user(Role.REPORTER, tree.ent_a2), tree.user(Role.UNION_ADMIN, tree.union_b), world.own_rater):
        assert _get(client, outsider, name, a1.pk).status_code == 404
    assert not AuditEntry.objects.filter(event="assessment.score_card.export").exists()
    assert _get(client, tree.user(Role.UNION_ADMIN, tree.union_a), "score_card_xlsx", a1.pk).status_code == 200


def test_others_get_the_published_computation_and_the_office_the_latest(client, world, tree):
    by, round_ = Actor(user=world.office), world.round
    participant = world.participants["E-A1"]
    published = Result.objects.get(computation=world.computation, participant=participant)
    services.round_reopen(by=by, round_=round_, version=round_.version, reason="领导小组材料复核")
    services.calibrate(by=by, participant=participant, criterion=world.criteria["GROUP"], level="D",
                       reason="复核发现领导小组未实际运转")  # fmt: skip
    latest = services.round_compute(by=by, round_=round_)
    newer = Result.objects.get(computation=latest, participant=participant)
    assert newer.total < published.total

    office_facts, office_rows = _card(_workbook(_get(client, world.office, "score_card_xlsx", participant.pk)).active)
    reporter = tree.user(Role.REPORTER, tree.ent_a1)
    reporter_facts, reporter_rows = _card(_workbook(_get(client, reporter, "score_card_xlsx", participant.pk)).active)

    assert _find(office_rows, "总分")[8] == float(newer.total)
    assert office_facts["计分结果"].startswith("第2次计算")
    assert office_facts["计分结果"].endswith("未公布（产改办预览）")
    assert _find(reporter_rows, "总分")[8] == float(published.total)
    assert reporter_facts["计分结果"] == "第1次计算，计算于 2022-03-01 10:00，已于 2022-03-01 公布"
    exported = AuditEntry.objects.filter(event="assessment.score_card.export").order_by("id")
    assert [(e.username, e.detail["computation"]) for e in exported] == [
        (world.office.username, 2),
        (reporter.username, 1),
    ]


def test_nothing_to_download_before_a_computation_or_publication(client, tree, wf, clock):
    from assessment.tests.factories import make_framework

    office = tree.user(Role.OFFICE_ADMIN)
    by = Actor(user=office)
    round_ = services.round_open(by=by, framework=make_framework(office), name="未公布的轮次", orgs=[tree.ent_a1])
    participant = round_.participants.get()
    assert _get(client, office, "score_card_xlsx", participant.pk).status_code == 404  # nothing computed yet
    advance(by, round_, RoundStatus.CALIBRATION)
    services.round_compute(by=by, round_=round_)
    assert _get(client, office, "score_card_xlsx", participant.pk).status_code == 200
    assert _get(client, tree.user(Role.REPORTER, tree.ent_a1), "score_card_xlsx", participant.pk).status_code == 404
    assert _get(client, office, "summary_xlsx", round_.pk).status_code == 200
    assert _get(client, tree.user(Role.LEADER, tree.province), "summary_xlsx", round_.pk).status_code == 404


def test_downloads_are_rate_limited_per_address(client, world, settings):
    settings.EXPORT_RATE_PER_MINUTE = 1
    pk = world.participants["E-A1"].pk
    assert _get(client, world.office, "score_card_xlsx", pk).status_code == 200
    refused = _get(client, world.office, "score_card_pdf", pk)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert refused.content.decode() == "导出过于频繁，请60秒后再试。"
    assert AuditEntry.objects.filter(event="assessment.score_card.export").count() == 1


# --- The score card as PDF -----------------------------------------------------------------------------


def test_the_score_card_pdf_is_a4_in_noto_sans_cjk_with_page_numbers_and_the_stored_points(client, world, tmp_path):
    participant = world.participants["E-B1"]
    result = Result.objects.get(computation=world.computation, participant=participant)
    text, info = _pdf_text(_get(client, world.office, "score_card_pdf", participant.pk), tmp_path)
    flat = _flat(text)

    assert "A4" in info and "NotoSansCJKSC" in info.replace("-", "").replace(" ", "")
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    for page in range(1, pages + 1):
        assert f"第{page}页/共{pages}页" in flat
    assert "考核评分表：云南铜业股份（2021年度产改工作考核）" in flat
    assert f"总分{result.total}分" in flat
    assert f"等次{Grade(result.grade).label}" in flat
    for cr in CriterionResult.objects.filter(computation=world.computation, participant=participant).select_related(
        "criterion"
    ):
        assert _flat(cr.criterion.name) in flat
        if cr.criterion.kind in SCORED_KINDS:
            assert _flat(cr.detail["text"]) in flat, cr.criterion.code
    assert _flat("审核人甲：较好（材料齐全）") in flat
    assert _flat(NORMALISATION_TEXT) in flat
    entry = AuditEntry.objects.get(event="assessment.score_card.export")
    assert entry.detail["format"] == "pdf"


def test_the_page_counter_css_comes_from_the_translated_sentence():
    assert exports.page_counter_css() == '"第 " counter(page) " 页 / 共 " counter(pages) " 页"'


# --- The provincial summary -----------------------------------------------------------------------------


def test_the_summary_workbook_equals_the_stored_results_and_names_no_person(client, world, tree):
    computation = world.computation
    leader = tree.user(Role.LEADER, tree.province)
    workbook = _workbook(_get(client, leader, "summary_xlsx", world.round.pk))
    assert workbook.sheetnames == ["汇总", "排名"]
    figures, ranking = _rows(workbook["汇总"]), _rows(workbook["排名"])
    results = list(Result.objects.filter(computation=computation).select_related("participant__org", "weakest"))

    assert figures[0][0] == "考核结果汇总表（2021年度产改工作考核）"
    assert _find(figures, "参评单位")[1] == "3 家"
    grades = Counter(r.grade for r in results)
    for grade in Grade:
        row = _find(figures, str(grade.label))
        assert row[1] == grades.get(grade, 0)
        assert row[2] == pytest.approx(grades.get(grade, 0) * 100 / 3, abs=0.005)
    summary = queries.summary(computation)
    for dimension, average in summary.dimensions:
        assert _find(figures, dimension.name)[2] == float(average)
    assert _find(figures, "平均总分")[1] == str(summary.average)

    header = ranking[2]
    assert header[:5] == ["总排名", "单位代码", "单位名称", "同类分组", "同类排名"]
    assert header[5:7] == ["素质提升", "改革组织推进"]
    body = ranking[3:]
    ranked = sorted(results, key=lambda r: (r.rank, r.participant.org.code))
    assert [r[1] for r in body] == [r.participant.org.code for r in ranked]
    for row in body:
        result = next(r for r in results if r.participant.org.code == row[1])
        card = queries.score_card(result.participant, computation)
        assert row[0] == result.rank and row[2] == result.participant.org.name
        assert row[5:7] == [float(d.scaled) for d in card.dimensions]
        assert row[7:11] == [float(v) for v in (result.normalised, result.bonus, result.deduction, result.total)]
        assert row[11] == Grade(result.grade).label and row[12] == ("是" if result.vetoed else None)

    cells = " ".join(str(v) for sheet in (figures, ranking) for row in sheet for v in row if v is not None)
    for user in User.objects.all():
        assert user.username not in cells
    for person in ("审核人甲", "材料齐全", "机制基本健全"):
        assert person not in cells
    entry = AuditEntry.objects.get(event="assessment.summary.export")
    assert entry.username == leader.username and entry.detail == {"format": "xlsx", "computation": 1, "rows": 3}


def test_the_summary_pdf_lists_the_ranking(client, world, tree, tmp_path):
    text, info = _pdf_text(_get(client, world.office, "summary_pdf", world.round.pk), tmp_path)
    flat = _flat(text)
    assert "A4" in info
    assert "考核结果汇总表（2021年度产改工作考核）" in flat
    for result in Result.objects.filter(computation=world.computation).select_related("participant__org"):
        assert _flat(f"{result.participant.org.name}") in flat
        assert str(result.total) in flat
    assert "第1页/共" in flat


def test_the_summary_is_for_the_office_and_the_whole_province_only(client, world, tree):
    pk = world.round.pk
    # They see the round (published, their organisations in it) but not every organisation in it.
    for user in (tree.user(Role.UNION_ADMIN, tree.union_a), tree.user(Role.REPORTER, tree.ent_b1)):
        response = _get(client, user, "summary_xlsx", pk)
        assert response.status_code == 403
        assert "省级汇总表仅供产改办和全省范围的领导小组成员导出。" in response.content.decode()
    # No export right, or the round is nothing to them at all.
    assert _get(client, tree.user(Role.INFO_OFFICER, tree.province), "summary_xlsx", pk).status_code == 403
    assert _get(client, make_user("nobody"), "summary_xlsx", pk).status_code == 404
    assert not AuditEntry.objects.filter(event="assessment.summary.export").exists()


def test_the_summary_page_shows_the_same_ranking_as_the_stored_results(client, world, tree):
    leader = tree.user(Role.LEADER, tree.province)
    response = _get(client, leader, "summary", world.round.pk)
    assert response.status_code == 200
    body = response.content.decode()
    assert "考核结果汇总表（2021年度产改工作考核）" in body and "等次分布" in body and "各维度平均得分" in body
    for result in Result.objects.filter(computation=world.computation).select_related("participant__org"):
        assert result.participant.org.name in body and str(result.total) in body
    # The content security policy refuses style attributes: the tables take their widths from classes.
    assert " style=" not in body
    assert body.count("summary-narrow") == 1 and body.count("summary-medium") == 2
    assert "assessment/summary" in body and ".css" in body
    refused = _get(client, tree.user(Role.UNION_ADMIN, tree.union_a), "summary", world.round.pk)
    assert refused.status_code == 403
    assert "省级汇总表仅供产改办和全省范围的领导小组成员查看。" in refused.content.decode()
