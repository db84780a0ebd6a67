"""`platform` (demo mode) and `nav`: what the navigation bar offers, from the apps' declared menu entries."""

from functools import cached_property

from django.conf import settings

from core import registry


def platform(request):
    return {"DEMO_MODE": settings.DEMO_MODE}


class Nav:
    """What the navigation bar offers the signed-in user, computed only when a template asks.

    The entries are those the apps declared (core/registry.py, `<app>/declarations.py`), each
    shown when its `visible(user)` says so: the app decides from the same rules its views use.
    """

    def __init__(self, user):
        self.user = user

    @cached_property
    def authenticated(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))

    @cached_property
    def menu(self) -> list[registry.MenuItem]:
        """The bar's entries the user may open, in declared order."""
        return registry.menu_for(self.user) if self.authenticated else []

    @cached_property
    def user_menu(self) -> list[registry.MenuItem]:
        """The entries of the user's own menu (under their name)."""
        return registry.menu_for(self.user, place="user") if self.authenticated else []

    @cached_property
    def offered(self) -> frozenset[str]:
        """The keys of the entries and sub-entries the user is offered."""
        return frozenset(
            [item.key for item in self.menu]
            + [child.key for item in self.menu for child in item.children]
            + [item.key for item in self.user_menu]
        )

    @cached_property
    def urls(self) -> dict[str, str]:
        """Every declared entry's address by key, offered or not ('' while its page does not exist)."""
        return registry.menu_urls()

    @cached_property
    def memberships(self) -> list:
        """The user's active roles, each with its organisation (answered by the app that keeps them)."""
        if not self.authenticated:
            return []
        return registry.ask("user.memberships", self.user, default=[])

    @cached_property
    def display_name(self) -> str:
        if not self.authenticated:
            return ""
        return getattr(self.user, "full_name", "") or self.user.get_username()


def nav(request):
    """`nav`: the declared menu entries and the user's roles, for templates/base.html."""
    return {"nav": Nav(getattr(request, "user", None))}
