"""What the ledger demo's parts share: who plays whom, the story's timeline, which union is which, invented people.

Names, phones and e-mails are invented sample personal data (phones in the 13x style, e-mails at
example.com, which cannot receive mail).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from core.actor import Actor
from core.deadlines import BEIJING
from orgs.choices import OrgKind, Role
from orgs.demo import ACCOUNTS, REAL_UNIONS, SAMPLE_MARK, SAMPLE_UNIONS
from orgs.models import Membership, Organisation
from orgs.pinyin import initials
from orgs.scoping import within
from reporting.demo.cast import GIVEN, SURNAMES

UNION_CODES = tuple(u.code for u in REAL_UNIONS + SAMPLE_UNIONS)
REAL_CODES = frozenset(u.code for u in REAL_UNIONS)

# The reform started on 2018-01-01 (ReformSettings' default); years 1, 2 and 3 are 2018, 2019 and 2020.
# The speech (2021-07-30): "35 家，其中 14 家在改革启动后的第三年才出台了改革实施方案、建立了领导小组".
YEAR_ONE = ("U01", "U02", "U03", "U05", "U06", "U11", "U14", "U15", "U17", "U18", "U19", "U25", "U27", "U29", "U31")
YEAR_TWO = ("U09", "U12", "U21", "U23", "U32", "U34")
YEAR_THREE = ("U04", "U07", "U08", "U10", "U13", "U16", "U20", "U22", "U24", "U26", "U28", "U30", "U33", "U35")
PLAN_YEAR = {**dict.fromkeys(YEAR_ONE, 2018), **dict.fromkeys(YEAR_TWO, 2019), **dict.fromkeys(YEAR_THREE, 2020)}
# "有方案、有领导小组，但就是不见具体行动": plan and group in 2018–2019, then nothing, in them or below them.
IDLE_UNIONS = frozenset({"U14", "U23", "U29", "U32"})
# The groups that set numbers to their targets early and issued a quantified assessment method after the speech.
LEADING_UNIONS = frozenset({"U01", "U02", "U03", "U05", "U06"})

# Abbreviations used in document numbers (文号), as in "中铜工〔2020〕15号".
ABBREVIATIONS = {
    "U01": "云电", "U02": "中铜", "U03": "云天化", "U04": "云垦", "U05": "云建投", "U06": "昆铁", "U07": "云交投",
    "U08": "云能化", "U09": "云机冶", "U10": "云财贸", "U11": "云建", "U12": "云交运", "U13": "云农林",
    "U14": "云国邮", "U15": "云教科", "U16": "云金", "U17": "彩云能源", "U18": "滇中矿业", "U19": "高原装备",
    "U20": "云岭建材", "U21": "金江水电", "U22": "云茶", "U23": "云花", "U24": "云医药", "U25": "滇西物流",
    "U26": "沿边商贸", "U27": "云数", "U28": "文旅康养", "U29": "有色冶金", "U30": "精细化工", "U31": "城乡建设",
    "U32": "华西电力", "U33": "西部矿业", "U34": "西南航物", "U35": "信联通信",
}  # fmt: skip

PHONE_PREFIXES = ("138", "139", "137", "136", "135", "150", "151", "158", "187", "189")
STORY_END = dt.date(2021, 12, 31)  # progress updates of the story run to here; recent ones are added to it


def rng(*parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in ("ledger", *parts)))  # noqa: S311 - sample data


ACCOUNT_NAMES = frozenset(a.full_name for a in ACCOUNTS)  # invented people never share a demo account's name


def person(*parts: object) -> str:
    r = rng("person", *parts)
    while (name := r.choice(SURNAMES) + r.choice(GIVEN)) in ACCOUNT_NAMES:
        pass
    return name


def phone(*parts: object) -> str:
    r = rng("phone", *parts)
    return r.choice(PHONE_PREFIXES) + f"{r.randrange(10**8):08d}"


def email(name: str, *parts: object) -> str:
    return f"{initials(name)}{rng('mail', *parts).randrange(10, 100)}@example.com"


def plain_name(org: Organisation) -> str:
    """The organisation's short name without the sample mark, for titles (the organisation itself stays marked)."""
    return (org.short_name or org.name).replace(SAMPLE_MARK, "")


def abbreviation(org: Organisation) -> str:
    return ABBREVIATIONS.get(org.code) or plain_name(org)[:2]


def doc_number(org: Organisation, day: dt.date, *parts: object, party: bool = False) -> str:
    number = rng("doc", org.code, day, *parts).randrange(3, 60)
    return f"{abbreviation(org)}{'党发' if party else '工'}〔{day.year}〕{number}号"


def clamp(day: dt.date, low: dt.date, high: dt.date) -> dt.date:
    return min(max(day, low), high)


# --- Who plays whom -----------------------------------------------------------------------------------------


@dataclass
class Cast:
    """The office, the office's reviewer, who writes each organisation's ledger, each union's administrator,
    and the demo accounts of orgs/demo.py holding a role at each organisation (to link in groups and officers).
    """

    office: Actor
    reviewer: Actor
    editors: dict[int, Actor] = field(default_factory=dict)
    union_admins: dict[int, Actor] = field(default_factory=dict)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)  # org code -> {role: user}

    def editor(self, org: Organisation) -> Actor:
        return self.editors.get(org.pk) or self.office

    def union_admin(self, union: Organisation) -> Actor:
        return self.union_admins.get(union.pk) or self.office


def make_cast(office_user, orgs: Iterable[Organisation]) -> Cast:
    """The demo accounts that write the ledgers: an organisation's reporter (an enterprise) or administrator
    (a union), else the office; one read for all of them.
    """
    from django.contrib.auth import get_user_model

    orgs = list(orgs)
    office = Actor(user=office_user)
    reviewer_user = get_user_model().objects.filter(username="office_reviewer", is_demo=True, is_active=True).first()
    cast = Cast(office=office, reviewer=Actor(user=reviewer_user) if reviewer_user else office)
    actors: dict[int, Actor] = {}
    holders: dict[tuple[int, str], Any] = {}
    memberships = (
        Membership.objects.filter(
            org__in=orgs,
            role__in=[Role.UNION_ADMIN, Role.REPORTER],
            is_active=True,
            user__is_active=True,
            user__is_demo=True,
        )
        .select_related("user")
        .order_by("id")
    )
    for m in memberships:
        holders.setdefault((m.org_id, m.role), m.user)
    for org in orgs:
        role = Role.UNION_ADMIN if org.kind == OrgKind.UNION else Role.REPORTER
        user = holders.get((org.pk, role))
        if user is not None:
            actor = actors.setdefault(user.pk, Actor(user=user))
            cast.editors[org.pk] = actor
            if role == Role.UNION_ADMIN:
                cast.union_admins[org.pk] = actor
    by_code = {o.code: o for o in orgs}
    wanted = {a.username: a for a in ACCOUNTS if a.org in by_code}
    active = Membership.objects.filter(
        user__username__in=list(wanted), user__is_active=True, is_active=True, org__code__in=list(by_code)
    ).select_related("user", "org")
    for m in active:
        account = wanted[m.user.username]
        if account.org == m.org.code and account.role == m.role:
            cast.accounts.setdefault(m.org.code, {})[m.role] = m.user
    return cast


def union_of(enterprise: Organisation, unions: Iterable[Organisation]) -> Organisation | None:
    return next((u for u in unions if enterprise.path.startswith(u.path)), None)


def demo_orgs() -> tuple[list[Organisation], list[tuple[Organisation, Organisation]]]:
    """The 35 unions (in code order) and their open enterprises with their union, in tree order (two reads)."""
    unions = sorted(Organisation.objects.filter(kind=OrgKind.UNION, code__in=UNION_CODES), key=lambda o: o.code)
    enterprises = []
    if unions:
        found = Organisation.objects.filter(
            within("path", [u.path for u in unions]), kind=OrgKind.ENTERPRISE, closed_on__isnull=True
        ).order_by("path")
        by_path = {u.path: u for u in unions}
        for e in found:
            union = next(by_path[e.path[:i]] for i in range(len(e.path) - 4, 0, -4) if e.path[:i] in by_path)
            enterprises.append((e, union))
    return unions, enterprises


# --- The story's timeline -------------------------------------------------------------------------------------


class Timeline:
    """Steps to play in the story's order, each at its time: by day, and within a day in the order added
    (from 09:00, a couple of minutes apart), so a step never runs before one it depends on.
    """

    def __init__(self) -> None:
        self.events: list[tuple[dt.date, int, Callable[[], None]]] = []

    def add(self, day: dt.date, run: Callable[[], None]) -> None:
        self.events.append((day, len(self.events), run))

    def play(self, clock) -> None:
        day, index = None, 0
        for when, _seq, run in sorted(self.events, key=lambda e: (e[0], e[1])):
            index = index + 1 if when == day else 0
            day = when
            minutes = 9 * 60 + min(index * 2, 12 * 60)
            clock.set(dt.datetime.combine(when, dt.time(minutes // 60, minutes % 60), tzinfo=BEIJING))
            run()
        self.events.clear()
