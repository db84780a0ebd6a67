"""培训覆盖率: for a year, the share of the expected organisations that had at least one person complete a class.

The expected organisations (the denominator) are either organisations of some kinds (by default the
prefectures and the provincial unions, as the speech counts them: 16 and 35) or one class's audience;
always those open during the year and within the reader's scope. An organisation counts as trained (the
numerator) when someone it enrolled completed (结业) a class of that year (or, for a class's audience,
that class). With no expected organisation the rate is None, shown as "无数据", never 0%.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from orgs.choices import OrgKind
from orgs.models import Organisation
from training.choices import ClassStatus
from training.models import Enrolment, TrainingClass, audience_q

DEFAULT_KINDS = (OrgKind.PREFECTURE, OrgKind.UNION)
KIND_AUDIENCES = {
    "default": DEFAULT_KINDS,
    "prefecture": (OrgKind.PREFECTURE,),
    "union": (OrgKind.UNION,),
    "department": (OrgKind.DEPARTMENT,),
    "enterprise": (OrgKind.ENTERPRISE,),
}
GROUP_KINDS = (OrgKind.PREFECTURE, OrgKind.UNION, OrgKind.DEPARTMENT)


def rate(trained: int, expected: int) -> Decimal | None:
    """trained ÷ expected, or None when nothing is expected (无数据)."""
    return None if not expected else Decimal(trained) / Decimal(expected)


@dataclass
class Line:
    """One row of a table: a label, how many expected, how many trained, the rate."""

    label: str
    expected: int = 0
    trained: int = 0
    code: str = ""

    @property
    def rate(self) -> Decimal | None:
        return rate(self.trained, self.expected)


@dataclass
class OrgLine:
    org: Organisation
    group: str
    people: int
    classes: int

    @property
    def trained(self) -> bool:
        return self.people > 0


@dataclass
class Coverage:
    year: int
    audience: str
    audience_label: str
    total: Line
    by_kind: list[Line] = field(default_factory=list)
    by_group: list[Line] = field(default_factory=list)
    orgs: list[OrgLine] = field(default_factory=list)

    @property
    def never_trained(self) -> list[OrgLine]:
        return [line for line in self.orgs if not line.trained]


def audience_choices(user, year: int) -> list[tuple[str, str]]:
    """The denominators the page offers: kinds of organisations, then the year's classes the reader sees."""
    choices = [
        ("default", _("州市总工会和省级产业系统公司工会")),
        ("prefecture", str(OrgKind.PREFECTURE.label)),
        ("union", str(OrgKind.UNION.label)),
        ("department", str(OrgKind.DEPARTMENT.label)),
        ("enterprise", str(OrgKind.ENTERPRISE.label)),
    ]
    for klass in TrainingClass.objects.visible_to(user).filter(year=year).exclude(status=ClassStatus.CANCELLED):
        choices.append((f"class:{klass.pk}", _("培训班：%(title)s") % {"title": klass.title}))
    return choices


def _open_in(year: int) -> Q:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return (Q(closed_on__isnull=True) | Q(closed_on__gte=first)) & (Q(opened_on__isnull=True) | Q(opened_on__lte=last))


def _group_names(orgs: list[Organisation]) -> dict[int, str]:
    """Each organisation's prefecture, union or department (itself when it is one), by path prefix."""
    prefixes = {
        org.path[:end] for org in orgs for end in range(Organisation.steplen, len(org.path) + 1, Organisation.steplen)
    }
    groups = {
        o.path: o.display_name
        for o in Organisation.objects.filter(path__in=prefixes, kind__in=GROUP_KINDS).only("path", "name", "short_name")
    }
    found = {}
    for org in orgs:
        name = next(
            (
                groups[org.path[:end]]
                for end in range(len(org.path), 0, -Organisation.steplen)
                if org.path[:end] in groups
            ),
            org.display_name,
        )
        found[org.pk] = name
    return found


def coverage(user, *, year: int, audience: str = "default") -> Coverage:
    """The year's coverage over the reader's scope for `audience` ("default", a kind key, or "class:<id>");
    UserError-free: an unknown audience falls back to the default."""
    visible = Organisation.objects.visible_to(user).filter(_open_in(year))
    classes = TrainingClass.objects.filter(year=year).exclude(status=ClassStatus.CANCELLED)
    label = dict(audience_choices(user, year)).get(audience)
    if audience.startswith("class:") and label:
        klass = TrainingClass.objects.visible_to(user).select_related("organiser").get(pk=int(audience[6:]))
        expected = visible.filter(audience_q(klass))
        classes = classes.filter(pk=klass.pk)
    else:
        if audience not in KIND_AUDIENCES:
            audience = "default"
            label = dict(audience_choices(user, year))[audience]
        expected = visible.filter(kind__in=KIND_AUDIENCES[audience])
    orgs = list(expected.order_by("path"))
    done = (
        Enrolment.objects.filter(klass__in=classes, completed=True, org_id__in=[o.pk for o in orgs])
        .active()
        .values("org_id")
        .annotate(people=Count("id"), classes=Count("klass", distinct=True))
        .order_by()
    )
    by_org = {row["org_id"]: row for row in done}
    groups = _group_names(orgs)
    lines = [
        OrgLine(
            org=org,
            group=groups[org.pk],
            people=by_org.get(org.pk, {}).get("people", 0),
            classes=by_org.get(org.pk, {}).get("classes", 0),
        )
        for org in orgs
    ]
    kinds: dict[str, Line] = {}
    by_group: dict[str, Line] = defaultdict(lambda: Line(""))
    for line in lines:
        kind = kinds.setdefault(line.org.kind, Line(str(line.org.get_kind_display()), code=line.org.kind))
        group = by_group[line.group]
        group.label = line.group
        for row in (kind, group):
            row.expected += 1
            row.trained += int(line.trained)
    total = Line(_("合计"), expected=len(lines), trained=sum(int(line.trained) for line in lines))
    return Coverage(
        year=year,
        audience=audience,
        audience_label=label or "",
        total=total,
        by_kind=sorted(kinds.values(), key=lambda row: list(OrgKind.values).index(row.code)),
        by_group=sorted(by_group.values(), key=lambda row: (-row.expected, row.label)),
        orgs=lines,
    )
