"""/api/v1/suggestions: suggestions with their steps, campaigns and statistics through the pages' services and
door: 404 outside the scope, 403 inside it without the right, 400 in Chinese for bad input, 409/412 for stale
versions."""

from __future__ import annotations

import pytest

from accounts.tests.factories import api_client
from core import deadlines
from orgs.choices import Role
from suggestions.choices import SuggestionStatus
from suggestions.models import Suggestion
from suggestions.tests.factories import make_campaign, make_suggestion

S = SuggestionStatus
pytestmark = pytest.mark.django_db
BASE = "/api/v1/suggestions"
TODAY = deadlines.today()


def api(user):
    return api_client(user, ip="10.50.0.4")


def test_a_reporter_enters_and_the_union_admin_takes_it_to_the_reward(tree):
    from talent.models import Person

    linked = Person.objects.create(org=tree.ent_a1, name="李四", gender="male", occupation="电工")
    campaign = make_campaign(tree.union_a)
    reporter = api(tree.user(Role.REPORTER, tree.ent_a1))
    created = reporter.post(
        f"{BASE}/suggestions/",
        {"org": "E-A1", "kind": "innovation", "title": "改进接地线", "content": "加装卡扣", "campaign": campaign.pk,
         "proposers": [{"name": "王五", "occupation": "检修工"}, {"person": linked.pk}]},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "submitted" and data["org_code"] == "E-A1" and data["campaign"] == campaign.pk
    assert [p["name"] for p in data["proposers"]] == ["王五", "李四"] and data["proposers"][1]["person"] == linked.pk
    pk = data["id"]
    refused = reporter.post(f"{BASE}/suggestions/{pk}/step/", {"step": "review", "version": 1}, format="json")
    assert refused.status_code == 403
    admin = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    steps = [
        {"step": "review", "note": "可行"},
        {"step": "adopt"},
        {"step": "implement", "implemented_on": TODAY.isoformat()},
        {"step": "assess", "value": "12000.00", "value_basis": "年节约工时"},
        {"step": "reward", "reward_amount": "600", "rewarded_on": TODAY.isoformat()},
    ]
    version = 1
    for body in steps:
        response = admin.post(f"{BASE}/suggestions/{pk}/step/", {**body, "version": version}, format="json")
        assert response.status_code == 200, response.content
        version = response.json()["version"]
    final = admin.get(f"{BASE}/suggestions/{pk}/")
    assert final.json()["status"] == "rewarded" and final.json()["value"] == "12000.00"
    assert final["ETag"] == f'"{version}"'


def test_steps_out_of_order_stale_versions_and_missing_reasons(tree):
    suggestion = make_suggestion(tree.ent_a1)
    admin = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    url = f"{BASE}/suggestions/{suggestion.pk}/step/"
    out_of_order = admin.post(url, {"step": "adopt", "version": suggestion.version}, format="json")
    assert out_of_order.status_code == 409
    assert out_of_order.json() == {"detail": "当前状态为“已提交”的建议不能采纳。"}
    no_reason = admin.post(url, {"step": "reject", "version": suggestion.version}, format="json")
    assert no_reason.status_code == 400 and "请填写不采纳的原因" in str(no_reason.json())
    stale = admin.post(url, {"step": "review", "version": suggestion.version + 5}, format="json")
    assert stale.status_code == 409
    precondition = admin.post(url, {"step": "review"}, format="json", HTTP_IF_MATCH='"99"')
    assert precondition.status_code == 412
    missing = admin.post(url, {"step": "review"}, format="json")
    assert missing.status_code == 428
    suggestion.refresh_from_db()
    assert suggestion.status == S.SUBMITTED


@pytest.mark.parametrize(("where", "code"), [("ent_a1", 200), ("ent_a2", 404), ("ent_b1", 404)])
def test_outside_the_scope_is_404(tree, where, code):
    suggestion = make_suggestion(getattr(tree, where))
    reporter = api(tree.user(Role.REPORTER, tree.ent_a1))
    assert reporter.get(f"{BASE}/suggestions/{suggestion.pk}/").status_code == code
    step = reporter.post(f"{BASE}/suggestions/{suggestion.pk}/step/", {"step": "review", "version": 1}, format="json")
    assert step.status_code == (403 if code == 200 else 404)
    ids = [row["id"] for row in reporter.get(f"{BASE}/suggestions/").json()["results"]]
    assert (suggestion.pk in ids) == (code == 200)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"org": "E-B1"}, "org"),
        ({"org": "E-A1", "proposers": [{"person": 999999}]}, "proposers"),
        ({"org": "E-A1", "kind": "x"}, "kind"),
        ({"org": "E-A1", "proposers": []}, "proposers"),
        ({"org": "E-A1", "campaign": 999999}, "campaign"),
        ({"org": "E-A1", "status": "rewarded"}, "status"),
        ({"org": "E-A1", "submitted_on": "2026-02-30"}, "submitted_on"),
    ],
)
def test_bad_input_is_a_400_in_chinese(tree, body, field):
    reporter = api(tree.user(Role.REPORTER, tree.ent_a1))
    base = {"kind": "rational", "title": "t", "content": "c", "proposers": [{"name": "甲"}]}
    response = reporter.post(f"{BASE}/suggestions/", {**base, **body}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    assert not Suggestion.objects.exists()


def test_bad_list_filters_are_400(tree):
    reporter = api(tree.user(Role.REPORTER, tree.ent_a1))
    assert reporter.get(f"{BASE}/suggestions/", {"year": "abc"}).status_code == 400
    assert reporter.get(f"{BASE}/suggestions/", {"org": "E-B1"}).status_code == 400
    assert reporter.get(f"{BASE}/suggestions/", {"campaign": "-1"}).status_code == 400
    assert reporter.get(f"{BASE}/statistics/", {"year": "99999"}).status_code == 400


def test_patch_while_submitted_with_if_match(tree):
    suggestion = make_suggestion(tree.ent_a1)
    reporter = api(tree.user(Role.REPORTER, tree.ent_a1))
    url = f"{BASE}/suggestions/{suggestion.pk}/"
    ok = reporter.patch(url, {"title": "新名"}, format="json", HTTP_IF_MATCH=f'"{suggestion.version}"')
    assert ok.status_code == 200 and ok.json()["title"] == "新名"
    stale = reporter.patch(url, {"title": "再改"}, format="json", HTTP_IF_MATCH=f'"{suggestion.version}"')
    assert stale.status_code == 412


def test_campaigns_and_statistics(tree):
    campaign = make_campaign(tree.union_a, name="金点子")
    make_suggestion(tree.ent_a1, campaign=campaign, status=S.ADOPTED)
    make_suggestion(tree.ent_b1)
    admin = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    rows = admin.get(f"{BASE}/campaigns/").json()["results"]
    assert [(r["name"], r["submitted"], r["adopted"]) for r in rows] == [("金点子", 1, 1)]
    created = admin.post(
        f"{BASE}/campaigns/",
        {"organiser": "U-A", "name": "五小", "starts_on": "2026-01-01", "ends_on": "2026-12-31", "kinds": ["design"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    outsider = api(tree.user(Role.REPORTER, tree.ent_b1))
    assert outsider.get(f"{BASE}/campaigns/{campaign.pk}/").status_code == 404
    stats = admin.get(f"{BASE}/statistics/", {"year": TODAY.year}).json()
    assert stats["org"] == "" and stats["lines"][-1]["org_name"] == "合计"
    assert stats["lines"][-1]["submitted"] == 1 and stats["lines"][-1]["adoption_rate"] == "1.0000"
    assert stats["lines"][-1]["workers"] is None
