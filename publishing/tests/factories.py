"""Builders for the publishing tests: the series, an issue with articles and a distribution, submissions."""

from __future__ import annotations

import datetime as dt

from core.actor import Actor
from orgs.choices import Role
from publishing.models import Issue, Series
from publishing.services import issues, submissions


def office(tree) -> Actor:
    return Actor(user=tree.user(Role.OFFICE_ADMIN))


def officer(tree, org=None) -> Actor:
    return Actor(user=tree.user(Role.INFO_OFFICER, org or tree.ent_a1))


def make_series(tree, **fields) -> Series:
    found = Series.objects.order_by("id").first()
    if found is not None:
        return found
    defaults = {"name": "云南工会通讯（快报）", "issuing_body": "云南省总工会研究室", "first_running_number": 39,
                "first_year": 2021, "first_year_number": 1}  # fmt: skip
    return issues.series_save(by=office(tree), **{**defaults, **fields})


def make_issue(tree, day=dt.date(2021, 8, 2), *, to=(), note="编者按正文。", articles=1, finalise=False) -> Issue:
    by = office(tree)
    issue = issues.issue_create(by=by, series=make_series(tree), date=day, editor_note=note)
    for n in range(articles):
        issues.article_add(
            by=by, issue=issue, version=Issue.objects.get(pk=issue.pk).version, title=f"文章{n + 1}",
            date_line="2021年7月30日" if n == 0 else "", speaker_line="省总工会主席 王树芬" if n == 0 else "",
            body=f"<p>第{n + 1}篇正文。</p>",
        )  # fmt: skip
    issue.refresh_from_db()
    issues.distribution_set(by=by, issue=issue, version=issue.version, report=["省总工会领导"], send=list(to))
    issue.refresh_from_db()
    if finalise:
        issue = issues.issue_step(by=by, issue=issue, step="finalise", version=issue.version)
    return issue


def make_submission(tree, org=None, *, submit=True, title="昆明供电局开展技能比武", by=None):
    return submissions.submission_create(
        by=by or officer(tree, org), org=org or tree.ent_a1, kind="news", title=title,
        body="<p>技能比武吸引 300 名职工参加。</p>", author="张三", submit=submit,
    )  # fmt: skip


def idor_objects(orgs: dict) -> dict[str, dict[str, object]]:
    """For the IDOR probes (core/tests/test_idor_pages.py, test_api_idor.py): per place ("own", "sibling",
    "other_branch" → organisation), a submitted item with a file, and an issued issue distributed to that
    organisation (the own one also to its union, whose administrator reads it) with an article, a recipient
    and a generated file's row."""
    from orgs.models import Organisation
    from publishing.models import IssueDocument, SubmissionFile

    by = Actor(user=_office_user())
    series = Series.objects.order_by("id").first() or issues.series_save(
        by=by, name="云南工会通讯（快报）", issuing_body="云南省总工会研究室"
    )
    found: dict[str, dict[str, object]] = {
        kind: {} for kind in ("psub", "pfile", "pstep", "pissue", "particle", "precipient", "pdocument", "pissue_step")
    }
    for index, (where, org) in enumerate(orgs.items()):
        from orgs.tests.factories import make_user

        writer = make_user(f"info_{where}", role=Role.INFO_OFFICER, org=org)
        item = submissions.submission_create(
            by=Actor(user=writer), org=org, kind="news", title=f"{where} 信息", body="<p>正文</p>", submit=True
        )
        row = SubmissionFile.objects.create(
            submission=item, file=f"publishing/{where}.pdf", original_name=f"{where}.pdf", size=3,
            content_type="application/pdf", sha256="0" * 64,
        )  # fmt: skip
        parent = Organisation.objects.get(path=org.path[: -Organisation.steplen])
        readers = [org, parent] if where == "own" else [org]
        issue = issues.issue_create(by=by, series=series, date=dt.date(2021, 1, 1 + index), editor_note="编者按")
        article = issues.article_add(by=by, issue=issue, version=issue.version, title="文章", body="<p>正文</p>")
        issue.refresh_from_db()
        issues.distribution_set(by=by, issue=issue, version=issue.version, send=readers)
        issue.refresh_from_db()
        issue = issues.issue_step(by=by, issue=issue, step="finalise", version=issue.version)
        issue = issues.issue_step(by=by, issue=issue, step="issue", version=issue.version)
        document = IssueDocument.objects.create(
            issue=issue, format="pdf", issue_version=issue.version, as_of=dt.date(2021, 1, 1), snapshot={},
            file=f"publishing/{where}-issue.pdf", original_name="快报.pdf", size=3, content_type="application/pdf",
            sha256="0" * 64,
        )  # fmt: skip
        found["psub"][where] = item.pk
        found["pfile"][where] = row.pk
        found["pstep"][where] = "take"
        found["pissue"][where] = issue.pk
        found["particle"][where] = article.pk
        found["precipient"][where] = issue.recipients.first().pk
        found["pdocument"][where] = document.pk
        found["pissue_step"][where] = "reopen"
    return found


def _office_user():
    from accounts.models import User
    from orgs.models import Membership
    from orgs.tests.factories import make_user

    membership = Membership.objects.filter(role=Role.OFFICE_ADMIN, is_active=True).select_related("user").first()
    if membership is not None:
        return membership.user
    from orgs.models import Organisation

    office_org = Organisation.objects.filter(kind="office").first()
    return User.objects.filter(username="pub_office").first() or make_user(
        "pub_office", role=Role.OFFICE_ADMIN, org=office_org
    )
