"""Completeness, who is due and on time (Beijing-time deadline days), summaries, previous values, outliers."""

import datetime as dt
from decimal import Decimal

import pytest

from orgs.choices import Role
from orgs.tests.factories import SYSTEM, make_org
from reporting import queries, services
from reporting.choices import Timeliness as T
from reporting.models import Report
from reporting.periods import period_from_code
from reporting.tests.factories import as_actor, at, filled_report, office_user, open_report, submitted_report


def submit_at(clock, tree, dataset, org, when):
    clock.set(when)
    return submitted_report(tree, dataset, org=org)


# --- Completeness ---------------------------------------------------------------------------------


def test_completeness_counts_missing_required_errors_and_unexplained_warnings(tree, wf):
    report = filled_report(tree, wf[0])
    services.values_save(
        by=SYSTEM,
        report=report,
        version=report.version,
        values={
            ("WF_TECH_STAFF", ""): "",  # a required cell cleared
            ("WF_SUGGEST_ADOPTED", ""): "200",  # error: adopted > submitted (150)
            ("WF_CONGRESS_FRONTLINE", ""): "40",  # warning: fewer than half of 100 delegates
            ("WF_NOTES", ""): "",  # optional
        },
    )

    completeness = queries.report_completeness(report)

    assert [c.label for c in completeness.missing] == ["专业技术人员人数"]
    assert [o.code for o in completeness.errors] == ["R_SUGGEST_ADOPTED_LE_SUBMITTED"]
    assert [o.code for o in completeness.unexplained] == ["R_CONGRESS_FRONTLINE_HALF"]
    assert completeness.summary() == "必填未填 1 项，错误 1 条，未说明的警告 1 条。"
    assert not completeness.complete
    services.warning_explain(
        by=SYSTEM, report=report, rule_code="R_CONGRESS_FRONTLINE_HALF", text="本届代表选举时一线职工较少"
    )
    assert queries.report_completeness(report).unexplained == []


def test_the_valid_filling_is_complete(tree, wf):
    completeness = queries.report_completeness(filled_report(tree, wf[0]))

    assert completeness.complete and completeness.warnings == []


# --- Who must report, and when ---------------------------------------------------------------------


@pytest.fixture
def province(tree, wf):
    """The test tree plus: an enterprise straight under 昆明 (no union above), one closed in 2021,
    one opened in 2022 and a unit. Enterprises A1, A2, B1 and 昆明钢铁 must report 2021."""
    tree.km_direct = make_org(tree.kunming, "昆明钢铁", code="E-KM1", region_id="530100")
    closed = make_org(tree.union_b, "已撤销企业", code="E-CLOSED", opened_on=dt.date(2018, 1, 1))
    from orgs.models import Organisation

    Organisation.objects.filter(pk=closed.pk).update(closed_on=dt.date(2021, 6, 30))
    make_org(tree.union_b, "新设企业", code="E-NEW", opened_on=dt.date(2022, 3, 1))
    return tree


def test_orgs_due_are_the_assigned_kinds_open_on_the_last_day(province, wf):
    codes = list(queries.orgs_due(wf[0], period_from_code("2021")).values_list("code", flat=True))

    assert sorted(codes) == ["E-A1", "E-A2", "E-B1", "E-KM1"]


def test_hand_made_province_on_time_late_missing(province, wf, clock):
    wf_y = wf[0]
    tree = province
    submit_at(clock, tree, wf_y, tree.ent_a1, at(2022, 1, 20))  # on time
    submit_at(clock, tree, wf_y, tree.ent_a2, at(2022, 2, 5))  # late, within grace
    clock.set(at(2022, 1, 20))
    open_report(tree, wf_y, "2021", org=tree.km_direct)  # a draft only
    period = period_from_code("2021")

    rows = queries.reports_due(dataset=wf_y, period=period, now=at(2022, 2, 6))

    by_org = {r.org.code: (r.timeliness, r.status_label) for r in rows}
    assert by_org == {
        "E-A1": (T.ON_TIME, "已提交"),
        "E-A2": (T.LATE, "已提交"),
        "E-B1": (T.MISSING, "未填报"),
        "E-KM1": (T.MISSING, "草稿"),
    }
    total = queries.reports_due_total(rows)
    assert (total.expected, total.on_time, total.late, total.missing, total.share) == (4, 1, 1, 2, Decimal("50.00"))
    unions = [(g.name, g.expected, g.reported, g.share) for g in queries.reports_due_by_union(rows, period)]
    assert unions == [
        ("云南电网", 2, 2, Decimal("100.00")),
        ("中国铜业", 1, 0, Decimal("0.00")),
        ("无上级产业工会（直报产改办）", 1, 0, Decimal("0.00")),
    ]
    prefectures = [(g.name, g.expected, g.on_time, g.late, g.missing) for g in queries.reports_due_by_prefecture(rows)]
    assert prefectures == [("昆明市", 2, 1, 0, 1), ("曲靖市", 1, 0, 1, 0), ("未设置州市", 1, 0, 0, 1)]


def test_before_the_deadline_unsubmitted_reports_are_pending(province, wf):
    rows = queries.reports_due(dataset=wf[0], period=period_from_code("2021"), now=at(2022, 1, 31, 23, 59, 59))

    assert {r.timeliness for r in rows} == {T.PENDING}


@pytest.mark.parametrize(
    ("when", "timeliness"),
    [
        (at(2022, 1, 31, 23, 59, 59, 900000), T.ON_TIME),
        (at(2022, 2, 1, 0, 0, 0), T.LATE),
        (dt.datetime(2022, 1, 31, 15, 59, 59, tzinfo=dt.UTC), T.ON_TIME),  # 23:59:59 in Beijing
        (dt.datetime(2022, 1, 31, 16, 0, 0, tzinfo=dt.UTC), T.LATE),  # 00:00 the next day in Beijing
    ],
)
def test_the_deadline_day_ends_at_midnight_beijing_time(tree, wf, clock, when, timeliness):
    report = submit_at(clock, tree, wf[0], tree.ent_a1, when)
    report = Report.objects.get(pk=report.pk)  # as stored

    rows = queries.reports_due(dataset=wf[0], period=report.period, now=at(2022, 3, 1))

    assert report.first_submitted_at == when
    assert report.first_submitted_at.utcoffset() == dt.timedelta(0)  # stored and read back in UTC
    assert {r.org.code: r.timeliness for r in rows}["E-A1"] == timeliness


def test_an_extension_moves_the_deadline_for_its_subtree_only(tree, wf, clock):
    period = period_from_code("2021")
    services.deadline_extend(
        by=as_actor(office_user(tree)),
        dataset=wf[0],
        period=period,
        org=tree.union_a,
        new_deadline=dt.date(2022, 2, 10),
        reason="系统升级影响填报",
    )
    submit_at(clock, tree, wf[0], tree.ent_a2, at(2022, 2, 8))
    submit_at(clock, tree, wf[0], tree.ent_b1, at(2022, 2, 8))

    rows = {r.org.code: r for r in queries.reports_due(dataset=wf[0], period=period, now=at(2022, 3, 1))}

    assert (rows["E-A2"].timeliness, rows["E-A2"].deadline) == (T.ON_TIME, dt.date(2022, 2, 10))
    assert (rows["E-B1"].timeliness, rows["E-B1"].deadline) == (T.LATE, dt.date(2022, 1, 31))


def test_the_due_list_follows_the_users_scope(tree, wf):
    period = period_from_code("2021")

    union_rows = queries.reports_due(dataset=wf[0], period=period, user=tree.user(Role.UNION_ADMIN))
    reporter_rows = queries.reports_due(dataset=wf[0], period=period, user=tree.user(Role.REPORTER))
    sys_rows = queries.reports_due(dataset=wf[0], period=period, user=tree.user(Role.SYS_ADMIN))

    assert [r.org.code for r in union_rows] == ["E-A1", "E-A2"]
    assert [r.org.code for r in reporter_rows] == ["E-A1"]
    assert sys_rows == []


def test_due_list_query_count_does_not_grow_with_orgs(tree, wf, django_assert_max_num_queries):
    for n in range(5):
        make_org(tree.union_b, f"子企业{n}", code=f"E-B1-{n}")
    period = period_from_code("2021")

    with django_assert_max_num_queries(4):
        rows = queries.reports_due(dataset=wf[0], period=period, now=at(2022, 3, 1))

    assert len(rows) == 8


def test_reviewing_union_is_the_nearest_union_above(tree):
    assert queries.reviewing_union(tree.unit_a1) == tree.union_a
    assert queries.reviewing_union(tree.ent_b1) == tree.union_b
    assert queries.reviewing_union(tree.kunming) is None
    assert queries.reviewing_union(tree.union_a) is None


# --- Previous values and outliers ------------------------------------------------------------------


def test_previous_values_and_outliers_against_the_same_orgs_last_period(tree, wf, clock):
    clock.set(at(2021, 1, 10))
    last_year = filled_report(tree, wf[0], "2020")
    services.values_save(by=SYSTEM, report=last_year, version=last_year.version, values={("WF_TALK_SESSIONS", ""): "0"})
    clock.set(at(2022, 1, 10))
    report = filled_report(tree, wf[0], "2021")
    services.values_save(
        by=SYSTEM,
        report=report,
        version=report.version,
        values={
            ("WF_TRAINING_PERSON_TIMES", ""): "2251",  # +50.07%: flagged
            ("WF_TRAINING_HOURS", ""): "18000",  # +50% exactly: not flagged
            ("WF_TALK_SESSIONS", ""): "20",  # previous 0: no ratio
        },
    )

    previous = queries.previous_values(report)
    outliers = queries.report_outliers(report)

    assert previous[("WF_WORKERS", "")].value == "1000"
    assert queries.previous_value(report, "WF_WORKERS_GROUP", "MIGRANT.MALE").value == "300"
    assert [(o.key[0], o.kind, o.reference, o.current) for o in outliers] == [
        ("WF_TRAINING_PERSON_TIMES", "previous", 1500, 2251)
    ]
    assert outliers[0].message == "职业技能培训人次：上期 1500，本期 2251，变化 +50.1%，请核对。"
    assert queries.report_outliers(report, ratio=Decimal("0.2"))[0].key[0] in {
        "WF_TRAINING_HOURS",
        "WF_TRAINING_PERSON_TIMES",
    }
    assert len(queries.report_outliers(report, ratio=Decimal("0.2"))) == 2


def test_no_previous_period_no_outliers(tree, wf):
    report = filled_report(tree, wf[0])

    assert queries.previous_values(report) == {} and queries.report_outliers(report) == []


def test_peers_are_the_same_kind_under_the_same_parent_past_draft(tree, wf, clock):
    # Walk-through finding: a value far outside its peers' (the same parent's enterprises) was not flagged.
    clock.set(at(2022, 1, 10))
    others = [tree.ent_a2, make_org(tree.union_a, "红河供电局"), make_org(tree.union_a, "玉溪供电局")]
    for org in others:
        submitted_report(tree, wf[0], "2021", org=org)
    draft = make_org(tree.union_a, "草稿单位")  # a draft is not a peer: its values may still be half typed
    filled_report(tree, wf[0], "2021", org=draft)
    submitted_report(tree, wf[0], "2021", org=tree.ent_b1)  # under another parent
    report = filled_report(tree, wf[0], "2021")
    services.values_save(by=SYSTEM, report=report, version=report.version, values={("WF_STUDIO_RESULTS", ""): "9000"})

    [outlier] = queries.report_outliers(report)

    assert (outlier.key, outlier.kind, outlier.peers, outlier.reference) == (("WF_STUDIO_RESULTS", ""), "peers", 3, 40)
    assert outlier.message == (
        "创新工作室成果数：本期 9000，同类单位（同一上级下的 3 家）中位数 40，是中位数的 225 倍，请核对。"
    )
