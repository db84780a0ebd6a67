"""A worked example: a small framework and five organisations, scored by hand below and by the code.

Framework (100 points; grades 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60; peers by ownership):
  D1 素质提升 40   C1 certification rate against a target of 20%, 20 points, linear from 60% to 100% attainment
                   C2 college rate, rank among the organisations with data, 20 points, linear over the percentile
  D2 建功立业 30   C3 innovation count, improvement on last year, 10 points, full at +20%
                   C4 workers' innovation work, rubric 好 100% / 较好 80% / 一般 60% / 差 0, mean of raters, 20 points
  D3 改革组织 30   C5 yearly report on time and accepted (a platform fact), 10 points
                   C6 leading group of the reform, rubric as C4, 20 points, state-owned enterprises only
  B1 bonus: national honour 3, demonstration site 2; cap 4
  X1 deduction: 1 per late report (a counted fact); cap 5
  V1 veto: a serious accident caps the grade at 合格

Hand arithmetic (C2 percentiles among O1 30, O2 20, O3 25, O4 10 — O5 has no data — over 3 others each):
  O1 (provincial)  C1 20/20=100% → 20 | C2 3/3 → 20 | C3 +20% → 10 | C4 好,好 → 20 | C5 1 → 10 | C6 好,较好 = 90% → 18
                   D1 40/40×40 = 40.00, D2 30/30×30 = 30.00, D3 28/30×30 = 28.00 → 98.00; bonus 3+2=5 → cap 4 → 102.00;
                   优秀 by points, vetoed → 合格
  O2 (provincial)  C1 16/20=80% → (0.8−0.6)/0.4 = 50% → 10 | C2 1/3 → 6.67 | C3 +5% → 2.50 | C4 较好 → 16 | C5 ½ → 5
                   | C6 一般 → 12;  D1 16.67, D2 18.50, D3 17.00 → 52.17; 2 late reports → −2 → 50.17 → 不合格
  O3 (private)     C1 10/20=50% → 0 | C2 2/3 → 13.33 | C3 no last year → not applicable | C4 好 → 20 | C5 1 → 10
                   | C6 n/a
                   D1 13.33; D2 20/20×30 = 30.00; D3 10/10×30 = 30.00 → 73.33; bonus site 2 → 75.33 → 合格
  O4 (private)     C1 24/20=120% → 20 | C2 0/3 → 0 | C3 −10% → 0 | C4 差 → 0 | C5 1 → 10
                   D1 20.00, D2 0.00, D3 10/10×30 = 30.00 → 50.00 → 不合格
  O5 (central)     C1 no data → 0 | C2 no data → 0 | C3 100 vs 80 = +25% → 10 | C4 好,一般 = 80% → 16 | C5 0 → 0
                   | C6 较好 → 16;  D1 0.00, D2 26/30×30 = 26.00, D3 16/30×30 = 16.00 → 42.00; 6 late → cap 5 → 37.00
Ranks 1 O1, 2 O3, 3 O2, 4 O4, 5 O5; within ownership: O1 1 and O2 2, O3 1 and O4 2, O5 1.
Weakest dimension (lowest share of its applicable points): O1 D3, O2 D1, O3 D1, O4 D2, O5 D1.
"""

from decimal import Decimal as D

import pytest

from assessment.choices import CriterionKind as K
from assessment.choices import Grade
from assessment.rules import Level, Rated
from assessment.scoring import CriterionSpec, DimensionSpec, FactValue, FrameworkSpec, OrgInputs, score_round

RUBRIC = (Level("A", "好", D(1)), Level("B", "较好", D("0.8")), Level("C", "一般", D("0.6")), Level("D", "差", D(0)))
SOE = frozenset({"provincial", "central"})

FRAMEWORK = FrameworkSpec(
    id=1, year=2021, number=1, total_points=D(100), grade_method="thresholds",
    thresholds={Grade.EXCELLENT: D(90), Grade.GOOD: D(80), Grade.PASS: D(60)}, quotas={},
    dimensions=(DimensionSpec(1, "D1", "素质提升", D(40), 1), DimensionSpec(2, "D2", "建功立业", D(30), 2),
                DimensionSpec(3, "D3", "改革组织", D(30), 3)),
    criteria=(
        CriterionSpec(1, "C1", "持证率达标", 1, K.INDICATOR_TARGET, D(20), indicator="CERT", is_rate=True, unit="%",
                      target=D(20), floor=D("0.6"), cap=D(1)),
        CriterionSpec(2, "C2", "大专率排名", 1, K.INDICATOR_RANK, D(20), indicator="COLLEGE", is_rate=True, unit="%",
                      floor=D(0), cap=D(1)),
        CriterionSpec(3, "C3", "创新成果增长", 2, K.INDICATOR_IMPROVEMENT, D(10), indicator="INNOV", full_at=D(20)),
        CriterionSpec(4, "C4", "职工创新工作", 2, K.QUALITATIVE, D(20), levels=RUBRIC, combine="mean"),
        CriterionSpec(5, "C5", "年报按时报送", 3, K.FACT, D(10), fact="reports_on_time"),
        CriterionSpec(6, "C6", "领导小组", 3, K.QUALITATIVE, D(20), levels=RUBRIC, combine="mean", ownerships=SOE),
        CriterionSpec(7, "B1", "加分", 3, K.BONUS, D(4), items=({"code": "HONOUR", "label": "全国荣誉", "points": 3},
                                                                   {"code": "SITE", "label": "示范点", "points": 2})),
        CriterionSpec(8, "X1", "扣分", 3, K.DEDUCTION, D(5),
                      items=({"code": "LATE", "label": "逾期报送", "points": 1, "fact": "reports_late"},)),
        CriterionSpec(9, "V1", "否决", 3, K.VETO, D(0), grade_cap=Grade.PASS),
    ),
)  # fmt: skip


def org(pid, ownership, *, cert, college, innov, last, c4, c5, c6=(), late=0, bonus=(), veto=False):
    return OrgInputs(
        participant_id=pid, org_id=pid, code=f"O{pid}", name=f"单位{pid}", kind="enterprise", ownership=ownership,
        peer_key=ownership,
        values={"CERT": cert, "COLLEGE": college, "INNOV": innov}, last={"INNOV": last},
        targets={"CERT": D(20)},
        facts={"reports_on_time": FactValue(c5, ""), "reports_late": FactValue(D(1) if late else D(0), "", late)},
        ratings={4: [Rated(f"评分人{i}", lv) for i, lv in enumerate(c4)],
                 6: [Rated(f"评分人{i}", lv) for i, lv in enumerate(c6)]},
        entries={7: [(code, "事由") for code in bonus], **({9: [("", "重大安全事故")]} if veto else {})},
    )  # fmt: skip


ORGS = [
    org(1, "provincial", cert=D(20), college=D(30), innov=D(120), last=D(100), c4="AA", c5=D(1), c6="AB",
        bonus=("HONOUR", "SITE"), veto=True),
    org(2, "provincial", cert=D(16), college=D(20), innov=D(105), last=D(100), c4="B", c5=D("0.5"), c6="C", late=2),
    org(3, "private", cert=D(10), college=D(25), innov=D(90), last=None, c4="A", c5=D(1), bonus=("SITE",)),
    org(4, "private", cert=D(24), college=D(10), innov=D(90), last=D(100), c4="D", c5=D(1)),
    org(5, "central", cert=None, college=None, innov=D(100), last=D(80), c4="AC", c5=D(0), c6="B", late=6),
]  # fmt: skip


@pytest.fixture(scope="module")
def scores():
    return {s.participant_id: s for s in score_round(FRAMEWORK, ORGS)}


@pytest.mark.parametrize(
    ("pid", "criteria"),
    [
        (1, ["20.00", "20.00", "10.00", "20.00", "10.00", "18.00"]),
        (2, ["10.00", "6.67", "2.50", "16.00", "5.00", "12.00"]),
        (3, ["0.00", "13.33", "0.00", "20.00", "10.00", "0.00"]),
        (4, ["20.00", "0.00", "0.00", "0.00", "10.00", "0.00"]),
        (5, ["0.00", "0.00", "10.00", "16.00", "0.00", "16.00"]),
    ],
)
def test_criterion_points(scores, pid, criteria):
    assert [str(c.points) for c in scores[pid].criteria[:6]] == criteria


def test_not_applicable_criteria_are_left_out_of_the_full_points(scores):
    o3 = {c.criterion_id: c for c in scores[3].criteria}
    assert not o3[3].applicable and o3[3].max_points == 0  # no innovation count last year
    assert not o3[6].applicable and o3[6].detail["text"] == "本项不适用于该单位。"  # not state-owned
    assert scores[3].dimensions[2] == (D(20), D(20), D("30.00"))
    assert scores[3].dimensions[3] == (D(10), D(10), D("30.00"))


@pytest.mark.parametrize(
    ("pid", "dims", "normalised", "bonus", "deduction", "total"),
    [
        (1, ["40.00", "30.00", "28.00"], "98.00", "4.00", "0.00", "102.00"),
        (2, ["16.67", "18.50", "17.00"], "52.17", "0.00", "2.00", "50.17"),
        (3, ["13.33", "30.00", "30.00"], "73.33", "2.00", "0.00", "75.33"),
        (4, ["20.00", "0.00", "30.00"], "50.00", "0.00", "0.00", "50.00"),
        (5, ["0.00", "26.00", "16.00"], "42.00", "0.00", "5.00", "37.00"),
    ],
)
def test_totals(scores, pid, dims, normalised, bonus, deduction, total):
    s = scores[pid]
    assert [str(s.dimensions[d][2]) for d in (1, 2, 3)] == dims
    assert (str(s.normalised), str(s.bonus), str(s.deduction), str(s.total)) == (normalised, bonus, deduction, total)


def test_grades_ranks_and_weakest_dimension(scores):
    table = {pid: (s.grade_before_cap, s.grade, s.rank, s.group_rank, s.group_size, s.weakest_id)
             for pid, s in scores.items()}  # fmt: skip
    assert table == {
        1: (Grade.EXCELLENT, Grade.PASS, 1, 1, 2, 3),  # vetoed: 优秀 by points, capped at 合格
        2: (Grade.FAIL, Grade.FAIL, 3, 2, 2, 1),
        3: (Grade.PASS, Grade.PASS, 2, 1, 2, 1),
        4: (Grade.FAIL, Grade.FAIL, 4, 2, 2, 2),
        5: (Grade.FAIL, Grade.FAIL, 5, 1, 1, 1),
    }
    assert scores[1].vetoed and not scores[2].vetoed


def test_bonus_and_deduction_explain_their_caps(scores):
    bonus = next(c for c in scores[1].criteria if c.criterion_id == 7)
    assert bonus.detail["text"] == "合计 5.00 分，超过上限 4.00 分，按上限计。"
    deduction = next(c for c in scores[5].criteria if c.criterion_id == 8)
    assert deduction.points == D("5.00") and len(deduction.detail["events"]) == 6


def test_same_inputs_give_the_same_scores():
    again = {s.participant_id: s for s in score_round(FRAMEWORK, list(reversed(ORGS)))}
    first = {s.participant_id: s for s in score_round(FRAMEWORK, ORGS)}
    assert {k: (v.total, v.grade, v.rank) for k, v in again.items()} == {
        k: (v.total, v.grade, v.rank) for k, v in first.items()
    }


def test_two_target_criteria_on_one_indicator_keep_their_own_targets():
    from dataclasses import replace

    own = CriterionSpec(11, "T1", "持证率达到 25%", 1, K.INDICATOR_TARGET, D(10), indicator="CERT", target=D(25))
    default = CriterionSpec(12, "T2", "持证率达到年度目标", 1, K.INDICATOR_TARGET, D(10), indicator="CERT")
    framework = replace(FRAMEWORK, criteria=(own, default))
    (score,) = score_round(framework, [ORGS[0]])  # certification 20%, the indicator's target for it 20%
    assert [str(c.points) for c in score.criteria] == ["5.00", "10.00"]  # 80% of 25 → half; 100% of 20 → full
