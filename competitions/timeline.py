"""The competitions' events on an organisation's timeline (ledger.timeline): a competition held (for its
organiser) and results published (for the organiser and for each entrant organisation with a winner)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competitions.choices import CompetitionStatus
from ledger import timeline


@timeline.source(kinds={"competition": gettext_lazy("劳动和技能竞赛")}, name="competitions")
def competition_events(org_ids: Sequence[int], today) -> Iterator[timeline.Event]:
    from competitions.models import Competition, CompetitionEntry

    held = Competition.objects.filter(organiser_id__in=org_ids).exclude(status=CompetitionStatus.PLANNED)
    for event in held:
        url = timeline.link("competitions:competition", event.pk)
        yield timeline.Event(
            org_id=event.organiser_id, on=event.starts_on, kind="competition",
            title=_("举办竞赛：%(name)s") % {"name": event.name}, url=url,
        )  # fmt: skip
        if event.published_on:
            yield timeline.Event(
                org_id=event.organiser_id, on=event.published_on, kind="competition",
                title=_("公布竞赛结果：%(name)s") % {"name": event.name}, url=url,
            )  # fmt: skip
    winners = (
        CompetitionEntry.objects.filter(org_id__in=org_ids, competition__status=CompetitionStatus.PUBLISHED)
        .exclude(award="")
        .order_by()
        .values_list("org_id", "competition_id", "competition__name", "competition__published_on")
        .distinct()
    )
    for org_id, pk, name, day in winners:
        yield timeline.Event(
            org_id=org_id, on=day, kind="competition", title=_("竞赛获奖：%(name)s") % {"name": name},
            url=timeline.link("competitions:competition", pk),
        )  # fmt: skip
