"""The studios pages: scope (404 outside, 403 without the action), list filters and query budget, the profile,
create with the searchable leader select, results, alliances' visibility across the tree, the review steps."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEntry
from orgs.choices import Role
from studios.choices import ReviewStatus
from studios.models import Studio, StudioResult
from studios.tests.factories import make_alliance, make_person, make_result, make_review, make_studio


@pytest.fixture
def studios(tree):
    return {
        "own": make_studio(tree.ent_a1, name="张明劳模创新工作室"),
        "child": make_studio(tree.unit_a1, name="修试所职工创新工作室"),
        "sibling": make_studio(tree.ent_a2, name="曲靖工匠创新工作室"),
        "other_branch": make_studio(tree.ent_b1, name="铜业技师工作站", kind="technician"),
    }


@pytest.mark.parametrize(("where", "status"), [("own", 200), ("child", 200), ("sibling", 404), ("other_branch", 404)])
def test_a_reporter_reads_only_his_subtree(client, tree, studios, where, status):
    client.force_login(tree.user(Role.REPORTER))
    assert client.get(reverse("studios:studio", args=[studios[where].pk])).status_code == status


@pytest.mark.parametrize(("role", "status"), [(Role.UNION_ADMIN, 200), (Role.OFFICE_ADMIN, 200)])
def test_edit_page_is_for_those_who_may_edit(client, tree, studios, role, status):
    client.force_login(tree.user(role))
    assert client.get(reverse("studios:studio_edit", args=[studios["own"].pk])).status_code == status


def test_a_viewer_without_edit_gets_404_on_the_edit_page_and_403_on_create(client, tree, studios):
    client.force_login(tree.user(Role.INFO_OFFICER))
    assert client.get(reverse("studios:studio", args=[studios["own"].pk])).status_code == 200
    assert client.get(reverse("studios:studio_edit", args=[studios["own"].pk])).status_code == 404
    assert client.get(reverse("studios:studio_create")).status_code == 403
    assert client.get(reverse("studios:result_create", args=[studios["own"].pk])).status_code == 404


def test_list_shows_the_scope_and_filters(client, tree, studios, django_assert_max_num_queries):
    client.force_login(tree.user(Role.UNION_ADMIN))
    make_result(studios["own"], value="250000")
    with django_assert_max_num_queries(15):
        page = client.get(reverse("studios:home")).content.decode()
    assert "张明劳模创新工作室" in page and "修试所职工创新工作室" in page and "曲靖工匠创新工作室" in page
    assert "铜业技师工作站" not in page
    assert "25.00万" in page and "暂无数据" in page  # a studio without results shows no 0
    page = client.get(reverse("studios:home"), {"org": "E-A2"}).content.decode()
    assert "曲靖工匠创新工作室" in page and "张明劳模创新工作室" not in page
    page = client.get(reverse("studios:home"), {"kind": "technician"}).content.decode()
    assert "共 0 个工作室" in page


def test_the_office_filters_by_naming_year_and_level(client, tree, studios):
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    raised = studios["other_branch"]
    from studios.tests.factories import raise_to

    raise_to(raised, "provincial", dt.date(2022, 4, 28))
    page = client.get(reverse("studios:home"), {"level": "provincial"}).content.decode()
    assert "铜业技师工作站" in page and "张明劳模创新工作室" not in page
    page = client.get(reverse("studios:home"), {"year": 2022}).content.decode()
    assert "铜业技师工作站" in page and "曲靖工匠创新工作室" not in page


def test_create_picks_the_organisation_then_a_leader_of_its_subtree(client, tree):
    client.force_login(tree.user(Role.UNION_ADMIN))
    inside = make_person(tree.unit_a1, "张明")
    outside = make_person(tree.ent_b1, "李铜")
    url = reverse("studios:studio_create") + "?org=E-A1"
    page = client.get(url).content.decode()
    assert "张明" in page and "李铜" not in page
    options = client.get(reverse("studios:people"), {"org": "E-A1", "q": "张"}).content.decode()
    assert "张明" in options and "李铜" not in options
    data = {"name": "张明劳模创新工作室", "kind": "model_worker", "level": "enterprise", "named_on": "2019-04-28",
            "location": "", "topics": "", "named_by": "", "document": ""}  # fmt: skip
    response = client.post(url, {**data, "leader": outside.pk})
    assert "请从本单位人才库人员中选择领办人。" in response.content.decode()
    response = client.post(url, {**data, "leader": inside.pk})
    studio = Studio.objects.get()
    assert response.status_code == 302 and response["Location"] == studio.get_absolute_url()
    assert studio.leader == inside


def test_create_for_an_organisation_outside_the_scope_reads_as_unknown(client, tree):
    client.force_login(tree.user(Role.UNION_ADMIN))
    page = client.get(reverse("studios:studio_create") + "?org=E-B1").content.decode()
    assert 'id="studio-form"' not in page


def test_record_a_result_on_the_page(client, tree, studios):
    client.force_login(tree.user(Role.UNION_ADMIN))
    studio = studios["own"]
    url = reverse("studios:result_create", args=[studio.pk])
    response = client.post(url, {"kind": "method", "title": "王氏检修法", "achieved_on": "2021-06-01",
                                 "value": "-5", "credited": [studio.leader.pk]})  # fmt: skip
    assert response.status_code == 200 and not StudioResult.objects.exists()
    response = client.post(url, {"kind": "method", "title": "王氏检修法", "achieved_on": "2021-06-01",
                                 "value": "50000", "credited": [studio.leader.pk]})  # fmt: skip
    assert response.status_code == 302
    assert StudioResult.objects.get().title == "王氏检修法"


def test_results_list_totals_are_the_scope_s(client, tree, studios):
    make_result(studios["own"], kind="patent", value="100000")
    make_result(studios["child"], value="20000")
    make_result(studios["other_branch"], value="999999")
    client.force_login(tree.user(Role.UNION_ADMIN))
    page = client.get(reverse("studios:results")).content.decode()
    assert "12.00万" in page and "99.9999万" not in page


def test_studio_export_opens_and_is_audited(client, tree, studios):
    make_result(studios["own"], value="100000")
    client.force_login(tree.user(Role.UNION_ADMIN))
    response = client.get(reverse("studios:studios_xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert rows[0][:3] == ["工作室名称", "类别", "当前级别"]
    names = [r[0] for r in rows[1:] if r[1]]
    assert "张明劳模创新工作室" in names and "铜业技师工作站" not in names
    assert AuditEntry.objects.filter(event="studios.studio.export").exists()


def test_results_export_opens(client, tree, studios):
    make_result(studios["own"], value="100000", title="带电作业工具")
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    response = client.get(reverse("studios:results_xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert rows[0][0] == "带电作业工具" and rows[0][-1] == 100000


def test_export_needs_the_export_action(client, tree, studios):
    client.force_login(tree.user(Role.INFO_OFFICER))
    assert client.get(reverse("studios:studios_xlsx")).status_code == 403


def test_an_alliance_is_seen_by_whoever_sees_one_member_studio(client, tree, studios):
    alliance = make_alliance(studios["other_branch"], studios["own"], name="跨行业联盟")
    lone = make_alliance(studios["other_branch"], make_studio(tree.ent_b1), name="铜业内部联盟")
    client.force_login(tree.user(Role.REPORTER))
    page = client.get(reverse("studios:alliances")).content.decode()
    assert "跨行业联盟" in page and "铜业内部联盟" not in page
    assert client.get(reverse("studios:alliance", args=[alliance.pk])).status_code == 200
    assert client.get(reverse("studios:alliance", args=[lone.pk])).status_code == 404
    # He sees the alliance but manages nothing there: the lead studio is another union's.
    assert client.get(reverse("studios:alliance_edit", args=[alliance.pk])).status_code == 403


def test_a_review_is_submitted_by_the_union_and_rated_by_the_office(client, tree, studios):
    review = make_review(studios["own"])
    client.force_login(tree.user(Role.UNION_ADMIN))
    response = client.post(reverse("studios:review_step", args=[review.pk, "submit"]), {"version": review.version})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    response = client.post(reverse("studios:review_rate", args=[review.pk]), {"version": review.version})
    assert response.status_code == 400 and review.status == ReviewStatus.SUBMITTED
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    page = client.get(reverse("studios:review", args=[review.pk])).content.decode()
    assert 'id="office-rating"' in page
    data = {"version": review.version, "organisation": "16", "topics": "24", "results": "24", "training": "16"}
    response = client.post(reverse("studios:review_rate", args=[review.pk]), data)
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.grade == "good" and review.total == 80


def test_the_review_of_another_union_is_404(client, tree, studios):
    review = make_review(studios["other_branch"])
    client.force_login(tree.user(Role.UNION_ADMIN))
    assert client.get(reverse("studios:review", args=[review.pk])).status_code == 404
    response = client.post(reverse("studios:review_step", args=[review.pk, "submit"]), {"version": review.version})
    assert response.status_code == 404


def test_todos_for_the_office_and_the_union(tree, studios):
    from studios.queries import review_todos

    make_review(studios["own"], status=ReviewStatus.SUBMITTED)
    make_review(studios["child"], status=ReviewStatus.RETURNED)
    office = [t.text for t in review_todos(tree.user(Role.OFFICE_ADMIN))]
    assert office == ["1 份创新工作室年度评估待评定"]
    union = [t.text for t in review_todos(tree.user(Role.UNION_ADMIN))]
    assert union[0] == "1 份创新工作室年度评估被退回，请修改后重新提交"
    assert "年度评估待提交" in union[1]


def test_profile_shows_namings_results_and_members(client, tree, studios):
    studio = studios["own"]
    make_result(studio, value=None, title="无效益的工作法")
    client.force_login(tree.user(Role.REPORTER))
    page = client.get(reverse("studios:studio", args=[studio.pk])).content.decode()
    assert "无效益的工作法" in page and "暂无数据" in page and studio.leader.name in page


def test_members_funds_naming_and_revoking_on_the_pages(client, tree, studios):
    studio = studios["own"]
    client.force_login(tree.user(Role.UNION_ADMIN))
    person = make_person(tree.unit_a1, "王芳")
    outsider = make_person(tree.ent_b1, "李铜")
    url = reverse("studios:member_add", args=[studio.pk])
    page = client.get(url).content.decode()
    assert "王芳" in page and "李铜" not in page
    response = client.post(url, {"person": outsider.pk, "role": "member", "joined_on": "2021-01-01"})
    assert response.status_code == 200 and studio.members.count() == 1
    response = client.post(url, {"person": person.pk, "role": "member", "joined_on": "2021-01-01"})
    assert response.status_code == 302 and studio.members.count() == 2
    response = client.post(reverse("studios:fund_add", args=[studio.pk]),
                           {"year": 2021, "amount": "50000", "source": "省总工会补助"})  # fmt: skip
    assert response.status_code == 302 and studio.funds.get().amount == 50000
    response = client.post(reverse("studios:studio_name", args=[studio.pk]),
                           {"version": studio.version, "level": "provincial", "named_on": "2022-04-28"})  # fmt: skip
    studio.refresh_from_db()
    assert response.status_code == 302 and studio.level == "provincial"
    revoke = {"version": studio.version, "revoked_on": "2023-01-01", "revoke_reason": "整合"}
    response = client.post(reverse("studios:studio_revoke", args=[studio.pk]), revoke)
    studio.refresh_from_db()
    assert studio.status == "revoked"
    page = client.get(reverse("studios:studio", args=[studio.pk])).content.decode()
    assert 'id="record-result"' not in page and "整合" in page


def test_a_stale_edit_on_the_page_says_so(client, tree, studios):
    studio = studios["own"]
    client.force_login(tree.user(Role.UNION_ADMIN))
    Studio.objects.filter(pk=studio.pk).update(version=studio.version + 1)
    data = {"version": studio.version, "name": "新名", "kind": "worker", "leader": studio.leader.pk,
            "location": "", "topics": ""}  # fmt: skip
    page = client.post(reverse("studios:studio_edit", args=[studio.pk]), data).content.decode()
    assert "该工作室已被他人修改，请刷新后重试。" in page
    studio.refresh_from_db()
    assert studio.name == "张明劳模创新工作室"


def test_a_union_founds_an_alliance_with_another_union_s_studio(client, tree, studios):
    client.force_login(tree.user(Role.UNION_ADMIN))
    url = reverse("studios:alliance_create")
    page = client.get(url).content.decode()
    assert "铜业技师工作站" in page  # members may come from anywhere in the province
    response = client.post(url, {"name": "跨行业联盟", "founded_on": "2021-03-01", "lead": studios["own"].pk,
                                 "studios": [studios["other_branch"].pk], "description": ""})  # fmt: skip
    from studios.models import Alliance

    alliance = Alliance.objects.get()
    assert response.status_code == 302 and set(alliance.studios.all()) == {studios["own"], studios["other_branch"]}
    refused = client.post(url, {"name": "别人的联盟", "founded_on": "2021-03-01", "lead": studios["other_branch"].pk,
                                "studios": [studios["own"].pk]})  # fmt: skip
    assert refused.status_code == 200 and Alliance.objects.count() == 1  # not his lead studio to pick
    response = client.post(reverse("studios:activity_add", args=[alliance.pk]),
                           {"held_on": "2021-05-01", "title": "联合攻关启动"})  # fmt: skip
    assert response.status_code == 302 and alliance.activities.count() == 1
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_b))
    assert client.get(reverse("studios:alliance", args=[alliance.pk])).status_code == 200
    response = client.post(reverse("studios:activity_add", args=[alliance.pk]),
                           {"held_on": "2021-06-01", "title": "交流"})  # fmt: skip
    assert response.status_code == 403


def test_the_home_page_lists_the_reviews_waiting_for_the_office(client, tree, studios):
    make_review(studios["own"], status=ReviewStatus.SUBMITTED)
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    page = client.get("/").content.decode()
    assert "1 份创新工作室年度评估待评定" in page
    assert reverse("studios:home") in page  # the menu entry under 建功立业


def test_profile_and_results_list_stay_within_a_query_budget(client, tree, studios, django_assert_max_num_queries):
    studio = studios["own"]
    for n in range(6):
        make_result(studio, value=str(1000 * (n + 1)))
    client.force_login(tree.user(Role.UNION_ADMIN))
    with django_assert_max_num_queries(30):
        assert client.get(reverse("studios:studio", args=[studio.pk])).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("studios:results")).status_code == 200
