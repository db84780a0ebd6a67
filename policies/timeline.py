"""The uptake and the notices as events of an organisation's timeline (ledger.timeline): submitting the uptake form
is the organisation's own reform activity; opening a notice is recorded as an event too."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger import timeline
from policies.choices import UptakeStatus
from policies.models import NoticeRecipient, UptakeReport


@timeline.source(kinds={"policy_uptake": gettext_lazy("政策落实"), "policy_notice": gettext_lazy("政策推送")})
def policy_events(org_ids, today):
    reports = UptakeReport.objects.filter(org_id__in=org_ids, status=UptakeStatus.SUBMITTED).select_related("round")
    for report in reports:
        day = timeline.day_of(report.submitted_at)
        if day is None or day > today:
            continue
        yield timeline.Event(
            org_id=report.org_id, on=day, kind="policy_uptake", at=report.submitted_at,
            title=_("提交%(round)s") % {"round": report.round.title},
            url=timeline.link("policies:uptake_form", report.pk),
        )  # fmt: skip
    opened = NoticeRecipient.objects.filter(org_id__in=org_ids, opened_at__isnull=False).select_related("notice")
    for recipient in opened:
        day = timeline.day_of(recipient.opened_at)
        if day is None or day > today:
            continue
        yield timeline.Event(
            org_id=recipient.org_id, on=day, kind="policy_notice", at=recipient.opened_at, activity=False,
            title=_("查阅政策推送：%(title)s") % {"title": timeline.short(recipient.notice.title)},
            url=timeline.link("policies:notice", recipient.pk),
        )  # fmt: skip
