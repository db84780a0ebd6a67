"""The demo's indicator targets: set once through the audited service, never over the office's own."""

from decimal import Decimal

from analytics.demo import TARGETS, YEARS, load_demo_targets
from analytics.models import Indicator, IndicatorTarget
from analytics.services import indicator_target_set
from core.actor import Actor
from core.models import AuditEntry
from orgs.choices import Role


def test_targets_are_set_once_and_audited(tree):
    office = Actor(user=tree.user(Role.OFFICE_ADMIN))
    assert load_demo_targets(by=office) == len(TARGETS) * len(YEARS)
    assert IndicatorTarget.objects.get(indicator__code="CERT_RATE", year=2020, org=None).value == Decimal("15")
    assert AuditEntry.objects.filter(event="analytics.target.set").count() == len(TARGETS) * len(YEARS)
    assert load_demo_targets(by=office) == 0


def test_the_offices_own_target_is_kept(tree):
    office = Actor(user=tree.user(Role.OFFICE_ADMIN))
    cert = Indicator.objects.get(code="CERT_RATE")
    indicator_target_set(by=office, indicator=cert, year=2020, value="14")
    assert load_demo_targets(by=office) == len(TARGETS) * len(YEARS) - 1
    assert IndicatorTarget.objects.get(indicator=cert, year=2020, org=None).value == Decimal("14")
