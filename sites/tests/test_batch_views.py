"""Batch and nomination pages: the office opens a batch, a union nominates through the organisation picker, the
office returns it with a reason and selects it, announces the batch; the batch list opened as .xlsx; refusals."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core import deadlines
from core.models import AuditEntry
from orgs.choices import Role
from sites.choices import BatchStatus, NominationStatus, SiteStatus
from sites.models import Batch, GuidanceGroup, Nomination, Site
from sites.tests.factories import APPLICATION, make_batch

pytestmark = pytest.mark.django_db


def _form(**extra) -> dict:
    data = {**APPLICATION, "version": 0, **extra}
    data["goals"] = APPLICATION["goals"]
    return data


def test_office_opens_a_batch_and_others_cannot(client, tree):
    today = deadlines.today()
    body = {"version": 0, "name": "第三批省级产改示范点", "level": "provincial", "year": today.year, "quota": 5,
            "opens_on": today.isoformat(), "closes_on": (today + dt.timedelta(days=20)).isoformat()}  # fmt: skip
    client.force_login(tree.user(Role.UNION_ADMIN))
    assert client.post(reverse("sites:batch_create"), body).status_code == 404
    client.force_login(tree.user(Role.OFFICE_REVIEWER))
    assert client.post(reverse("sites:batch_create"), body).status_code == 403
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    bad = client.post(reverse("sites:batch_create"), {**body, "closes_on": (today - dt.timedelta(days=1)).isoformat()})
    assert bad.status_code == 200 and "推荐截止日期不能早于推荐开始日期。" in bad.content.decode()
    response = client.post(reverse("sites:batch_create"), body)
    batch = Batch.objects.get(name="第三批省级产改示范点")
    assert response["Location"] == reverse("sites:batch", args=[batch.pk])
    assert AuditEntry.objects.filter(event="sites.batch.create", object_id=str(batch.pk)).exists()


def test_union_nominates_office_returns_union_resubmits_office_selects_and_announces(client, tree):
    batch = make_batch(quota=2)
    union = tree.user(Role.UNION_ADMIN, tree.union_a)
    client.force_login(union)
    page = client.get(reverse("sites:batch", args=[batch.pk])).content.decode()
    assert 'id="nominate"' in page
    outside = client.post(reverse("sites:nominate", args=[batch.pk]), _form(org="E-B1"))
    assert "找不到机构“E-B1”" in outside.content.decode() and not Nomination.objects.exists()
    response = client.post(reverse("sites:nominate", args=[batch.pk]), _form(org="曲靖供电局"))
    nomination = Nomination.objects.get(org=tree.ent_a2)
    assert response["Location"] == reverse("sites:nomination", args=[nomination.pk])
    client.post(reverse("sites:nomination_step", args=[nomination.pk, "submit"]), {"version": 1})
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.SUBMITTED

    client.force_login(tree.user(Role.OFFICE_REVIEWER))
    client.post(reverse("sites:nomination_step", args=[nomination.pk, "return"]), {"version": 2, "reason": "补充数据"})
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.RETURNED

    client.force_login(union)
    detail = client.get(reverse("sites:nomination", args=[nomination.pk])).content.decode()
    assert "退回原因：补充数据" in detail and 'id="nomination-form"' in detail
    assert "13812345678" not in detail and "138****5678" in detail  # the stored phone is never sent back in full
    client.post(
        reverse("sites:nomination", args=[nomination.pk]), _form(version=3, plans="补充后的计划", contact_phone="")
    )
    client.post(reverse("sites:nomination_step", args=[nomination.pk, "submit"]), {"version": 4})
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.SUBMITTED and nomination.plans == "补充后的计划"
    assert nomination.contact_phone == "13812345678"  # left empty: kept

    client.force_login(tree.user(Role.OFFICE_REVIEWER))
    client.post(reverse("sites:nomination_step", args=[nomination.pk, "select"]), {"version": 5, "next": "batch"})
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.SELECTED
    # The reviewer selects but does not announce: the office's administrators do.
    assert client.post(reverse("sites:batch_announce", args=[batch.pk]), {"version": 1}).status_code == 403
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    client.post(reverse("sites:batch_announce", args=[batch.pk]), {"version": 1})
    batch.refresh_from_db()
    assert batch.status == BatchStatus.ANNOUNCED
    site = Site.objects.get(org=tree.ent_a2)
    assert site.status == SiteStatus.SELECTED

    # The office forms a group and assigns it: the site moves to 指导中.
    dept = tree.user(Role.DEPT_VIEWER)
    client.post(reverse("sites:group_create"), {"version": 0, "name": "第一指导组", "leader": dept.pk})
    group = GuidanceGroup.objects.get(name="第一指导组")
    client.post(reverse("sites:site_step", args=[site.pk, "assign"]), {"version": site.version, "group": group.pk})
    site.refresh_from_db()
    assert site.status == SiteStatus.GUIDING and site.group == group


def test_batch_xlsx_is_opened_with_the_nominations_in_scope_and_masked_contacts(client, tree):
    batch = make_batch()
    for org in (tree.ent_a1, tree.ent_b1):
        Nomination.objects.create(batch=batch, org=org, status=NominationStatus.SUBMITTED, **APPLICATION)
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    response = client.get(reverse("sites:batch_xlsx", args=[batch.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5) if isinstance(row[0].value, int)]
    assert [r[1] for r in rows] == ["昆明供电局"]
    assert rows[0][3] == "已推荐" and rows[0][8] == "138****5678"
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    response = client.get(reverse("sites:batch_xlsx", args=[batch.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5) if isinstance(row[0].value, int)]
    assert sorted(r[1] for r in rows) == ["云南铜业股份", "昆明供电局"] and rows[0][8] == "13812345678"
    assert AuditEntry.objects.filter(event="sites.batch.export", object_id=str(batch.pk)).count() == 2


def test_in_scope_without_the_right_is_403_outside_is_404(client, tree):
    from sites.tests.factories import make_site

    own = make_site(tree.ent_a1, status=SiteStatus.SELECTED)
    foreign = make_site(tree.ent_b1, status=SiteStatus.SELECTED)
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    assert client.get(reverse("sites:site", args=[own.pk])).status_code == 200
    assert client.post(reverse("sites:site_step", args=[own.pk, "accept"]), {"version": 1}).status_code == 403
    assert client.get(reverse("sites:site", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("sites:site_reveal", args=[own.pk])).status_code == 404  # no PII_VIEW here


def test_empty_lists_say_what_to_do(client, tree):
    client.force_login(tree.user(Role.UNION_ADMIN))
    assert "示范点由产改办在批次公布后产生" in client.get(reverse("sites:home")).content.decode()
    assert "还没有示范点批次" in client.get(reverse("sites:batches")).content.decode()
    client.force_login(tree.user(Role.GUIDANCE))
    assert "指导组还没有派驻示范点" in client.get(reverse("sites:mine")).content.decode()


def test_office_withdraws_with_a_reason_and_locks_a_years_ratings_through_the_pages(client, tree):
    from sites.models import RatingLock
    from sites.tests.factories import make_site

    site = make_site(tree.ent_a1, status=SiteStatus.SELECTED)
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    missing = client.post(reverse("sites:site_step", args=[site.pk, "withdraw"]), {"version": 1, "reason": ""})
    assert missing.status_code == 400 and "请填写撤销原因。" in missing.content.decode()
    client.post(reverse("sites:site_step", args=[site.pk, "withdraw"]), {"version": 1, "reason": "企业重组"})
    site.refresh_from_db()
    assert site.status == SiteStatus.WITHDRAWN and site.withdraw_reason == "企业重组"
    assert "企业重组" in client.get(reverse("sites:site", args=[site.pk])).content.decode()
    client.post(reverse("sites:ratings_lock"), {"year": "2021"})
    assert RatingLock.objects.filter(year=2021).exists()
    client.force_login(tree.user(Role.OFFICE_REVIEWER))
    assert client.post(reverse("sites:ratings_lock"), {"year": "2022"}).status_code == 403
    client.force_login(tree.user(Role.UNION_ADMIN))
    assert client.post(reverse("sites:ratings_lock"), {"year": "2022"}).status_code == 404
    assert not RatingLock.objects.filter(year=2022).exists()


def test_nomination_material_is_kept_and_downloaded_with_an_audit_row(client, tree, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    batch = make_batch()
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    pdf = SimpleUploadedFile("推荐表.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    client.post(reverse("sites:nominate", args=[batch.pk]), {**_form(org="曲靖供电局"), "file": pdf})
    nomination = Nomination.objects.get(org=tree.ent_a2)
    kept = nomination.files.get()
    assert kept.original_name == "推荐表.pdf" and kept.content_type == "application/pdf"
    macro = SimpleUploadedFile("说明.txt", b"plain text is not a document")
    refused = client.post(reverse("sites:nomination", args=[nomination.pk]), {**_form(version=1), "file": macro})
    assert refused.status_code == 400 and nomination.files.count() == 1
    response = client.get(reverse("sites:nomination_file", args=[nomination.pk, kept.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert AuditEntry.objects.filter(event="sites.file.download", object_id=str(kept.pk)).exists()
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_b))
    assert client.get(reverse("sites:nomination_file", args=[nomination.pk, kept.pk])).status_code == 404
