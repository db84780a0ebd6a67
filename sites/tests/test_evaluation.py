"""The evaluation report's 示范点建设 section: batches, sites by status, visits, follow-ups and ratings."""

import datetime as dt
from decimal import Decimal

import pytest

from orgs.choices import Role
from publishing import evaluation
from sites.choices import BatchStatus, FollowUpStatus, SiteStatus
from sites.models import FollowUp, SiteRating
from sites.tests.factories import make_batch, make_group, make_site, make_visit

pytestmark = pytest.mark.django_db


def _section(year: int, kind: str = "annual", as_of=dt.date(2022, 1, 10)):
    snapshot = evaluation.build_snapshot(kind=kind, year=year, as_of=as_of)
    return next((s for s in snapshot["sections"] if s["key"] == "sites"), None)


def test_the_section_counts_sites_visits_follow_ups_and_ratings(tree):
    assert _section(2021) is None  # no batch: left out
    member = tree.user(Role.GUIDANCE, tree.office)
    group = make_group(member)
    first = make_batch(quota=8, status=BatchStatus.ANNOUNCED, announced_on=dt.date(2021, 6, 18), year=2021,
                       name="第一批省级产改示范点")  # fmt: skip
    make_batch(quota=10, year=2021, name="第二批省级产改示范点")  # still collecting
    guided = make_site(tree.ent_a1, group=group, batch=first)
    make_site(tree.ent_a2, batch=first, status=SiteStatus.ACCEPTED)
    visit = make_visit(guided, member, visited_on=dt.date(2021, 9, 1))
    make_visit(guided, member, visited_on=dt.date(2020, 9, 1))  # before the year: not counted in an annual report
    FollowUp.objects.create(
        site=guided, visit=visit, title="按期办结", owner=tree.ent_a1, deadline=dt.date(2021, 10, 1),
        status=FollowUpStatus.DONE, done_on=dt.date(2021, 9, 20),
    )  # fmt: skip
    FollowUp.objects.create(
        site=guided, visit=visit, title="逾期未办", owner=tree.ent_a1, deadline=dt.date(2021, 12, 1)
    )
    SiteRating.objects.create(site=guided, group=group, year=2021, total=Decimal("86.5"), rated_by=member)

    section = _section(2021)

    text = " ".join(section["paragraphs"])
    assert "已公布示范点 2 个（指导中 1 个、已验收 1 个、已撤销 0 个），另有 1 个批次正在推荐遴选" in text
    assert "走访示范点 1 次，提出跟进事项 2 项，已办结 1 项（按期 1 项），逾期未办结 1 项" in text
    assert "平均得分 86.5" in text
    rows = {row[0]: row for row in section["tables"][0]["rows"]}
    assert rows["第一批省级产改示范点"][3:5] == ["8", "2"]
    four_years = " ".join(_section(2021, kind="four_year")["paragraphs"])
    assert "走访示范点 2 次" in four_years
