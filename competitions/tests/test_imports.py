"""Importing entries from the workbook: every problem listed with sheet, row and column in Chinese, all or nothing;
the template lists the event's trades and is read back as it was written."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from competitions.choices import CompetitionStatus
from competitions.excel import SHEET, template_workbook
from competitions.models import CompetitionEntry
from competitions.services.imports import entries_import
from competitions.tests.factories import entries_workbook, make_competition, make_entry, make_person, write_temp
from core.models import AuditEntry
from reporting.excel.problems import ImportRefused

pytestmark = pytest.mark.django_db


def test_template_lists_the_trades(tree):
    competition = make_competition(tree.union_a)
    book = load_workbook(io.BytesIO(template_workbook(competition)))
    assert [c.value for c in book[SHEET][1]] == ["工种", "参赛单位代码", "姓名", "人才库编号（可不填）"]
    assert [r[0].value for r in book["工种列表"].iter_rows()] == ["变电检修工", "配电线路工"]


def test_import_enters_everyone(tree, organiser, tmp_path):
    competition = make_competition(tree.union_a)
    person = make_person(tree.unit_a1, "李雷")
    data = entries_workbook([("变电检修工", "E-A1", "李雷", person.pk), ("配电线路工", "E-A2", "韩梅梅", None)])
    created = entries_import(by=organiser, competition=competition, path=write_temp(tmp_path, data))
    assert len(created) == 2
    assert CompetitionEntry.objects.get(person=person).org == tree.ent_a1
    assert CompetitionEntry.objects.get(name="韩梅梅", person=None).trade.name == "配电线路工"
    assert AuditEntry.objects.get(event="competitions.entry.import").detail == {"rows": 2}


def test_all_problems_listed_and_nothing_written(tree, organiser, tmp_path):
    competition = make_competition(tree.union_a)
    make_entry(competition, tree.ent_a1, trade="变电检修工", name="已报名")
    elsewhere = make_person(tree.ent_b1, "外单位")
    data = entries_workbook(
        [
            ("变电检修工", "E-A1", "张三", None),  # fine, yet not written
            ("焊工", "E-A1", "李四", None),  # row 3: unknown trade
            ("变电检修工", "NOPE", "王五", None),  # row 4: unknown organisation
            ("变电检修工", "E-A1", "", None),  # row 5: no name
            ("变电检修工", "E-A1", "张三", None),  # row 6: twice in the file
            ("变电检修工", "E-A1", "已报名", None),  # row 7: entered already
            ("变电检修工", "E-A1", "外单位", elsewhere.pk),  # row 8: not visible to the organiser
        ]
    )
    with pytest.raises(ImportRefused) as refused:
        entries_import(by=organiser, competition=competition, path=write_temp(tmp_path, data))
    found = [(p.sheet, p.row, p.column, p.message) for p in refused.value.problems]
    assert found == [
        (SHEET, 3, "A", "本竞赛没有这个工种"),
        (SHEET, 4, "B", "找不到这个机构代码"),
        (SHEET, 5, "C", "未填写姓名"),
        (SHEET, 6, "C", "与第 2 行重复：同一人在同一工种只能报名一次"),
        (SHEET, 7, "C", "已报名该工种"),
        (SHEET, 8, "D", "人才库中找不到这个编号"),
    ]
    assert CompetitionEntry.objects.filter(competition=competition).count() == 1
    assert not AuditEntry.objects.filter(event="competitions.entry.import").exists()


def test_person_of_another_enterprise_and_wrong_name(tree, organiser, tmp_path):
    competition = make_competition(tree.union_a)
    other = make_person(tree.ent_a2, "曲靖人")
    own = make_person(tree.ent_a1, "昆明人")
    data = entries_workbook([("变电检修工", "E-A1", "曲靖人", other.pk), ("变电检修工", "E-A1", "别名", own.pk)])
    with pytest.raises(ImportRefused) as refused:
        entries_import(by=organiser, competition=competition, path=write_temp(tmp_path, data))
    assert [(p.row, p.column, p.message) for p in refused.value.problems] == [
        (2, "D", "该人员不在“昆明供电局”及其下属单位"),
        (3, "C", f"与人才库编号 {own.pk} 的姓名不一致"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (entries_workbook([], header=["姓名", "工种"]), "表头与模板不一致"),
        (entries_workbook([("变电检修工", "E-A1", "甲", None)], sheet="Sheet1"), "找不到工作表“参赛人员”"),
        (entries_workbook([]), "没有参赛人员"),
        (b"not a workbook at all", None),
    ],
)
def test_unreadable_files_are_refused_whole(tree, organiser, tmp_path, data, message):
    competition = make_competition(tree.union_a)
    with pytest.raises(ImportRefused) as refused:
        entries_import(by=organiser, competition=competition, path=write_temp(tmp_path, data))
    if message:
        assert refused.value.problems[0].message == message
    assert refused.value.problems[0].message  # every refusal says why, in Chinese
    assert not CompetitionEntry.objects.exists()


def test_finished_event_takes_no_import(tree, organiser, tmp_path):
    competition = make_competition(tree.union_a, status=CompetitionStatus.FINISHED)
    data = entries_workbook([("变电检修工", "E-A1", "甲", None)])
    with pytest.raises(ImportRefused) as refused:
        entries_import(by=organiser, competition=competition, path=write_temp(tmp_path, data))
    assert refused.value.problems[0].message == "竞赛已结束，不能再报名。"
