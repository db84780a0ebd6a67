"""The retention rule of the talent pool (docs/personal-data.md, "Retention").

A person removed from the pool keeps his record (name, organisation, honours: the history of who was
named what), but his ID number and phone are erased `TALENT_RETENTION_YEARS` years (setting, 3 by
default) after the day he was removed. `purge_expired` does it; the periodic job `talent.purge`
(talent/declarations.py) and `manage.py purge_talent` call it. It is idempotent: a person already erased
is skipped, and each run writes one audit row naming how many people it erased.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from core import audit, deadlines
from core.actor import Actor
from talent.models import Person

DEFAULT_YEARS = 3


def retention_years() -> int:
    """How many years after removal an ID number and phone are kept (setting TALENT_RETENTION_YEARS)."""
    years = getattr(settings, "TALENT_RETENTION_YEARS", DEFAULT_YEARS)
    try:
        years = int(years)
    except (TypeError, ValueError):
        return DEFAULT_YEARS
    return max(years, 0)


def cutoff(today: dt.date | None = None) -> dt.date:
    """People removed on or before this day are due for erasure."""
    today = today or deadlines.today()
    years = retention_years()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def due(today: dt.date | None = None):
    """The removed people whose ID number or phone should be erased now."""
    return Person.objects.filter(removed_on__isnull=False, removed_on__lte=cutoff(today), erased_on__isnull=True)


def purge_expired(*, by: Actor | None = None, today: dt.date | None = None) -> dict[str, int]:
    """Erase the ID number and phone of everyone due; {"erased": n, "years": N}. One audit row per run."""
    by = by or Actor.system("talent.purge")
    today = today or deadlines.today()
    erased = 0
    with transaction.atomic():
        for person in due(today).select_for_update(of=("self",)).order_by("pk"):
            person.id_number = ""
            person.phone = ""
            person.erased_on = today
            person.version += 1
            person.save(update_fields=["id_number", "id_number_index", "phone", "erased_on", "version", "updated_at"])
            erased += 1
        audit.record(
            by,
            "talent.person.purge",
            after=None,
            detail={"erased": erased, "years": retention_years(), "cutoff": f"{cutoff(today):%Y-%m-%d}"},
        )
    return {"erased": erased, "years": retention_years()}
