"""Pages: a guidance member sees and rates only assigned sites (404 for others), anonymous → login, the office's
list and its .xlsx (opened and checked, contacts masked), the phone's visit form with a photo, facts and sources."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core import deadlines
from core.models import AuditEntry
from orgs.choices import Role
from sites.models import SiteRating, Visit
from sites.tests.factories import jpeg, make_group, make_site, make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree):
    guidance = tree.user(Role.GUIDANCE, tree.ent_a1)
    dept = tree.user(Role.DEPT_VIEWER)
    assigned = make_site(tree.ent_b1, group=make_group(dept, guidance))
    foreign = make_site(tree.ent_a2, group=make_group(dept))
    return guidance, assigned, foreign


def test_guidance_member_reaches_assigned_sites_only(client, world):
    guidance, assigned, foreign = world
    client.force_login(guidance)
    assert client.get(reverse("sites:site", args=[assigned.pk])).status_code == 200
    assert client.get(reverse("sites:rating", args=[assigned.pk])).status_code == 200
    assert client.get(reverse("sites:visit_create", args=[assigned.pk])).status_code == 200
    for name in ("sites:site", "sites:rating", "sites:visit_create"):
        assert client.get(reverse(name, args=[foreign.pk])).status_code == 404
    listed = client.get(reverse("sites:home")).content.decode()
    assert "云南铜业股份" in listed and "曲靖供电局" not in listed
    assert "云南铜业股份" in client.get(reverse("sites:mine")).content.decode()


def test_anonymous_goes_to_login(client, world):
    response = client.get(reverse("sites:home"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_rating_form_saves_and_audits(client, world):
    guidance, assigned, _foreign = world
    client.force_login(guidance)
    year = deadlines.today().year
    data = {"version": 0, "year": year, "comment": "好", "score_leadership": 18, "score_mechanism": 18,
            "score_measures": 20, "score_results": 20, "score_example": 9}  # fmt: skip
    response = client.post(reverse("sites:rating", args=[assigned.pk]), data)
    assert response.status_code == 302
    assert SiteRating.objects.get(site=assigned, year=year).total == Decimal(85)
    bad = client.post(reverse("sites:rating", args=[assigned.pk]), {**data, "version": 1, "score_example": 30})
    assert bad.status_code == 400


def test_visit_recorded_with_a_photo_from_the_phone_form(client, world):
    guidance, assigned, _foreign = world
    client.force_login(guidance)
    page = client.get(reverse("sites:visit_create", args=[assigned.pk])).content.decode()
    assert 'accept="image/*"' in page and "capture" in page
    response = client.post(
        reverse("sites:visit_create", args=[assigned.pk]),
        {"visited_on": deadlines.today().isoformat(), "members": [guidance.pk], "findings": "问题", "photos": [jpeg()]},
    )
    visit = Visit.objects.get(site=assigned)
    assert response.status_code == 302 and response["Location"] == reverse("sites:visit", args=[visit.pk])
    photo = visit.files.get()
    preview = client.get(reverse("sites:visit_file", args=[visit.pk, photo.pk]) + "?preview=1")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/jpeg"
    assert AuditEntry.objects.filter(event="sites.visit.record", object_id=str(visit.pk)).exists()


def test_site_list_xlsx_is_opened_with_contacts_masked_for_a_union(client, tree, world):
    union = tree.user(Role.UNION_ADMIN, tree.union_a)
    client.force_login(union)
    response = client.get(reverse("sites:sites_xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5) if row[0].value]
    names = [r[1] for r in rows if r[1] and r[0] in ("E-A2", "E-B1")]
    assert names == ["曲靖供电局"]  # the union's own site only
    site_row = next(r for r in rows if r[0] == "E-A2")
    assert site_row[10] == "138****5678"
    assert AuditEntry.objects.filter(event="sites.batch.export").exists()


def test_facts_and_sources_hand_computed(tree, world):
    from assessment.facts import FACTS
    from sites.sources import SOURCES

    guidance, assigned, foreign = world
    SiteRating.objects.create(site=assigned, group=assigned.group, year=2021, scores={}, total=80, rated_by=guidance)
    SiteRating.objects.create(site=foreign, group=foreign.group, year=2021, scores={}, total=90, rated_by=guidance)
    orgs = [
        (tree.union_a.pk, tree.union_a.path),
        (tree.ent_b1.pk, tree.ent_b1.path),
        (tree.kunming.pk, tree.kunming.path),
    ]
    rating = FACTS["sites_rating"].provider(2021, orgs)
    assert rating[tree.union_a.pk].share == Decimal("0.9000")
    assert rating[tree.ent_b1.pk].share == Decimal("0.8000")
    assert rating[tree.kunming.pk].share is None
    selected = FACTS["sites_selected"].provider(2021, orgs)
    assert selected[tree.union_a.pk].count == 1 and selected[tree.kunming.pk].count == 0
    visit = make_visit(assigned, guidance, visited_on=dt.date(2021, 9, 1))
    from sites.models import FollowUp

    FollowUp.objects.create(
        site=assigned,
        visit=visit,
        title="a",
        owner=tree.ent_b1,
        deadline=dt.date(2021, 10, 1),
        status="done",
        done_on=dt.date(2021, 9, 20),
    )
    FollowUp.objects.create(site=assigned, visit=visit, title="b", owner=tree.ent_b1, deadline=dt.date(2021, 10, 1))
    on_time = FACTS["sites_followups_on_time"].provider(2021, orgs)
    assert on_time[tree.ent_b1.pk].share == Decimal("0.5")
    by_key = {s.key: s for s in SOURCES}
    year = (dt.date(2021, 1, 1), dt.date(2021, 12, 31))
    assert sorted(r[0] for r in by_key["SITES"].fn(dt.date.min, year[1])) == sorted([tree.ent_b1.pk, tree.ent_a2.pk])
    assert list(by_key["SITES_GROUP"].fn(dt.date.min, year[1])) == []


def test_home_worklist_names_overdue_followups_returned_nominations_and_waiting_ones(tree, world):
    from core.registry import todos_for
    from sites import services
    from sites.models import FollowUp
    from sites.tests.factories import APPLICATION, make_batch

    guidance, assigned, _foreign = world
    visit = make_visit(assigned, guidance, visited_on=dt.date(2021, 9, 1))
    FollowUp.objects.create(
        site=assigned, visit=visit, title="报送台账", owner=tree.union_b, deadline=dt.date(2021, 10, 1)
    )
    union_b = tree.user(Role.UNION_ADMIN, tree.union_b)
    assert any("报送台账" in t.text and t.urgency == 0 for t in todos_for(union_b))
    assert any("报送台账" in t.text for t in todos_for(guidance))
    batch = make_batch()
    from core.actor import Actor

    union_a = Actor(user=tree.user(Role.UNION_ADMIN, tree.union_a))
    n = services.nomination_create(by=union_a, batch=batch, org=tree.ent_a2, **APPLICATION)
    n = services.nomination_step(by=union_a, nomination=n, step="submit", version=n.version)
    office = tree.user(Role.OFFICE_REVIEWER)
    assert any("1 份推荐等待遴选" in t.text for t in todos_for(office))
    services.nomination_step(by=Actor(user=office), nomination=n, step="return", version=n.version, reason="补充数据")
    fresh = tree.user(Role.UNION_ADMIN, tree.union_a)
    fresh.__dict__.pop("_sites_worklist", None)
    texts = [t.text for t in todos_for(fresh)]
    assert any("被退回：补充数据" in t for t in texts) and any("正在征集推荐" in t for t in texts)


def test_group_members_are_reminded_of_sites_without_a_visit_this_quarter(tree, world):
    from core.registry import todos_for
    from sites.queries.worklist import quarter_start

    guidance, assigned, _foreign = world
    assert quarter_start(dt.date(2021, 11, 15)) == dt.date(2021, 10, 1)
    assert any("本季度还没有指导走访" in t.text and "云南铜业股份" in t.text for t in todos_for(guidance))
    make_visit(assigned, guidance, visited_on=deadlines.today())
    guidance.__dict__.pop("_sites_worklist", None)
    assert not any("本季度还没有指导走访" in t.text for t in todos_for(guidance))


def test_open_batches_show_as_rounds_with_nominations_received_of_the_quota(tree):
    from core.registry import rounds_for
    from sites.models import Nomination
    from sites.tests.factories import APPLICATION, make_batch

    batch = make_batch(quota=4)
    Nomination.objects.create(batch=batch, org=tree.ent_a1, status="submitted", **APPLICATION)
    Nomination.objects.create(batch=batch, org=tree.ent_a2, status="draft", **APPLICATION)
    [progress] = [r for r in rounds_for(tree.user(Role.OFFICE_REVIEWER)) if r.title == batch.name]
    assert (progress.done, progress.expected, progress.stage) == (1, 4, "征集中")
    assert progress.done_label == "已收到推荐 1 份 / 名额 4 个" and progress.due == batch.closes_on
    assert not [r for r in rounds_for(tree.user(Role.REPORTER)) if r.title == batch.name]


def test_a_sites_profile_lists_its_published_cases_with_their_spread(client, tree, world):
    from cases.tests.factories import adopt, make_case, published_case

    _guidance, assigned, _foreign = world  # 云南铜业股份 (E-B1)
    own = published_case(tree, tree.ent_b1, title="铜业技能等级与薪酬挂钩")
    adopt(tree, own, tree.ent_a1)
    make_case(tree, tree.ent_b1, title="尚未发布的草稿")
    published_case(tree, tree.ent_a2, title="曲靖供电局的案例")
    client.force_login(tree.user(Role.OFFICE_ADMIN, tree.office))

    section = client.get(reverse("sites:site", args=[assigned.pk])).content.decode().split('id="site-cases"')[1]
    section = section.split("</section>")[0]
    assert "铜业技能等级与薪酬挂钩" in section and "复制推广 1 家" in section
    assert "尚未发布的草稿" not in section and "曲靖供电局的案例" not in section
