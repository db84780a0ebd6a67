from functools import cached_property

from django.conf import settings
from django.urls import NoReverseMatch, reverse


def platform(request):
    return {"DEMO_MODE": settings.DEMO_MODE}


def _url(name: str) -> str:
    """The URL of a named route, or '' while that page does not exist."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


class Nav:
    """What the navigation bar offers the signed-in user, computed only when a template asks.

    Flags come from the scoping layer (orgs.scoping.has_action), so the menu shows exactly the
    pages whose views would let the user in.
    """

    def __init__(self, user):
        self.user = user

    @cached_property
    def authenticated(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))

    def _may(self, action: str) -> bool:
        from orgs.scoping import has_action

        return self.authenticated and has_action(self.user, action)

    @cached_property
    def orgs(self) -> bool:
        from orgs.choices import Action

        return self._may(Action.ORG_VIEW)

    @cached_property
    def users(self) -> bool:
        from orgs.choices import Action

        return self._may(Action.USER_MANAGE) and bool(self.users_url)

    @cached_property
    def security(self) -> bool:
        from orgs.choices import Action

        return self._may(Action.SECURITY_MANAGE) and bool(self.security_url)

    @cached_property
    def audit(self) -> bool:
        from orgs.choices import Action

        return self._may(Action.AUDIT_VIEW) and bool(self.audit_url)

    @cached_property
    def users_url(self) -> str:
        return _url("accounts:user_list")

    @cached_property
    def security_url(self) -> str:
        return _url("accounts:security")

    @cached_property
    def audit_url(self) -> str:
        return _url("audit:entry_list")

    @cached_property
    def profile_url(self) -> str:
        return _url("accounts:profile")

    @cached_property
    def memberships(self) -> list:
        """The user's active roles, each with its organisation (one query, shared with scoping)."""
        if not self.authenticated:
            return []
        from orgs.scoping import _active_memberships

        return _active_memberships(self.user)

    @cached_property
    def display_name(self) -> str:
        if not self.authenticated:
            return ""
        return getattr(self.user, "full_name", "") or self.user.get_username()


def nav(request):
    """`nav`: the navigation flags and the user's roles, for templates/base.html."""
    return {"nav": Nav(getattr(request, "user", None))}
