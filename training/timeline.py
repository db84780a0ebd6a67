"""Capacity building's events on an organisation's timeline (ledger.timeline): someone enrolled in a class, and
someone completed one. Both are the organisation's own reform activity. Imported from TrainingConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger import timeline

KIND = "training"


@timeline.source(kinds={KIND: gettext_lazy("培训")}, name="training.enrolments")
def training_events(org_ids: Sequence[int], today: dt.date) -> Iterator[timeline.Event]:
    from training.models import Enrolment

    rows = (
        Enrolment.objects.filter(org_id__in=org_ids)
        .active()
        .values_list("org_id", "klass_id", "klass__title", "name", "created_at", "completed", "completed_on")
    )
    for org_id, klass_id, title, name, created_at, completed, completed_on in rows:
        url = timeline.link("training:class_detail", klass_id)
        yield timeline.Event(
            org_id,
            timeline.day_of(created_at),
            KIND,
            _("%(name)s报名参加“%(class)s”") % {"name": name, "class": title},
            url=url,
            at=created_at,
        )
        if completed and completed_on:
            yield timeline.Event(
                org_id, completed_on, KIND, _("%(name)s完成“%(class)s”并结业") % {"name": name, "class": title}, url=url
            )
