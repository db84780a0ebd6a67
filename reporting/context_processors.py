"""`reporting_nav`: the unread-notification count and the review queue's length (the menu is in declarations.py)."""

from __future__ import annotations

from functools import cached_property

from orgs.choices import Action
from orgs.nav import LazyNav


class ReportingNav(LazyNav):
    @cached_property
    def completeness(self) -> bool:
        """Whether the user reviews or accepts reports somewhere."""
        return self.may(Action.REVIEW) or self.may(Action.ACCEPT)

    @cached_property
    def unread(self) -> int:
        if not self.authenticated:
            return 0
        from reporting.queries import notifications_unread

        return notifications_unread(self.user).count()

    @cached_property
    def waiting(self) -> int:
        """How many reports wait for this user's approval or acceptance (as on 我的填报), up to 100."""
        if not self.completeness:
            return 0
        from reporting.queries import review_queue

        return len(review_queue(user=self.user)[1])


def reporting_nav(request):
    return {"reporting_nav": ReportingNav(getattr(request, "user", None))}
