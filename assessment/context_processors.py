"""`assessment_nav`: whether the navigation bar offers the "量化考核" menu, and which of its entries."""

from __future__ import annotations

from functools import cached_property

from django.urls import reverse

from orgs.choices import Action
from orgs.nav import LazyNav


class AssessmentNav(LazyNav):
    @cached_property
    def office(self) -> bool:
        """The reform office runs frameworks and rounds."""
        return self.may(Action.ASSESS_MANAGE)

    @cached_property
    def results(self) -> bool:
        """Anyone who may see business data somewhere may have published results to read."""
        return self.may(Action.VIEW)

    @cached_property
    def rater(self) -> bool:
        """Holds a role the office names raters from (read from the cached roles: the bar costs no query)."""
        if not self.authenticated:
            return False
        from assessment.forms import RATER_ROLES
        from orgs.scoping import roles_of

        return bool(roles_of(self.user) & set(RATER_ROLES))

    @cached_property
    def show(self) -> bool:
        return self.office or self.results or self.rater

    @cached_property
    def frameworks_url(self) -> str:
        return reverse("assessment:framework_list")


def assessment_nav(request):
    return {"assessment_nav": AssessmentNav(getattr(request, "user", None))}
