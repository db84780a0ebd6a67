"""The talent pool's events on an organisation's timeline (ledger.timeline): an honour awarded to one of its
people, and a nomination it submitted in a selection round."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger import timeline
from talent.choices import NominationStatus


@timeline.source(kinds={"talent": gettext_lazy("先进人物")}, name="talent")
def talent_events(org_ids: Sequence[int], today) -> Iterator[timeline.Event]:
    from talent.models import Honour, Nomination

    for honour in Honour.objects.filter(person__org_id__in=org_ids).select_related("person"):
        yield timeline.Event(
            org_id=honour.person.org_id, on=honour.awarded_on, kind="talent",
            title=_("%(name)s获得“%(title)s”") % {"name": honour.person.name, "title": honour.title},
            url=timeline.link("talent:person", honour.person_id),
        )  # fmt: skip
    nominations = Nomination.objects.filter(org_id__in=org_ids).exclude(status=NominationStatus.DRAFT)
    for n in nominations.select_related("round", "person"):
        yield timeline.Event(
            org_id=n.org_id, on=timeline.day_of(n.updated_at), kind="talent",
            title=_("推荐%(name)s参加“%(round)s”") % {"name": n.person.name, "round": str(n.round)},
            url=timeline.link("talent:round", n.round_id), at=n.updated_at,
        )  # fmt: skip
