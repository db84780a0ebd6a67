"""The reform ledger's section of the evaluation report: progress on each of the five key tasks
(publishing/evaluation.py's registry)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from publishing import evaluation


@evaluation.section("five_tasks", gettext_lazy("五项重点任务进展"), order=20)
def five_tasks_section(ctx: evaluation.Context) -> evaluation.Content | None:
    """Per key task: the ledgers' tasks (done, under way, overdue, behind their path) and its key indicators."""
    from analytics.engine.dashboard import dashboard_tiles
    from analytics.engine.scope import Scope
    from ledger.choices import KeyTask, TaskStatus
    from ledger.models import ReformSettings, Task
    from ledger.progress import is_behind, progress_of

    end = min(dt.date(ctx.year, 12, 31), ctx.as_of)
    tasks = list(
        Task.objects.filter(starts_on__lte=end).exclude(status=TaskStatus.CANCELLED).select_related("indicator")
    )
    if not tasks:
        return None
    progress = progress_of(tasks, today=end)
    lag = ReformSettings.current().lag_points
    tiles = dashboard_tiles(Scope.province(), year=str(ctx.year)).tiles
    rows, paragraphs = [], []
    for key, label in KeyTask.choices:
        mine = [task for task in tasks if task.key_task == key]
        done = sum(1 for t in mine if t.status == TaskStatus.DONE and t.done_on is not None and t.done_on <= end)
        overdue = sum(1 for t in mine if t.deadline < end and not (t.status == TaskStatus.DONE and t.done_on))
        behind = sum(1 for t in mine if t.pk in progress and is_behind(t, progress[t.pk], lag))
        indicators = [
            _("%(label)s %(value)s（目标 %(target)s）")
            % {"label": tile.label, "value": evaluation.NO_DATA if tile.value is None else tile.display,
               "target": tile.target_display or "—"}
            for tile in tiles
            if tile.task == str(label)
        ]  # fmt: skip
        rows.append([str(label), str(len(mine)), str(done), str(len(mine) - done), str(overdue), str(behind)])
        line = ""
        if mine:
            line = _(
                "%(task)s：台账任务 %(count)d 项，已完成 %(done)d 项，未完成 %(open)d 项，"
                "其中逾期 %(overdue)d 项、进度滞后 %(behind)d 项。"
            ) % {"task": label, "count": len(mine), "done": done, "open": len(mine) - done, "overdue": overdue,
                 "behind": behind}  # fmt: skip
        if indicators:
            line = (line or f"{label}：") + _("关键指标：%(list)s。") % {"list": "；".join(indicators)}
        if line:
            paragraphs.append(line)
    paragraphs.insert(
        0,
        _(
            "截至 %(day)s，各单位台账中列入评估期的改革任务共 %(count)d 项（不含已取消），"
            "按五项重点任务和工作机制分列如下。"
        )
        % {"day": f"{end:%Y年%m月%d日}", "count": len(tasks)},
    )
    table = evaluation.Table(
        _("五项重点任务推进情况"),
        [_("重点任务"), _("任务数"), _("已完成"), _("未完成"), _("逾期"), _("进度滞后")],
        rows,
        _("进度滞后：量化任务的最新值落后于从基期到目标的直线进度超过 %(lag)d 个百分点。") % {"lag": lag},
    )
    return evaluation.Content(paragraphs=paragraphs, tables=[table])
