"""Suggestions on an organisation's timeline (ledger.timeline): entered, adopted or not, implemented, rewarded.
Each is the organisation's own reform activity (its workers' innovation), so it counts against the "no action"
alert."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger import timeline
from suggestions.choices import ADOPTED_STATES, SuggestionStatus


@timeline.source(kinds={"suggestion": gettext_lazy("合理化建议和五小")}, name="suggestions")
def suggestion_events(org_ids: Sequence[int], today) -> Iterator[timeline.Event]:
    from suggestions.models import Suggestion

    rows = Suggestion.objects.filter(org_id__in=org_ids).only(
        "pk", "org_id", "kind", "title", "status", "submitted_on", "decided_on", "implemented_on", "rewarded_on",
        "value", "reject_reason", "created_at",
    )  # fmt: skip
    for s in rows:
        url = timeline.link("suggestions:detail", s.pk)
        kind = s.get_kind_display()
        yield timeline.Event(
            org_id=s.org_id, on=s.submitted_on, kind="suggestion",
            title=_("职工提出%(kind)s：%(title)s") % {"kind": kind, "title": s.title}, url=url, at=s.created_at,
        )  # fmt: skip
        if s.decided_on and s.status in ADOPTED_STATES:
            yield timeline.Event(
                org_id=s.org_id, on=s.decided_on, kind="suggestion",
                title=_("%(kind)s被采纳：%(title)s") % {"kind": kind, "title": s.title}, url=url,
            )  # fmt: skip
        if s.decided_on and s.status == SuggestionStatus.REJECTED:
            yield timeline.Event(
                org_id=s.org_id, on=s.decided_on, kind="suggestion",
                title=_("%(kind)s未被采纳：%(title)s") % {"kind": kind, "title": s.title},
                detail=timeline.short(s.reject_reason), url=url,
            )  # fmt: skip
        if s.implemented_on:
            yield timeline.Event(
                org_id=s.org_id, on=s.implemented_on, kind="suggestion",
                title=_("建议付诸实施：%(title)s") % {"title": s.title}, url=url,
            )  # fmt: skip
        if s.rewarded_on:
            yield timeline.Event(
                org_id=s.org_id, on=s.rewarded_on, kind="suggestion",
                title=_("建议获得奖励：%(title)s") % {"title": s.title}, url=url,
            )  # fmt: skip
