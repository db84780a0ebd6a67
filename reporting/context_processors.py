"""`reporting_nav`: the reporting links and the unread-notification count for the navigation bar."""

from __future__ import annotations

from functools import cached_property

from orgs.choices import Action
from orgs.nav import LazyNav


class ReportingNav(LazyNav):
    @cached_property
    def reports(self) -> bool:
        """Whether "我的填报" is offered: the user may see some organisation's business data."""
        return self.may(Action.VIEW)

    @cached_property
    def excel(self) -> bool:
        """Whether the Excel page is offered: the user may enter data somewhere."""
        return self.may(Action.EDIT)

    @cached_property
    def completeness(self) -> bool:
        """Whether the completeness pages are offered: the user reviews or accepts reports somewhere."""
        return self.may(Action.REVIEW) or self.may(Action.ACCEPT)

    @cached_property
    def metadata(self) -> bool:
        """Whether the data-set definitions are offered (the reform office)."""
        return self.may(Action.METADATA_MANAGE)

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
