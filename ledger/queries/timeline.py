"""Reads for an organisation's timeline (ledger/timeline.py), through the door: the organisation must be
in the user's scope (404 otherwise, the same answer for "missing" and "not yours")."""

from __future__ import annotations

import datetime as dt

from ledger import timeline
from ledger.models import Ledger
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import get_visible_or_404


def timeline_org_or_404(user, code: str) -> Organisation:
    """The organisation `code` if `user` may see it; Http404 otherwise."""
    return get_visible_or_404(Organisation.objects.select_related("region"), user, Action.VIEW, code=code)


def has_ledger(org: Organisation) -> bool:
    return Ledger.objects.filter(org=org).exists()


def org_events(org: Organisation, *, kinds: list[str] | None = None, today: dt.date | None = None):
    """Every event of `org` (already fetched through the door), newest first, of `kinds` or all."""
    return timeline.events_of([org.pk], kinds=kinds, today=today)


def clean_kinds(values: list[str]) -> list[str]:
    """The requested kinds of event that exist (an unknown kind names nothing: ValueError with a message)."""
    from django.utils.translation import gettext as _

    known = dict(timeline.event_kinds())
    wanted = [value.strip() for value in values if value.strip()]
    unknown = [value for value in wanted if value not in known]
    if unknown:
        raise ValueError(_("事件类型“%(value)s”无效。") % {"value": unknown[0][:50]})
    return wanted
