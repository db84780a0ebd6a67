"""Province-wide targets for the demo's key indicators, so the dashboard compares against something (and the
demo's 2021 assessment round, assessment/demo.py, scores attainment against the 2021 ones).

Made-up values for demonstration (the speech sets no figures for them), except the share of staff
education funds spent on frontline workers, where the rule that at least 60% go to the front line is
national policy. Set only where no target exists, so running load_demo again changes nothing and an
office's own targets are kept.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from analytics import services
from analytics.models import Indicator, IndicatorTarget
from core.actor import Actor

YEARS = (2019, 2020, 2021)  # 2021: what the demo's assessment round holds enterprises to (assessment/demo.py)
TARGETS = {
    "CERT_RATE": Decimal("15"),
    "COLLEGE_RATE": Decimal("25"),
    "HIGH_SKILL_SHARE": Decimal("30"),
    "EDU_FUND_FRONTLINE_SHARE": Decimal("60"),
    "REPS_FRONTLINE_SHARE": Decimal("35"),
    "UNION_MEMBERSHIP_RATE": Decimal("85"),
}


@transaction.atomic
def load_demo_targets(*, by: Actor) -> int:
    """Set the missing demo targets as `by` (the office); return how many were set."""
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=TARGETS)}
    existing = set(
        IndicatorTarget.objects.filter(indicator__code__in=TARGETS, year__in=YEARS, org__isnull=True).values_list(
            "indicator__code", "year"
        )
    )
    note = _("演示目标值")
    created = 0
    for code, value in TARGETS.items():
        indicator = indicators.get(code)
        if indicator is None:
            continue
        for year in YEARS:
            if (code, year) in existing:
                continue
            services.indicator_target_set(by=by, indicator=indicator, year=year, value=value, note=note)
            created += 1
    return created
