"""The per-organisation statistics (suggestions/stats.py) against fixtures: counts, adoption rate, value,
distinct proposers, and participation only where the workforce was reported; the page and its .xlsx."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from orgs.choices import Role
from suggestions.choices import SuggestionKind, SuggestionStatus
from suggestions.models import Suggestion
from suggestions.stats import statistics
from suggestions.tests.factories import make_suggestion

S = SuggestionStatus
pytestmark = pytest.mark.django_db
DAY = dt.date(2021, 6, 1)


def dated(suggestion, **dates):
    Suggestion.objects.filter(pk=suggestion.pk).update(**dates)


@pytest.fixture
def world(tree):
    """2021: 昆明供电局 (1000 workers reported) 3 suggestions, 2 adopted, 1 rejected, 3000.50 元, proposers 张三
    (at the bureau and at its unit) and 李四; 曲靖供电局 (200 workers) 1 suggestion undecided;
    云南铜业股份 (no report) 1 adopted."""
    from analytics.tests.helpers import accepted_report
    from reporting.tests.factories import load_workforce

    yearly, _quarterly = load_workforce()
    accepted_report(tree, yearly, "2021", tree.ent_a1, nonmigrant=600, migrant=400, certified=300, edu_fund_spent=0)
    accepted_report(tree, yearly, "2021", tree.ent_a2, nonmigrant=150, migrant=50, certified=20, edu_fund_spent=0)
    zhang = [{"name": "张三", "occupation": "电工"}]
    a = make_suggestion(tree.ent_a1, submitted_on=DAY, proposers=zhang, status=S.ASSESSED, value=Decimal("1000.50"))
    b = make_suggestion(
        tree.unit_a1, submitted_on=DAY, kind=SuggestionKind.DESIGN, status=S.REWARDED, value=Decimal("2000"),
        proposers=[{"name": "张三"}, {"name": "李四"}],
    )  # fmt: skip
    c = make_suggestion(tree.ent_a1, submitted_on=DAY, proposers=zhang, status=S.REJECTED)
    for s in (a, b, c):
        dated(s, decided_on=DAY, assessed_on=DAY if s.value else None)
    make_suggestion(tree.ent_a2, submitted_on=DAY, proposers=[{"name": "王五"}])
    d = make_suggestion(tree.ent_b1, submitted_on=DAY, status=S.ADOPTED, proposers=[{"name": "赵六"}])
    dated(d, decided_on=DAY)
    # Submitted in 2020, adopted in 2021: counts as adopted in 2021, not as submitted.
    e = make_suggestion(tree.ent_a2, submitted_on=dt.date(2020, 12, 1), status=S.ADOPTED, proposers=[{"name": "钱七"}])
    dated(e, decided_on=DAY)
    return tree


def line_of(table, code):
    return next(line for line in table.lines if line.org.code == code)


def test_the_union_sees_its_enterprises_rolled_up(world):
    table = statistics(world.user(Role.UNION_ADMIN, world.union_a), year=2021)
    assert table.root == world.union_a
    assert [line.org.code for line in table.lines] == ["E-A1", "E-A2"]
    a1 = line_of(table, "E-A1")
    assert (a1.submitted, a1.wuxiao, a1.adopted, a1.rejected) == (3, 1, 2, 1)
    assert a1.adoption_rate == Decimal(2) / Decimal(3)
    assert a1.value == Decimal("3000.50")
    assert a1.proposers == 3  # an unlinked name once per organisation: 张三 at two, 李四
    assert a1.workers == Decimal(1000)
    assert a1.participation == Decimal("0.003") and a1.per_hundred == Decimal("0.30")
    a2 = line_of(table, "E-A2")
    assert (a2.submitted, a2.adopted, a2.rejected) == (1, 1, 0)
    assert a2.adoption_rate == 1 and a2.value is None and a2.workers == Decimal(200)
    total = table.total
    assert (total.submitted, total.adopted, total.rejected, total.proposers) == (4, 3, 1, 4)
    assert total.workers == Decimal(1200) and total.value == Decimal("3000.50")


def test_no_decision_no_rate_and_no_workforce_no_per_capita(world):
    table = statistics(world.user(Role.OFFICE_ADMIN), year=2021, root=world.union_b)
    b1 = line_of(table, "E-B1")
    assert b1.submitted == 1 and b1.adopted == 1 and b1.workers is None
    assert b1.participation is None and b1.per_capita is None
    table = statistics(world.user(Role.OFFICE_ADMIN), year=2021, root=world.ent_a2)
    assert table.lines == [] or all(line.adoption_rate in (None, 1) for line in table.lines)


def test_drill_down_shows_the_organisation_itself_and_below(world):
    table = statistics(world.user(Role.UNION_ADMIN, world.union_a), year=2021, root=world.ent_a1)
    own = table.lines[0]
    assert own.own and own.org == world.ent_a1 and own.submitted == 2
    unit = line_of(table, "UNIT-A1")
    assert unit.submitted == 1 and unit.value == Decimal("2000.00")
    assert [p.code for p in table.parents] == ["U-A"]


def test_a_reporter_counts_only_his_scope(world):
    table = statistics(world.user(Role.REPORTER, world.ent_a1), year=2021)
    assert table.root == world.ent_a1 and table.total.submitted == 3


def test_the_page_shows_rates_the_chinese_way_and_says_when_workers_are_unknown(client, world):
    client.force_login(world.user(Role.OFFICE_ADMIN))
    body = client.get(reverse("suggestions:stats"), {"year": 2021, "org": "U-A"}).content.decode()
    assert "66.67%" in body and "3000.50元" in body and "0.30%" in body, body[body.find("stats-table") :][:3000]
    body = client.get(reverse("suggestions:stats"), {"year": 2021, "org": "U-B"}).content.decode()
    assert "暂无职工人数" in body and not re.search(r">0(\.0+)?%<", body)
    client.force_login(world.user(Role.REPORTER, world.ent_b1))
    body = client.get(reverse("suggestions:stats"), {"year": 2021, "org": "U-A"}).content.decode()
    assert "66.67%" not in body  # outside his scope the organisation is not found


def test_the_statistics_export_opens_with_the_same_figures(client, world):
    client.force_login(world.user(Role.UNION_ADMIN, world.union_a))
    response = client.get(reverse("suggestions:stats_xlsx"), {"year": 2021})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][0] == "单位"
    assert rows[1][:5] == ("昆明供电局", 3, 1, 2, 1)
    assert rows[-1][0] == "合计" and rows[-1][1] == 4
