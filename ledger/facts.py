"""The reform ledger's facts for assessment (assessment/facts.py), registered from LedgerConfig.ready().

Each answers for one year and many organisations at once; an organisation's fact covers the ledgers in
its subtree (a union answers for itself and its enterprises). Shares, with a sentence for the score card:

    ledger_plan_on_time         plans issued by the day they were due (ledger.alerts.plan_due), of the
                                ledgers whose plan fell due by the year's end
    ledger_group                leading groups established by the year's end
    ledger_officers             both an information officer and a liaison in office at the year's end
    ledger_method               a quantified assessment method issued by the year's end
    ledger_targets_quantified   tasks running in the year (not cancelled) whose target is a number
    ledger_written_on_time      nine-aspect reports due in the year (and already due) first submitted on time

and counted facts `ledger_alerts.<kind>` for every AlertKind: the alerts of that kind open at any time
in the year in the subtree (from the day the lag began to the day it was cleared), so a deduction can
take points per alert.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.facts import OrgRef, register
from assessment.scoring import FactValue
from core import deadlines
from ledger.alerts import plan_due
from ledger.choices import AlertKind, OfficerKind, TargetKind, TaskStatus
from ledger.models import Alert, Ledger, Officer, ReformSettings, Task, WrittenReport, WrittenRound


def _year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def _ledgers(year: int) -> list[Ledger]:
    """The ledgers of the year: listed by its end, of organisations not closed before it began, in path order."""
    return list(
        Ledger.objects.filter(listed_on__lte=_year_end(year))
        .filter(Q(org__closed_on__isnull=True) | Q(org__closed_on__gte=dt.date(year, 1, 1)))
        .select_related("org")
        .order_by("org__path")
    )


def _within(rows: list, keys: list[str], path: str) -> list:
    start, end = bisect.bisect_left(keys, path), bisect.bisect_left(keys, path + "\uffff")
    return rows[start:end]


def _share_fact(
    year: int,
    orgs: list[OrgRef],
    rows: list[tuple[str, str, bool]],
    text: str,
    none_text: str,
) -> dict[int, FactValue]:
    """Share of `rows` (path, name, good) in each subtree that are good; `text` takes year, total, good, names."""
    rows = sorted(rows)
    keys = [path for path, _name, _good in rows]
    found = {}
    for org_id, path in orgs:
        mine = _within(rows, keys, path)
        if not mine:
            found[org_id] = FactValue(None, none_text % {"year": year})
            continue
        good = sum(1 for _p, _n, ok in mine if ok)
        lagging = "、".join(name for _p, name, ok in mine if not ok)
        found[org_id] = FactValue(
            Decimal(good) / Decimal(len(mine)),
            text % {"year": year, "total": len(mine), "good": good, "names": lagging or "—"},
        )
    return found


NOT_ON_LEDGER = gettext_lazy("%(year)d年度本单位（含下属单位）没有列入产改台账的单位，本项不适用。")


@register("ledger_plan_on_time", gettext_lazy("实施方案按期出台"))
def plan_on_time(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    settings = ReformSettings.current()
    end = _year_end(year)
    rows = []
    for ledger in _ledgers(year):
        due = plan_due(ledger, settings)
        if due > end:
            continue  # not due yet in this year: neither on time nor late
        on_time = ledger.plan_issued_on is not None and ledger.plan_issued_on <= due
        rows.append((ledger.org.path, ledger.org.name, on_time))
    return _share_fact(
        year, orgs, rows,
        _("%(year)d年度应出台实施方案的台账单位 %(total)d 家，按期出台 %(good)d 家；未按期：%(names)s。"),
        _("%(year)d年度本单位（含下属单位）没有到期应出台实施方案的台账单位，本项不适用。"),
    )  # fmt: skip


def _by_year_end(year: int, orgs: list[OrgRef], field: str, text: str) -> dict[int, FactValue]:
    end = _year_end(year)
    rows = [
        (ledger.org.path, ledger.org.name, getattr(ledger, field) is not None and getattr(ledger, field) <= end)
        for ledger in _ledgers(year)
    ]
    return _share_fact(year, orgs, rows, text, str(NOT_ON_LEDGER))


@register("ledger_group", gettext_lazy("领导小组已建立"))
def group(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    return _by_year_end(
        year, orgs, "group_established_on",
        _("截至%(year)d年底台账单位 %(total)d 家，已建立领导小组 %(good)d 家；尚未建立：%(names)s。"),
    )  # fmt: skip


@register("ledger_method", gettext_lazy("量化考核评价办法已出台"))
def method(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    return _by_year_end(
        year, orgs, "method_issued_on",
        _("截至%(year)d年底台账单位 %(total)d 家，已出台量化考核评价办法 %(good)d 家；尚未出台：%(names)s。"),
    )  # fmt: skip


@register("ledger_officers", gettext_lazy("信息员和联络员配备"))
def officers(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    end = _year_end(year)
    ledgers = _ledgers(year)
    in_office = Officer.objects.filter(ledger_id__in=[ledger.pk for ledger in ledgers]).current(end)
    held: set[tuple[int, str]] = set(in_office.values_list("ledger_id", "kind"))
    rows = [
        (ledger.org.path, ledger.org.name, all((ledger.pk, kind) in held for kind in OfficerKind.values))
        for ledger in ledgers
    ]
    return _share_fact(
        year, orgs, rows,
        _("截至%(year)d年底台账单位 %(total)d 家，信息员和联络员均已配备 %(good)d 家；未配齐：%(names)s。"),
        str(NOT_ON_LEDGER),
    )  # fmt: skip


@register("ledger_targets_quantified", gettext_lazy("改革任务目标量化"))
def targets_quantified(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    start, end = dt.date(year, 1, 1), _year_end(year)
    ledgers = {ledger.pk: ledger for ledger in _ledgers(year)}
    tasks = (
        Task.objects.filter(ledger_id__in=ledgers, starts_on__lte=end, deadline__gte=start)
        .exclude(status=TaskStatus.CANCELLED)
        .values_list("ledger_id", "title", "target_kind")
    )
    rows = [(ledgers[lid].org.path, title, kind != TargetKind.NONE) for lid, title, kind in tasks]
    return _share_fact(
        year, orgs, rows,
        _("%(year)d年度推进中的改革任务 %(total)d 项，有量化目标 %(good)d 项；未量化：%(names)s。"),
        _("%(year)d年度本单位（含下属单位）没有推进中的改革任务，本项不适用。"),
    )  # fmt: skip


@register("ledger_written_on_time", gettext_lazy("九个方面书面报告按时报送"))
def written_on_time(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    today = deadlines.today()
    rounds = list(WrittenRound.objects.filter(due_on__year=year, due_on__lt=today).order_by("due_on"))
    ledgers = _ledgers(year)
    first = {
        (round_id, org_id): at
        for round_id, org_id, at in WrittenReport.objects.filter(round__in=rounds).values_list(
            "round_id", "org_id", "first_submitted_at"
        )
    }
    rows = []
    for round_ in rounds:
        late_from = deadlines.start_of_day(round_.due_on + dt.timedelta(days=1))
        for ledger in ledgers:
            if ledger.listed_on > round_.period_end:
                continue
            at = first.get((round_.pk, ledger.org_id))
            name = _("%(org)s（%(round)s）") % {"org": ledger.org.name, "round": round_.title}
            rows.append((ledger.org.path, name, at is not None and at < late_from))
    return _share_fact(
        year, orgs, rows,
        _("%(year)d年度应报九个方面书面报告 %(total)d 份，按时报送 %(good)d 份；未按时：%(names)s。"),
        _("%(year)d年度本单位（含下属单位）没有到期应报的九个方面书面报告，本项不适用。"),
    )  # fmt: skip


def _alert_fact(kind: AlertKind) -> Callable[[int, list[OrgRef]], dict[int, FactValue]]:
    def provider(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
        start, end = dt.date(year, 1, 1), _year_end(year)
        rows = sorted(
            Alert.objects.filter(kind=kind, since__lte=end)
            .filter(Q(cleared_on__isnull=True) | Q(cleared_on__gt=start))
            .values_list("org__path", "org__name")
        )
        keys = [path for path, _name in rows]
        found = {}
        for org_id, path in orgs:
            mine = _within(rows, keys, path)
            names = "、".join(dict.fromkeys(name for _path, name in mine))
            found[org_id] = FactValue(
                Decimal(1) if mine else Decimal(0),
                _("%(year)d年度“%(kind)s”预警 %(n)d 条（%(names)s）。")
                % {"year": year, "kind": kind.label, "n": len(mine), "names": names or "—"},
                len(mine),
            )
        return found

    return provider


for _kind in AlertKind:
    _label = format_lazy(gettext_lazy("产改预警（条）：{kind}"), kind=_kind.label)
    register(f"ledger_alerts.{_kind.value}", _label, counted=True)(_alert_fact(_kind))
