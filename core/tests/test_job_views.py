"""The job pages: one job (with its progress while it runs) and the list of a person's jobs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.jobs import job_progress
from core.models import Job, JobStatus
from core.views import JOBS_PAGE_SIZE
from orgs.choices import Role

LIST = "/jobs/"


def make_job(user, *, kind="reporting.excel_import", status=JobStatus.QUEUED, repr_="", minutes_ago=0) -> Job:
    now = timezone.now() - timedelta(minutes=minutes_ago)
    return Job.objects.create(
        kind=kind, requested_by=user, status=status, object_repr=repr_, created_at=now,
        started_at=now if status != JobStatus.QUEUED else None,
        finished_at=now if status in (JobStatus.DONE, JobStatus.FAILED) else None,
    )  # fmt: skip


@pytest.fixture
def people(tree):
    return {
        "owner": tree.user(Role.REPORTER, tree.ent_a1),
        "other": tree.user(Role.REPORTER, tree.ent_a2),
        "office_admin": tree.user(Role.OFFICE_ADMIN),
    }


def listed_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-job="(\d+)"', response.content.decode())]


def test_the_list_url():
    assert reverse("core:job_list") == LIST


def test_a_person_sees_their_own_jobs_newest_first(client, people):
    older = make_job(people["owner"], repr_="甲单位 2021", status=JobStatus.DONE, minutes_ago=30)
    newer = make_job(people["owner"], kind="assessment.round_compute", repr_="2024 年度考核", status=JobStatus.FAILED)
    theirs = make_job(people["other"], repr_="乙单位 2021")
    client.force_login(people["owner"])

    response = client.get(LIST)

    assert response.status_code == 200
    assert listed_ids(response) == [newer.pk, older.pk]
    html = response.content.decode()
    assert "我的后台任务" in html and "考核得分计算" in html and "Excel 数据导入" in html
    assert "甲单位 2021" in html and "乙单位 2021" not in html
    assert f'href="/jobs/{newer.pk}/"' in html and f'href="/jobs/{theirs.pk}/"' not in html
    assert "已完成" in html and "失败" in html
    assert client.get(f"/jobs/{theirs.pk}/").status_code == 404  # nor its page


def test_an_office_administrator_sees_everyones_jobs(client, people):
    mine = make_job(people["owner"], minutes_ago=5)
    theirs = make_job(people["other"])
    client.force_login(people["office_admin"])
    assert listed_ids(client.get(LIST)) == [theirs.pk, mine.pk]


def test_someone_without_jobs_sees_none(client, people):
    make_job(people["owner"])
    client.force_login(people["other"])
    response = client.get(LIST)
    assert listed_ids(response) == [] and "还没有后台任务。" in response.content.decode()


def test_the_list_needs_a_login(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_is_paged_with_a_fixed_number_of_queries(client, people, django_assert_max_num_queries):
    jobs = [make_job(people["owner"], minutes_ago=n) for n in range(JOBS_PAGE_SIZE + 5)]
    running = jobs[0]
    Job.objects.filter(pk=running.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    running.refresh_from_db()
    job_progress(running, done=7, total=20)
    client.force_login(people["owner"])

    with django_assert_max_num_queries(9):
        first = client.get(LIST)
    assert listed_ids(first) == [j.pk for j in jobs[:JOBS_PAGE_SIZE]]
    assert "已完成 7 / 20" in first.content.decode()
    assert "第 1 / 2 页" in first.content.decode()
    second = client.get(LIST + "?page=2")
    assert listed_ids(second) == [j.pk for j in jobs[JOBS_PAGE_SIZE:]]


def test_the_menu_and_the_job_page_link_to_the_list(client, people):
    job = make_job(people["owner"])
    client.force_login(people["owner"])
    assert f'href="{LIST}"' in client.get("/").content.decode()
    assert f'href="{LIST}"' in client.get(f"/jobs/{job.pk}/").content.decode()


# --- Progress on the job's page ---------------------------------------------------------------------------


def test_the_page_shows_progress_written_inside_the_works_open_transaction(client, people):
    job = make_job(people["owner"], status=JobStatus.RUNNING)
    client.force_login(people["owner"])
    with transaction.atomic():  # the work's transaction, still open
        Job.objects.filter(pk=job.pk).update(params={"written": True})
        job_progress(job, done=120, total=480)
        page = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert html.lstrip().startswith('<div id="job-status"') and 'hx-trigger="every 2s"' in html
    assert "进行中" in html and "已完成 120 / 480" in html
    assert '<progress class="w-100" value="120" max="480"' in html and ">25%</progress>" in html


def test_the_page_shows_no_progress_when_none_was_written(client, people):
    job = make_job(people["owner"], status=JobStatus.RUNNING)
    client.force_login(people["owner"])
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "进行中" in html and "已完成 " not in html and "<progress" not in html
