"""The demo province's assessment: the 2020 and 2021 frameworks, their rounds played to the end, the 2022 draft.

What the story's people type (criteria, comments, reasons) is data in Chinese, not translated; only what
load_demo prints goes through gettext.

What `load_demo_assessment(by_office_user)` adds to the demo province (run it after the demo's reports and
indicator targets: the round scores the accepted 2021 yearly reports against the 2021 targets):

- the framework "2020年度产业工人队伍建设改革量化考核办法" (version 1, issued) and its round "2020年度产改量化考核",
  played quickly in March 2021 over the same enterprises as 2021's: the office's reviewer alone rates every
  qualitative criterion (from each enterprise's same diligence, found afresh for the year), the office computes,
  publishes and locks; no self-assessments, events or appeals. Improvement on last year compares the accepted
  2020 reports with 2019's. It is what every 2021 score card compares with ("上年 X → 本年 Y");
- the framework "2021年度产业工人队伍建设改革量化考核办法" (version 1, issued, a copy of 2020's with the year in
  the reports criterion updated, so it scores exactly as if built anew): the five key tasks and the
  organisation of the reform, 100 points; criteria of every kind: attainment of a target with a floor and a
  cap (持证率 against the province's 15%), rank among the round (大专及以上学历占比), improvement on 2020
  (持证率, 竞赛参赛人次 …), a platform fact (年报按时报送并通过验收), qualitative criteria with a
  好/较好/一般/差 rubric (方案、领导小组、信息员联络员、政策运用), a bonus with a cap, a deduction per event
  (late and returned reports, from the platform), a veto (重大安全生产责任事故 → at most 合格); one criterion
  applies only to state-owned enterprises and one only to three industries, so normalisation shows;
- the round "2021年度产改量化考核" over every open enterprise, played through the services by the people
  who would do it: the enterprises' reporters write self-assessments citing their 2021 report; the office's
  reviewer rates every qualitative criterion, the guidance-group member (杨国平, 昆明供电局) rates the other
  enterprises of 云南电网 and 中国铜业 (his own is listed but cannot be rated), the 省国资委 viewer rates the
  state-owned criterion of the provincial groups; on the consensus criterion two raters disagree on two
  enterprises and the office calibrates them; the office records bonus, deduction and veto events, computes,
  publishes; 昆明供电局's reporter appeals a missing bonus, the office upholds it, reopens the round, records
  the bonus, recomputes and publishes again (both computations are kept); after the appeal window the
  office locks the round. The round is left LOCKED: by the demo's real date the appeal window closed long
  ago, every score card is final and readable, and the office can still show a reopening.
- the framework "2022年度产业工人队伍建设改革量化考核办法", version 1, a draft copied from 2021: a new year
  starts as a copy of the last.

The story clock of reporting/demo (stories.py) runs every step at its time in the story: the 2020 framework in
January 2021 and its round in March 2021, after the 2020 yearly reports were accepted; the 2021 framework in
September 2021, after the speech asked for "可以量化的考核考评办法"; the round from March to April 2022,
after the 2021 yearly reports were accepted.

Idempotent: if any 2020 framework exists, nothing of 2020 is touched; if any 2021 framework exists, nothing of
2021 is touched (whatever the office did to it since; a 2021 framework made when 2020's already existed is
built anew rather than copied, so the office's changes to 2020 do not reach it); the 2022 draft is made only
when no 2022 framework exists. Deterministic: levels, comments and events are seeded by organisation code
(and year). Events and honours are invented and marked （示例）.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from assessment import services
from assessment.demo.common import (
    FRAMEWORK_NAME,
    NEXT_FRAMEWORK_NAME,
    NEXT_YEAR,
    PREVIOUS_FRAMEWORK_NAME,
    PREVIOUS_ROUND_NAME,
    PREVIOUS_YEAR,
    ROUND_NAME,
    YEAR,
    _at,
)
from assessment.demo.frameworks import _copy_framework, _create_framework
from assessment.demo.rounds import VETO_CODE, _play_previous_round, _play_round
from assessment.models import Framework, Rating, Round
from core.actor import Actor
from core.errors import UserError
from reporting.demo import story_clock

__all__ = [  # what load_demo and the demo's tests use
    "FRAMEWORK_NAME",
    "NEXT_FRAMEWORK_NAME",
    "PREVIOUS_FRAMEWORK_NAME",
    "PREVIOUS_ROUND_NAME",
    "ROUND_NAME",
    "VETO_CODE",
    "DemoAssessmentResult",
    "load_demo_assessment",
    "summary_lines",
]


@dataclass
class DemoAssessmentResult:
    """What one load did: what it created or found, and anything it could not do."""

    framework: Framework | None = None
    round: Round | None = None
    previous_framework: Framework | None = None
    previous_round: Round | None = None
    next_framework: Framework | None = None
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


@transaction.atomic
def load_demo_assessment(by_office_user) -> DemoAssessmentResult:
    """Create the demo's assessment where missing (see the module docstring), acting as `by_office_user`.

    Everything goes through assessment.services as the people of the demo; a step refused by a service
    leaves the assessment part out (rolled back) with a warning, so load_demo still finishes.
    """
    started = time.monotonic()
    result = DemoAssessmentResult()
    office = Actor(user=by_office_user)
    previous = Framework.objects.filter(year=PREVIOUS_YEAR).order_by("number").first()
    existing = Framework.objects.filter(year=YEAR).order_by("number").first()
    try:
        with transaction.atomic(), story_clock() as clock:
            if previous is None:
                clock.set(_at(1, 18, 10, year=YEAR))
                result.previous_framework = _create_framework(office, year=PREVIOUS_YEAR, name=PREVIOUS_FRAMEWORK_NAME)
                result.previous_round = _play_previous_round(result.previous_framework, office, clock)
                result.created += ["previous_framework", "previous_round"]
            else:
                result.previous_framework = previous
                result.previous_round = previous.rounds.order_by("pk").first()
                result.kept += ["previous_framework", "previous_round"]
            if existing is None:
                clock.set(_at(9, 13, 10, year=YEAR))
                if "previous_framework" in result.created:  # ours, unchanged: 2021 starts as its copy
                    result.framework = _copy_framework(
                        office, result.previous_framework, year=YEAR, name=FRAMEWORK_NAME
                    )
                else:  # the office's own 2020 framework may differ: 2021 keeps the demo's rules
                    result.framework = _create_framework(office, year=YEAR, name=FRAMEWORK_NAME)
                result.round = _play_round(result.framework, office, clock)
                result.created += ["framework", "round"]
            else:
                result.framework = existing
                result.round = existing.rounds.order_by("pk").first()
                result.kept += ["framework", "round"]
            next_framework = Framework.objects.filter(year=NEXT_YEAR).order_by("number").first()
            if next_framework is None:
                clock.set(_at(5, 9, 10))
                next_framework = services.framework_create(
                    by=office, year=NEXT_YEAR, name=NEXT_FRAMEWORK_NAME, copy_from=result.framework
                )
                result.created.append("next_framework")
            else:
                result.kept.append("next_framework")
            result.next_framework = next_framework
    except (UserError, PermissionDenied) as error:
        result = DemoAssessmentResult(
            warnings=[_("未能生成示例考核：%(error)s") % {"error": getattr(error, "message", error)}]
        )
    result.seconds = time.monotonic() - started
    return result


def summary_lines(result: DemoAssessmentResult) -> list[str]:
    """What `load_demo` prints about the assessment."""
    round_ = result.round
    if round_ is None:
        return []
    lines = []
    previous = result.previous_round
    if previous is not None:
        lines.append(
            _("  上年考核：%(state)s“%(round)s”（%(status)s，%(n)d 家单位）")
            % {
                "state": _("新建") if "previous_round" in result.created else _("已存在"), "round": previous.name,
                "status": previous.get_status_display(), "n": previous.participants.count(),
            }
        )  # fmt: skip
    return [
        *lines,
        _("  示例考核：%(state)s“%(round)s”（%(status)s，%(n)d 家单位，评分 %(ratings)d 条）；%(next)s；"
          "用时 %(seconds).1f 秒")
        % {
            "state": _("新建") if "round" in result.created else _("已存在"), "round": round_.name,
            "status": round_.get_status_display(), "n": round_.participants.count(),
            "ratings": Rating.objects.filter(participant__round=round_).count(), "next": result.next_framework or "—",
            "seconds": result.seconds,
        }
    ]  # fmt: skip
