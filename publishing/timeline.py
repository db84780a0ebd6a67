"""The submissions as events of their organisations (ledger/timeline.py), registered from the app's ready():
an item submitted to the office and an item used in a newsletter issue, both the organisation's own reform
activity."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import deadlines
from ledger import timeline


@timeline.source(kinds={"info_submitted": gettext_lazy("报送信息"), "info_used": gettext_lazy("信息被快报采用")})
def submission_events(org_ids, today):
    from django.urls import reverse

    from publishing.choices import SubmissionStatus
    from publishing.models import Submission

    rows = Submission.objects.filter(org_id__in=org_ids, first_submitted_at__isnull=False).select_related("issue")
    for item in rows:
        url = reverse("publishing:submission", kwargs={"pk": item.pk})
        yield timeline.Event(
            org_id=item.org_id, on=deadlines.today(item.first_submitted_at), kind="info_submitted",
            title=_("报送信息：%(title)s") % {"title": item.title}, url=url, at=item.first_submitted_at,
        )  # fmt: skip
        if item.status == SubmissionStatus.USED and item.decided_at:
            issue = item.issue.number_text if item.issue_id and item.issue.number_text else ""
            yield timeline.Event(
                org_id=item.org_id, on=deadlines.today(item.decided_at), kind="info_used",
                title=_("信息被快报采用：%(title)s") % {"title": item.title}, detail=issue, url=url, at=item.decided_at,
            )  # fmt: skip
