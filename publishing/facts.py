"""The publishing app's facts for assessment (assessment/facts.py), registered from its ready().

    publishing_submitted   information items submitted in the year by the organisation and those under it (a count)
    publishing_used        of them, those used in a newsletter issue in the year (a count)

Counted facts: a criterion may give points per item (a bonus per item used, a deduction when none was sent).
"""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.facts import OrgRef, register
from assessment.scoring import FactValue
from core import deadlines


def _paths(year: int, field: str, **filters) -> list[str]:
    from publishing.models import Submission

    start = deadlines.start_of_day(dt.date(year, 1, 1))
    end = deadlines.start_of_day(dt.date(year + 1, 1, 1))
    return sorted(
        Submission.objects.filter(**{f"{field}__gte": start, f"{field}__lt": end}, **filters).values_list(
            "org__path", flat=True
        )
    )


def _count_within(paths: list[str], top: str) -> int:
    """How many of the sorted `paths` lie in the subtree at `top`."""
    return bisect.bisect_left(paths, top + "\uffff") - bisect.bisect_left(paths, top)


def _fact(field: str, sentence, **filters):
    def provider(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
        paths = _paths(year, field, **filters)
        found = {}
        for org_id, path in orgs:
            n = _count_within(paths, path)
            found[org_id] = FactValue(Decimal(1) if n else Decimal(0), sentence() % {"year": year, "n": n}, n)
        return found

    return provider


register("publishing_submitted", gettext_lazy("报送信息（条）"), counted=True)(
    _fact("first_submitted_at", lambda: _("%(year)d年度本单位（含下属单位）报送信息 %(n)d 条。"))
)


def _used():
    from publishing.choices import SubmissionStatus

    return _fact(
        "decided_at",
        lambda: _("%(year)d年度本单位（含下属单位）信息被快报采用 %(n)d 条。"),
        status=SubmissionStatus.USED,
    )


register("publishing_used", gettext_lazy("信息被快报采用（条）"), counted=True)(_used())
