"""The suggestion pages: scope (404 outside, 403 inside without the right), entering for a worker, steps through
the page with their refusals, the campaign page, to-dos, and the .xlsx list."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core import deadlines, registry
from core.models import AuditEntry
from orgs.choices import Role
from suggestions.choices import SuggestionKind, SuggestionStatus
from suggestions.models import Suggestion
from suggestions.tests.factories import make_campaign, make_suggestion

S = SuggestionStatus
pytestmark = pytest.mark.django_db
TODAY = deadlines.today()


def test_anonymous_visitors_are_sent_to_log_in(client, tree):
    suggestion = make_suggestion(tree.ent_a1)
    for url in (reverse("suggestions:list"), suggestion.get_absolute_url(), reverse("suggestions:stats")):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize(("where", "status"), [("ent_a1", 200), ("unit_a1", 200), ("ent_a2", 404), ("ent_b1", 404)])
def test_a_reporter_reads_only_his_subtree(client, tree, where, status):
    suggestion = make_suggestion(getattr(tree, where))
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    assert client.get(suggestion.get_absolute_url()).status_code == status
    assert client.get(reverse("suggestions:edit", args=[suggestion.pk])).status_code == status
    listed = suggestion.title in client.get(reverse("suggestions:list")).content.decode()
    assert listed == (status == 200)


def test_step_outside_scope_is_404_and_without_the_right_403(client, tree):
    outside = make_suggestion(tree.ent_b1)
    inside = make_suggestion(tree.ent_a1)
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    post = {"step": "review", "version": 1}
    assert client.post(reverse("suggestions:step", args=[outside.pk]), post).status_code == 404
    assert client.post(reverse("suggestions:step", args=[inside.pk]), post).status_code == 403
    inside.refresh_from_db()
    assert inside.status == S.SUBMITTED


def test_list_filters_and_query_budget(client, tree, django_assert_max_num_queries):
    campaign = make_campaign(tree.union_a, name="金点子")
    for n in range(6):
        make_suggestion(tree.ent_a1, title=f"建议{n}", proposers=[{"name": f"工人{n}"}, {"name": "共同人"}])
    make_suggestion(tree.ent_a2, title="小设计一项", kind=SuggestionKind.DESIGN, campaign=campaign, status=S.ADOPTED)
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    with django_assert_max_num_queries(16):
        body = client.get(reverse("suggestions:list")).content.decode()
    assert "建议5" in body and "小设计一项" in body
    body = client.get(reverse("suggestions:list"), {"kind": "design"}).content.decode()
    assert "小设计一项" in body and "建议5" not in body
    body = client.get(reverse("suggestions:list"), {"status": "adopted"}).content.decode()
    assert "小设计一项" in body and "建议5" not in body
    body = client.get(reverse("suggestions:list"), {"org": "E-A1"}).content.decode()
    assert "小设计一项" not in body and "建议5" in body
    body = client.get(reverse("suggestions:list"), {"campaign": campaign.pk}).content.decode()
    assert "小设计一项" in body and "建议5" not in body
    body = client.get(reverse("suggestions:list"), {"year": TODAY.year}).content.decode()
    assert "小设计一项" in body and "建议5" in body


def test_a_reporter_enters_a_suggestion_for_two_workers_choosing_a_talent_pool_person(client, tree):
    from talent.models import Person

    linked = Person.objects.create(org=tree.ent_a1, name="李四", gender="male", occupation="电工")
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    page = client.get(reverse("suggestions:create")).content.decode()
    assert "李四 · 电工" in page
    response = client.post(
        reverse("suggestions:create"),
        {
            "org": "E-A1", "kind": "innovation", "title": "绝缘杆挂钩改进", "content": "加装防滑套。",
            "submitted_on": TODAY.isoformat(), "name_1": "王五", "occupation_1": "检修工", "person_2": linked.pk,
        },
    )  # fmt: skip
    suggestion = Suggestion.objects.get()
    assert response.status_code == 302 and response["Location"] == suggestion.get_absolute_url()
    assert [(p.name, p.person_id) for p in suggestion.proposers.all()] == [("王五", None), ("李四", linked.pk)]
    page = client.get(suggestion.get_absolute_url()).content.decode()
    assert "王五（检修工）" in page and 'id="step-review"' not in page  # a reporter does not review


def test_a_missing_proposer_is_shown_next_to_the_first_name(client, tree):
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    response = client.post(
        reverse("suggestions:create"),
        {"org": "E-A1", "kind": "rational", "title": "x", "content": "y", "submitted_on": TODAY.isoformat()},
    )
    assert response.status_code == 200
    assert "请至少填写一位建议人的姓名。" in response.content.decode()
    assert not Suggestion.objects.exists()


def test_the_union_admin_takes_every_step_through_the_page(client, tree):
    suggestion = make_suggestion(tree.ent_a1)
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    url = reverse("suggestions:step", args=[suggestion.pk])
    steps = [
        {"step": "review", "note": "可行"},
        {"step": "adopt"},
        {"step": "implement", "implemented_on": TODAY.isoformat()},
        {"step": "assess", "value": "73080.5", "value_basis": "年节约电费"},
        {"step": "reward", "reward_amount": "2000", "reward_form": "", "rewarded_on": TODAY.isoformat()},
    ]
    for data in steps:
        suggestion.refresh_from_db()
        page = client.get(suggestion.get_absolute_url()).content.decode()
        assert f'id="step-{data["step"]}"' in page
        response = client.post(url, {**data, "version": suggestion.version})
        assert response.status_code == 302, response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == S.REWARDED and suggestion.value == Decimal("73080.50")
    page = client.get(suggestion.get_absolute_url()).content.decode()
    assert "7.31万元" in page and "2,000元" in page
    assert "登记建议奖励" in page  # the history


def test_a_refused_step_says_why_and_keeps_what_was_typed(client, tree):
    suggestion = make_suggestion(tree.ent_a1, status=S.IMPLEMENTED)
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    response = client.post(
        reverse("suggestions:step", args=[suggestion.pk]),
        {"step": "assess", "value": "-5", "value_basis": "年节约电费", "version": suggestion.version},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "创效金额不能为负数。" in body and "年节约电费" in body


def test_a_step_out_of_order_gets_a_clear_message(client, tree):
    suggestion = make_suggestion(tree.ent_a1)
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    response = client.post(
        reverse("suggestions:step", args=[suggestion.pk]),
        {"step": "reward", "reward_form": "表扬", "rewarded_on": TODAY.isoformat(), "version": suggestion.version},
    )
    assert "当前状态为“已提交”的建议不能登记奖励。" in response.content.decode()


def test_the_reason_of_a_rejection_is_shown_to_the_submitter(client, tree):
    suggestion = make_suggestion(tree.ent_a1, status=S.REVIEWED)
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    client.post(
        reverse("suggestions:step", args=[suggestion.pk]),
        {"step": "reject", "reason": "已有同类技改项目", "version": suggestion.version},
    )
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    page = client.get(suggestion.get_absolute_url()).content.decode()
    assert 'id="reject-reason"' in page and "已有同类技改项目" in page


def test_to_dos_for_the_reviewer_and_the_submitter(tree):
    make_suggestion(tree.ent_a1)
    make_suggestion(tree.ent_a1)
    make_suggestion(tree.ent_a2, status=S.ADOPTED)
    make_suggestion(tree.ent_b1)
    admin_todos = [t.text for t in registry.todos_for(tree.user(Role.UNION_ADMIN, tree.union_a))]
    assert "2 条合理化建议（五小）等待审查。" in admin_todos
    assert "1 条已采纳的建议等待登记实施情况。" in admin_todos
    reporter_todos = [t.text for t in registry.todos_for(tree.user(Role.REPORTER, tree.ent_a1))]
    assert not any("建议" in t for t in reporter_todos)
    other = [t.text for t in registry.todos_for(tree.user(Role.UNION_ADMIN, tree.union_b))]
    assert "1 条合理化建议（五小）等待审查。" in other


def test_campaign_page_counts_its_suggestions(client, tree):
    campaign = make_campaign(tree.union_a, name="金点子征集")
    make_suggestion(tree.ent_a1, campaign=campaign, status=S.ADOPTED)
    make_suggestion(tree.ent_a1, campaign=campaign, status=S.REJECTED)
    make_suggestion(tree.ent_a2, campaign=campaign, status=S.REWARDED)
    make_suggestion(tree.ent_a2, campaign=campaign)
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert '<strong id="count-total">4</strong>' in page
    assert '<strong id="count-adopted">2</strong>' in page
    assert '<strong id="count-rate">66.67%</strong>' in page
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    page = client.get(campaign.get_absolute_url()).content.decode()  # the reporter sees his own two
    assert '<strong id="count-total">2</strong>' in page and '<strong id="count-rate">50.00%</strong>' in page
    client.force_login(tree.user(Role.REPORTER, tree.ent_b1))
    assert client.get(campaign.get_absolute_url()).status_code == 404


def test_an_empty_campaign_says_no_data_not_zero(client, tree):
    campaign = make_campaign(tree.union_a)
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "暂无数据" in page and "0%" not in page


def test_a_union_admin_starts_a_campaign_and_a_reporter_may_not(client, tree):
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    response = client.post(
        reverse("suggestions:campaign_create"),
        {"organiser": "U-A", "name": "五小竞赛", "starts_on": f"{TODAY.year}-01-01", "ends_on": f"{TODAY.year}-12-31",
         "kinds": ["invention", "design"]},
    )  # fmt: skip
    assert response.status_code == 302
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    assert client.get(reverse("suggestions:campaign_create")).status_code == 403
    assert "五小竞赛" in client.get(reverse("suggestions:campaigns")).content.decode()


def test_the_list_exports_the_filtered_rows_as_xlsx(client, tree):
    make_suggestion(tree.ent_a1, title="导出一", proposers=[{"name": "张三", "occupation": "电工"}], status=S.REWARDED)
    make_suggestion(tree.ent_a1, title="导出二", kind=SuggestionKind.DESIGN)
    make_suggestion(tree.ent_b1, title="外单位")
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    response = client.get(reverse("suggestions:xlsx"), {"status": "rewarded"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "类别", "名称")
    assert len(rows) == 2 and rows[1][2] == "导出一" and rows[1][5] == "张三（电工）" and rows[1][10] == 10000
    entry = AuditEntry.objects.get(event="suggestions.export")
    assert entry.detail["rows"] == 1


def test_record_page_query_budget(client, tree, django_assert_max_num_queries):
    suggestion = make_suggestion(tree.ent_a1, proposers=[{"name": f"工人{n}"} for n in range(5)], status=S.REVIEWED)
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    with django_assert_max_num_queries(14):
        page = client.get(suggestion.get_absolute_url()).content.decode()
    assert 'id="step-adopt"' in page and 'id="step-reject"' in page and 'id="step-review"' not in page


def test_an_office_campaign_collects_from_the_whole_province(tree):
    campaign = make_campaign(tree.office, name="全省五小", kinds=[SuggestionKind.DESIGN])
    for org in (tree.ent_a1, tree.ent_b1):
        assert make_suggestion(org, kind=SuggestionKind.DESIGN, campaign=campaign).campaign == campaign
