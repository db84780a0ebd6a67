"""Test data for the written reports: a round, a report with its nine aspects written, actors by role."""

from __future__ import annotations

import datetime as dt

from core.actor import Actor
from ledger import services
from ledger.choices import Aspect
from ledger.models import WrittenReport, WrittenRound
from orgs.choices import Role

XSS_PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def actor(user) -> Actor:
    return Actor(user=user, ip="10.0.0.1")


def office(tree):
    return tree.user(Role.OFFICE_ADMIN)


def make_round(tree, *, code: str = "2021", due_on: dt.date = dt.date(2022, 1, 31)) -> WrittenRound:
    """The 2021 round, opened by the office (due at the end of January 2022)."""
    return services.round_open(
        by=actor(office(tree)), code=code, title=f"{code}年度", period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2021, 12, 31), due_on=due_on,
    )  # fmt: skip


def writer_of(tree, org):
    """Who writes `org`'s report: its reporter (an enterprise) or its union administrator (a union)."""
    from orgs.choices import OrgKind

    return tree.user(Role.UNION_ADMIN if org.kind == OrgKind.UNION else Role.REPORTER, org)


def written_report(tree, org=None, written_round=None, *, filled: bool = True) -> WrittenReport:
    """`org`'s report for the round (default: 昆明供电局 E-A1), every aspect written when `filled`."""
    org = org or tree.ent_a1
    written_round = written_round or WrittenRound.objects.first() or make_round(tree)
    by = actor(writer_of(tree, org))
    report = services.written_start(by=by, round=written_round, org=org)
    if filled:
        for section in report.sections.all():
            report.refresh_from_db()
            services.section_save(
                by=by, section=section, version=report.version, body=f"<p>{Aspect(section.aspect).label}：已开展。</p>"
            )
    report.refresh_from_db()
    return report


def step(tree, report, name: str, user, **kwargs) -> WrittenReport:
    report.refresh_from_db()
    return services.written_step(by=actor(user), report=report, step=name, version=report.version, **kwargs)


def idor_objects(orgs: dict) -> dict[str, dict[str, object]]:
    """For the IDOR probes (core/tests/test_idor_pages.py, test_api_idor.py): per place ("own", "sibling",
    "other_branch" → organisation), its ledger, its written report for one round, an attached file."""
    from ledger.choices import DocumentKind
    from ledger.models import Document, Ledger, WrittenSection
    from orgs.tests.factories import SYSTEM

    make = services.round_open
    written_round = WrittenRound.objects.filter(code="IDOR").first() or make(
        by=SYSTEM, code="IDOR", title="越权探测", period_start=dt.date(2021, 1, 1), period_end=dt.date(2021, 12, 31),
        due_on=dt.date(2022, 1, 31),
    )  # fmt: skip
    found: dict[str, dict[str, object]] = {"written": {}, "aspect": {}, "written_step": {}, "written_file": {}}
    for where, org in orgs.items():
        Ledger.objects.get_or_create(org=org, defaults={"listed_on": dt.date(2018, 1, 1)})
        report = services.written_start(by=SYSTEM, round=written_round, org=org)
        document = Document.objects.create(
            org=org, kind=DocumentKind.REPORT, file=f"ledger/{org.pk}/{where}.pdf", original_name=f"{where}.pdf",
            size=3, content_type="application/pdf", sha256="0" * 64,
        )  # fmt: skip
        WrittenSection.objects.get(report=report, aspect=1).attachments.add(document)
        found["written"][where] = report.pk
        found["aspect"][where] = 1
        found["written_step"][where] = "submit"
        found["written_file"][where] = document.pk
    return found
