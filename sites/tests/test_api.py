"""The sites API: the same scope and services as the pages, the one error shape, steps through the workflow."""

from __future__ import annotations

import pytest

from accounts.tests.factories import api_client
from core import deadlines
from core.models import AuditEntry
from orgs.choices import Role
from sites.choices import NominationStatus, SiteStatus
from sites.models import Nomination, SiteRating
from sites.tests.factories import APPLICATION, make_batch, make_group, make_site

pytestmark = pytest.mark.django_db
BASE = "/api/v1/sites"


def api(user):
    return api_client(user, ip="10.61.0.1")


@pytest.fixture
def world(tree):
    guidance = tree.user(Role.GUIDANCE, tree.ent_a1)
    dept = tree.user(Role.DEPT_VIEWER)
    assigned = make_site(tree.ent_b1, group=make_group(dept, guidance))
    foreign = make_site(tree.ent_a2, group=make_group(dept))
    return guidance, assigned, foreign


def test_guidance_member_reads_and_rates_only_assigned_sites(tree, world):
    guidance, assigned, foreign = world
    client = api(guidance)
    ids = {row["id"] for row in client.get(f"{BASE}/sites/").json()["results"]}
    assert assigned.pk in ids and foreign.pk not in ids
    assert client.get(f"{BASE}/sites/{foreign.pk}/").status_code == 404
    scores = {"leadership": 20, "mechanism": 18, "measures": 22, "results": 20, "example": 8}
    year = deadlines.today().year
    refused = client.post(f"{BASE}/ratings/", {"site": foreign.pk, "year": year, "scores": scores}, format="json")
    assert refused.status_code == 404 and set(refused.json()) == {"detail"}
    made = client.post(f"{BASE}/ratings/", {"site": assigned.pk, "year": year, "scores": scores}, format="json")
    assert made.status_code == 200 and made.json()["total"] == "88.0"
    stale = client.post(
        f"{BASE}/ratings/", {"site": assigned.pk, "year": year, "scores": scores, "version": 7}, format="json"
    )
    assert stale.status_code == 409 and stale.json()["detail"] == "该评价已被他人修改，请刷新后重试。"
    assert SiteRating.objects.get(site=assigned).total == 88


def test_phone_is_masked_and_reveal_is_audited_for_the_office_only(tree, world):
    _guidance, assigned, _foreign = world
    row = api(tree.user(Role.OFFICE_ADMIN)).get(f"{BASE}/sites/{assigned.pk}/").json()
    assert row["contact_phone"] == "138****5678"
    assert api(tree.user(Role.UNION_ADMIN, tree.union_b)).post(f"{BASE}/sites/{assigned.pk}/reveal/").status_code == 403
    full = api(tree.user(Role.OFFICE_ADMIN)).post(f"{BASE}/sites/{assigned.pk}/reveal/")
    assert full.json() == {"contact_phone": "13812345678"} and "no-store" in full["Cache-Control"]
    assert AuditEntry.objects.filter(event="core.pii.reveal", object_id=str(assigned.pk)).count() == 1


def test_nomination_through_the_api_with_its_steps_and_refusals(tree):
    batch = make_batch(quota=1)
    union = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    made = union.post(f"{BASE}/nominations/", {"batch": batch.pk, "org": "E-A2", **APPLICATION}, format="json")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    foreign = api(tree.user(Role.UNION_ADMIN, tree.union_b))
    assert foreign.get(f"{BASE}/nominations/{pk}/").status_code == 404
    outside = foreign.post(f"{BASE}/nominations/", {"batch": batch.pk, "org": "E-A2", **APPLICATION}, format="json")
    assert outside.status_code == 400 and "org" in outside.json()["errors"]
    assert union.post(f"{BASE}/nominations/{pk}/submit/", {"version": 1}, format="json").status_code == 200
    office = api(tree.user(Role.OFFICE_REVIEWER))
    no_reason = office.post(f"{BASE}/nominations/{pk}/reject/", {"version": 2}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["detail"] == "请填写未入选的原因。"
    assert union.post(f"{BASE}/nominations/{pk}/select/", {"version": 2}, format="json").status_code == 403
    chosen = office.post(f"{BASE}/nominations/{pk}/select/", {"version": 2}, format="json")
    assert chosen.status_code == 200 and chosen.json()["status"] == NominationStatus.SELECTED
    again = office.post(f"{BASE}/nominations/{pk}/select/", {"version": 3}, format="json")
    assert again.status_code == 409
    assert Nomination.objects.get(pk=pk).status == NominationStatus.SELECTED


def test_office_steps_on_a_site_through_the_api(tree, world):
    _guidance, assigned, _foreign = world
    reviewer = api(tree.user(Role.OFFICE_REVIEWER))
    assert reviewer.post(f"{BASE}/sites/{assigned.pk}/accept/", {"version": 1}, format="json").status_code == 403
    admin = api(tree.user(Role.OFFICE_ADMIN))
    missing = admin.post(f"{BASE}/sites/{assigned.pk}/withdraw/", {"version": 1}, format="json")
    assert missing.status_code == 400 and missing.json()["detail"] == "请填写撤销原因。"
    accepted = admin.post(f"{BASE}/sites/{assigned.pk}/accept/", {"version": 1}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == SiteStatus.ACCEPTED


def test_the_prefecture_filter_keeps_the_sites_in_that_prefecture(tree, world):
    _guidance, kunming_site, qujing_site = world  # 昆明 (530100) and 曲靖 (530300)
    kunming_site.org.region_id, qujing_site.org.region_id = "530100", "530300"
    kunming_site.org.save(), qujing_site.org.save()
    client = api(tree.user(Role.OFFICE_ADMIN))
    for code, expected in (("530100", {kunming_site.pk}), ("530300", {qujing_site.pk}), ("#m\x08", set())):
        response = client.get(f"{BASE}/sites/", {"prefecture": code})
        assert response.status_code == 200, code
        assert {row["id"] for row in response.json()["results"]} == expected, code


def test_lists_refuse_bad_filters_with_a_chinese_400(tree, world):
    client = api(tree.user(Role.OFFICE_ADMIN))
    for url in (f"{BASE}/sites/?status=nope", f"{BASE}/visits/?site=abc", f"{BASE}/ratings/?year=1e9"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])
