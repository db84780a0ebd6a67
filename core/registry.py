"""What the apps tell the kernel about themselves: audit events, job kinds, menu entries, answers.

core imports no app. Each app says what it adds in its own `declarations.py`, which
`CoreConfig.ready()` imports for every installed app (the way the admin finds `admin.py`):

    # reporting/declarations.py
    from django.utils.translation import gettext_lazy as _

    from core import registry

    registry.audit_events({"reporting.report.submit": _("提交报表"), ...})
    registry.job_kinds({"reporting.excel_import": _("Excel 数据导入")})
    registry.menu(registry.MenuEntry(key="reporting", label=_("统计填报"), ...))

    audit_events / event_label / events_matching    every code `audit.record` writes, with its label
    job_kinds / job_kind_label                       what each kind of background job is called
    menu / menu_for                                  the navigation bar's entries, in order, as the user may see them
    periodic / declared_periodic                     work the worker runs by itself every so often (core/periodic.py)
    todos / todos_for                                what a person should do next, for the home page's 待办事项
    provide / ask / allows                           questions core asks and an app answers (ACCESS_QUESTIONS)
    export_leaves_out / export_left_out              tables the province export leaves out, each with the reason

Labels are kept here, never stored on the rows, so old audit rows show today's label.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.functional import Promise

# The module name every app uses for its declarations.
MODULE = "declarations"

# The questions core asks and some app answers with `provide(name, fn)`.
QUESTIONS = {
    "audit.view": "fn(user) -> bool: may read the audit log (the audit administrator)",
    "jobs.view_all": "fn(user) -> bool: may follow every person's background jobs",
    "user.memberships": "fn(user) -> list: the user's active roles, each with .get_role_display() and .org",
}

_events: dict[str, Promise | str] = {}
_job_kinds: dict[str, Promise | str] = {}
_menu: dict[str, MenuEntry] = {}
_menu_extra: dict[str, list[MenuEntry]] = {}  # children other apps add to a drop-down (menu_children)
_providers: dict[str, Callable[..., Any]] = {}
_periodic: dict[str, Periodic] = {}
_todo_sources: dict[str, Callable[[Any], Iterable[Todo]]] = {}
_round_sources: dict[str, Callable[[Any], Iterable[RoundProgress]]] = {}
_left_out: dict[str, Promise | str] = {}


def _add(table: dict[str, Any], what: str, entries: dict[str, Any]) -> None:
    for code, label in entries.items():
        if not code or code != code.strip():
            raise ImproperlyConfigured(f"{what} code {code!r} is empty or padded")
        known = table.get(code)
        if known is not None and str(known) != str(label):
            raise ImproperlyConfigured(f"{what} {code!r} declared twice with different labels")
        table[code] = label


# --- audit events ---------------------------------------------------------------------------------


def audit_events(entries: dict[str, Promise | str]) -> None:
    """Declare audit event codes with their labels (gettext_lazy); raises on a clash."""
    _add(_events, "audit event", entries)


def is_event_declared(code: str) -> bool:
    return code in _events


def declared_events() -> dict[str, Promise | str]:
    """Every declared event code with its (lazy) label."""
    return dict(_events)


def event_label(code: str) -> str:
    """The event's label in the active language; the code itself when nothing declared it."""
    label = _events.get(code)
    return str(label) if label is not None else code


def events_matching(text: str) -> list[str]:
    """Codes whose label contains `text`, in the active language or in Chinese (the source language).

    So a search for 提交 finds the submissions in either interface language, and "submit" finds
    them once the English labels are translated.
    """
    needle = text.strip().casefold()
    if not needle:
        return []
    found = {code for code, label in _events.items() if needle in str(label).casefold()}
    with translation.override("zh-hans"):
        found |= {code for code, label in _events.items() if needle in str(label).casefold()}
    return sorted(found)


# --- job kinds ------------------------------------------------------------------------------------


def job_kinds(entries: dict[str, Promise | str]) -> None:
    """Declare background job kinds with their labels; raises on a clash."""
    _add(_job_kinds, "job kind", entries)


def job_kind_label(kind: str) -> str:
    label = _job_kinds.get(kind)
    return str(label) if label is not None else kind


def declared_job_kinds() -> dict[str, Promise | str]:
    return dict(_job_kinds)


# --- menu -----------------------------------------------------------------------------------------


def _always(user) -> bool:
    return True


@dataclass(frozen=True)
class MenuEntry:
    """One link of the navigation bar, or a drop-down when it has `children`.

    `visible(user)` decides whether the signed-in user is offered it (read from cached roles: the
    bar must cost no query). The entry is marked active on pages of URL namespace `section`,
    except the URL names in `inactive`, and on the URL names in `active`. `place` is "main" (the
    bar) or "user" (the user's own menu). A child with `divider` is preceded by a separator.
    """

    key: str
    label: Promise | str
    url_name: str = ""
    order: int = 100
    visible: Callable[[Any], bool] = _always
    section: str = ""
    active: tuple[str, ...] = ()
    inactive: tuple[str, ...] = ()
    children: tuple[MenuEntry, ...] = ()
    divider: bool = False
    place: str = "main"

    def url(self) -> str:
        """The entry's address, or '' while its page does not exist."""
        if not self.url_name:
            return ""
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""


@dataclass
class MenuItem:
    """A declared entry as one user sees it: only the children they may open."""

    key: str
    label: str
    url: str
    section: str
    active: tuple[str, ...]
    inactive: tuple[str, ...]
    divider: bool
    children: list[MenuItem] = field(default_factory=list)

    def is_active(self, namespace: str, url_name: str) -> bool:
        if url_name in self.active:
            return True
        return bool(self.section) and namespace == self.section and url_name not in self.inactive


def menu(*entries: MenuEntry) -> None:
    """Declare top-level menu entries; raises when a key is taken."""
    for entry in entries:
        if _menu.get(entry.key) == entry:
            continue
        taken = {item.key for known in _menu.values() for item in (known, *known.children)}
        for item in (entry, *entry.children):
            if item.key in taken:
                raise ImproperlyConfigured(f"menu entry {item.key!r} declared twice")
        _menu[entry.key] = entry


def menu_children(parent: str, *children: MenuEntry) -> None:
    """Add entries under another app's drop-down `parent` (shown after its own, in declaration order), so related
    apps share one place in the bar; raises when a key is taken."""
    taken = {item.key for known in _menu.values() for item in (known, *known.children)}
    taken |= {child.key for extra in _menu_extra.values() for child in extra}
    extra = _menu_extra.setdefault(parent, [])
    for child in children:
        if child in extra:
            continue
        if child.key in taken:
            raise ImproperlyConfigured(f"menu entry {child.key!r} declared twice")
        extra.append(child)


def _item(entry: MenuEntry, user) -> MenuItem | None:
    if not entry.visible(user):
        return None
    own = (*entry.children, *_menu_extra.get(entry.key, ()))
    children = [child for child in (_item(c, user) for c in own) if child is not None]
    url = entry.url()
    if own and not children:
        return None
    if not own and not url:
        return None
    return MenuItem(
        key=entry.key,
        label=str(entry.label),
        url=url,
        section=entry.section,
        active=entry.active,
        inactive=entry.inactive,
        divider=entry.divider,
        children=children,
    )


def menu_for(user, place: str = "main") -> list[MenuItem]:
    """The entries `user` is offered at `place`, in declared order."""
    entries = sorted((e for e in _menu.values() if e.place == place), key=lambda e: (e.order, e.key))
    return [item for item in (_item(e, user) for e in entries) if item is not None]


def menu_urls() -> dict[str, str]:
    """Every declared entry's address by key, sub-entries included ('' while a page does not exist)."""
    urls: dict[str, str] = {}
    for entry in _menu.values():
        for item in (entry, *entry.children, *_menu_extra.get(entry.key, ())):
            urls[item.key] = item.url()
    return urls


# --- periodic work -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Periodic:
    """Work the background worker runs by itself once in every period of `every` (core/periodic.py).

    Periods are counted from midnight Beijing time, so a daily one runs once per calendar day there
    (at the first check after `offset` into the day). `fn()` takes no argument and returns a summary dict.
    """

    name: str
    every: timedelta
    fn: Callable[[], Any]
    label: Promise | str = ""
    offset: timedelta = timedelta(0)


def periodic(
    name: str,
    *,
    every: timedelta,
    fn: Callable[[], Any],
    label: Promise | str = "",
    offset: timedelta = timedelta(0),
) -> None:
    """Declare periodic work (from an app's declarations.py); raises for a second, different declaration."""
    if not name or name != name.strip():
        raise ImproperlyConfigured(f"periodic work name {name!r} is empty or padded")
    if every <= timedelta(0) or not timedelta(0) <= offset < every:
        raise ImproperlyConfigured(f"periodic work {name!r}: `every` must be positive and `offset` within it")
    entry = Periodic(name=name, every=every, fn=fn, label=label, offset=offset)
    known = _periodic.get(name)
    if known is not None and (known.every, known.offset, known.fn) != (every, offset, fn):
        raise ImproperlyConfigured(f"periodic work {name!r} declared twice")
    _periodic[name] = entry


def declared_periodic() -> list[Periodic]:
    """Every declared piece of periodic work, by name."""
    return [_periodic[name] for name in sorted(_periodic)]


# --- the home page's work list -------------------------------------------------------------------


@dataclass(frozen=True)
class Todo:
    """One thing a person should do next: what (a sentence), where (a link), how urgent (0 first), and by when
    (a date shown next to it and used to order the list within a level; none sorts last)."""

    text: str
    url: str = ""
    urgency: int = 1
    due: date | None = None


def todos(name: str, fn: Callable[[Any], Iterable[Todo]]) -> None:
    """Add a source of to-dos (from an app's declarations.py): `fn(user)` lists that person's, read through the
    door, cheaply (the home page asks every source)."""
    known = _todo_sources.get(name)
    if known is not None and known is not fn:
        raise ImproperlyConfigured(f"to-do source {name!r} declared twice")
    _todo_sources[name] = fn


def todos_for(user) -> list[Todo]:
    """Every source's to-dos for `user`: the most urgent first, then by due date (the earliest first, undated
    last), then in the sources' order."""
    if not getattr(user, "is_authenticated", False):
        return []
    found = [todo for name in sorted(_todo_sources) for todo in _todo_sources[name](user)]
    return sorted(found, key=lambda todo: (todo.urgency, todo.due is None, todo.due or date.min))


@dataclass(frozen=True)
class RoundProgress:
    """Where a round everyone takes part in stands (a reporting period, an assessment round, a written-report
    round), for the home page of those who follow it: how many of those expected have done their part, by when,
    and how many are late."""

    title: str
    stage: str
    url: str
    done: int
    expected: int
    done_label: str
    due: date | None = None
    late: int = 0
    late_url: str = ""

    @property
    def share(self) -> float | None:
        """Done over expected, 0–100; None when nobody is expected (shown as "无", never as 0%)."""
        return None if not self.expected else 100 * self.done / self.expected


def rounds(name: str, fn: Callable[[Any], Iterable[RoundProgress]]) -> None:
    """Add a source of rounds in progress (from an app's declarations.py): `fn(user)` lists those the person
    follows, through the door and cheaply (the home page asks every source)."""
    known = _round_sources.get(name)
    if known is not None and known is not fn:
        raise ImproperlyConfigured(f"round source {name!r} declared twice")
    _round_sources[name] = fn


def rounds_for(user) -> list[RoundProgress]:
    """Every source's rounds for `user`, the nearest due date first (undated last)."""
    if not getattr(user, "is_authenticated", False):
        return []
    found = [item for name in sorted(_round_sources) for item in _round_sources[name](user)]
    return sorted(found, key=lambda item: (item.due is None, item.due or date.min))


# --- answers --------------------------------------------------------------------------------------


def provide(name: str, fn: Callable[..., Any]) -> None:
    """Answer one of core's QUESTIONS; raises for an unknown question or a second answer."""
    if name not in QUESTIONS:
        raise ImproperlyConfigured(f"core asks no question {name!r}")
    if name in _providers and _providers[name] is not fn:
        raise ImproperlyConfigured(f"question {name!r} answered twice")
    _providers[name] = fn


def ask(name: str, *args: Any, default: Any = None) -> Any:
    """The providing app's answer, or `default` when no app answers."""
    fn = _providers.get(name)
    return default if fn is None else fn(*args)


def allows(name: str, user) -> bool:
    """A yes/no question about `user`; no when unanswered or signed out (fail closed)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(ask(name, user, default=False))


def undeclared(codes: Iterable[str]) -> list[str]:
    """The codes among `codes` that no app declared (for the coverage tests)."""
    return sorted({code for code in codes if code not in _events})


# --- the province export --------------------------------------------------------------------------


def export_leaves_out(entries: dict[str, Promise | str]) -> None:
    """Declare tables ("app_label.ModelName") the province export leaves out, each with the reason its data
    dictionary gives (secrets; what another role exports itself); raises on a clash."""
    _add(_left_out, "left-out table", entries)


def export_left_out() -> dict[str, Promise | str]:
    return dict(_left_out)
