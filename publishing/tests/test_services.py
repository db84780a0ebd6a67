"""The editorial flow and the issue numbering, through the services: every step, every refusal, every write audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from core.actor import Actor
from core.errors import ConflictError, UserError
from core.models import AuditEntry
from core.workflow import IllegalTransition
from orgs.choices import Role
from publishing import queries
from publishing.models import Article, Issue, Submission
from publishing.services import issues, submissions
from publishing.tests.factories import make_issue, make_series, make_submission, office, officer


def _events(obj) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("id")
        .values_list("event", flat=True)
    )


def test_submit_take_return_resubmit_accept_into_an_issue(tree):
    item = make_submission(tree, submit=False)
    assert item.status == "draft" and item.created_by == officer(tree).user
    item = submissions.submission_step(by=officer(tree), submission=item, step="submit", version=item.version)
    assert item.status == "submitted" and item.first_submitted_at
    item = submissions.submission_step(by=office(tree), submission=item, step="take", version=item.version)
    assert item.status == "editing" and item.editor == office(tree).user
    with pytest.raises(UserError) as refused:
        submissions.submission_step(by=office(tree), submission=item, step="return", version=item.version)
    assert refused.value.field == "reason" and "原因" in refused.value.message
    item = submissions.submission_step(
        by=office(tree), submission=item, step="return", version=item.version, reason="请补充参赛人数的来源。"
    )
    assert item.status == "returned" and item.reason == "请补充参赛人数的来源。"
    item = submissions.submission_update(
        by=officer(tree), submission=item, version=item.version, title="技能比武（修改）"
    )
    item = submissions.submission_step(by=officer(tree), submission=item, step="submit", version=item.version)
    item = submissions.submission_step(by=office(tree), submission=item, step="take", version=item.version)
    with pytest.raises(UserError) as no_issue:
        submissions.submission_step(by=office(tree), submission=item, step="accept", version=item.version)
    assert no_issue.value.field == "issue"
    issue = make_issue(tree, articles=1)
    item = submissions.submission_step(
        by=office(tree), submission=item, step="accept", version=item.version, issue=issue
    )
    assert item.status == "used" and item.issue == issue and item.reason == ""
    articles = list(issue.articles.order_by("position"))
    assert [a.title for a in articles] == ["文章1", "技能比武（修改）"]
    assert articles[1].submission == item and articles[1].speaker_line == "昆明供电局 张三"
    assert _events(item) == [
        "publishing.submission.create", "publishing.submission.submit", "publishing.submission.take",
        "publishing.submission.return", "publishing.submission.update", "publishing.submission.submit",
        "publishing.submission.take", "publishing.submission.accept",
    ]  # fmt: skip
    returned = AuditEntry.objects.get(event="publishing.submission.return")
    assert returned.detail == {"reason": "请补充参赛人数的来源。"} and returned.before["status"] == "editing"


def test_decline_needs_a_reason_and_ends_the_item(tree):
    item = make_submission(tree)
    with pytest.raises(UserError):
        submissions.submission_step(by=office(tree), submission=item, step="decline", version=item.version, reason=" ")
    item = submissions.submission_step(
        by=office(tree), submission=item, step="decline", version=item.version, reason="与上期内容重复。"
    )
    assert item.status == "declined" and item.reason == "与上期内容重复。"
    with pytest.raises(IllegalTransition):
        submissions.submission_step(by=officer(tree), submission=item, step="submit", version=item.version)
    with pytest.raises(UserError):
        submissions.submission_update(by=officer(tree), submission=item, version=item.version, title="改")


def test_who_may_write_and_who_may_edit(tree):
    # A reporter of the enterprise is not its information officer; the officer of one enterprise not another's.
    with pytest.raises(PermissionDenied):
        make_submission(tree, by=Actor(user=tree.user(Role.REPORTER)))
    with pytest.raises(PermissionDenied):
        make_submission(tree, org=tree.ent_b1, by=officer(tree))
    # The union's administrator writes for its enterprises.
    assert make_submission(tree, org=tree.ent_a2, by=Actor(user=tree.user(Role.UNION_ADMIN))).org == tree.ent_a2
    item = make_submission(tree)
    for who in (officer(tree), Actor(user=tree.user(Role.UNION_ADMIN))):
        with pytest.raises(PermissionDenied):
            submissions.submission_step(by=who, submission=item, step="take", version=item.version)
    assert Submission.objects.get(pk=item.pk).status == "submitted"


def test_bad_input_names_its_field_and_writes_nothing(tree):
    before = Submission.objects.count()
    for fields, field in (
        ({"kind": "gossip", "title": "x"}, "kind"),
        ({"kind": "news", "title": "  "}, "title"),
        ({"kind": "news", "title": "标" * 201}, "title"),
        ({"kind": "news", "title": "x", "body": "<p>" + "字" * 50_001 + "</p>"}, "body"),
    ):
        with pytest.raises(UserError) as refused:
            submissions.submission_create(by=officer(tree), org=tree.ent_a1, **fields)
        assert refused.value.field == field
    assert Submission.objects.count() == before
    # Scripts are cleaned away; an empty item cannot be submitted.
    item = submissions.submission_create(
        by=officer(tree), org=tree.ent_a1, kind="news", title="t", body="<script>alert(1)</script><p>好</p>"
    )
    assert item.body == "<p>好</p>"
    empty = submissions.submission_create(by=officer(tree), org=tree.ent_a1, kind="news", title="空")
    with pytest.raises(UserError) as refused:
        submissions.submission_step(by=officer(tree), submission=empty, step="submit", version=empty.version)
    assert refused.value.field == "body"


def test_a_stale_version_is_a_conflict(tree):
    item = make_submission(tree, submit=False)
    submissions.submission_update(by=officer(tree), submission=item, version=item.version, title="第一次")
    with pytest.raises(ConflictError):
        submissions.submission_update(by=officer(tree), submission=item, version=item.version, title="第二次")
    assert Submission.objects.get(pk=item.pk).title == "第一次"


def test_scoping_an_officer_sees_his_organisation_the_office_all(tree):
    mine = make_submission(tree)
    other = make_submission(tree, org=tree.ent_b1, by=officer(tree, tree.ent_b1), title="铜业信息")
    draft = make_submission(tree, submit=False, title="草稿")
    assert set(queries.submissions_visible(officer(tree).user)) == {mine, draft}
    assert set(queries.submissions_visible(office(tree).user)) == {mine, other}  # drafts stay with their writers
    assert set(queries.submissions_visible(Actor(user=tree.user(Role.UNION_ADMIN)).user)) == {mine, draft}


def test_numbers_are_assigned_on_finalising_and_run_across_a_year(tree):
    make_series(tree)  # the first issue on the platform is 2021年第1期 总第39期
    first = make_issue(tree, dt.date(2021, 11, 5))
    second = make_issue(tree, dt.date(2021, 12, 20))
    assert first.running_number is None and second.year_number is None  # drafts have none
    by = office(tree)
    second = issues.issue_step(by=by, issue=second, step="finalise", version=second.version)
    first = Issue.objects.get(pk=first.pk)
    assert second.number_text == "2021年第1期 总第39期"
    # An issue dated before the newest numbered one would break the order.
    with pytest.raises(UserError) as refused:
        issues.issue_step(by=by, issue=first, step="finalise", version=first.version)
    assert refused.value.field == "date"
    january = make_issue(tree, dt.date(2022, 1, 10), finalise=True)
    assert (january.year, january.year_number, january.running_number) == (2022, 1, 40)
    february = make_issue(tree, dt.date(2022, 2, 14), finalise=True)
    assert february.number_text == "2022年第2期 总第41期"
    # Only the newest numbered issue may be reopened; it gives its numbers back, which the next one takes.
    with pytest.raises(UserError):
        issues.issue_step(by=by, issue=january, step="reopen", version=january.version)
    reopened = issues.issue_step(by=by, issue=february, step="reopen", version=february.version)
    assert reopened.running_number is None and reopened.status == "draft"
    march = make_issue(tree, dt.date(2022, 3, 1), finalise=True)
    assert march.number_text == "2022年第2期 总第41期"
    assert AuditEntry.objects.filter(event="publishing.issue.finalise").count() == 4


def test_finalising_needs_articles_and_a_distribution_and_freezes_the_issue(tree):
    by = office(tree)
    empty = issues.issue_create(by=by, series=make_series(tree), date=dt.date(2021, 3, 1))
    with pytest.raises(UserError) as refused:
        issues.issue_step(by=by, issue=empty, step="finalise", version=empty.version)
    assert refused.value.field == "articles"
    issue = make_issue(tree, finalise=True)
    with pytest.raises(UserError):
        issues.article_add(by=by, issue=issue, version=issue.version, title="迟到的文章")
    item = make_submission(tree)
    item = submissions.submission_step(by=by, submission=item, step="take", version=item.version)
    with pytest.raises(UserError) as closed:
        submissions.submission_step(by=by, submission=item, step="accept", version=item.version, issue=issue)
    assert closed.value.field == "issue"
    with pytest.raises(PermissionDenied):
        issues.issue_step(by=officer(tree), issue=issue, step="issue", version=issue.version)


def test_articles_move_and_a_removed_accepted_article_goes_back_to_the_desk(tree):
    by = office(tree)
    issue = make_issue(tree, articles=3)
    titles = lambda: list(Article.objects.filter(issue=issue).order_by("position").values_list("title", flat=True))  # noqa: E731
    third = Article.objects.get(issue=issue, title="文章3")
    issue.refresh_from_db()
    issues.article_move(by=by, article=third, version=issue.version, direction="up")
    assert titles() == ["文章1", "文章3", "文章2"]
    item = make_submission(tree)
    item = submissions.submission_step(by=by, submission=item, step="take", version=item.version)
    issue.refresh_from_db()
    submissions.submission_step(by=by, submission=item, step="accept", version=item.version, issue=issue)
    issue.refresh_from_db()
    article = Article.objects.get(submission=item)
    issues.article_remove(by=by, article=article, version=issue.version)
    item.refresh_from_db()
    assert item.status == "editing" and item.issue is None
    with pytest.raises(ConflictError):
        issues.article_update(by=by, article=third, version=1, title="旧版本")


def test_distribution_keeps_order_drops_duplicates_and_is_audited(tree):
    by = office(tree)
    issue = make_issue(tree)
    issue = issues.distribution_set(
        by=by, issue=issue, version=issue.version, report=["省总工会领导", "省总工会领导"],
        send=[tree.union_a, tree.union_a, tree.kunming, "驻会产业工会"],
    )  # fmt: skip
    labels = [(r.line, r.label) for r in issue.recipients.order_by("line", "position")]
    assert labels == [
        ("report", "省总工会领导"),
        ("send", "云南电网"),
        ("send", "昆明市总工会"),
        ("send", "驻会产业工会"),
    ]
    entry = AuditEntry.objects.filter(event="publishing.issue.distribution").order_by("id").last()
    assert entry.after["send"] == ["云南电网", "昆明市总工会", "驻会产业工会"]
