"""The engine's answers: ratio of sums, migrant exclusion, period roll-ups, moved and closed organisations,
levels, disaggregation and scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F

from analytics import engine
from analytics.choices import Level
from analytics.engine import Query
from analytics.tests.helpers import accepted_report, cells, office
from core.errors import UserError
from orgs import services as org_services
from orgs.choices import OrgKind, Role
from orgs.tests.factories import SYSTEM, make_org
from reporting.choices import ReportStatus

pytestmark = pytest.mark.django_db


def ask(tree, measure, *, user=None, **kwargs):
    kwargs.setdefault("periods", ("2021",))
    return engine.answer(user or office(tree), Query(measure=measure, **kwargs))


def by_org(result, period=None):
    return {f.org_code or f.group: f for f in result.rows if period is None or f.period == period}


def test_certification_rate_is_a_ratio_of_sums_over_non_migrants(tree, wf):
    wf_y, _wf_q = wf
    # A1: 300 certified of 600 non-migrants (50%); A2: 10 of 1000 (1%).
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=600, migrant=400, certified=300)
    accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=1000, migrant=0, certified=10)
    result = ask(tree, "indicator:CERT_RATE", org=tree.union_a.pk)
    total = result.totals[0]
    assert (total.numerator, total.denominator) == (Decimal(310), Decimal(1600))
    assert total.value == Decimal("19.38")  # 310 / 1600, not (50% + 1%) / 2 = 25.50%
    assert total.display == "19.38%"
    assert result.engine == "aggregate"
    assert result.as_of is not None
    assert "数据截至" in result.as_of_label


def test_migrant_workers_are_excluded_from_the_rate_but_labelled_all_worker_rate_includes_them(tree, wf):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=2783, migrant=4524, certified=381, college=700)
    rate = ask(tree, "indicator:CERT_RATE").totals[0]
    all_workers = ask(tree, "indicator:CERT_RATE_ALL")
    assert rate.value == Decimal("13.69")  # 381 / 2783
    assert all_workers.totals[0].value == Decimal("5.21")  # 381 / 7307
    assert "含农民工" in all_workers.label
    assert "不含农民工" in ask(tree, "indicator:CERT_RATE").scope
    college = ask(tree, "indicator:COLLEGE_RATE").totals[0]
    assert college.value == Decimal("25.15")  # 700 / 2783


def test_only_accepted_reports_count_unless_submitted_data_is_asked_for(tree, wf):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=100, migrant=0)
    accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=50, migrant=0, status=ReportStatus.SUBMITTED)
    accepted_report(tree, wf_y, "2021", tree.ent_b1, nonmigrant=7, migrant=0, status=ReportStatus.DRAFT)
    assert ask(tree, "element:WF_WORKERS").totals[0].value == Decimal(100)
    with_submitted = ask(tree, "element:WF_WORKERS", include_submitted=True)
    assert with_submitted.totals[0].value == Decimal(150)
    assert with_submitted.engine == "raw"
    assert any("已提交" in note for note in with_submitted.notes)


def test_quarters_roll_up_to_the_year_flows_add_stocks_take_the_last_quarter(tree, wf):
    _wf_y, wf_q = wf
    for quarter, workers, trained in (("2021Q1", 100, 10), ("2021Q2", 120, 20), ("2021Q3", 130, 30)):
        accepted_report(tree, wf_q, quarter, tree.ent_a1, nonmigrant=workers, migrant=0, training_person_times=trained)
    # The yearly data set also asks both elements: without a yearly report the year has no figure.
    assert ask(tree, "element:WF_TRAINING_PERSON_TIMES").totals == []
    quarters = engine.period_codes("quarter", "2021Q1", "2021Q4")
    result = ask(tree, "element:WF_TRAINING_PERSON_TIMES", periods=quarters)
    assert [(f.period, f.value) for f in result.totals] == [("2021Q1", 10), ("2021Q2", 20), ("2021Q3", 30)]


def test_a_year_is_rolled_up_from_quarters_for_elements_only_reported_quarterly(tree, wf, monkeypatch):
    _wf_y, wf_q = wf
    for quarter, workers, trained in (("2021Q1", 100, 10), ("2021Q2", 120, 20), ("2021Q3", 130, 30)):
        accepted_report(tree, wf_q, quarter, tree.ent_a1, nonmigrant=workers, migrant=0, training_person_times=trained)
    original = engine.element_meta

    def quarterly_only(codes):
        return {code: _quarterly(meta) for code, meta in original(codes).items()}

    monkeypatch.setattr(engine.measures, "element_meta", quarterly_only)
    monkeypatch.setattr(engine.measures.Metadata, "_get", lambda self, key, compute: compute())  # nothing kept
    assert ask(tree, "element:WF_TRAINING_PERSON_TIMES").totals[0].value == Decimal(60)  # flow: 10 + 20 + 30
    assert ask(tree, "element:WF_WORKERS").totals[0].value == Decimal(130)  # stock: the last quarter, not 350
    assert ask(tree, "element:WF_WORKERS", periods=("2021H1",)).totals[0].value == Decimal(120)


def _quarterly(meta):
    from dataclasses import replace

    return replace(meta, native=frozenset({"quarter"}))


def test_a_quarter_cannot_be_split_out_of_a_yearly_figure(tree, wf):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2021", tree.ent_a1)
    result = ask(tree, "indicator:CERT_RATE", periods=("2021Q1",))
    assert result.totals == []
    assert result.notes


def test_children_level_lists_each_child_and_the_roots_own_report(tree, wf):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=100, migrant=0)
    accepted_report(tree, wf_y, "2021", tree.unit_a1, nonmigrant=10, migrant=0)
    accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=50, migrant=0)
    union = ask(tree, "element:WF_WORKERS", org=tree.union_a.pk, level=Level.CHILDREN)
    rows = by_org(union)
    assert rows["E-A1"].value == Decimal(110) and rows["E-A1"].has_children
    assert rows["E-A2"].value == Decimal(50)
    assert union.totals[0].value == Decimal(160)
    enterprise = ask(tree, "element:WF_WORKERS", org=tree.ent_a1.pk, level=Level.CHILDREN)
    rows = {f.group: f for f in enterprise.rows}
    assert rows[f"own:{tree.ent_a1.pk}"].value == Decimal(100)
    assert "本级" in rows[f"own:{tree.ent_a1.pk}"].org_name
    assert rows[f"org:{tree.unit_a1.pk}"].value == Decimal(10)


def test_prefecture_union_and_enterprise_levels_agree_with_the_raw_values(tree, wf):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=100, migrant=20, certified=30)  # 530100
    accepted_report(tree, wf_y, "2021", tree.unit_a1, nonmigrant=10, migrant=0, certified=1)  # no region
    accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=50, migrant=5, certified=20)  # 530300
    accepted_report(tree, wf_y, "2021", tree.ent_b1, nonmigrant=40, migrant=0, certified=4)  # no region
    for level in (Level.PREFECTURE, Level.UNION, Level.ENTERPRISE):
        fast = ask(tree, "indicator:CERT_RATE", org=tree.province.pk, level=level)
        raw = ask(tree, "indicator:CERT_RATE", org=tree.province.pk, level=level, include_submitted=True)
        assert fast.engine == "aggregate" and raw.engine == "raw"
        assert _values(fast) == _values(raw), level
    prefectures = {f.group: f.value for f in ask(tree, "indicator:CERT_RATE", level=Level.PREFECTURE).rows}
    assert prefectures["region:530100"] == Decimal("30.00")
    assert prefectures["region:530300"] == Decimal("40.00")
    assert prefectures["region:"] == Decimal("10.00")  # 5 / 50
    unions = by_org(ask(tree, "indicator:CERT_RATE", level=Level.UNION))
    assert unions["U-A"].value == Decimal("31.88")  # 51 / 160 = 31.875
    assert unions["U-B"].value == Decimal("10.00")


def _values(result):
    return sorted(
        (f.group, f.period, f.option, f.numerator, f.denominator, f.value) for f in result.rows + result.totals
    )


def test_a_moved_enterprise_counts_where_it_stood_in_each_period_and_today_when_restated(tree, wf):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2020", tree.ent_a2, nonmigrant=50, migrant=0)
    tree.ent_a2.refresh_from_db()
    org_services.org_move(by=SYSTEM, org=tree.ent_a2, new_parent=tree.union_b, on=dt.date(2021, 7, 1),
                          version=tree.ent_a2.version)  # fmt: skip
    accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=60, migrant=0)
    years = ("2020", "2021")
    union_a = ask(tree, "element:WF_WORKERS", org=tree.union_a.pk, periods=years)
    union_b = ask(tree, "element:WF_WORKERS", org=tree.union_b.pk, periods=years)
    assert [(f.period, f.value) for f in union_a.totals] == [("2020", 50)]
    assert [(f.period, f.value) for f in union_b.totals] == [("2021", 60)]
    restated = ask(tree, "element:WF_WORKERS", org=tree.union_b.pk, periods=years, restate=True)
    assert [(f.period, f.value) for f in restated.totals] == [("2020", 50), ("2021", 60)]


def test_a_moved_enterprise_outside_the_users_scope_today_is_merged_into_one_row(tree, wf):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2020", tree.ent_a2, nonmigrant=50, migrant=0)
    tree.ent_a2.refresh_from_db()
    org_services.org_move(by=SYSTEM, org=tree.ent_a2, new_parent=tree.union_b, on=dt.date(2021, 7, 1),
                          version=tree.ent_a2.version)  # fmt: skip
    admin_a = tree.user(Role.UNION_ADMIN, tree.union_a)
    result = ask(tree, "element:WF_WORKERS", user=admin_a, org=tree.union_a.pk, level=Level.CHILDREN, periods=("2020",))
    assert [(f.group, f.org_name, f.value) for f in result.rows] == [("other", "已调出本范围的机构", 50)]
    assert "曲靖供电局" not in str(result.rows)


def test_an_organisation_closed_during_the_period_rolls_up_where_it_stood_the_day_before(tree, wf):
    wf_y, _wf_q = wf
    closing = make_org(tree.union_a, "临时项目公司", OrgKind.ENTERPRISE)
    accepted_report(tree, wf_y, "2021", closing, nonmigrant=30, migrant=0)  # report made before closing …
    closing.refresh_from_db()
    org_services.org_close(by=SYSTEM, org=closing, on=dt.date(2021, 9, 30), version=closing.version)
    from analytics import aggregates

    aggregates.rebuild()  # … and counted again on a rebuild after it closed
    assert ask(tree, "element:WF_WORKERS", org=tree.union_a.pk).totals[0].value == Decimal(30)
    assert ask(tree, "element:WF_WORKERS", org=tree.union_a.pk, include_submitted=True).totals[0].value == Decimal(30)


def test_disaggregation_by_a_category_gives_one_row_per_option(tree, wf):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=100, migrant=41)
    result = ask(tree, "element:WF_WORKERS_GROUP", by_category="GENDER")
    assert {f.option: f.value for f in result.totals} == {"MALE": 71, "FEMALE": 70}
    assert ("FEMALE", "女") in result.options
    with pytest.raises(UserError) as error:
        ask(tree, "indicator:CERT_RATE", by_category="GENDER")
    assert error.value.field == "by_category"


def test_an_enterprise_user_sees_only_its_own_subtree(tree, wf):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=100, migrant=0)
    accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=50, migrant=0)
    reporter = tree.user(Role.REPORTER, tree.ent_a1)
    own = engine.answer(reporter, Query(measure="element:WF_WORKERS", periods=("2021",)))
    assert own.root_id == tree.ent_a1.pk
    assert own.totals[0].value == Decimal(100)
    for org in (tree.ent_a2, tree.union_a, tree.province):
        with pytest.raises(engine.OutOfScope):
            engine.answer(reporter, Query(measure="element:WF_WORKERS", org=org.pk, periods=("2021",)))
    with pytest.raises(engine.OutOfScope):
        engine.drill_through(reporter, "element:WF_WORKERS", tree.ent_a2.pk, "2021")
    sys_admin = tree.user(Role.SYS_ADMIN, tree.province)
    with pytest.raises(engine.OutOfScope):
        engine.answer(sys_admin, Query(measure="element:WF_WORKERS", periods=("2021",)))


@pytest.mark.parametrize(
    ("measure", "field", "message"),
    [
        ("indicator:NOPE", "measure", "指标“NOPE”不存在或已停用。"),
        ("element:WF_NOTES", "measure", "数据元“WF_NOTES”不存在或不能汇总。"),
        ("bogus", "measure", "“bogus”不是有效的指标或数据元引用，应为 indicator:代码 或 element:代码。"),
    ],
)
def test_bad_measures_are_refused_with_a_chinese_message(tree, wf, measure, field, message):
    with pytest.raises(UserError) as error:
        ask(tree, measure)
    assert (error.value.field, error.value.message) == (field, message)


def test_bad_periods_and_levels_are_refused(tree, wf):
    with pytest.raises(UserError) as error:
        ask(tree, "element:WF_WORKERS", periods=("2021Q5",))
    assert error.value.field == "period"
    with pytest.raises(UserError) as error:
        ask(tree, "element:WF_WORKERS", level="galaxy")
    assert error.value.field == "level"
    with pytest.raises(UserError):
        ask(tree, "element:WF_WORKERS", periods=())


def test_drill_through_lists_the_reports_and_values_behind_a_figure(tree, wf):
    wf_y, _wf_q = wf
    a1 = accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=100, migrant=0, certified=30)
    a2 = accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=50, migrant=0, certified=20)
    accepted_report(tree, wf_y, "2021", tree.ent_b1, nonmigrant=40, migrant=0, certified=4)
    result = engine.drill_through(office(tree), "indicator:CERT_RATE", tree.union_a.pk, "2021")
    assert [r.report_id for r in result.rows] == [a1.pk, a2.pk]
    assert result.rows[0].values == {"#{WF_CERTIFIED}": 30, "#{WF_WORKERS_GROUP.NONMIGRANT}": 100}
    assert result.rows[1].display == "40.00%"
    own = engine.drill_through(office(tree), "indicator:CERT_RATE", tree.ent_a1.pk, "2021", own=True)
    assert [r.report_id for r in own.rows] == [a1.pk]


def test_period_codes_builds_a_range():
    assert engine.period_codes("quarter", "2020Q3", "2021Q2") == ("2020Q3", "2020Q4", "2021Q1", "2021Q2")
    assert engine.period_codes("year", "2019", "2021") == ("2019", "2020", "2021")


def test_cells_helper_is_internally_consistent():
    values = cells(nonmigrant=10, migrant=3, certified=6, college=4)
    assert values[("WF_WORKERS", "")] == 13
    assert sum(v for (code, _k), v in values.items() if code == "WF_CERT_BY_LEVEL") == 6


# --- A scope of several subtrees (a department viewer's assigned enterprises; issue 4) ---------------------


def test_several_assigned_enterprises_are_answered_together_and_agree_with_the_raw_values(tree, wf):
    wf_y, _wf_q = wf
    org_services.assignment_create(
        by=SYSTEM, department=tree.dept, enterprise=tree.ent_b1, valid_from=dt.date(2020, 1, 1)
    )
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=100, migrant=20, certified=30)  # 530100
    accepted_report(tree, wf_y, "2021", tree.unit_a1, nonmigrant=10, migrant=0, certified=1)  # no region
    accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=50, migrant=5, certified=20)  # not assigned
    accepted_report(tree, wf_y, "2021", tree.ent_b1, nonmigrant=40, migrant=0, certified=4)  # no region
    viewer = tree.user(Role.DEPT_VIEWER)

    for level in (Level.SELF, Level.CHILDREN, Level.ENTERPRISE, Level.UNION, Level.PREFECTURE, Level.REPORTING):
        fast = ask(tree, "indicator:CERT_RATE", user=viewer, level=level)
        raw = ask(tree, "indicator:CERT_RATE", user=viewer, level=level, include_submitted=True)
        assert raw.engine == "raw"
        assert _values(fast) == _values(raw), level
        assert fast.root_id is None
        assert fast.totals[0].value == Decimal("23.33")  # (30 + 1 + 4) / (100 + 10 + 40); 曲靖 left out
    rows = by_org(ask(tree, "indicator:CERT_RATE", user=viewer, level=Level.CHILDREN))
    assert set(rows) == {"E-A1", "E-B1"}
    assert rows["E-A1"].value == Decimal("28.18")  # 31 / 110
    assert rows["E-A1"].has_children  # a row to go down from
    assert ask(tree, "indicator:CERT_RATE", user=viewer, level=Level.ENTERPRISE).engine == "aggregate"
    prefectures = {f.group: f.value for f in ask(tree, "indicator:CERT_RATE", user=viewer, level=Level.PREFECTURE).rows}
    assert prefectures == {"region:530100": Decimal("30.00"), "region:": Decimal("10.00")}  # 5 / 50
    # One of them, when chosen, is answered alone; one outside the scope does not exist.
    assert ask(tree, "indicator:CERT_RATE", user=viewer, org=tree.ent_b1.pk).totals[0].value == Decimal("10.00")
    with pytest.raises(engine.OutOfScope):
        ask(tree, "indicator:CERT_RATE", user=viewer, org=tree.ent_a2.pk)


def test_drill_through_with_a_region_keeps_to_the_subtree_and_the_prefecture(tree, wf):
    wf_y, _wf_q = wf
    tree.unit_a1.region_id = "530300"
    tree.unit_a1.save(update_fields=["region_id"])
    a1 = accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=100, migrant=0, certified=30)  # 530100
    unit = accepted_report(tree, wf_y, "2021", tree.unit_a1, nonmigrant=10, migrant=0, certified=1)  # 530300
    a2 = accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=50, migrant=0, certified=20)  # 530300

    def reports(org, region):
        return [
            r.report_id
            for r in engine.drill_through(office(tree), "indicator:CERT_RATE", org, "2021", region=region).rows
        ]

    assert reports(tree.ent_a1.pk, "530300") == [unit.pk]  # not the enterprise's own report in 昆明
    assert reports(tree.ent_a1.pk, "530100") == [a1.pk]
    assert reports(tree.union_a.pk, "530300") == [unit.pk, a2.pk]
    assert reports(tree.province.pk, "530300") == [unit.pk, a2.pk]
    assert reports(tree.union_b.pk, "530300") == []


def test_year_on_year_compares_each_group_with_itself_a_year_earlier(tree, wf):
    wf_y, _wf_q = wf
    for year, certified in (("2019", 10), ("2020", 20), ("2021", 30)):
        accepted_report(tree, wf_y, year, tree.ent_a1, nonmigrant=100, migrant=0, certified=certified)
    accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=100, migrant=0, certified=5)  # nothing in 2020
    current = ask(tree, "indicator:CERT_RATE", org=tree.union_a.pk, level=Level.CHILDREN, periods=("2020", "2021"))
    result = engine.comparison(office(tree), current, kind=engine.YOY)

    changes = {(c.group.split(":")[-1], c.period): (c.base_period, c.display) for c in result.changes}
    a1, a2 = str(tree.ent_a1.pk), str(tree.ent_a2.pk)
    assert changes[(a1, "2020")] == ("2019", "+10.00个百分点")
    assert changes[(a1, "2021")] == ("2020", "+10.00个百分点")
    assert changes[(a2, "2021")] == ("2020", "—")  # no base: no change, not a jump from zero
    assert result.unit == "百分点" and result.label == "同比"
    with pytest.raises(UserError) as error:
        engine.comparison(office(tree), current, kind="mom")
    assert error.value.field == "compare"


# --- Per-request overhead (issue 4): metadata read once per process while it stays the same ---------------------


def test_a_repeated_answer_reads_the_metadata_fingerprint_not_the_metadata(tree, wf, django_assert_num_queries):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=100, migrant=0, certified=30)
    user = office(tree)
    query = Query("indicator:CERT_RATE", level=Level.PREFECTURE, periods=("2021",))
    engine.answer(user, query)

    # The scope's top, the fingerprint, the periods, the province's rows, the prefectures' rows; and for the
    # coverage (已验收 x/y 家) the data set's assignments and the organisations due with their acceptance.
    with django_assert_num_queries(7):
        assert engine.answer(user, query).totals[0].display == "30.00%"


def test_an_edited_definition_is_seen_at_once(tree, wf):
    from analytics import services
    from analytics.models import Indicator
    from core.actor import Actor

    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=300, migrant=0, certified=100)
    user = office(tree)
    query = Query("indicator:CERT_RATE", periods=("2021",))
    assert engine.answer(user, query).totals[0].display == "33.33%"

    indicator = Indicator.objects.get(code="CERT_RATE")
    services.indicator_update(by=Actor(user=user), indicator=indicator, version=indicator.version, decimals=1)
    assert engine.answer(user, query).totals[0].display == "33.3%"

    from reporting.models import DataElement

    DataElement.objects.filter(code="WF_CERTIFIED").update(name="持证人数（新）", version=F("version") + 1)
    assert engine.answer(user, Query("element:WF_CERTIFIED", periods=("2021",))).label == "持证人数（新）"
