"""Background tasks of statistics reporting: thin wrappers that load what a job names and call the service.

A task runs in the worker (`manage.py run_worker`: django-tasks-db's db_worker that recovers interrupted
jobs and outlasts database errors), not in the web request.
`make run` starts one next to the server. In production run it as a service of its own, e.g. a systemd unit

    [Service]
    ExecStart=/srv/changai/.venv/bin/python manage.py run_worker --interval 1
    Restart=always

(several workers may run side by side: each claims a task under a database lock), and prune old task
rows now and then from cron: `manage.py prune_db_task_results`.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from core.actor import Actor
from core.errors import UserError
from core.jobs import job_run
from core.models import Job
from orgs.models import Organisation
from reporting.excel import storage
from reporting.excel.importer import confirm_upload
from reporting.excel.plan import Context
from reporting.models import DataSet
from reporting.periods import period_from_code

PROBLEMS_SHOWN = 5  # problems quoted in a failed job's message (the rest are counted)


@task()
def excel_import_confirm_task(*, job_id: int, token: str) -> None:
    """Confirm a previewed Excel upload (all or nothing) as the person who asked for the job."""
    job_run(job_id=job_id, work=lambda actor, job: _confirm(actor, job, token))


def _confirm(actor: Actor, job: Job, token: str) -> dict[str, Any]:
    # Runs as the worker: no request scope; the import service checks the asker's rights itself.
    params = job.params
    ctx = Context(
        actor,
        DataSet.objects.get(code=params["dataset"]),
        period_from_code(params["period"]),
        Organisation.objects.get(code=params["org"]),
    )
    outcome = confirm_upload(ctx=ctx, token=token, meta=storage.read_meta(token) or {})
    if outcome.problems:
        texts = [p.text() for p in outcome.problems[:PROBLEMS_SHOWN]]
        message = _("导入失败，本次未导入任何数据：%(problems)s") % {"problems": "；".join(texts)}
        if len(outcome.problems) > PROBLEMS_SHOWN:
            message += _("（共 %(n)d 个问题）") % {"n": len(outcome.problems)}
        raise UserError(message)
    url = reverse("reporting:excel_import", args=[params["dataset"], params["period"], params["org"]])
    if not outcome.results:
        return {"orgs": 0, "cells": 0, "url": url,
                "message": _("文件中的数据与系统中现有数据完全相同，没有需要导入的内容。")}  # fmt: skip
    return {
        "orgs": outcome.orgs,
        "cells": outcome.cells,
        "reports": [r.report.pk for r in outcome.results],
        "url": url,
        "message": _("导入成功：已保存 %(orgs)d 个单位的 %(cells)d 个数值（报表为草稿状态，仍需提交）。")
        % {"orgs": outcome.orgs, "cells": outcome.cells},
    }


@task()
def history_import_confirm_task(*, job_id: int, token: str) -> None:
    """Confirm a previewed history import (all or nothing) as the person who asked for the job."""
    job_run(job_id=job_id, work=lambda actor, job: _confirm_history(actor, job, token))


def _confirm_history(actor: Actor, job: Job, token: str) -> dict[str, Any]:
    from reporting.history import flow
    from reporting.history.plan import HistoryContext

    params = job.params
    ctx = HistoryContext(
        actor,
        DataSet.objects.get(code=params["dataset"]),
        Organisation.objects.get(code=params["org"]),
        bool(params.get("overwrite")),
    )
    step = flow.confirm(ctx=ctx, token=token, meta=storage.read_meta(token) or {})
    if step.problems:
        texts = [p.text() for p in step.problems[:PROBLEMS_SHOWN]]
        message = _("导入失败，本次未导入任何数据：%(problems)s") % {"problems": "；".join(texts)}
        if len(step.problems) > PROBLEMS_SHOWN:
            message += _("（共 %(n)d 个问题）") % {"n": len(step.problems)}
        raise UserError(message)
    result = step.result
    return {
        "reports": [r.pk for r in result.reports] if result else [],
        "url": reverse("reporting:history_home"),
        "message": flow.result_message(result),
    }
