"""Capacity building's section of the evaluation report (publishing/evaluation.py's registry): classes held in the
period by kind, people enrolled and trained, and the coverage indicator read through the analytics engine."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from publishing import evaluation


@evaluation.section("training", gettext_lazy("能力建设"), order=35)
def training_section(ctx: evaluation.Context) -> evaluation.Content | None:
    from analytics.engine import Query, Scope, answer
    from core.errors import UserError
    from training.choices import ClassKind, ClassStatus, EnrolmentStatus
    from training.models import TrainingClass

    start, end = dt.date(ctx.first_year, 1, 1), dt.date(ctx.year, 12, 31)
    classes = TrainingClass.objects.filter(ends_on__gte=start, ends_on__lte=end).exclude(status=ClassStatus.CANCELLED)
    enrolled = Q(enrolments__status=EnrolmentStatus.ENROLLED)
    counts = {
        row["kind"]: row
        for row in classes.values("kind").annotate(
            n=Count("id", distinct=True),
            enrolled=Count("enrolments", filter=enrolled, distinct=True),
            trained=Count("enrolments", filter=enrolled & Q(enrolments__completed=True), distinct=True),
        )
    }
    if not counts:
        return None
    rows = [
        [str(label), str(counts[key]["n"]), str(counts[key]["enrolled"]), str(counts[key]["trained"])]
        for key, label in ClassKind.choices
        if key in counts
    ]
    total = [sum(int(row[i]) for row in rows) for i in (1, 2, 3)]
    rows.append([_("合计"), *(str(n) for n in total)])
    try:
        coverage = answer(Scope.province(), Query("indicator:TRAINING_COVERAGE", periods=(str(ctx.year),))).totals[0]
        covered = coverage.display if coverage.value is not None else evaluation.NO_DATA
    except (UserError, IndexError):  # the indicator was switched off by the office
        covered = evaluation.NO_DATA
    paragraphs = [
        _(
            "评估期内举办产改能力建设培训班 %(classes)d 期，报名 %(enrolled)d 人次，结业 %(trained)d 人次；"
            "%(year)d年州市和产业系统公司工会培训覆盖率为 %(coverage)s。"
        )
        % {"classes": total[0], "enrolled": total[1], "trained": total[2], "year": ctx.year, "coverage": covered}
    ]
    table = evaluation.Table(
        _("培训班举办情况"), [_("类别"), _("班次"), _("报名人次"), _("结业人次")], rows,
        _("按结束日期计入评估期；不含已取消的培训班和已退出的报名。"),
    )  # fmt: skip
    return evaluation.Content(paragraphs=paragraphs, tables=[table])
