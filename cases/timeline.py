"""The case library's dated events on an organisation's timeline (ledger.timeline): a case submitted and published
(the source organisation's reform work), and a case adopted (the adopting organisation's)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case, Replication
from core import deadlines
from ledger import timeline


@timeline.source(
    kinds={"case": gettext_lazy("改革案例"), "case_adoption": gettext_lazy("复制推广")}, name="cases.timeline"
)
def case_events(org_ids, today):
    for case in Case.objects.filter(org_id__in=org_ids, submitted_at__isnull=False).only(
        "pk", "org_id", "title", "submitted_at", "published_at", "status"
    ):
        url = reverse("cases:detail", args=[case.pk])
        submitted = deadlines.today(case.submitted_at)
        if submitted <= today:
            yield timeline.Event(
                org_id=case.org_id, on=submitted, kind="case", title=_("提交改革案例《%(t)s》") % {"t": case.title},
                url=url, at=case.submitted_at,
            )  # fmt: skip
        if case.published_at is not None and deadlines.today(case.published_at) <= today:
            yield timeline.Event(
                org_id=case.org_id, on=deadlines.today(case.published_at), kind="case",
                title=_("改革案例《%(t)s》在案例库发布") % {"t": case.title}, url=url, at=case.published_at,
                activity=False,
            )  # fmt: skip
    for row in Replication.objects.filter(org_id__in=org_ids, adopted_on__lte=today).select_related("case"):
        yield timeline.Event(
            org_id=row.org_id, on=row.adopted_on, kind="case_adoption",
            title=_("复制推广案例《%(t)s》") % {"t": row.case.title}, detail=row.adopted[:200],
            url=reverse("cases:detail", args=[row.case_id]), at=row.created_at,
        )  # fmt: skip
