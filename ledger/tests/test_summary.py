"""The province's summaries (推进情况统计): adoption of plans and leading groups by reform year, counted on
hand-made ledgers; quantified-target shares; officer coverage; alerts by kind month by month; the page
and its scope (the office sees the province, a union its subtree)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from ledger.choices import AlertKind, KeyTask, OfficerKind, TargetKind, TaskStatus
from ledger.models import Alert, Ledger, Officer
from ledger.queries import summary as q
from ledger.tests.factories import make_task
from orgs.choices import OrgKind, Role
from orgs.tests.factories import make_org

pytestmark = pytest.mark.django_db

# The reform starts on 2018-01-01 (the settings' default): year 1 is 2018, year 3 is 2020, year 4 is 2021.
PLANS = {"滇工甲": dt.date(2018, 5, 1), "滇工乙": dt.date(2020, 3, 1), "滇工丙": dt.date(2020, 12, 31),
         "滇工丁": dt.date(2021, 1, 1), "滇工戊": None}  # fmt: skip
GROUPS = {"滇工甲": dt.date(2019, 1, 1), "滇工乙": None, "滇工丙": dt.date(2020, 6, 1), "滇工丁": None,
          "滇工戊": None}  # fmt: skip


@pytest.fixture
def five_unions(tree, clock):
    """Five more provincial unions on the ledger, with plans in years 1, 3, 3, 4 and none; and an enterprise."""
    ledgers = {}
    for name, plan in PLANS.items():
        union = make_org(tree.unions, name, OrgKind.UNION)
        ledgers[name] = Ledger.objects.create(
            org=union, listed_on=dt.date(2018, 1, 1), plan_issued_on=plan, group_established_on=GROUPS[name]
        )
    enterprise = make_org(ledgers["滇工乙"].org, "滇工乙一厂", OrgKind.ENTERPRISE)
    ledgers["滇工乙一厂"] = Ledger.objects.create(
        org=enterprise, listed_on=dt.date(2018, 1, 1), plan_issued_on=dt.date(2019, 2, 1)
    )
    return ledgers


def by_year(adoption) -> dict[int, tuple[int, int, int, int]]:
    return {r.year: (r.plans, r.plans_total, r.groups, r.groups_total) for r in adoption.rows}


def test_adoption_counts_each_reform_year_and_the_running_total(five_unions):
    adoption = q.adoption(Ledger.objects.all(), kind=OrgKind.UNION, today=dt.date(2022, 1, 10))
    assert adoption.orgs == 5
    # Plans in years 1, 3, 3, 4 and one none; groups in years 2 and 3.
    assert by_year(adoption) == {
        1: (1, 1, 0, 0),
        2: (0, 1, 1, 1),
        3: (2, 3, 1, 2),
        4: (1, 4, 0, 2),
        5: (0, 4, 0, 2),  # today (2022-01-10) is in year 5
    }
    assert (adoption.plans_none, adoption.groups_none) == (1, 3)
    assert adoption.rows[2].start == dt.date(2020, 1, 1) and adoption.rows[2].end == dt.date(2020, 12, 31)
    enterprises = q.adoption(Ledger.objects.all(), kind=OrgKind.ENTERPRISE, today=dt.date(2022, 1, 10))
    assert enterprises.orgs == 1 and by_year(enterprises)[2] == (1, 1, 0, 0)


def test_a_plan_before_the_start_is_its_own_row(five_unions):
    Ledger.objects.filter(org__name="滇工戊").update(plan_issued_on=dt.date(2017, 9, 1))
    adoption = q.adoption(Ledger.objects.all(), kind=OrgKind.UNION, today=dt.date(2022, 1, 10))
    assert adoption.rows[0].label == "改革启动前" and adoption.rows[0].plans == 1
    assert adoption.rows[-1].plans_total == 5 and adoption.plans_none == 0


def test_the_page_shows_adoption_for_the_office_and_a_union_its_subtree(client, tree, five_unions):
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    response = client.get(reverse("ledger:summary"))
    assert response.status_code == 200
    unions = response.context["summary"].unions
    assert unions.orgs == 5 and by_year(unions)[3] == (2, 3, 1, 2)
    body = response.content.decode()
    assert "台账单位 5 家：已出台实施方案 4 家，未出台 1 家" in body
    start = body.index(">", body.index('id="chart-unions-spec"')) + 1
    spec = json.loads(body[start : body.index("</script>", start)])
    assert spec["categories"][:4] == ["第1年", "第2年", "第3年", "第4年"]
    assert spec["series"][0]["values"][:4] == [1, 0, 2, 1]
    assert spec["series"][2]["values"][:4] == [1, 1, 3, 4]
    # A union sees itself and its own enterprise only.
    admin = tree.user(Role.UNION_ADMIN, five_unions["滇工乙"].org)
    client.force_login(admin)
    response = client.get(reverse("ledger:summary"))
    assert response.context["summary"].unions.orgs == 1
    assert response.context["summary"].enterprises.orgs == 1
    assert "滇工甲" not in response.content.decode()


def test_quantified_share_by_key_task_and_by_union(tree, ledgers, clock):
    make_task(ledgers["E-A1"])  # contribution, a counted result
    make_task(ledgers["E-A1"], key_task=KeyTask.CONTRIBUTION, target_kind=TargetKind.NONE)
    make_task(ledgers["E-A2"], key_task=KeyTask.SKILLS, target_kind=TargetKind.NONE)
    make_task(ledgers["U-A"], key_task=KeyTask.SKILLS)
    make_task(ledgers["E-B1"], key_task=KeyTask.THOUGHT)
    make_task(ledgers["E-B1"], key_task=KeyTask.THOUGHT, target_kind=TargetKind.NONE, status=TaskStatus.CANCELLED)
    from ledger.models import Task

    rows = {r.label: (r.tasks, r.quantified, r.share) for r in q.quantified_by_key_task(Task.objects.all())}
    assert rows["建功立业"] == (2, 1, pytest.approx(50))
    assert rows["素质提升"] == (2, 1, pytest.approx(50))
    assert rows["思想引领"] == (1, 1, pytest.approx(100))  # the cancelled one left out
    assert rows["队伍壮大"] == (0, 0, None)  # no task: no data, not 0%
    assert rows["合计"][:2] == (5, 3)
    unions = {r.label: (r.tasks, r.quantified) for r in q.quantified_by_union(Task.objects.all())}
    assert unions == {"云南电网": (4, 2), "中国铜业": (1, 1)}


def test_officer_coverage_today(tree, ledgers, clock):
    def officer(code, kind, left=None):
        Officer.objects.create(ledger=ledgers[code], kind=kind, name="李四", started_on=dt.date(2021, 1, 1),
                               left_on=left)  # fmt: skip

    officer("E-A1", OfficerKind.INFO)
    officer("E-A1", OfficerKind.LIAISON)
    officer("E-A2", OfficerKind.INFO)
    officer("U-A", OfficerKind.LIAISON)
    officer("E-B1", OfficerKind.INFO, left=dt.date(2021, 12, 1))  # gone before today (2022-01-10)
    rows = {r.label: (r.orgs, r.info, r.liaison, r.both) for r in q.officer_coverage(Ledger.objects.all())}
    assert rows == {"省级产业系统公司工会": (2, 0, 1, 0), "企业": (3, 2, 1, 1), "合计": (5, 2, 2, 1)}


def test_alerts_by_kind_at_each_month_end(tree, ledgers, clock):
    def alert(org, kind, raised, cleared=None, subject=""):
        Alert.objects.create(org=org, kind=kind, subject=subject, reason="测试", since=raised, raised_on=raised,
                             cleared_on=cleared, checked_on=raised)  # fmt: skip

    alert(tree.ent_a1, AlertKind.NO_PLAN, dt.date(2021, 10, 5), dt.date(2021, 12, 1))
    alert(tree.ent_a2, AlertKind.NO_PLAN, dt.date(2021, 11, 30))
    alert(tree.ent_b1, AlertKind.TASK_OVERDUE, dt.date(2021, 12, 31), subject="1")
    alert(tree.ent_b1, AlertKind.NO_GROUP, dt.date(2020, 1, 1), dt.date(2020, 6, 1))  # before the window
    series = q.alerts_by_month(Alert.objects.all(), today=dt.date(2022, 1, 10), months=4)
    assert series.labels == ["2021-10", "2021-11", "2021-12", "2022-01"]
    kinds = {label: counts for _kind, label, counts in series.kinds}
    assert kinds == {"未出台实施方案": [1, 2, 1, 1], "任务逾期未完成": [0, 0, 1, 1]}
    assert series.totals == [1, 2, 2, 2]
    # Scoped like the rest: union A sees its enterprises' alerts only.
    from ledger.models import Alert as AlertModel

    admin = tree.user(Role.UNION_ADMIN, tree.union_a)
    mine = q.alerts_by_month(AlertModel.objects.visible_to(admin), today=dt.date(2022, 1, 10), months=4)
    assert {label for _kind, label, _counts in mine.kinds} == {"未出台实施方案"}


def test_the_page_shows_every_section(client, tree, ledgers, clock):
    make_task(ledgers["E-A1"])
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    body = client.get(reverse("ledger:summary")).content.decode()
    for section in ("adoption-union", "adoption-enterprise", "quantified-by-key-task", "quantified-by-union",
                    "officer-coverage", "alerts-over-time"):  # fmt: skip
        assert f'id="{section}"' in body, section
    assert "vendor/echarts/echarts.min.js" in body and "ledger/summary.js" in body
    assert "<script>" not in body  # no inline script (CSP): the specs are json_script blocks
    assert "近 12 个月没有预警。" in body


def test_the_api_gives_the_adoption_numbers_within_the_scope(tree, five_unions):
    from accounts.tests.factories import api_client

    body = api_client(tree.user(Role.OFFICE_ADMIN), ip="10.60.0.3").get("/api/v1/ledger/summary/").json()
    years = {y["year"]: (y["plans"], y["plans_total"], y["groups"], y["groups_total"]) for y in body["unions"]["years"]}
    assert years[1] == (1, 1, 0, 0) and years[3] == (2, 3, 1, 2) and years[4] == (1, 4, 0, 2)
    assert body["unions"]["orgs"] == 5 and body["unions"]["plans_none"] == 1
    assert body["enterprises"]["orgs"] == 1
    assert body["reform_start"] == "2018-01-01"
    assert {"quantified_by_key_task", "quantified_by_union", "officer_coverage", "alerts_by_month"} <= set(body)
    # A union administrator: its own subtree only.
    admin = tree.user(Role.UNION_ADMIN, five_unions["滇工乙"].org)
    mine = api_client(admin, ip="10.60.0.4").get("/api/v1/ledger/summary/").json()
    assert mine["unions"]["orgs"] == 1 and "滇工甲" not in json.dumps(mine, ensure_ascii=False)
