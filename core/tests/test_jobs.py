"""Background jobs: large Excel imports and round recomputes go to the worker, run as the asker, all or nothing.

These tests use the real database backend and worker (django-tasks-db's `db_worker`): the task row must
be committed before the worker can claim it, hence `transaction=True`.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from assessment.choices import RoundStatus
from assessment.models import Computation, Round
from assessment.tests.test_views import world  # noqa: F401 - fixture
from core import audit
from core.models import AuditEntry, Job, JobStatus
from orgs.choices import Role
from reporting.excel import storage
from reporting.models import DataValue, Report
from reporting.tests.conftest import clock, wf  # noqa: F401 - fixtures
from reporting.tests.excel_files import download, fill_single, page_url
from reporting.tests.factories import valid_values_y
from reporting.tests.test_excel_views import token_of, upload

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = page_url("WF_Y", "2021", "E-A1")


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0")


def job_of(response) -> Job:
    assert response.status_code == 302, response.status_code
    prefix = "/jobs/"
    assert response["Location"].startswith(prefix), response["Location"]
    return Job.objects.get(pk=int(response["Location"][len(prefix) :].strip("/")))


def previewed_token(client) -> str:
    blank = download(client, "WF_Y", "2021", "E-A1")
    return token_of(upload(client, PAGE, fill_single(blank, valid_values_y())))


@pytest.fixture
def imports(settings, tmp_path):
    settings.REPORTING_IMPORT_DIR = tmp_path / "imports"
    return settings.REPORTING_IMPORT_DIR


@pytest.fixture
def reporter(client, tree, wf, imports):  # noqa: F811 - wf is the fixture imported above
    user = tree.user(Role.REPORTER, tree.ent_a1)
    client.force_login(user)
    return user


@pytest.fixture
def low_limits(settings):
    settings.IMPORT_INLINE_LIMIT = 10  # the valid yearly file writes 60 values
    settings.ASSESSMENT_INLINE_LIMIT = 2  # the round has 3 participants


# --- Excel import ----------------------------------------------------------------------------------------


def test_large_import_is_queued_and_imported_by_the_worker_as_the_asker(client, reporter, imports, low_limits):
    token = previewed_token(client)
    job = job_of(client.post(reverse("reporting:excel_confirm", args=[token]), REMOTE_ADDR="10.1.2.3"))

    # Queued: nothing written yet, one task waiting, the creation audited.
    assert job.status == JobStatus.QUEUED and job.kind == "reporting.excel_import"
    assert job.requested_by == reporter and job.ip == "10.1.2.3"
    assert not DataValue.objects.exists() and not Report.objects.exists()
    assert DBTaskResult.objects.count() == 1
    created = AuditEntry.objects.get(event="core.job.create")
    assert created.user_id == reporter.pk and created.object_id == str(job.pk)
    page = client.get(reverse("core:job_detail", args=[job.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "排队中" in html and 'hx-trigger="every 2s"' in html
    assert "本页每 2 秒自动刷新" in html

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.result["orgs"] == 1 and job.result["cells"] == 60 and job.result["url"] == PAGE
    assert job.started_at is not None and job.finished_at is not None and job.error == ""
    assert DataValue.objects.filter(report__org__code="E-A1").count() == 60
    # The service's own audit rows name the person who asked, from the address they asked from.
    applied = AuditEntry.objects.get(event="reporting.import.apply")
    assert (applied.user_id, applied.username, applied.ip) == (reporter.pk, reporter.username, "10.1.2.3")
    assert applied.request_id == job.request_id != ""
    assert AuditEntry.objects.filter(event="reporting.values.save", user_id=reporter.pk).count() == 1
    finished = AuditEntry.objects.get(event="core.job.finish")
    assert finished.success and finished.user_id == reporter.pk and finished.detail["status"] == "done"
    assert not list(imports.glob(f"{token}*"))  # the upload is gone

    partial = client.get(reverse("core:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert html.lstrip().startswith('<div id="job-status"')
    assert "已完成" in html and "hx-trigger" not in html  # finished: no more polling
    assert "导入成功：已保存 1 个单位的 60 个数值（报表为草稿状态，仍需提交）。" in html
    assert f'href="{PAGE}"' in html


def test_small_import_stays_in_the_request(client, reporter, imports, settings):
    settings.IMPORT_INLINE_LIMIT = 60  # exactly the file's 60 values: not more than the limit
    token = previewed_token(client)
    done = client.post(reverse("reporting:excel_confirm", args=[token]))
    assert done.status_code == 302 and done["Location"] == PAGE
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()
    assert DataValue.objects.count() == 60


def test_import_refused_at_run_time_fails_the_job_with_the_message(client, reporter, imports, low_limits):
    token = previewed_token(client)
    job = job_of(client.post(reverse("reporting:excel_confirm", args=[token])))
    storage.delete(token, ".upload")  # e.g. removed as older than 24 hours before the worker got to it

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    expected = "导入失败，本次未导入任何数据：该上传已失效（已导入、已放弃或已超过 24 小时） 请重新上传文件。"
    assert job.error == expected
    assert not DataValue.objects.exists() and not Report.objects.exists()
    finished = AuditEntry.objects.get(event="core.job.finish")
    assert not finished.success and finished.detail["error"] == expected
    html = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "失败" in html and expected in html and "本次没有写入任何数据" in html
    assert f'href="{PAGE}"' in html  # back to the Excel page


def test_import_failing_midway_writes_nothing(client, reporter, imports, low_limits, monkeypatch):
    token = previewed_token(client)
    job = job_of(client.post(reverse("reporting:excel_confirm", args=[token])))
    original = audit.record

    def failing(actor, event, *args, **kwargs):
        if event == "reporting.import.apply":  # the last write of the import's transaction
            raise RuntimeError("disk full")
        return original(actor, event, *args, **kwargs)

    monkeypatch.setattr(audit, "record", failing)

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "后台任务运行出错，本次操作没有完成。请稍后重试，或联系系统管理员。"
    assert not DataValue.objects.exists() and not Report.objects.exists()
    assert not AuditEntry.objects.filter(event="reporting.values.save").exists()
    assert DBTaskResult.objects.get().status == "FAILED"  # the traceback stays with the task row


# --- The job page: who may see it ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("office_admin", 200), ("office_reviewer", 404), ("other_reporter", 404)],
)
def test_job_page_is_for_the_asker_and_office_admins(client, tree, reporter, imports, low_limits, who, status):
    job = job_of(client.post(reverse("reporting:excel_confirm", args=[previewed_token(client)])))
    viewer = {
        "owner": reporter,
        "office_admin": tree.user(Role.OFFICE_ADMIN),
        "office_reviewer": tree.user(Role.OFFICE_REVIEWER),
        "other_reporter": tree.user(Role.REPORTER, tree.ent_a2),
    }[who]
    client.force_login(viewer)
    response = client.get(reverse("core:job_detail", args=[job.pk]))
    assert response.status_code == status
    if status == 200:
        assert "Excel 数据导入" in response.content.decode()
    assert client.get(reverse("core:job_detail", args=[job.pk + 1000])).status_code == 404


def test_job_page_needs_a_login(client, reporter, imports, low_limits):
    job = job_of(client.post(reverse("reporting:excel_confirm", args=[previewed_token(client)])))
    client.logout()
    response = client.get(reverse("core:job_detail", args=[job.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Round recompute --------------------------------------------------------------------------------------


def test_large_round_is_computed_by_the_worker(client, world, low_limits):  # noqa: F811
    client.force_login(world.office)
    url = reverse("assessment:round_compute", args=[world.round.pk])
    job = job_of(client.post(url, {"reason": "数据更正后重算"}))
    assert job.kind == "assessment.round_compute" and job.object_id == str(world.round.pk)
    assert not Computation.objects.exists()

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    computation = Computation.objects.get(round=world.round)
    assert computation.number == 1 and computation.results.count() == 3
    audited = AuditEntry.objects.get(event="assessment.round.compute")
    assert audited.user_id == world.office.pk and audited.detail["participants"] == 3
    ranking = reverse("assessment:round_ranking", args=[world.round.pk])
    html = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "考核得分计算" in html and "已完成第 1 次计算，共 3 家单位。" in html
    assert f'href="{ranking}"' in html


def test_round_compute_refused_at_run_time_fails_the_job(client, world, low_limits):  # noqa: F811
    client.force_login(world.office)
    job = job_of(client.post(reverse("assessment:round_compute", args=[world.round.pk]), {"reason": ""}))
    Round.objects.filter(pk=world.round.pk).update(status=RoundStatus.PUBLISHED)  # published meanwhile

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "考核结果已公布；数据变化后需先重新开启本轮，再重新计算。"
    assert not Computation.objects.exists()
    assert not AuditEntry.objects.filter(event="assessment.round.compute").exists()
    assert not AuditEntry.objects.get(event="core.job.finish").success


def test_small_round_is_computed_in_the_request(client, world, settings):  # noqa: F811
    settings.ASSESSMENT_INLINE_LIMIT = 3
    client.force_login(world.office)
    response = client.post(reverse("assessment:round_compute", args=[world.round.pk]), {"reason": ""})
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:round_ranking", args=[world.round.pk])
    assert not Job.objects.exists() and Computation.objects.count() == 1


# --- Confirming twice, and progress while the work runs ---------------------------------------------------


def test_confirming_twice_makes_one_job(client, reporter, imports, low_limits):
    token = previewed_token(client)
    url = reverse("reporting:excel_confirm", args=[token])
    first = job_of(client.post(url))
    second = job_of(client.post(url))  # a double click, or the button pressed again after going back

    assert second.pk == first.pk
    assert Job.objects.count() == 1 and DBTaskResult.objects.count() == 1
    assert first.dedupe_key == token

    run_worker()

    first.refresh_from_db()
    assert first.status == JobStatus.DONE, first.error  # not a second job failing with "该上传已失效"
    assert job_of(client.post(url)).pk == first.pk  # even after it ran: its page, with the result
    assert DataValue.objects.count() == 60


def test_recomputing_twice_before_the_worker_ran_makes_one_job(client, world, low_limits):  # noqa: F811
    client.force_login(world.office)
    url = reverse("assessment:round_compute", args=[world.round.pk])
    first = job_of(client.post(url, {"reason": ""}))
    assert job_of(client.post(url, {"reason": ""})).pk == first.pk
    run_worker()
    # Once computed, asking again is a new computation: a new job.
    again = job_of(client.post(url, {"reason": "再算一次"}))
    assert again.pk != first.pk
    run_worker()
    assert Computation.objects.filter(round=world.round).count() == 2


@pytest.fixture
def progress_calls(monkeypatch):
    from core import jobs

    calls = []
    original = jobs.job_progress

    def recording(job, *, done, total):
        calls.append((done, total))
        return original(job, done=done, total=total)

    monkeypatch.setattr(jobs, "job_progress", recording)
    return calls


def test_the_import_reports_its_progress(client, reporter, imports, low_limits, progress_calls):
    job_of(client.post(reverse("reporting:excel_confirm", args=[previewed_token(client)])))
    run_worker()
    assert progress_calls == [(0, 1), (1, 1)]  # one organisation: before it and at the end


def test_an_import_in_the_request_reports_nothing(client, reporter, imports, settings, progress_calls):
    settings.IMPORT_INLINE_LIMIT = 60
    client.post(reverse("reporting:excel_confirm", args=[previewed_token(client)]))
    assert DataValue.objects.count() == 60 and progress_calls == []


def test_the_recompute_reports_its_progress(client, world, low_limits, progress_calls):  # noqa: F811
    client.force_login(world.office)
    job_of(client.post(reverse("assessment:round_compute", args=[world.round.pk]), {"reason": ""}))
    run_worker()
    assert progress_calls == [(0, 3), (1, 3), (2, 3), (3, 3)]
