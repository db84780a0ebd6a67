"""/api/v1/assessment: rounds, rankings and score cards within the caller's scope; rating and appeals through the
services, with 403 for refusals in scope, 404 outside it, and nothing written when refused."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from accounts.tests.factories import api_client
from assessment import services
from assessment.choices import RoundStatus
from assessment.models import Appeal, Criterion, CriterionResult, Rating, Result
from assessment.tests.factories import make_framework
from assessment.tests.rounds import advance, published_round
from core.actor import Actor
from core.models import AuditEntry
from orgs.choices import Role
from orgs.tests.factories import make_user

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "未找到该对象，或您无权访问。"}


@pytest.fixture
def world(tree, wf, clock):
    return published_round(tree, wf, clock)


def api(user):
    return api_client(user, ip="10.50.0.1")


# --- Rounds and results ---------------------------------------------------------------------------------


def test_rounds_are_listed_for_the_office_and_for_people_of_a_published_participant(world, tree):
    expected = {
        "id": world.round.pk,
        "name": "2021年度产改工作考核",
        "year": 2021,
        "framework": "2021年度量化考核办法",
        "framework_version": 1,
        "status": "published",
        "status_label": "已公布（申诉期）",
        "self_deadline": None,
        "appeal_deadline": "2022-04-01",
        "published_computation": 1,
    }
    for user in (world.office, tree.user(Role.REPORTER, tree.ent_a1), tree.user(Role.LEADER, tree.province)):
        body = api(user).get("/api/v1/assessment/rounds/").json()
        assert body["count"] == 1 and body["results"] == [expected], user
    outsider = tree.user(Role.REPORTER, tree.kunming)
    assert api(outsider).get("/api/v1/assessment/rounds/").json()["count"] == 0
    response = api(outsider).get(f"/api/v1/assessment/rounds/{world.round.pk}/")
    assert response.status_code == 404 and response.json() == NOT_FOUND
    probe = AuditEntry.objects.get(event="access.not_found", username=outsider.username)
    assert probe.detail["path"] == f"/api/v1/assessment/rounds/{world.round.pk}/"


def test_a_round_in_detail_names_the_computation_the_caller_sees(world, tree):
    by, round_ = Actor(user=world.office), world.round
    services.round_reopen(by=by, round_=round_, version=round_.version, reason="复核")
    services.round_compute(by=by, round_=round_)
    url = f"/api/v1/assessment/rounds/{round_.pk}/"

    office = api(world.office).get(url).json()
    reporter = api(tree.user(Role.REPORTER, tree.ent_a1)).get(url).json()

    assert office["status"] == "calibration" and office["participants"] == 3
    assert office["computation"]["number"] == 2 and office["computation"]["published_at"] is None
    assert reporter["computation"]["number"] == 1 and reporter["computation"]["published_at"].startswith("2022-03-01")
    assert reporter["normalisation"].startswith("各单位适用的考核指标不尽相同")


def test_results_are_the_stored_ranking_limited_to_the_callers_scope(world, tree):
    url = f"/api/v1/assessment/rounds/{world.round.pk}/results/"
    stored = {
        r.participant.org.code: r
        for r in Result.objects.filter(computation=world.computation).select_related("participant__org")
    }

    office = api(world.office).get(url).json()
    assert [row["org_code"] for row in office["results"]] == ["E-A1", "E-B1", "E-A2"]
    for row in office["results"]:
        result = stored[row["org_code"]]
        assert (row["rank"], D(row["total"]), row["grade"], row["vetoed"], row["computation"]) == (
            result.rank,
            result.total,
            result.grade,
            result.vetoed,
            1,
        )
        assert row["participant"] == result.participant_id
    assert office["results"][0]["grade_label"] == "优秀" and office["results"][2]["vetoed"] is True

    union = api(tree.user(Role.UNION_ADMIN, tree.union_a)).get(url).json()
    assert [row["org_code"] for row in union["results"]] == ["E-A1", "E-A2"]
    reporter = api(tree.user(Role.REPORTER, tree.ent_b1)).get(url).json()
    assert [row["org_code"] for row in reporter["results"]] == ["E-B1"]
    peer = world.participants["E-A1"].peer_key
    assert api(world.office).get(url + f"?peer={peer}").json()["count"] == 3
    assert api(world.office).get(url + "?peer=none").json()["count"] == 0


def test_the_results_read_a_fixed_number_of_queries(world, tree, django_assert_max_num_queries):
    client = api(world.office)
    url = f"/api/v1/assessment/rounds/{world.round.pk}/results/"
    client.get(url)  # the token and the roles, once
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200


# --- Score cards ---------------------------------------------------------------------------------------------


def test_a_score_card_as_json_holds_the_stored_points_and_their_explanation(world, tree):
    participant = world.participants["E-A1"]
    reporter = tree.user(Role.REPORTER, tree.ent_a1)
    body = api(reporter).get(f"/api/v1/assessment/score-cards/{participant.pk}/").json()

    result = Result.objects.get(computation=world.computation, participant=participant)
    assert body["org_code"] == "E-A1" and body["round"]["id"] == world.round.pk
    assert body["computation"]["number"] == 1
    assert D(body["result"]["total"]) == result.total and body["result"]["grade"] == result.grade
    assert (body["result"]["rank"], body["result"]["group_rank"]) == (result.rank, result.group_rank)
    stored = {
        cr.criterion.code: cr
        for cr in CriterionResult.objects.filter(computation=world.computation, participant=participant).select_related(
            "criterion"
        )
    }
    shown = {c["code"]: c for d in body["dimensions"] for c in d["criteria"]}
    shown |= {c["code"]: c for c in body["bonus"] + body["deductions"] + body["vetoes"]}
    assert set(shown) == set(stored)
    for code, cr in stored.items():
        assert D(shown[code]["points"]) == cr.points and shown[code]["text"] == cr.detail["text"], code
    group = shown["GROUP"]
    assert [(r["rater"], r["level"], r["comment"]) for r in group["raters"]] == [
        ("审核人甲", "好", "材料齐全"),
        ("rater_copper", "较好", "机制基本健全"),
    ]
    assert group["evidence"] == [
        {"id": group["evidence"][0]["id"], "kind": "link", "title": "领导小组成立文件",
         "url": "https://example.org/lingdao.pdf"}
    ]  # fmt: skip
    assert shown["BONUS"]["events"] == [{"item": "获全国荣誉", "points": "3.00", "note": "获全国五一劳动奖状"}]
    assert sum(D(d["scaled"]) for d in body["dimensions"]) == result.normalised
    assert body["may_appeal"] is True
    union = api(tree.user(Role.UNION_ADMIN, tree.union_a)).get(f"/api/v1/assessment/score-cards/{participant.pk}/")
    assert union.status_code == 200 and union.json()["may_appeal"] is False


def test_a_score_card_lists_its_veto_events_as_documented(world, tree):
    """The veto (一票否决) that capped 曲靖供电局's grade is on its card as data, not only as a sentence."""
    participant = world.participants["E-A2"]
    body = api(world.office).get(f"/api/v1/assessment/score-cards/{participant.pk}/").json()

    assert body["result"]["vetoed"] is True
    [veto] = body["vetoes"]
    assert veto["code"] == "VETO" and veto["vetoed"] is True and veto["grade_cap"] == "pass"
    assert veto["veto_events"] == [{"source": "entry", "note": "发生较大生产安全事故"}]
    clean = api(world.office).get(f"/api/v1/assessment/score-cards/{world.participants['E-A1'].pk}/").json()
    assert clean["vetoes"][0]["vetoed"] is False and clean["vetoes"][0]["veto_events"] == []
    # … and the OpenAPI document promises it.
    from drf_spectacular.generators import SchemaGenerator

    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    criterion = schemas["CardCriterion"]
    assert {"vetoed", "veto_events", "grade_cap"} <= set(criterion["required"])
    assert criterion["properties"]["veto_events"]["items"] == {"$ref": "#/components/schemas/VetoEvent"}
    assert set(schemas["VetoEvent"]["properties"]) == {"source", "note"}


def test_a_score_cards_round_is_the_round_as_listed(world, tree):
    # Issue 11 (schemathesis): the card's round had lost its year, framework and status label, which
    # the OpenAPI document promises, because it was serialized twice.
    reporter = api(tree.user(Role.REPORTER, tree.ent_a1))
    listed = reporter.get("/api/v1/assessment/rounds/").json()["results"][0]
    card = reporter.get(f"/api/v1/assessment/score-cards/{world.participants['E-A1'].pk}/").json()

    assert card["round"] == listed
    assert (card["round"]["year"], card["round"]["framework"]) == (2021, "2021年度量化考核办法")


@pytest.mark.parametrize("who", ["sibling reporter", "other union", "rater of another branch"])
def test_a_score_card_outside_the_scope_is_not_found(world, tree, who):
    user = {
        "sibling reporter": tree.user(Role.REPORTER, tree.ent_a2),
        "other union": tree.user(Role.UNION_ADMIN, tree.union_b),
        "rater of another branch": world.own_rater,  # rates 昆明供电局, but rating gives no sight of scores
    }[who]
    response = api(user).get(f"/api/v1/assessment/score-cards/{world.participants['E-A1'].pk}/")
    assert response.status_code == 404 and response.json() == NOT_FOUND


def test_an_unpublished_card_is_for_the_office_only(tree, wf, clock):
    office = tree.user(Role.OFFICE_ADMIN)
    by = Actor(user=office)
    round_ = services.round_open(by=by, framework=make_framework(office), name="未公布", orgs=[tree.ent_a1])
    advance(by, round_, RoundStatus.CALIBRATION)
    services.round_compute(by=by, round_=round_)
    participant = round_.participants.get()
    url = f"/api/v1/assessment/score-cards/{participant.pk}/"
    assert api(office).get(url).json()["computation"]["published_at"] is None
    assert api(tree.user(Role.REPORTER, tree.ent_a1)).get(url).status_code == 404


# --- Rating ---------------------------------------------------------------------------------------------------


@pytest.fixture
def rating(tree, wf, clock):
    """A round in its rating stage over the three enterprises; a department viewer and a guidance-group member
    of 云南铜业股份 are raters of every participant."""
    office = tree.user(Role.OFFICE_ADMIN)
    by = Actor(user=office)
    framework = make_framework(office)
    round_ = services.round_open(
        by=by, framework=framework, name="2021年度考核", orgs=[tree.ent_a1, tree.ent_a2, tree.ent_b1]
    )
    rater = make_user("api_rater", role=Role.DEPT_VIEWER, org=tree.dept, full_name="评分人乙")
    own_rater = make_user("api_copper", role=Role.GUIDANCE, org=tree.ent_b1)
    for user in (rater, own_rater):
        services.rater_assign(by=by, round_=round_, user=user)
    advance(by, round_, RoundStatus.RATING)
    criteria = dict(Criterion.objects.filter(dimension__framework=framework).values_list("code", "pk"))
    participants = {p.org.code: p.pk for p in round_.participants.select_related("org")}
    return {"round": round_, "rater": rater, "own_rater": own_rater, "criteria": criteria, "p": participants}


def _rate(user, participant: int, criterion: int, **extra):
    body = {"participant": participant, "criterion": criterion, "level": "B", "comment": "机制健全", **extra}
    return api(user).post("/api/v1/assessment/ratings/", body, format="json")


def test_a_rater_rates_then_changes_the_rating_with_the_version_loaded(rating):
    rater, group, a1 = rating["rater"], rating["criteria"]["GROUP"], rating["p"]["E-A1"]
    created = _rate(rater, a1, group, evidence="查阅会议纪要")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["org_code"], body["criterion_code"], body["level"], body["comment"], body["evidence"]) == (
        "E-A1",
        "GROUP",
        "B",
        "机制健全",
        "查阅会议纪要",
    )
    assert body["version"] == 1
    stored = Rating.objects.get()
    assert (stored.rater, stored.participant_id, stored.level) == (rater, a1, "B")
    assert AuditEntry.objects.filter(event="assessment.rating.create", object_id=str(stored.pk)).count() == 1

    again = _rate(rater, a1, group, level="A")
    assert again.status_code == 409 and again.json() == {"detail": "您已为该项评过分，请刷新后修改。"}
    changed = _rate(rater, a1, group, level="A", version=1)
    assert changed.status_code == 200 and changed.json()["level"] == "A" and changed.json()["version"] == 2
    mine = api(rater).get("/api/v1/assessment/ratings/").json()
    assert [(r["org_code"], r["level"]) for r in mine["results"]] == [("E-A1", "A")]
    assert api(rating["own_rater"]).get("/api/v1/assessment/ratings/").json()["count"] == 0


def test_raters_never_rate_their_own_organisation_nor_what_they_were_not_assigned(rating, tree):
    group, b1, a1 = rating["criteria"]["GROUP"], rating["p"]["E-B1"], rating["p"]["E-A1"]
    own = _rate(rating["own_rater"], b1, group)
    assert own.status_code == 403 and own.json() == {"detail": "不能为本人所在单位评分。"}
    # In scope (their own enterprise) but never named a rater.
    unnamed = tree.user(Role.GUIDANCE, tree.ent_a1)
    refused = _rate(unnamed, a1, group)
    assert refused.status_code == 403 and refused.json() == {"detail": "您不是该单位此项的评分人。"}
    # Neither in scope nor a rater: the participant is not found at all.
    stranger = tree.user(Role.REPORTER, tree.ent_b1)
    assert _rate(stranger, a1, group).json() == NOT_FOUND
    assert not Rating.objects.exists()
    denied = AuditEntry.objects.filter(event="access.denied").values_list("username", flat=True)
    assert sorted(denied) == sorted([rating["own_rater"].username, unnamed.username])


def test_a_rating_is_only_for_a_qualitative_criterion_and_a_known_field(rating):
    rater, a1 = rating["rater"], rating["p"]["E-A1"]
    wrong = _rate(rater, a1, rating["criteria"]["CERT"])
    assert wrong.status_code == 400
    assert wrong.json()["detail"] == "只能为本轮方案中的定性评价指标评分。" and wrong.json()["field"] == "criterion"
    level = _rate(rater, a1, rating["criteria"]["GROUP"], level="Z")
    assert level.status_code == 400 and level.json()["detail"] == "请选择评分等级。"
    extra = _rate(rater, a1, rating["criteria"]["GROUP"], rater=1)
    assert extra.status_code == 400 and extra.json()["errors"] == {"rater": ["不允许提交此字段。"]}
    missing = _rate(rater, a1, 999999)
    assert missing.status_code == 400 and missing.json()["errors"] == {"criterion": ["未找到该考核指标。"]}
    assert not Rating.objects.exists()


def test_a_rater_reads_the_tasks_of_a_round(rating):
    url = f"/api/v1/assessment/rounds/{rating['round'].pk}/tasks/"
    _rate(rating["own_rater"], rating["p"]["E-A1"], rating["criteria"]["GROUP"])
    tasks = api(rating["own_rater"]).get(url).json()
    assert [(t["org_code"], t["criterion_code"], t["own"]) for t in tasks] == [
        ("E-A1", "GROUP", False),
        ("E-A2", "GROUP", False),
        ("E-B1", "GROUP", True),
    ]
    assert tasks[0]["rating"]["level"] == "B" and tasks[1]["rating"] is None
    assert [lv["label"] for lv in tasks[0]["levels"]] == ["好", "较好", "一般", "差"]
    # Not published and not a rater: the round is nothing to a reporter yet.
    assert api(make_user("outsider")).get(url).status_code == 404


# --- Appeals ---------------------------------------------------------------------------------------------------


def _appeal(user, participant: int, criterion: int, reason: str = "年报逾期系系统故障所致"):
    body = {"participant": participant, "criterion": criterion, "reason": reason}
    return api(user).post("/api/v1/assessment/appeals/", body, format="json")


def test_only_people_of_the_assessed_organisation_appeal(world, tree):
    a2, group = world.participants["E-A2"].pk, world.criteria["GROUP"].pk
    union = _appeal(tree.user(Role.UNION_ADMIN, tree.union_a), a2, group)
    assert union.status_code == 403 and union.json() == {"detail": "只有被考核单位本单位的人员可以提出申诉。"}
    foreign = _appeal(tree.user(Role.REPORTER, tree.ent_b1), a2, group)
    assert foreign.status_code == 404 and foreign.json() == NOT_FOUND
    assert not Appeal.objects.exists()

    reporter = tree.user(Role.REPORTER, tree.ent_a2)
    filed = _appeal(reporter, a2, group)
    assert filed.status_code == 201, filed.content
    assert filed.json()["status"] == "pending" and filed.json()["org_code"] == "E-A2"
    appeal = Appeal.objects.get()
    assert (appeal.filed_by, appeal.reason) == (reporter, "年报逾期系系统故障所致")
    assert AuditEntry.objects.filter(event="assessment.appeal.file", object_id=str(appeal.pk)).exists()
    twice = _appeal(reporter, a2, group)
    assert twice.status_code == 400 and twice.json()["detail"] == "该项已有待答复的申诉。"
    blank = _appeal(reporter, a2, world.criteria["CERT"].pk, reason=" ")
    assert blank.status_code == 400 and blank.json()["detail"] == "请写明申诉理由。"
    assert Appeal.objects.count() == 1

    # Who reads the appeal: its organisation's people, its union and the office; not a sibling.
    for user, count in [(reporter, 1), (tree.user(Role.UNION_ADMIN, tree.union_a), 1), (world.office, 1),
                        (tree.user(Role.REPORTER, tree.ent_a1), 0)]:  # fmt: skip
        body = api(user).get("/api/v1/assessment/appeals/").json()
        assert body["count"] == count, user
    assert "filed_by" not in api(world.office).get("/api/v1/assessment/appeals/").json()["results"][0]


def test_no_appeal_outside_the_appeal_window(world, tree, clock):
    from reporting.tests.factories import at

    clock.set(at(2022, 4, 2))
    refused = _appeal(tree.user(Role.REPORTER, tree.ent_a2), world.participants["E-A2"].pk, world.criteria["GROUP"].pk)
    assert refused.status_code == 400 and refused.json()["detail"] == "申诉期已于 2022-04-01 结束。"
    assert not Appeal.objects.exists()
