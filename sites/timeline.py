"""The demonstration sites' events on an organisation's timeline (ledger.timeline): nominated, selected,
visited, accepted. Each is the organisation's own reform activity, so it counts against the "no action" alert."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger import timeline
from sites.choices import NominationStatus


@timeline.source(kinds={"demo_site": gettext_lazy("示范点")}, name="sites")
def site_events(org_ids: Sequence[int], today) -> Iterator[timeline.Event]:
    from sites.models import Nomination, Site, Visit

    nominations = Nomination.objects.filter(org_id__in=org_ids, submitted_at__isnull=False).exclude(
        status=NominationStatus.DRAFT
    )
    for n in nominations.select_related("batch"):
        day = timeline.day_of(n.submitted_at)
        yield timeline.Event(
            org_id=n.org_id, on=day, kind="demo_site", title=_("推荐为示范点：%(batch)s") % {"batch": n.batch.name},
            url=timeline.link("sites:nomination", n.pk), at=n.submitted_at,
        )  # fmt: skip
    for site in Site.objects.filter(org_id__in=org_ids).select_related("batch"):
        yield timeline.Event(
            org_id=site.org_id, on=site.announced_on, kind="demo_site",
            title=_("入选示范点：%(batch)s") % {"batch": site.batch.name}, url=timeline.link("sites:site", site.pk),
        )  # fmt: skip
        if site.accepted_on:
            yield timeline.Event(
                org_id=site.org_id, on=site.accepted_on, kind="demo_site", title=_("示范点通过验收"),
                url=timeline.link("sites:site", site.pk),
            )  # fmt: skip
    for visit in Visit.objects.filter(site__org_id__in=org_ids).select_related("site"):
        yield timeline.Event(
            org_id=visit.site.org_id, on=visit.visited_on, kind="demo_site", title=_("指导组走访示范点"),
            detail=timeline.short(visit.findings), url=timeline.link("sites:visit", visit.pk), at=visit.created_at,
        )  # fmt: skip
