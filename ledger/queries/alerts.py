"""Reads of the alerts, each through the door: the office sees the province, a union its subtree, an
organisation itself (Alert.objects.visible_to). The list page, its .xlsx, the API and the partial on
an organisation's ledger page all read from here."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Count, Q

from core import deadlines
from ledger.choices import AlertKind
from ledger.models import Alert
from orgs.choices import Action, OrgKind
from orgs.models import Organisation, Region
from orgs.scoping import within

STATES = ("open", "cleared", "all")
AGES = (30, 90, 180)


def alerts_visible(user, action: str = Action.VIEW):
    """The alerts of the organisations in `user`'s scope, with their organisation."""
    return Alert.objects.visible_to(user, action).select_related("org", "org__region")


# The levels the list can narrow to: the provincial unions (the speech's 35) or the enterprises.
LEVELS = (OrgKind.UNION, OrgKind.ENTERPRISE)


@dataclass(frozen=True)
class AlertFilter:
    """The list's filters, checked: unknown values are refused by `clean_filter`, never guessed."""

    union: str = ""
    prefecture: str = ""
    kind: str = ""
    age: int | None = None
    state: str = "open"
    level: str = ""  # "union" (the provincial unions) or "enterprise"; "" both

    def query(self, **changes) -> str:
        """The filter as a query string (without `page`), with `changes` applied."""
        from urllib.parse import urlencode

        values = {"union": self.union, "prefecture": self.prefecture, "kind": self.kind,
                  "age": self.age or "", "state": self.state, "level": self.level}  # fmt: skip
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


class FilterError(ValueError):
    """A filter value that names nothing (the page shows the message, the API answers 400)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def clean_filter(params) -> AlertFilter:
    """The filters from GET parameters; FilterError (Chinese, naming the field) for a value that is not allowed."""
    from django.utils.translation import gettext as _

    kind = (params.get("kind") or "").strip()
    if kind and kind not in AlertKind.values:
        raise FilterError("kind", _("预警类型“%(value)s”无效。") % {"value": kind[:50]})
    state = (params.get("state") or "open").strip()
    if state not in STATES:
        raise FilterError("state", _("状态应为 open（未解除）、cleared（已解除）或 all（全部）。"))
    age_text = (params.get("age") or "").strip()
    age = None
    if age_text:
        if not age_text.isdigit() or int(age_text) not in AGES:
            raise FilterError("age", _("持续时间应为 30、90 或 180（天）。"))
        age = int(age_text)
    prefecture = (params.get("prefecture") or "").strip()
    if prefecture and not (prefecture.isdigit() and len(prefecture) == 6):
        raise FilterError("prefecture", _("州市应为 6 位行政区划代码，如 530100。"))
    union = (params.get("union") or "").strip()[:64]
    level = (params.get("level") or "").strip()
    if level and level not in LEVELS:
        raise FilterError("level", _("单位层级应为 union（省级产业系统公司工会）或 enterprise（企业）。"))
    return AlertFilter(union=union, prefecture=prefecture, kind=kind, age=age, state=state, level=level)


def filter_alerts(queryset, flt: AlertFilter, *, today: dt.date | None = None, with_kind: bool = True):
    """Narrow a scoped alert queryset by the filter (`with_kind=False`: all kinds, for the counts)."""
    today = today or deadlines.today()
    if flt.union:
        root = Organisation.objects.filter(code=flt.union).values_list("path", flat=True).first()
        queryset = queryset.filter(within("org__path", [root])) if root else queryset.none()
    if flt.prefecture:
        queryset = queryset.filter(Q(org__region_id=flt.prefecture) | Q(org__region__parent_id=flt.prefecture))
    if flt.level:
        queryset = queryset.filter(org__kind=flt.level)
    if flt.state == "open":
        queryset = queryset.filter(cleared_on__isnull=True)
    elif flt.state == "cleared":
        queryset = queryset.filter(cleared_on__isnull=False)
    if flt.age:
        queryset = queryset.filter(since__lte=today - dt.timedelta(days=flt.age))
    if with_kind and flt.kind:
        queryset = queryset.filter(kind=flt.kind)
    return queryset


def ordered(queryset):
    """Open first, the oldest lag first, then by organisation."""
    return queryset.order_by("cleared_on", "since", "org__path", "kind", "subject", "id")


@dataclass
class KindCount:
    kind: str
    label: str
    count: int
    query: str = ""  # the list's filter with this kind chosen (set by the page)


def counts_by_kind(queryset) -> list[KindCount]:
    """How many alerts of each kind (every kind listed, in the declared order; one query)."""
    counts = Counter(dict(queryset.order_by().values("kind").annotate(n=Count("id")).values_list("kind", "n")))
    return [KindCount(kind, str(label), counts.get(kind, 0)) for kind, label in AlertKind.choices]


@dataclass
class AlertRow:
    """One line of the list or the export."""

    alert: Alert
    union: str
    today: dt.date
    prefecture: str = ""

    @property
    def days_open(self) -> int:
        """Days from the start of the lag to its clearing (or today, while it is open)."""
        return ((self.alert.cleared_on or self.today) - self.alert.since).days


def alert_rows(alerts, *, today: dt.date | None = None) -> list[AlertRow]:
    """The rows for `alerts` (already scoped and sliced), with union and prefecture names (two queries)."""
    from ledger.queries import _union_names

    today = today or deadlines.today()
    alerts = list(alerts)
    orgs = {alert.org_id: alert.org for alert in alerts}
    unions = _union_names([SimpleNamespace(org=org, org_id=org_id) for org_id, org in orgs.items()])
    codes = {_prefecture_code(org) for org in orgs.values()} - {""}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return [
        AlertRow(alert, unions.get(alert.org_id, ""), today, names.get(_prefecture_code(alert.org), ""))
        for alert in alerts
    ]


def _prefecture_code(org: Organisation) -> str:
    code = org.region_id or ""
    return code[:4] + "00" if len(code) == 6 and code != "530000" else ""


def union_choices(user) -> list[tuple[str, str]]:
    """The unions the user may see (code, name), for the filter."""
    return list(
        Organisation.objects.visible_to(user).filter(kind=OrgKind.UNION).order_by("path").values_list("code", "name")
    )


def prefecture_choices() -> list[tuple[str, str]]:
    """The province's prefectures (code, name): public administrative divisions, not scoped data."""
    return list(Region.objects.filter(parent_id="530000").order_by("code").values_list("code", "name"))


@dataclass
class OrgAlerts:
    """One organisation's alerts as its ledger page shows them: the open ones, and the cleared history."""

    org: Organisation
    open: list[AlertRow] = field(default_factory=list)
    history: list[AlertRow] = field(default_factory=list)


def org_alerts(org: Organisation, user, *, today: dt.date | None = None) -> OrgAlerts:
    """`org`'s own alerts if `user` may see them (nothing otherwise), open ones oldest first."""
    today = today or deadlines.today()
    rows = [AlertRow(alert, "", today) for alert in ordered(alerts_visible(user).filter(org=org))]
    return OrgAlerts(
        org=org,
        open=[row for row in rows if row.alert.is_open],
        history=sorted((row for row in rows if not row.alert.is_open), key=lambda r: r.alert.cleared_on, reverse=True),
    )


# --- the refresh: when it last ran, and the office's pending request ------------------------------------

REFRESH_KIND = "ledger.alerts_refresh"


def last_refresh():
    """The audit row of the latest refresh (daily, command or on request), or None."""
    from core.models import AuditEntry

    return AuditEntry.objects.filter(event="ledger.alerts.refresh").order_by("-id").first()


def refresh_dedupe_key() -> str:
    """The key that makes a double-clicked "立即重新计算" one job: the same until a refresh has run."""
    latest = last_refresh()
    return f"after-{latest.pk if latest else 0}"


def refresh_job_pending():
    """The recompute job asked for since the last refresh and not yet finished, if any."""
    from core.models import Job, JobStatus

    return Job.objects.filter(
        kind=REFRESH_KIND, dedupe_key=refresh_dedupe_key(), status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
    ).first()
