"""The publishing pages: officers write and submit, the office edits and builds issues; issued issues are read
by the organisations on their distribution only (404 for anyone else); forms show their errors."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.models import AuditEntry
from orgs.choices import Role
from publishing.models import Issue, Submission, SubmissionFile
from publishing.services import issues
from publishing.tests.factories import make_issue, make_submission, office

pytestmark = pytest.mark.django_db


def _jpeg_with_location() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x8825] = {2: (25.0, 2.0, 0.0)}  # GPS latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_an_officer_writes_submits_and_attaches_a_photo_without_its_location(client, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = tree.user(Role.INFO_OFFICER)
    client.force_login(officer)
    empty = client.get(reverse("publishing:submissions")).content.decode()
    assert "还没有报送信息" in empty and "新建报送信息" in empty
    bad = client.post(reverse("publishing:submission_new"), {"org": "E-A1", "kind": "news", "title": ""})
    assert bad.status_code == 400 and "必填" in bad.content.decode()
    foreign = client.post(reverse("publishing:submission_new"), {"org": "E-B1", "kind": "news", "title": "越权"})
    assert foreign.status_code == 400 and not Submission.objects.exists()
    response = client.post(
        reverse("publishing:submission_new"),
        {"org": "E-A1", "kind": "practice", "title": "修试所师带徒", "body": "第一段。\n\n第二段。", "submit": "0"},
    )
    item = Submission.objects.get()
    assert response.status_code == 302 and item.body == "<p>第一段。</p><p>第二段。</p>" and item.status == "draft"
    photo = SimpleUploadedFile("现场.jpg", _jpeg_with_location(), content_type="image/jpeg")
    client.post(reverse("publishing:submission_attach", args=[item.pk]), {"file": photo, "photo": "on"})
    kept = SubmissionFile.objects.get()
    assert kept.is_photo and kept.original_name == "现场.jpg"
    with kept.file.open("rb") as handle:
        assert not Image.open(handle).getexif().get(0x8825)
    client.post(
        reverse("publishing:submission_step", args=[item.pk, "submit"]), {"version": Submission.objects.get().version}
    )
    assert Submission.objects.get().status == "submitted"
    download = client.get(reverse("publishing:submission_file", args=[item.pk, kept.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert AuditEntry.objects.filter(event="publishing.submission.download").count() == 1


def test_the_office_takes_returns_and_declines_with_reasons(client, tree):
    item = make_submission(tree)
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    desk = client.get(reverse("publishing:office")).content.decode()
    assert item.title in desk
    client.post(reverse("publishing:submission_step", args=[item.pk, "take"]), {"version": item.version})
    item.refresh_from_db()
    no_reason = client.post(reverse("publishing:submission_step", args=[item.pk, "return"]), {"version": item.version})
    assert no_reason.status_code == 400 and "请填写退回修改的原因" in no_reason.content.decode()
    client.post(
        reverse("publishing:submission_step", args=[item.pk, "return"]), {"version": item.version, "reason": "补充数据"}
    )
    item.refresh_from_db()
    assert item.status == "returned" and item.reason == "补充数据"
    stale = client.post(reverse("publishing:submission_step", args=[item.pk, "take"]), {"version": 1})
    assert stale.status_code == 400 and "已被他人修改" in stale.content.decode()
    # The officer sees the return on his home page's to-dos and in his list.
    client.force_login(tree.user(Role.INFO_OFFICER))
    assert "被退回修改" in client.get(reverse("home")).content.decode()


def test_permissions_404_outside_the_scope_403_inside_it_and_login_for_strangers(client, tree):
    item = make_submission(tree)
    client.force_login(tree.user(Role.INFO_OFFICER, tree.ent_b1))
    assert client.get(reverse("publishing:submission", args=[item.pk])).status_code == 404
    client.force_login(tree.user(Role.INFO_OFFICER))
    refused = client.post(reverse("publishing:submission_step", args=[item.pk, "take"]), {"version": item.version})
    assert refused.status_code == 403
    assert client.get(reverse("publishing:office")).status_code == 404
    client.logout()
    anonymous = client.get(reverse("publishing:submission", args=[item.pk]))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url


def test_an_issued_newsletter_is_read_by_its_distribution_only(client, tree):
    issue = make_issue(tree, to=[tree.union_a], finalise=True)
    url = reverse("publishing:issue", args=[issue.pk])
    reader = tree.user(Role.REPORTER, tree.ent_a2)  # under 云南电网, on the distribution
    other = tree.user(Role.REPORTER, tree.ent_b1)
    client.force_login(reader)
    assert client.get(url).status_code == 404  # not yet issued
    issues.issue_step(by=office(tree), issue=issue, step="issue", version=issue.version)
    page = client.get(url)
    assert page.status_code == 200 and "2021年第1期 总第39期" in page.content.decode()
    assert "文章1" in client.get(reverse("publishing:issues")).content.decode()
    assert client.post(reverse("publishing:issue_step", args=[issue.pk, "reopen"]), {"version": 9}).status_code == 403
    client.force_login(other)
    assert client.get(url).status_code == 404
    body = client.get(reverse("publishing:issues")).content.decode()
    assert "文章1" not in body and "暂无发给本单位的快报" in body


def test_the_archive_searches_in_chinese(client, tree):
    by = office(tree)
    first = make_issue(tree, finalise=True)
    second = issues.issue_create(by=by, series=first.series, date=first.date, editor_note="提高高技能人才的薪酬待遇")
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    body = client.get(reverse("publishing:issues"), {"q": "提高技能人才待遇"}).content.decode()
    assert reverse("publishing:issue", args=[second.pk]) in body
    assert reverse("publishing:issue", args=[first.pk]) not in body
    assert "<mark>" in body
    nothing = client.get(reverse("publishing:issues"), {"q": "不存在的词语组合"}).content.decode()
    assert "没有找到包含这些词的快报" in nothing


def test_the_office_builds_an_issue_on_its_page(client, tree):
    from publishing.tests.factories import make_series

    make_series(tree)
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    response = client.post(reverse("publishing:issue_new"), {"date": "2021-08-02", "editor_note": "编者按"})
    issue = Issue.objects.get()
    assert response.status_code == 302
    url = lambda name, *a: reverse(f"publishing:{name}", args=[issue.pk, *a])  # noqa: E731
    bad = client.post(url("article_add"), {"version": issue.version, "title": ""})
    assert bad.status_code == 400
    client.post(url("article_add"), {"version": issue.version, "title": "讲话", "date_line": "2021年7月30日",
                                     "body": "同志们："})  # fmt: skip
    issue.refresh_from_db()
    client.post(url("recipient_add"), {"version": issue.version, "line": "report", "text": "省总工会领导"})
    issue.refresh_from_db()
    client.post(url("recipient_add"), {"version": issue.version, "line": "send", "org": "U-A"})
    issue.refresh_from_db()
    client.post(url("recipient_group"), {"version": issue.version, "kind": "prefecture"})
    issue.refresh_from_db()
    assert [r.label for r in issue.recipients.filter(line="send").order_by("position")] == ["云南电网", "昆明市总工会"]
    client.post(url("issue_step", "finalise"), {"version": issue.version})
    issue.refresh_from_db()
    assert issue.number_text == "2021年第1期 总第39期"
    page = client.get(url("issue")).content.decode()
    assert "（2021年第1期 总第39期）" in page and "生成 Word 和 PDF" in page


def test_typed_markup_is_stored_as_typed_and_shown_escaped(client, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(tree.user(Role.INFO_OFFICER))
    title = "<script>alert(1)</script>' OR 1=1-- {{7*7}}"
    client.post(
        reverse("publishing:submission_new"), {"org": "E-A1", "kind": "news", "title": title, "body": "<b>x</b>"}
    )
    item = Submission.objects.get()
    assert item.title == title and item.body == "<p>&lt;b&gt;x&lt;/b&gt;</p>"  # plain text typed, kept as text
    page = client.get(reverse("publishing:submission", args=[item.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "1=1-- {{7*7}}" in page and "1=1-- 49" not in page  # not evaluated as a template
    assert client.get(reverse("publishing:submission_step", args=[item.pk, "submit"])).status_code == 405


def test_the_separated_administrators_read_no_newsletter(client, tree, settings):
    settings.DEMO_MODE = True  # their second factor is not asked for in demo mode
    issue = make_issue(tree, to=[tree.province], finalise=True)
    issues.issue_step(by=office(tree), issue=issue, step="issue", version=issue.version)
    url = reverse("publishing:issue", args=[issue.pk])
    client.force_login(tree.user(Role.LEADER))
    assert client.get(url).status_code == 200
    for role in (Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN):
        client.force_login(tree.user(role))
        assert client.get(url).status_code == 404
        assert "信息与快报" not in client.get(reverse("home")).content.decode()
