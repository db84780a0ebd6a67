"""The demo newsletter and submissions (publishing/demo/): the reference issue numbered as printed, submissions in
every state, played through the services (audited), and a second load that creates nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from core.models import AuditEntry
from orgs.demo import load_demo
from publishing.demo import REFERENCE_DAY, load_demo_publishing, speech, summary_lines
from publishing.models import Issue, Submission


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        office = get_user_model().objects.get(username="office_admin")
        first = load_demo_publishing(office)
        counts = (Issue.objects.count(), Submission.objects.count(), AuditEntry.objects.count())
        second = load_demo_publishing(office)
        after = (Issue.objects.count(), Submission.objects.count(), AuditEntry.objects.count())
        yield first, second, counts, after
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_reference_issue_is_2021_no_14_running_no_52(demo):
    first, _second, _counts, _after = demo
    assert not first.warnings
    issue = Issue.objects.get(date=REFERENCE_DAY)
    assert issue.number_text == "2021年第14期 总第52期" and issue.status == "issued"
    assert issue.editor_note == speech.EDITOR_NOTE
    article = issue.articles.order_by("position").first()
    assert (article.title, article.date_line, article.speaker_line) == (
        speech.TITLE, "2021年7月30日", "省人大常委会副主任、省总工会主席 王树芬",
    )  # fmt: skip
    assert "<h3>一、强化思想认识，着力增强推进改革的使命感责任感</h3>" in article.body
    kinds = list(issue.recipients.filter(line="send").values_list("org__kind", flat=True))
    assert kinds.count("union") == 35 and kinds.count("prefecture") == 16
    assert [r.label for r in issue.recipients.filter(line="report").order_by("position")] == [
        "王树芬同志",
        "省总工会领导",
    ]
    assert Issue.objects.filter(year=2021, status="issued").count() == 14


@pytest.mark.django_db
def test_submissions_in_every_state_through_the_services(demo):
    states = set(Submission.objects.values_list("status", flat=True))
    assert states == {"draft", "submitted", "editing", "returned", "used", "declined"}
    used = Submission.objects.get(status="used")
    assert used.issue.status == "draft" and used.created_by.username == "info_officer"
    assert AuditEntry.objects.filter(event="publishing.submission.accept", username="office_admin").exists()
    returned = Submission.objects.get(status="returned")
    assert returned.reason and returned.org.name


@pytest.mark.django_db
def test_a_second_load_creates_nothing(demo):
    first, second, counts, after = demo
    assert counts == after
    assert not second.created and second.kept["issues"] == 15 and second.kept["submissions"] == 7
    assert first.created["submissions"] == 7
    assert "2021年第14期 总第52期" in summary_lines(first)[0]
    assert first.seconds < 30
