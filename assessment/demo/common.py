"""What the demo assessment's parts share: its years and names, the story's dates and the seeded chance."""

from __future__ import annotations

import datetime as dt
import random

from orgs.choices import Industry, Ownership
from orgs.demo import REAL_UNIONS
from reporting.demo import ASSESSED_YEAR
from reporting.queries import REPORTING_TZ

YEAR = ASSESSED_YEAR
NEXT_YEAR = YEAR + 1
FRAMEWORK_NAME = "2021年度产业工人队伍建设改革量化考核办法"
NEXT_FRAMEWORK_NAME = "2022年度产业工人队伍建设改革量化考核办法"
ROUND_NAME = "2021年度产改量化考核"
PREVIOUS_YEAR = YEAR - 1  # the first round: what the 2021 score cards compare with ("上年 X → 本年 Y")
PREVIOUS_FRAMEWORK_NAME = "2020年度产业工人队伍建设改革量化考核办法"
PREVIOUS_ROUND_NAME = "2020年度产改量化考核"
SAMPLE = "（示例）"
NAMED_UNIONS = {u.code for u in REAL_UNIONS}  # the seven groups the speech names

STATE_OWNED = [Ownership.CENTRAL, Ownership.PROVINCIAL, Ownership.PREFECTURAL]
NEF_INDUSTRIES = [Industry.G, Industry.F, Industry.I]


def _at(month: int, day: int, hour: int = 10, minute: int = 0, *, year: int = NEXT_YEAR) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=REPORTING_TZ)


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in ("assessment", *parts)))  # noqa: S311 - sample data
