"""The demonstration sites' section of the evaluation report (publishing/evaluation.py's registry)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from publishing import evaluation


@evaluation.section("sites", gettext_lazy("示范点建设"), order=30)
def sites_section(ctx: evaluation.Context) -> evaluation.Content | None:
    from sites.choices import BatchStatus, FollowUpStatus, SiteStatus
    from sites.models import Batch, FollowUp, Site, SiteRating, Visit

    start, end = dt.date(ctx.first_year, 1, 1), dt.date(ctx.year, 12, 31)
    batches = list(
        Batch.objects.filter(year__lte=ctx.year).annotate(selected=Count("sites")).order_by("year", "level", "name")
    )
    if not batches:
        return None
    rows = [
        [b.name, b.get_level_display(), str(b.year), str(b.quota), str(b.selected), b.get_status_display()]
        for b in batches
    ]
    sites = Site.objects.filter(announced_on__lte=end)
    by_status = {row["status"]: row["n"] for row in sites.values("status").annotate(n=Count("id"))}
    visits = Visit.objects.filter(visited_on__gte=start, visited_on__lte=end)
    followups = FollowUp.objects.filter(visit__visited_on__gte=start, visit__visited_on__lte=end)
    done = followups.filter(status=FollowUpStatus.DONE)
    on_time = done.filter(done_on__lte=F("deadline")).count()
    late_open = followups.filter(~Q(status=FollowUpStatus.DONE), deadline__lt=ctx.as_of).count()
    average = SiteRating.objects.filter(year__gte=ctx.first_year, year__lte=ctx.year).aggregate(a=Avg("total"))["a"]
    paragraphs = [
        _(
            "截至 %(day)s，已公布示范点 %(sites)d 个"
            "（指导中 %(guided)d 个、已验收 %(accepted)d 个、已撤销 %(withdrawn)d 个），"
            "另有 %(open)d 个批次正在推荐遴选。"
        )
        % {
            "day": f"{ctx.as_of:%Y年%m月%d日}",
            "sites": sites.count(),
            "guided": by_status.get(SiteStatus.GUIDING, 0),
            "accepted": by_status.get(SiteStatus.ACCEPTED, 0),
            "withdrawn": by_status.get(SiteStatus.WITHDRAWN, 0),
            "open": sum(1 for b in batches if b.status != BatchStatus.ANNOUNCED),
        },
        _(
            "评估期内指导组走访示范点 %(visits)d 次，提出跟进事项 %(items)d 项，"
            "已办结 %(done)d 项（按期 %(on_time)d 项），逾期未办结 %(late)d 项；指导组评价平均得分 %(average)s。"
        )
        % {
            "visits": visits.count(),
            "items": followups.count(),
            "done": done.count(),
            "on_time": on_time,
            "late": late_open,
            "average": f"{average:.1f}" if average is not None else evaluation.NO_DATA,
        },
    ]
    table = evaluation.Table(_("示范点批次"), [_("批次"), _("级别"), _("年度"), _("名额"), _("入选"), _("状态")], rows)
    return evaluation.Content(paragraphs=paragraphs, tables=[table])
