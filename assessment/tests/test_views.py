"""The round, rating, self-assessment and score-card pages: who gets in (404 outside, 403 inside without
the right), what they see, and that each form reaches its service and shows its Chinese message.

The province is orgs/tests/factories.make_tree(): union A (昆明供电局 E-A1 with a unit, 曲靖供电局 E-A2),
union B (云南铜业股份 E-B1), the department 省国资委 (assigned E-A1) and the office.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment import services
from assessment.choices import AppealStatus, Area, CriterionKind, RoundStatus
from assessment.models import Appeal, Calibration, Criterion, Entry, Evidence, Framework, Participant, Rating, Round
from core.actor import Actor
from core.models import AuditEntry
from orgs.choices import Role
from orgs.tests.factories import make_user

pytestmark = pytest.mark.django_db

LEVELS = [
    {"code": "A", "label": "好", "share": "1", "description": "制度健全，成效明显"},
    {"code": "B", "label": "较好", "share": "0.8", "description": "有制度，有成效"},
    {"code": "C", "label": "一般", "share": "0.6", "description": "工作开展不够"},
]
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@dataclass
class World:
    tree: object
    office: object
    framework: Framework
    round: Round
    q1: Criterion  # 思想引领: mean of raters
    q2: Criterion  # 组织推进: raters must agree
    bonus: Criterion
    veto: Criterion

    def p(self, org) -> Participant:
        return Participant.objects.get(round=self.round, org=org)

    def actor(self, user=None) -> Actor:
        return Actor(user=user or self.office)

    def refresh(self) -> Round:
        self.round.refresh_from_db()
        return self.round


def build_framework(office) -> tuple[Framework, dict[str, Criterion]]:
    by = Actor(user=office)
    framework = services.framework_create(by=by, year=2021, name="2021年度产改工作考核办法")
    thought = services.dimension_save(
        by=by, framework=framework, code="THOUGHT", name="思想引领", area=Area.THOUGHT, points=Decimal(60)
    )
    organisation = services.dimension_save(
        by=by, framework=framework, code="ORG", name="改革组织推进", area=Area.ORGANISATION, points=Decimal(40),
        sort_order=1,
    )  # fmt: skip
    criteria = {
        "q1": services.criterion_save(
            by=by, dimension=thought, code="Q1", name="宣讲活动开展情况", kind=CriterionKind.QUALITATIVE,
            points=Decimal(60), levels=LEVELS, combine="mean", description="查阅宣讲记录和覆盖人次。",
        ),
        "q2": services.criterion_save(
            by=by, dimension=organisation, code="Q2", name="领导小组运行情况", kind=CriterionKind.QUALITATIVE,
            points=Decimal(40), levels=LEVELS, combine="consensus",
        ),
        "bonus": services.criterion_save(
            by=by, dimension=organisation, code="BONUS", name="荣誉加分", kind=CriterionKind.BONUS, points=Decimal(5),
            items=[{"code": "NATIONAL", "label": "获全国荣誉", "points": "3"}], sort_order=2,
        ),
        "veto": services.criterion_save(
            by=by, dimension=organisation, code="VETO", name="重大安全事故", kind=CriterionKind.VETO, points=Decimal(0),
            grade_cap="pass", sort_order=3,
        ),
    }  # fmt: skip
    framework.refresh_from_db()
    services.framework_issue(by=by, framework=framework, version=framework.version)
    framework.refresh_from_db()
    return framework, criteria


@pytest.fixture
def world(tree) -> World:
    office = tree.user(Role.OFFICE_ADMIN)
    framework, c = build_framework(office)
    round_ = services.round_open(
        by=Actor(user=office), framework=framework, name="2021年度产改考核",
        orgs=[tree.ent_a1, tree.ent_a2, tree.ent_b1],
    )  # fmt: skip
    return World(tree, office, framework, round_, c["q1"], c["q2"], c["bonus"], c["veto"])


def advance(world: World, to: str) -> None:
    while world.refresh().status != to:
        services.round_advance(by=world.actor(), round_=world.round, version=world.round.version)


def rate_all(world: World, rater, level: str = "A") -> None:
    for participant in world.round.participants.select_related("org"):
        for criterion in (world.q1, world.q2):
            services.rating_save(
                by=Actor(user=rater), participant=participant, criterion=criterion, level=level, comment="材料齐全"
            )


def publish(world: World) -> None:
    """Rated by the office admin (A everywhere), computed and published."""
    services.rater_assign(by=world.actor(), round_=world.round, user=world.office)
    advance(world, RoundStatus.RATING)
    rate_all(world, world.office)
    advance(world, RoundStatus.CALIBRATION)
    services.round_compute(by=world.actor(), round_=world.round)
    services.round_publish(by=world.actor(), round_=world.refresh(), version=world.round.version)


def client_for(client, user):
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Round list and opening ---------------------------------------------------------------------------


def test_office_lists_rounds_and_an_enterprise_sees_a_round_only_once_published(client, world):
    office = client_for(client, world.office)
    page = office.get(reverse("assessment:round_list"))
    assert page.status_code == 200
    assert "2021年度产改考核" in page.content.decode()
    assert "开启考核轮次" in page.content.decode()

    reporter = world.tree.user(Role.REPORTER)
    client.force_login(reporter)
    assert "2021年度产改考核" not in client.get(reverse("assessment:round_list")).content.decode()
    assert client.get(reverse("assessment:round_detail", args=[world.round.pk])).status_code == 404

    publish(world)
    listed = client.get(reverse("assessment:round_list")).content.decode()
    assert "2021年度产改考核" in listed
    assert "开启考核轮次" not in listed


def test_round_list_query_count_does_not_grow_with_rounds(client, world, django_assert_max_num_queries):
    for n in range(5):
        services.round_open(by=world.actor(), framework=world.framework, name=f"补充轮次{n}", orgs=[world.tree.ent_a1])
    client.force_login(world.office)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("assessment:round_list"))
    assert response.content.decode().count('data-round="') == 6


def test_office_opens_a_round_over_the_enterprises_of_a_union(client, world):
    client.force_login(world.office)
    assert client.get(reverse("assessment:round_open")).status_code == 200
    response = client.post(
        reverse("assessment:round_open"),
        {"framework": world.framework.pk, "name": "2021年度电网考核", "under": [world.tree.union_a.pk],
         "appeal_deadline": "2030-12-31"},
    )  # fmt: skip
    round_ = Round.objects.get(name="2021年度电网考核")
    assert response.status_code == 302 and response["Location"] == reverse("assessment:round_detail", args=[round_.pk])
    assert sorted(round_.participants.values_list("org__code", flat=True)) == ["E-A1", "E-A2"]
    assert str(round_.appeal_deadline) == "2030-12-31"
    assert AuditEntry.objects.filter(event="assessment.round.open", object_id=str(round_.pk)).exists()
    page = client.get(response["Location"])
    assert "已开启考核轮次“2021年度电网考核”，共 2 家被考核单位。" in messages_of(page)


def test_opening_a_round_without_organisations_says_so(client, world):
    client.force_login(world.office)
    response = client.post(reverse("assessment:round_open"), {"framework": world.framework.pk, "name": "空轮次"})
    assert response.status_code == 200
    assert "请选择被考核单位。" in response.content.decode()
    assert not Round.objects.filter(name="空轮次").exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.UNION_ADMIN, 404), (Role.REPORTER, 404), (Role.OFFICE_REVIEWER, 403), (Role.LEADER, 404)],
)
def test_only_the_office_admin_opens_rounds(client, world, role, status):
    # One meaning of "office" (issue 10): outside the office the page does not exist (404); an office
    # member who does not run rounds is refused (403).
    client.force_login(world.tree.user(role))
    response = client.get(reverse("assessment:round_open"))
    assert response.status_code == status
    if status == 403:
        assert "只有产改办可以管理考核轮次。" in response.content.decode()


# --- Office-only pages and actions ----------------------------------------------------------------------

OFFICE_PAGES = ["round_raters", "round_ranking", "round_calibration", "round_entries", "round_appeals"]
OFFICE_POSTS = ["round_advance", "round_publish", "round_lock", "round_reopen", "round_compute", "calibrate"]


@pytest.mark.parametrize("name", OFFICE_PAGES + OFFICE_POSTS)
def test_office_pages_are_404_outside_the_office_and_403_for_an_office_reviewer(client, world, name):
    # Issue 10: one answer for "not yours" (404), also for a rater who sees the round; 403 only for an
    # office member who may see the round but does not run it.
    rater = world.tree.user(Role.DEPT_VIEWER)
    services.rater_assign(by=world.actor(), round_=world.round, user=rater)
    reviewer = world.tree.user(Role.OFFICE_REVIEWER)
    services.rater_assign(by=world.actor(), round_=world.round, user=reviewer)  # so the round is visible
    outsider = world.tree.user(Role.REPORTER, world.tree.ent_b1)
    url = reverse(f"assessment:{name}", args=[world.round.pk])
    send = client.post if name in OFFICE_POSTS else client.get
    data = {"version": world.round.version, "reason": "测试"} if name in OFFICE_POSTS else None

    client.force_login(reviewer)
    refused = send(url, data)
    assert refused.status_code == 403
    assert "只有产改办可以管理考核轮次。" in refused.content.decode()
    for user in (rater, outsider):
        client.force_login(user)
        assert send(url, data).status_code == 404
    assert world.refresh().status == RoundStatus.SELF_ASSESSMENT
    assert not world.round.computations.exists()

    client.force_login(world.office)
    if name in OFFICE_PAGES:
        assert send(url).status_code == 200


def test_office_advances_the_stage_and_a_stale_version_is_refused(client, world):
    client.force_login(world.office)
    stale = world.round.version
    response = client.post(
        reverse("assessment:round_advance", args=[world.round.pk]), {"version": stale, "next_tab": "round_raters"}
    )
    assert response["Location"] == reverse("assessment:round_raters", args=[world.round.pk])
    assert world.refresh().status == RoundStatus.RATING
    assert AuditEntry.objects.filter(event="assessment.round.advance").count() == 1
    page = client.get(response["Location"])
    assert "“2021年度产改考核”已进入“评分”阶段。" in messages_of(page)

    again = client.post(reverse("assessment:round_advance", args=[world.round.pk]), {"version": stale}, follow=True)
    assert "该记录已被他人修改，请刷新后重试。" in messages_of(again)
    assert world.refresh().status == RoundStatus.RATING


def test_office_assigns_a_rater_and_sees_progress(client, world):
    client.force_login(world.office)
    rater = world.tree.user(Role.DEPT_VIEWER)
    response = client.post(
        reverse("assessment:round_raters", args=[world.round.pk]),
        {"user": rater.pk, "criterion": world.q1.pk, "org": world.tree.ent_a1.pk},
    )
    assert response.status_code == 302
    assignment = world.round.raters.get()
    assert (assignment.user, assignment.criterion, assignment.org) == (rater, world.q1, world.tree.ent_a1)
    page = client.get(reverse("assessment:round_raters", args=[world.round.pk])).content.decode()
    assert f'data-rater="{rater.username}"' in page
    assert "昆明供电局（含下属单位）" in page
    assert "0 / 3 家已评" in page


def test_compute_publish_and_the_ranking_table(client, world):
    services.rater_assign(by=world.actor(), round_=world.round, user=world.office)
    advance(world, RoundStatus.RATING)
    rate_all(world, world.office, "B")
    services.rating_save(
        by=world.actor(), participant=world.p(world.tree.ent_a1), criterion=world.q1, level="A", comment="成效突出",
        version=Rating.objects.get(participant=world.p(world.tree.ent_a1), criterion=world.q1).version,
    )  # fmt: skip
    advance(world, RoundStatus.CALIBRATION)
    client.force_login(world.office)

    computed = client.post(
        reverse("assessment:round_compute", args=[world.round.pk]), {"reason": "首次计算"}, follow=True
    )
    assert "已完成第 1 次计算，共 3 家单位。" in messages_of(computed)
    page = computed.content.decode()
    # E-A1: Q1 60 × 100% + Q2 40 × 80% = 92; the others 60 × 80% + 40 × 80% = 80.
    assert page.index('data-org="E-A1"') < page.index('data-org="E-A2"')
    table = computed.context["results"]
    assert [(r.participant.org.code, r.rank, r.total, r.grade) for r in table] == [
        ("E-A1", 1, Decimal("92.00"), "excellent"),
        ("E-A2", 2, Decimal("80.00"), "good"),
        ("E-B1", 2, Decimal("80.00"), "good"),
    ]
    assert "各单位适用的考核指标不尽相同" in page  # the normalisation text

    peer = client.get(reverse("assessment:round_ranking", args=[world.round.pk]), {"peer": "ownership:"})
    assert peer.status_code == 200
    partial = client.get(
        reverse("assessment:round_ranking", args=[world.round.pk]), {"peer": "ownership:"}, HTTP_HX_REQUEST="true"
    )
    assert partial.content.decode().lstrip().startswith('<div id="ranking">')

    published = client.post(
        reverse("assessment:round_publish", args=[world.round.pk]), {"version": world.refresh().version}, follow=True
    )
    assert "已公布“2021年度产改考核”的考核结果，申诉期开始。" in messages_of(published)
    assert world.refresh().status == RoundStatus.PUBLISHED and world.round.published.number == 1


def test_publishing_with_unresolved_criteria_is_refused_and_calibration_resolves_it(client, world):
    services.rater_assign(by=world.actor(), round_=world.round, user=world.office)
    dept = world.tree.user(Role.DEPT_VIEWER)
    services.rater_assign(by=world.actor(), round_=world.round, user=dept, criterion=world.q2)
    advance(world, RoundStatus.RATING)
    rate_all(world, world.office, "A")
    services.rating_save(
        by=Actor(user=dept),
        participant=world.p(world.tree.ent_b1),
        criterion=world.q2,
        level="C",
        comment="会议记录不全",
    )
    advance(world, RoundStatus.CALIBRATION)
    services.round_compute(by=world.actor(), round_=world.round)
    client.force_login(world.office)

    refused = client.post(
        reverse("assessment:round_publish", args=[world.round.pk]), {"version": world.refresh().version}, follow=True
    )
    assert "还有 1 家单位存在待校准或缺少设置的考核项，请处理并重新计算后再公布。" in messages_of(refused)
    assert world.refresh().status == RoundStatus.CALIBRATION

    page = client.get(reverse("assessment:round_calibration", args=[world.round.pk]), {"state": "open"})
    body = page.content.decode()
    assert 'data-item="E-B1:Q2"' in body and 'data-item="E-A1:Q2"' not in body
    assert "会议记录不全" in body and "评分人意见不一致，待产改办校准。" in body

    url = reverse("assessment:calibrate", args=[world.round.pk])
    participant = world.p(world.tree.ent_b1)
    missing = client.post(url, {"participant": participant.pk, "criterion": world.q2.pk, "level": "B", "reason": " "},
                          HTTP_HX_REQUEST="true")  # fmt: skip
    assert missing.status_code == 200 and "请填写校准理由。" in missing.content.decode()
    assert not Calibration.objects.exists()
    saved = client.post(
        url, {"participant": participant.pk, "criterion": world.q2.pk, "level": "B", "reason": "复核会议纪要"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert saved.status_code == 200
    assert "已校准为“较好”" in saved.content.decode()
    assert Calibration.objects.get(participant=participant, criterion=world.q2).level == "B"
    assert AuditEntry.objects.filter(event="assessment.calibration.save").count() == 1

    services.round_compute(by=world.actor(), round_=world.round)
    client.post(reverse("assessment:round_publish", args=[world.round.pk]), {"version": world.refresh().version})
    assert world.refresh().status == RoundStatus.PUBLISHED


def test_office_records_a_bonus_and_it_shows_on_the_score_card(client, world):
    client.force_login(world.office)
    participant = world.p(world.tree.ent_a2)
    response = client.post(
        reverse("assessment:round_entries", args=[world.round.pk]),
        {"participant": participant.pk, "target": f"{world.bonus.pk}:NATIONAL", "note": "获全国五一劳动奖状"},
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert (entry.participant, entry.criterion, entry.item) == (participant, world.bonus, "NATIONAL")
    empty = client.post(
        reverse("assessment:round_entries", args=[world.round.pk]),
        {"participant": participant.pk, "target": f"{world.veto.pk}:", "note": ""},
    )
    assert "请写明事由和依据。" in empty.content.decode()
    assert Entry.objects.count() == 1

    publish(world)
    card = client.get(reverse("assessment:score_card", args=[participant.pk])).content.decode()
    assert "获全国五一劳动奖状" in card
    assert "+3.00" in card


def test_office_answers_an_appeal(client, world):
    publish(world)
    reporter = world.tree.user(Role.REPORTER)
    appeal = services.appeal_file(
        by=Actor(user=reporter), participant=world.p(world.tree.ent_a1), criterion=world.q1, reason="宣讲场次漏计"
    )
    client.force_login(world.office)
    page = client.get(reverse("assessment:round_appeals", args=[world.round.pk])).content.decode()
    assert "宣讲场次漏计" in page
    url = reverse("assessment:appeal_answer", args=[world.round.pk, appeal.pk])
    blank = client.post(url, {f"a{appeal.pk}-version": appeal.version, f"a{appeal.pk}-upheld": "0",
                              f"a{appeal.pk}-answer": ""}, follow=True)  # fmt: skip
    assert messages_of(blank) == ["请填写答复意见。"]
    answer = {
        f"a{appeal.pk}-version": appeal.version,
        f"a{appeal.pk}-upheld": "0",
        f"a{appeal.pk}-answer": "经核实无误",
    }
    answered = client.post(url, answer, follow=True)
    assert "已答复“昆明供电局”对“宣讲活动开展情况”的申诉。" in messages_of(answered)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.answer, appeal.answered_by) == (AppealStatus.REJECTED, "经核实无误", world.office)

    locked = client.post(
        reverse("assessment:round_lock", args=[world.round.pk]), {"version": world.refresh().version}, follow=True
    )
    assert "“2021年度产改考核”已锁定。" in messages_of(locked)
    reopened = client.post(
        reverse("assessment:round_reopen", args=[world.round.pk]), {"version": world.refresh().version, "reason": ""},
        follow=True,
    )  # fmt: skip
    assert world.refresh().status == RoundStatus.LOCKED
    assert messages_of(reopened) == ["请填写重新开启的原因。"]
    client.post(
        reverse("assessment:round_reopen", args=[world.round.pk]),
        {"version": world.round.version, "reason": "已验收数据更正"},
    )
    assert world.refresh().status == RoundStatus.CALIBRATION


# --- Raters ---------------------------------------------------------------------------------------------


def test_a_rater_sees_only_what_they_were_assigned(client, world):
    rater = world.tree.user(Role.DEPT_VIEWER)
    services.rater_assign(by=world.actor(), round_=world.round, user=rater, criterion=world.q1, org=world.tree.union_a)
    advance(world, RoundStatus.RATING)
    client.force_login(rater)

    tasks = client.get(reverse("assessment:rating_tasks", args=[world.round.pk])).content.decode()
    assert 'data-task="E-A1:Q1"' in tasks and 'data-task="E-A2:Q1"' in tasks
    assert "E-B1" not in tasks and ":Q2" not in tasks

    def rate_url(org, criterion):
        return reverse("assessment:rate", args=[world.round.pk, world.p(org).pk, criterion.pk])

    assert client.get(rate_url(world.tree.ent_b1, world.q1)).status_code == 404  # outside the subtree
    assert client.get(rate_url(world.tree.ent_a1, world.q2)).status_code == 404  # another criterion
    assert client.post(rate_url(world.tree.ent_b1, world.q1), {"level": "A", "comment": "x"}).status_code == 404
    page = client.get(rate_url(world.tree.ent_a1, world.q1))
    assert page.status_code == 200
    body = page.content.decode()
    assert "制度健全，成效明显" in body and "查阅宣讲记录和覆盖人次。" in body

    saved = client.post(
        rate_url(world.tree.ent_a1, world.q1), {"level": "B", "comment": "宣讲覆盖面广", "then": "next"}
    )
    assert saved["Location"] == rate_url(world.tree.ent_a2, world.q1)
    rating = Rating.objects.get()
    assert (rating.participant.org, rating.criterion, rating.rater, rating.level) == (
        world.tree.ent_a1,
        world.q1,
        rater,
        "B",
    )
    assert AuditEntry.objects.filter(event="assessment.rating.create", user_id=rater.pk).count() == 1

    updated = client.post(
        rate_url(world.tree.ent_a1, world.q1), {"level": "A", "comment": "补充材料后上调", "version": rating.version}
    )
    assert updated.status_code == 302
    rating.refresh_from_db()
    assert rating.level == "A"
    # A rater reaches neither the office's pages nor the organisations' score cards.
    assert client.get(reverse("assessment:round_ranking", args=[world.round.pk])).status_code == 404
    assert client.get(reverse("assessment:score_card", args=[world.p(world.tree.ent_a2).pk])).status_code == 404


def test_a_rater_cannot_rate_their_own_organisation(client, world):
    guidance = world.tree.user(Role.GUIDANCE)  # a member of 昆明供电局 (E-A1)
    services.rater_assign(by=world.actor(), round_=world.round, user=guidance)
    advance(world, RoundStatus.RATING)
    client.force_login(guidance)

    tasks = client.get(reverse("assessment:rating_tasks", args=[world.round.pk])).content.decode()
    assert "本单位，不能评分" in tasks
    own = reverse("assessment:rate", args=[world.round.pk, world.p(world.tree.ent_a1).pk, world.q1.pk])
    page = client.get(own).content.decode()
    assert "这是您本人所在的单位（或其上级、下属单位），您不能为其评分。" in page
    assert 'id="rating-form"' not in page
    refused = client.post(own, {"level": "A", "comment": "很好"})
    assert refused.status_code == 403
    assert "不能为本人所在单位评分。" in refused.content.decode()
    assert not Rating.objects.exists()

    other = reverse("assessment:rate", args=[world.round.pk, world.p(world.tree.ent_b1).pk, world.q1.pk])
    assert client.post(other, {"level": "C", "comment": "记录不全"}).status_code == 302
    assert Rating.objects.get().participant.org == world.tree.ent_b1


def test_rating_outside_the_rating_stage_shows_the_services_message(client, world):
    rater = world.tree.user(Role.DEPT_VIEWER)
    services.rater_assign(by=world.actor(), round_=world.round, user=rater)
    client.force_login(rater)
    url = reverse("assessment:rate", args=[world.round.pk, world.p(world.tree.ent_b1).pk, world.q1.pk])
    response = client.post(url, {"level": "A", "comment": "很好"})
    assert response.status_code == 200
    assert "当前不在评分阶段，不能评分。" in response.content.decode()
    assert not Rating.objects.exists()


def test_navigation_offers_my_ratings_to_people_named_raters(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.tree.user(Role.REPORTER))
    home = client.get(reverse("home")).content.decode()
    assert "量化考核" in home and "我的考核结果" in home and "我的评分" not in home
    # A department viewer may be named a rater, but until then 我的评分 would be empty: not offered.
    rater = world.tree.user(Role.DEPT_VIEWER)
    client.force_login(rater)
    assert "我的评分" not in client.get(reverse("home")).content.decode()
    assert "您目前没有评分任务。" in client.get(reverse("assessment:rating_home")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.rater_assign(by=world.actor(), round_=world.round, user=rater)
    assert "我的评分" in client.get(reverse("home")).content.decode()
    listed = client.get(reverse("assessment:rating_home")).content.decode()
    assert "2021年度产改考核" in listed and "已评 0 / 6 项" in listed


# --- The assessed organisation --------------------------------------------------------------------------


def test_the_enterprise_submits_its_self_assessment_with_a_link_and_a_file(client, world):
    reporter = world.tree.user(Role.REPORTER)
    client.force_login(reporter)
    participant = world.p(world.tree.ent_a1)
    url = reverse("assessment:self_assessment", args=[participant.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"note": "全年开展宣讲 24 场。", "version": participant.version})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.self_note == "全年开展宣讲 24 场。" and participant.self_submitted_at is not None

    evidence_url = reverse("assessment:evidence_add", args=[participant.pk])
    bad = client.post(evidence_url, {"criterion": world.q1.pk, "title": "宣讲报道", "url": "ftp://example"})
    assert bad.status_code == 400 and "链接应以 http:// 或 https:// 开头。" in bad.content.decode()
    none = client.post(evidence_url, {"criterion": world.q1.pk, "title": "空"})
    assert "请上传一个文件、填写一个链接或选择一份报表（三选一）。" in none.content.decode()
    client.post(evidence_url, {"criterion": world.q1.pk, "title": "宣讲报道", "url": "https://example.org/a"})
    upload = SimpleUploadedFile("宣讲照片.png", PNG, content_type="image/png")
    client.post(evidence_url, {"criterion": world.q1.pk, "title": "", "file": upload})
    link, image = Evidence.objects.order_by("pk")
    assert (link.kind, link.url) == ("link", "https://example.org/a")
    assert image.kind == "file" and image.title == "宣讲照片.png"

    download = client.get(reverse("assessment:evidence_download", args=[image.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert "attachment" in download["Content-Disposition"]
    assert AuditEntry.objects.filter(event="assessment.evidence.download", object_id=str(image.pk)).exists()

    # A rater assigned to that organisation reads the evidence too; an unrelated enterprise does not.
    rater = world.tree.user(Role.DEPT_VIEWER)
    services.rater_assign(by=world.actor(), round_=world.round, user=rater, criterion=world.q1)
    client.force_login(rater)
    assert client.get(reverse("assessment:evidence_download", args=[image.pk])).status_code == 200
    client.force_login(world.tree.user(Role.REPORTER, world.tree.ent_b1))
    assert client.get(reverse("assessment:evidence_download", args=[image.pk])).status_code == 404

    # issue 11: someone who views the organisation but is refused its unpublished card gets no file.
    client.force_login(world.tree.user(Role.INFO_OFFICER))
    card = client.get(reverse("assessment:score_card", args=[participant.pk]))
    assert card.status_code == 403
    assert client.get(reverse("assessment:evidence_download", args=[image.pk])).status_code == 404


def test_self_assessment_needs_edit_rights_on_the_organisation(client, world):
    participant = world.p(world.tree.ent_a1)
    url = reverse("assessment:self_assessment", args=[participant.pk])
    client.force_login(world.tree.user(Role.INFO_OFFICER))  # views 昆明供电局 but does not edit
    refused = client.get(url)
    assert refused.status_code == 403
    assert "只有被考核单位（或其上级工会）有填报权限的人员可以提交自评。" in refused.content.decode()
    client.force_login(world.tree.user(Role.REPORTER, world.tree.ent_b1))
    assert client.get(url).status_code == 404
    advance(world, RoundStatus.CALIBRATION)
    client.force_login(world.tree.user(Role.REPORTER))
    late = client.post(url, {"note": "补交", "version": participant.version})
    assert "自评阶段已结束，不能再提交自评材料。" in late.content.decode()


def test_score_card_is_hidden_until_published_and_404_outside_the_scope(client, world):
    reporter = world.tree.user(Role.REPORTER)
    client.force_login(reporter)
    own = reverse("assessment:score_card", args=[world.p(world.tree.ent_a1).pk])
    refused = client.get(own)
    assert refused.status_code == 403 and "考核结果尚未公布。" in refused.content.decode()
    publish(world)
    assert client.get(own).status_code == 200
    assert client.get(reverse("assessment:score_card", args=[world.p(world.tree.ent_b1).pk])).status_code == 404
    assert client.get(reverse("assessment:score_card", args=[999999])).status_code == 404


def test_score_card_explains_every_point(client, world):
    services.rater_assign(by=world.actor(), round_=world.round, user=world.office)
    advance(world, RoundStatus.RATING)
    rate_all(world, world.office, "B")
    advance(world, RoundStatus.CALIBRATION)
    services.entry_add(by=world.actor(), participant=world.p(world.tree.ent_a1), criterion=world.veto, item="",
                       note="发生一般安全生产事故")  # fmt: skip
    services.round_compute(by=world.actor(), round_=world.round)
    services.round_publish(by=world.actor(), round_=world.refresh(), version=world.round.version)
    union_admin = world.tree.user(Role.UNION_ADMIN)
    client.force_login(union_admin)

    response = client.get(reverse("assessment:score_card", args=[world.p(world.tree.ent_a1).pk]))
    body = response.content.decode()
    card = response.context["card"]
    assert card.result.total == Decimal("80.00") and card.result.grade == "pass"  # 良好, capped by the veto
    assert "一票否决；否决前为“良好”" in body
    assert "第 1 名 / 3" in body
    assert "宣讲活动开展情况" in body and "较好" in body and "材料齐全" in body
    assert "评分人：" in body and (world.office.full_name or world.office.username) in body
    assert "发生一般安全生产事故" in body
    assert "各单位适用的考核指标不尽相同" in body
    # The rounding rule is on the card: every printed number is the number used.
    assert 'id="rounding"' in body and "指标数值先按其显示的小数位四舍五入" in body
    assert "基本得分 80.00" in body
    # The union administrator reads the card but is not the assessed organisation: no appeal form.
    assert "对本项提出申诉" not in body


def test_only_the_assessed_organisation_appeals(client, world):
    publish(world)
    participant = world.p(world.tree.ent_a1)
    url = reverse("assessment:appeal_file", args=[participant.pk])
    union_admin = world.tree.user(Role.UNION_ADMIN)
    client.force_login(union_admin)
    refused = client.post(url, {"criterion": world.q1.pk, "reason": "替下属单位申诉"})
    assert refused.status_code == 403
    assert "只有被考核单位本单位的人员可以提出申诉。" in refused.content.decode()
    client.force_login(world.tree.user(Role.REPORTER, world.tree.ent_b1))
    assert client.post(url, {"criterion": world.q1.pk, "reason": "越权"}).status_code == 404
    assert not Appeal.objects.exists()

    reporter = world.tree.user(Role.REPORTER)
    client.force_login(reporter)
    card = client.get(reverse("assessment:score_card", args=[participant.pk])).content.decode()
    assert "对本项提出申诉" in card
    blank = client.post(url, {"criterion": world.q1.pk, "reason": "  "}, follow=True)
    assert messages_of(blank) == ["请写明申诉理由。"]
    filed = client.post(url, {"criterion": world.q1.pk, "reason": "宣讲场次漏计 6 场"}, follow=True)
    assert "已就“宣讲活动开展情况”提出申诉，产改办答复后将显示在本页。" in messages_of(filed)
    appeal = Appeal.objects.get()
    assert (appeal.participant, appeal.criterion, appeal.filed_by, appeal.status) == (
        participant, world.q1, reporter, AppealStatus.PENDING,
    )  # fmt: skip
    assert "宣讲场次漏计 6 场" in filed.content.decode() and 'data-appeal="pending"' in filed.content.decode()
    again = client.post(url, {"criterion": world.q1.pk, "reason": "再次申诉"}, follow=True)
    assert "该项已有待答复的申诉。" in messages_of(again)
    assert AuditEntry.objects.filter(event="assessment.appeal.file").count() == 1


def test_my_results_lists_published_cards_and_self_assessments_to_do(client, world):
    reporter = world.tree.user(Role.REPORTER)
    client.force_login(reporter)
    page = client.get(reverse("assessment:my_results")).content.decode()
    assert "待提交的自评" in page and "未提交自评" in page
    assert 'id="my-results"' not in page
    publish(world)
    page = client.get(reverse("assessment:my_results")).content.decode()
    assert f'data-participant="{world.p(world.tree.ent_a1).pk}"' in page
    assert f'data-participant="{world.p(world.tree.ent_b1).pk}"' not in page
    assert "100.00" in page and "优秀" in page


def test_a_leader_sees_the_published_ranking_but_no_office_controls(client, world):
    publish(world)
    leader = make_user("lingdao", role=Role.LEADER, org=world.tree.province)
    client.force_login(leader)
    page = client.get(reverse("assessment:round_detail", args=[world.round.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert all(f'data-org="{code}"' in body for code in ("E-A1", "E-A2", "E-B1"))
    assert "计算得分" not in body and "公布考核结果" not in body


# --- Query budgets --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("round_detail", Role.OFFICE_ADMIN),
        ("round_ranking", Role.OFFICE_ADMIN),
        ("round_calibration", Role.OFFICE_ADMIN),
        ("round_raters", Role.OFFICE_ADMIN),
        ("round_entries", Role.OFFICE_ADMIN),
        ("round_appeals", Role.OFFICE_ADMIN),
        ("round_detail", Role.UNION_ADMIN),
    ],
)
def test_round_pages_use_the_same_queries_for_more_participants(client, tree, name, role):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orgs.choices import OrgKind
    from orgs.tests.factories import make_org

    office = tree.user(Role.OFFICE_ADMIN)
    framework, _criteria = build_framework(office)
    extra = [make_org(tree.union_a, f"新增企业{n}", OrgKind.ENTERPRISE) for n in range(6)]
    counts = []
    for orgs in ([tree.ent_a1, tree.ent_a2, tree.ent_b1], [tree.ent_a1, tree.ent_a2, tree.ent_b1, *extra]):
        round_ = services.round_open(by=Actor(user=office), framework=framework, name=f"轮次{len(orgs)}", orgs=orgs)
        world = World(tree, office, framework, round_, *_criteria.values())
        publish(world)
        services.appeal_file(
            by=Actor(user=tree.user(Role.REPORTER)), participant=world.p(tree.ent_a1), criterion=world.q1, reason="复核"
        )
        client.force_login(tree.user(role))
        client.get(reverse(f"assessment:{name}", args=[round_.pk]))  # the menu's cached answers (是否评分人), once
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(f"assessment:{name}", args=[round_.pk]))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 30, counts


def test_a_missing_figure_says_the_reports_state_and_links_to_it(client, tree, wf, clock):
    """Not only "本年度没有已验收的数据": 曲靖供电局's 2021 report is a draft (linked for its reporter), and
    云南铜业股份 never started one."""
    from analytics.tests.helpers import accepted_report
    from assessment.tests.factories import make_framework
    from assessment.tests.rounds import advance as advance_to
    from assessment.tests.rounds import compute_and_publish
    from reporting.choices import ReportStatus
    from reporting.tests.factories import at

    clock.set(at(2022, 3, 1))
    office = tree.user(Role.OFFICE_ADMIN)
    by = Actor(user=office)
    accepted_report(tree, wf[0], "2021", tree.ent_a1, certified=300, college=240)
    draft = accepted_report(tree, wf[0], "2021", tree.ent_a2, status=ReportStatus.DRAFT, certified=60)
    framework = make_framework(office)
    round_ = services.round_open(by=by, framework=framework, name="考核", orgs=[tree.ent_a1, tree.ent_a2, tree.ent_b1])
    advance_to(by, round_, RoundStatus.CALIBRATION)
    group = Criterion.objects.get(dimension__framework=framework, code="GROUP")
    for participant in round_.participants.all():
        services.calibrate(by=by, participant=participant, criterion=group, level="B", reason="按评审意见")
    compute_and_publish(by, round_)

    client.force_login(tree.user(Role.REPORTER, tree.ent_a2))
    body = client.get(reverse("assessment:score_card", args=[round_.participants.get(org=tree.ent_a2).pk]))
    text = body.content.decode()
    assert f"本年度没有已验收的数据，不得分（本单位2021年度“{wf[0].name}”：草稿）。" in text
    assert (
        f'<a href="{reverse("reporting:report_detail", kwargs={"pk": draft.pk})}">查看本单位本年度报表（草稿）</a>'
        in text
    )

    client.force_login(tree.user(Role.REPORTER, tree.ent_b1))
    copper = client.get(reverse("assessment:score_card", args=[round_.participants.get(org=tree.ent_b1).pk]))
    assert f"本年度没有已验收的数据，不得分（本单位2021年度“{wf[0].name}”：尚未开始填报）。" in copper.content.decode()
    assert "data-report-link" not in copper.content.decode()
