"""The province export's page and API: the office's administrators ask for an export, the job writes it, they
download it; every step audited; for everyone else the page and the files do not exist."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from core.jobs import job_run
from core.models import AuditEntry, Job
from dataexport import tasks
from dataexport.models import ProvinceExport
from dataexport.services import JOB_KIND
from orgs.choices import Role

OTHERS = [Role.OFFICE_REVIEWER, Role.UNION_ADMIN, Role.REPORTER, Role.LEADER, Role.SYS_ADMIN, Role.AUDIT_ADMIN]


def _run(job: Job) -> Job:
    job_run(job_id=job.pk, work=lambda actor, job: tasks.run(actor, job.pk))  # what the worker does
    job.refresh_from_db()
    return job


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_office_administrator_exports_and_downloads_the_province_audited(client, tree, media):
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    page = client.get(reverse("dataexport:home")).content.decode()
    assert "还没有导出过" in page and "审计日志（由审计管理员在“审计日志”中导出）" in page
    answer = client.post(reverse("dataexport:start"))
    job = Job.objects.get(kind=JOB_KIND)
    assert answer.status_code == 302 and answer["Location"] == reverse("core:job_detail", args=[job.pk])
    assert client.post(reverse("dataexport:start")) and Job.objects.filter(kind=JOB_KIND).count() == 1  # one at a time
    assert _run(job).status == "done", job.error
    row = ProvinceExport.objects.get()
    assert row.tables > 100 and row.rows > 0 and "已导出" in job.result["message"]
    created = AuditEntry.objects.get(event="dataexport.export.create")
    assert created.detail["rows"] == row.rows and created.user_id == tree.user(Role.OFFICE_ADMIN).pk

    page = client.get(reverse("dataexport:home")).content.decode()
    assert row.original_name in page and "还没有导出过" not in page
    response = client.get(reverse("dataexport:download", args=[row.pk]))
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "orgs_organisation.csv" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert AuditEntry.objects.filter(event="dataexport.export.download", object_id=str(row.pk)).count() == 1


@pytest.mark.parametrize("role", OTHERS)
def test_no_one_else_reaches_the_page_the_files_or_the_api(client, tree, media, settings, role):
    from django.core.files.base import ContentFile

    settings.DEMO_MODE = True  # the separated administrators' second factor is not asked for in demo mode
    row = ProvinceExport(original_name="全省数据导出.zip", size=5, content_type="application/zip", sha256="0" * 64)
    row.file.save("export.zip", ContentFile(b"hello"), save=True)
    client.force_login(tree.user(role))
    assert client.get(reverse("dataexport:home")).status_code == 404
    assert client.post(reverse("dataexport:start")).status_code == 404
    assert client.get(reverse("dataexport:download", args=[row.pk])).status_code == 404
    assert client.get("/api/v1/dataexport/exports/").json()["results"] == []
    assert client.get(f"/api/v1/dataexport/exports/{row.pk}/download/").status_code == 404
    assert client.post("/api/v1/dataexport/exports/").status_code == 403
    assert not Job.objects.filter(kind=JOB_KIND).exists()
    assert "全省数据导出" not in client.get(reverse("home")).content.decode()


def test_the_api_lists_asks_and_downloads_for_the_office_administrator(client, tree, media):
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    asked = client.post("/api/v1/dataexport/exports/")
    assert asked.status_code == 202 and asked.json()["status"] == "queued"
    _run(Job.objects.get(pk=asked.json()["job"]))
    listed = client.get("/api/v1/dataexport/exports/").json()["results"]
    row = ProvinceExport.objects.get()
    assert [r["id"] for r in listed] == [row.pk] and listed[0]["rows"] == row.rows
    download = client.get(listed[0]["download"])
    assert download.status_code == 200 and zipfile.is_zipfile(io.BytesIO(b"".join(download.streaming_content)))
    assert client.get("/api/v1/dataexport/exports/abc/download/").status_code == 404
