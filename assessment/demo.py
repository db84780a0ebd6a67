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

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from analytics.engine.batch import subtree_values
from analytics.engine.scope import Scope
from analytics.models import Indicator
from assessment import queries, services
from assessment.choices import Area, Combine, CriterionKind, Curve, Grade
from assessment.models import Criterion, Framework, Participant, Rating, Round
from core.actor import Actor
from core.errors import UserError
from core.formatting import percent, wan
from orgs.choices import Industry, OrgKind, Ownership, Role
from orgs.demo import KUNMING_POWER, REAL_UNIONS
from orgs.models import Membership, Organisation
from reporting.demo import ASSESSED_YEAR, demo_enterprises, story_clock
from reporting.models import Report
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


# --- The framework --------------------------------------------------------------------------------------

LEVEL_LABELS = (("good", "好", "1"), ("fair", "较好", "0.8"), ("average", "一般", "0.6"), ("poor", "差", "0.3"))


def _levels(*descriptions: str) -> list[dict]:
    return [
        {"code": code, "label": label, "share": share, "description": text}
        for (code, label, share), text in zip(LEVEL_LABELS, descriptions, strict=True)
    ]


DIMENSIONS = (
    ("THOUGHT", "思想引领", Area.THOUGHT, 10),
    ("CONTRIBUTION", "建功立业", Area.CONTRIBUTION, 15),
    ("SKILLS", "素质提升", Area.SKILLS, 25),
    ("STATUS", "地位提高", Area.STATUS, 15),
    ("GROWTH", "队伍壮大", Area.GROWTH, 10),
    ("ORGANISATION", "改革组织推进", Area.ORGANISATION, 25),
)

# dimension code → criteria: (code, name, description, kind, points, parameters)
CRITERIA: dict[str, list[tuple[str, str, str, str, int, dict]]] = {
    "THOUGHT": [
        ("T_TALK_GROWTH", "宣讲覆盖职工人次较上年增长",
         "以年报“宣讲覆盖职工人次”计：较上年增长 20% 及以上得满分，未增长不得分，之间按比例。",
         CriterionKind.INDICATOR_IMPROVEMENT, 4, {"indicator": "TALK_AUDIENCE", "full_at": Decimal(20)}),
        ("T_SPIRIT", "学习宣传“七一”重要讲话精神、选树先进典型",
         "查阅宣讲计划、宣讲记录和先进典型选树材料，按评分等级评定。",
         CriterionKind.QUALITATIVE, 6, {"combine": Combine.MEAN, "levels": _levels(
             "组建了由优秀产业工人组成的宣讲队伍，宣讲覆盖一线班组，选树的先进典型有影响",
             "开展了宣讲，覆盖大部分一线职工，先进典型选树有成效",
             "开展了宣讲，但以会议传达为主，一线覆盖不足",
             "未组织面向一线职工的宣讲")}),
    ],
    "CONTRIBUTION": [
        ("C_SUGGEST_RANK", "合理化建议采纳率在参评单位中的位次",
         "按年报“合理化建议采纳数 ÷ 提出数”在本轮参评单位中的百分位分档计分。",
         CriterionKind.INDICATOR_RANK, 5, {"indicator": "SUGGEST_ADOPTION_RATE", "curve": Curve.BANDS,
                                           "bands": [[0.75, 1], [0.5, 0.8], [0.25, 0.6], [0, 0.3]]}),
        ("C_COMP_GROWTH", "劳动和技能竞赛参赛职工人次较上年增长",
         "较上年增长 15% 及以上得满分，未增长不得分，之间按比例。",
         CriterionKind.INDICATOR_IMPROVEMENT, 5, {"indicator": "COMP_PARTICIPANTS", "full_at": Decimal(15)}),
        ("C_WUXIAO_GROWTH", "“五小”成果数较上年增长",
         "较上年增长 15% 及以上得满分，未增长不得分，之间按比例。",
         CriterionKind.INDICATOR_IMPROVEMENT, 5, {"indicator": "WUXIAO_RESULTS", "full_at": Decimal(15)}),
    ],
    "SKILLS": [
        ("S_CERT_TARGET", "持证率达到年度目标",
         "持证率（不含农民工口径）对照全省年度目标：达到目标得满分，达到目标的 60% 及以下不得分，之间按比例。",
         CriterionKind.INDICATOR_TARGET, 8, {"indicator": "CERT_RATE", "floor": Decimal("0.6"), "cap": Decimal(1)}),
        ("S_CERT_GROWTH", "持证率较上年提高",
         "较上年提高 1.5 个百分点及以上得满分，未提高不得分，之间按比例。",
         CriterionKind.INDICATOR_IMPROVEMENT, 6, {"indicator": "CERT_RATE", "full_at": Decimal("1.5")}),
        ("S_COLLEGE_RANK", "大专及以上学历占比在参评单位中的位次",
         "按百分位计分：第 90 百分位及以上得满分，第 10 百分位及以下不得分，之间按比例。",
         CriterionKind.INDICATOR_RANK, 6, {"indicator": "COLLEGE_RATE", "floor": Decimal("0.1"),
                                           "cap": Decimal("0.9")}),
        ("S_HIGH_SKILL", "高技能人才占技能人才比例达到年度目标",
         "对照全省年度目标：达到目标得满分，达到目标的 60% 及以下不得分，之间按比例。",
         CriterionKind.INDICATOR_TARGET, 5, {"indicator": "HIGH_SKILL_SHARE", "floor": Decimal("0.6"),
                                             "cap": Decimal(1)}),
    ],
    "STATUS": [
        ("P_REPS", "两代表一委员中一线工人占比达到年度目标",
         "对照全省年度目标：达到目标得满分，达到目标的 50% 及以下不得分，之间按比例。",
         CriterionKind.INDICATOR_TARGET, 5, {"indicator": "REPS_FRONTLINE_SHARE", "floor": Decimal("0.5"),
                                             "cap": Decimal(1)}),
        ("P_CONTRACT", "集体合同覆盖率",
         "目标 95%：达到目标得满分，达到目标的 80% 及以下不得分，之间按比例。",
         CriterionKind.INDICATOR_TARGET, 5, {"indicator": "CONTRACT_COVERAGE", "target": Decimal(95),
                                             "floor": Decimal("0.8"), "cap": Decimal(1)}),
        ("P_AWARDEES", "劳模、工匠等先进人物中产业工人占比的位次",
         "按在本轮参评单位中的百分位计分：最高者得满分，最低者不得分，之间按比例。",
         CriterionKind.INDICATOR_RANK, 5, {"indicator": "AWARDEES_WORKER_SHARE", "floor": Decimal(0),
                                           "cap": Decimal(1)}),
    ],
    "GROWTH": [
        ("G_MEMBERSHIP", "入会率达到年度目标",
         "入会率（含新就业形态劳动者）对照全省年度目标：达到目标得满分，达到目标的 80% 及以下不得分，之间按比例。",
         CriterionKind.INDICATOR_TARGET, 6, {"indicator": "UNION_MEMBERSHIP_RATE", "floor": Decimal("0.8"),
                                             "cap": Decimal(1)}),
        ("G_FRONTLINE_GROWTH", "一线职工增量较上年增长",
         "较上年增长 10% 及以上得满分，未增长不得分，之间按比例。",
         CriterionKind.INDICATOR_IMPROVEMENT, 4, {"indicator": "NEW_FRONTLINE_HIRES", "full_at": Decimal(10)}),
        ("G_NEF", "新就业形态劳动者入会率（交通运输、批发零售、信息传输企业）",
         "货车司机、快递员、网约配送员等集中的行业适用。目标 60%：达到目标得满分，达到目标的 50% 及以下不得分。",
         CriterionKind.INDICATOR_TARGET, 4, {"indicator": "NEF_MEMBERSHIP_RATE", "target": Decimal(60),
                                             "floor": Decimal("0.5"), "cap": Decimal(1),
                                             "industries": NEF_INDUSTRIES}),
    ],
    "ORGANISATION": [
        ("O_PLAN", "产改实施方案印发和目标量化",
         "查阅实施方案、目标任务清单和时间表；评分人意见一致时采用，不一致由产改办校准。",
         CriterionKind.QUALITATIVE, 5, {"combine": Combine.CONSENSUS, "levels": _levels(
             "方案已印发，目标全部量化并分解到部门和年度，有时间表和路线图",
             "方案已印发，主要目标已量化，个别任务缺少完成时限",
             "方案已印发，但目标以定性表述为主，量化指标少",
             "未印发方案，或印发后没有落实举措")}),
        ("O_LEADING", "领导小组和工作机制",
         "查阅领导小组文件、会议纪要和督办记录。",
         CriterionKind.QUALITATIVE, 4, {"combine": Combine.MEAN, "levels": _levels(
             "主要负责人任组长，年内专题研究产改 2 次以上，有督办和通报",
             "成立了领导小组，年内专题研究过产改",
             "成立了领导小组，但年内未专题研究",
             "未成立领导小组")}),
        ("O_OFFICERS", "信息员、联络员配备和信息报送",
         "查阅信息员、联络员名单和全年信息报送情况。",
         CriterionKind.QUALITATIVE, 3, {"combine": Combine.MEAN, "levels": _levels(
             "信息员、联络员配齐，全年按要求报送信息，有信息被采用",
             "信息员、联络员配齐，能按要求报送信息",
             "只配备了其中一类人员，报送不及时",
             "未配备信息员、联络员")}),
        ("O_POLICY", "用好用足产改政策",
         "失业保险技能提升补贴、职业培训补贴、企业技能人才自主评价等政策的申请和使用情况。",
         CriterionKind.QUALITATIVE, 5, {"combine": Combine.MEAN, "levels": _levels(
             "三类政策均已申请使用，受益职工多",
             "用了其中两类政策",
             "只用了一类政策，或仅完成申报",
             "未使用任何产改政策")}),
        ("O_REPORTS", "年报按时报送并通过验收",
         "以平台记录为准：{year} 年度《产业工人队伍基本情况》年报在截止日前提交并通过产改办验收得满分。",
         CriterionKind.FACT, 4, {"fact": "reports_on_time"}),
        ("O_SOE", "将产改纳入企业负责人经营业绩考核（国有企业）",
         "国有企业适用：查阅企业负责人经营业绩考核办法和考核结果。",
         CriterionKind.QUALITATIVE, 4, {"combine": Combine.MEAN, "ownerships": STATE_OWNED, "levels": _levels(
             "已纳入考核并有明确权重，考核结果与薪酬挂钩",
             "已纳入考核，但权重或指标不够明确",
             "正在修订考核办法，尚未纳入",
             "未纳入考核")}),
        ("O_BONUS", "加分项",
         "获国家级荣誉加 2 分，列为全省产改示范点加 1.5 分，产改经验做法被全国总工会或省委、省政府推广加 1 分；"
         "合计最多加 3 分。",
         CriterionKind.BONUS, 3, {"items": [
             {"code": "HONOUR", "label": "获全国五一劳动奖状、全国工人先锋号等国家级荣誉", "points": "2"},
             {"code": "SITE", "label": "列为全省产改示范点", "points": "1.5"},
             {"code": "CASE", "label": "产改经验做法被全国总工会或省委、省政府推广", "points": "1"},
         ]}),
        ("O_DEDUCTION", "扣分项",
         "年报、季报逾期或未报每份扣 1 分，被退回修改每次扣 0.5 分（以平台记录为准），督办事项未按期整改每项扣 1 分；"
         "合计最多扣 5 分。",
         CriterionKind.DEDUCTION, 5, {"items": [
             {"code": "LATE", "label": "报表逾期或未报送", "points": "1", "fact": "reports_late"},
             {"code": "RETURNED", "label": "报表被退回修改", "points": "0.5", "fact": "reports_returned"},
             {"code": "OVERDUE", "label": "督办事项未按期整改", "points": "1"},
         ]}),
        ("O_VETO", "一票否决",
         "发生重大安全生产责任事故、侵害职工合法权益造成恶劣影响的群体性事件的，当年考核最高评为“合格”。",
         CriterionKind.VETO, 0, {"grade_cap": Grade.PASS}),
    ],
}  # fmt: skip


def _description(text: str, year: int) -> str:
    return text.replace("{year}", str(year))  # the one criterion whose text names the assessed year


def _create_framework(office: Actor, *, year: int, name: str) -> Framework:
    """Build the framework of DIMENSIONS and CRITERIA for `year` and issue it."""
    framework = services.framework_create(by=office, year=year, name=name)
    framework = services.framework_update(
        by=office,
        framework=framework,
        version=framework.version,
        thresholds={Grade.EXCELLENT: "85", Grade.GOOD: "75", Grade.PASS: "60"},
        notes=(
            "示例：演示用考核办法，分值、目标值和评分细则为虚构。依据产改“定目标、定责任、定期限”的要求，"
            "定性与定量相结合，共通指标与按所有制、行业适用的指标相结合。"
        ),
    )
    indicators = {i.code: i for i in Indicator.objects.all()}
    for order, (code, name, area, points) in enumerate(DIMENSIONS, start=1):
        dimension = services.dimension_save(
            by=office, framework=framework, code=code, name=name, area=area, points=Decimal(points),
            sort_order=order * 10,
        )  # fmt: skip
        for c_order, (c_code, c_name, description, kind, c_points, params) in enumerate(CRITERIA[code], start=1):
            data = dict(params)
            if "indicator" in data:
                data["indicator"] = indicators[data["indicator"]]
            services.criterion_save(
                by=office, dimension=dimension, code=c_code, name=c_name, description=_description(description, year),
                kind=kind,
                points=Decimal(c_points), sort_order=c_order * 10, **data,
            )  # fmt: skip
    framework.refresh_from_db()
    return services.framework_issue(by=office, framework=framework, version=framework.version)


def _copy_framework(office: Actor, source: Framework, *, year: int, name: str) -> Framework:
    """The next year's framework as the office makes it: a copy of `source`, its year-specific text updated,
    issued. Everything that scores is the same as `_create_framework(year=year)` would build."""
    framework = services.framework_create(by=office, year=year, name=name, copy_from=source)
    texts = {c_code: description for criteria in CRITERIA.values() for c_code, _n, description, *_rest in criteria}
    for criterion in Criterion.objects.filter(dimension__framework=framework).select_related("dimension__framework"):
        description = _description(texts.get(criterion.code, criterion.description), year)
        if description != criterion.description:
            services.criterion_save(
                by=office, dimension=criterion.dimension, criterion=criterion, version=criterion.version,
                description=description,
            )  # fmt: skip
    framework.refresh_from_db()
    return services.framework_issue(by=office, framework=framework, version=framework.version)


# --- Who does what, and what they find --------------------------------------------------------------------

DISAGREE_ON_PLAN = {  # the consensus criterion: (office reviewer's level, guidance group's, calibrated, reason)
    "E003": (
        "fair",
        "average",
        "fair",
        "经复核方案文本和年度台账：主要目标已量化，个别任务缺少完成时限，按“较好”认定。",
    ),
    "E006": ("fair", "average", "average", "经复核：方案已印发，但量化目标只有 2 项，且没有时间表，按“一般”认定。"),
}
BONUS_EVENTS = (  # (organisation code, item, note)
    ("E005", "HONOUR", "2021年荣获全国五一劳动奖状"),
    ("E005", "SITE", "列为全省第二批产改示范点"),
    ("E005", "CASE", "“技能等级认定与岗位晋升挂钩”做法被省总工会转发推广"),
    (KUNMING_POWER, "SITE", "列为全省第二批产改示范点"),
    ("E008", "SITE", "列为全省第二批产改示范点"),
    ("E018", "HONOUR", "机车检修车间获“全国工人先锋号”"),
    ("E022", "CASE", "“路地共建技能实训基地”做法被省委、省政府办公厅信息刊发推广"),
)
APPEAL_BONUS = (KUNMING_POWER, "CASE", "“工匠工作室带徒传技”经验被全国总工会产改工作简报刊发推广")
OVERDUE_NOTE = "2021年第三季度产改督办事项（配齐信息员、联络员）未按期整改"
VETO_CODE = "E061"  # a mine whose points alone would make it 良好
VETO_NOTE = "2021年8月井下发生一起较大生产安全事故，经应急管理部门调查认定企业负有责任"

COMMENTS = {
    "good": ("材料齐全，做法实、成效明显。", "工作扎实，可作为同类企业参考。"),
    "fair": ("工作有成效，个别方面还需加强。", "总体较好，资料还可更完整。"),
    "average": ("工作已开展，但举措和成效一般。", "有布置、少落实，需加大推进力度。"),
    "poor": ("工作基本未开展。", "缺少相应材料，建议尽快补齐。"),
}
EVIDENCE = {
    "T_SPIRIT": "查阅宣讲计划、宣讲记录和先进典型材料",
    "O_PLAN": "查阅实施方案和目标任务清单",
    "O_LEADING": "查阅领导小组文件和会议纪要",
    "O_OFFICERS": "查阅人员名单和信息报送记录",
    "O_POLICY": "查阅补贴申请和使用凭证",
    "O_SOE": "查阅企业负责人经营业绩考核办法",
}
LEVEL_ORDER = [code for code, _label, _share in LEVEL_LABELS]


def _diligence(code: str, weak: bool) -> float:
    r = _rng("diligence", code)
    return r.uniform(0.0, 0.4) if weak else r.uniform(0.3, 1.0)


def _level(code: str, criterion: str, diligence: float, year: int = YEAR) -> str:
    # The same enterprise is as diligent every year; what a rater finds varies from year to year.
    seed = ("level", code, criterion) if year == YEAR else ("level", code, criterion, year)
    x = diligence + _rng(*seed).uniform(-0.15, 0.15)
    return "good" if x > 0.72 else "fair" if x > 0.48 else "average" if x > 0.24 else "poor"


def _shifted(level: str, step: int) -> str:
    return LEVEL_ORDER[min(len(LEVEL_ORDER) - 1, max(0, LEVEL_ORDER.index(level) + step))]


def _comment(org: Organisation, criterion: Criterion, level: str, salt: str) -> str:
    """What the rater found (the level's description) and what they think of it."""
    found = next(lv["description"] for lv in criterion.levels if lv["code"] == level)
    return f"{found}。{_rng('comment', org.code, criterion.code, salt).choice(COMMENTS[level])}"


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


def _demo_user(username: str):
    return get_user_model().objects.filter(username=username, is_demo=True, is_active=True).first()


def _reporter(org: Organisation):
    membership = (
        Membership.objects.filter(org=org, role=Role.REPORTER, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return membership.user if membership else None


def _self_assess(participants: list[Participant], cited: Criterion, clock) -> None:
    """The enterprises of the seven groups the speech names write a self-assessment citing their 2021 report
    (as evidence of `cited`: a score card shows evidence under its criterion)."""
    ids = [p.org_id for p in participants]
    cert, cert_before, talks, contests = (
        subtree_values(Scope.province(), f"indicator:{code}", str(year), ids)
        for code, year in (("CERT_RATE", YEAR), ("CERT_RATE", YEAR - 1), ("TALK_AUDIENCE", YEAR),
                           ("COMP_PARTICIPANTS", YEAR))
    )  # fmt: skip
    reports = {
        r.org_id: r
        for r in Report.objects.filter(dataset__code="WF_Y", period__code=str(YEAR), org_id__in=ids).select_related(
            "org", "period", "dataset"
        )
    }
    for index, participant in enumerate(participants):
        org = participant.org
        reporter = _reporter(org)
        if reporter is None:
            continue
        clock.set(_at(3, 2 + index % 12, 9 + index % 8, 15))
        by = Actor(user=reporter)
        note = (
            f"{YEAR}年，本单位持证率 {percent(cert.get(org.pk))}（上年 {percent(cert_before.get(org.pk))}），"
            f"宣讲覆盖职工 {wan(talks.get(org.pk))} 人次，劳动和技能竞赛参赛 {wan(contests.get(org.pk))} 人次。"
            "产改实施方案已印发，成立了产改领导小组，配备了信息员、联络员。年度数据详见所附年报。"
        )
        participant = services.self_assessment_submit(
            by=by, participant=participant, note=note, version=participant.version
        )
        report = reports.get(org.pk)
        if report is not None:
            services.evidence_add(
                by=by, participant=participant, criterion=cited, title=f"{YEAR}年度产业工人队伍基本情况年报",
                report=report,
            )  # fmt: skip


RATING_DAYS = [dt.date(NEXT_YEAR, 3, d) for d in (16, 17, 18, 21, 22, 23, 24, 25, 28, 29, 30)]  # workdays
PREVIOUS_RATING_DAYS = [dt.date(YEAR, 3, d) for d in (8, 9, 10, 11, 12)]  # the 2020 round: one week


def _rating_time(step: int, count: int, days: list[dt.date] = RATING_DAYS) -> dt.datetime:
    """The `step`-th of `count` ratings by one rater, spread over the rating days' office hours."""
    share = step / max(count, 1) * len(days)
    day = days[min(int(share), len(days) - 1)]
    start = dt.datetime.combine(day, dt.time(8, 45), tzinfo=REPORTING_TZ)
    return start + dt.timedelta(hours=8.5 * (share - int(share)))


def _rate(round_: Round, weak: set[str], clock) -> None:
    """The office's reviewer rates everyone; the guidance group and the 国资委 rate what they were assigned.

    Levels follow each enterprise's diligence (weak enterprises rate low); a second rater mostly agrees,
    except on the consensus criterion for DISAGREE_ON_PLAN, which the office then calibrates.
    """
    office_reviewer = _demo_user("office_reviewer")
    for rater in (office_reviewer, _demo_user("guidance"), _demo_user("dept_viewer")):
        if rater is None:
            continue
        tasks = [
            t
            for t in queries.rater_tasks(rater, round_)
            if not t.own and (not t.criterion.ownerships or t.participant.org.ownership in t.criterion.ownerships)
        ]
        second = rater != office_reviewer
        for step, task in enumerate(tasks):
            participant, criterion, org = task.participant, task.criterion, task.participant.org
            participant.round = round_
            truth = _level(org.code, criterion.code, _diligence(org.code, org.code in weak))
            if criterion.code == "O_PLAN" and org.code in DISAGREE_ON_PLAN:
                level = DISAGREE_ON_PLAN[org.code][1 if second else 0]
            elif (
                second
                and criterion.combine != Combine.CONSENSUS
                and _rng("2nd", org.code, criterion.code).random() < 0.25
            ):
                level = _shifted(truth, _rng("dir", org.code, criterion.code).choice((-1, 1)))
            else:
                level = truth
            clock.set(_rating_time(step, len(tasks)))
            services.rating_save(
                by=Actor(user=rater), participant=participant, criterion=criterion, level=level,
                comment=_comment(org, criterion, level, rater.username), evidence=EVIDENCE.get(criterion.code, ""),
            )  # fmt: skip


def _play_previous_round(framework: Framework, office: Actor, clock) -> Round:
    """The 2020 round, quickly: open over the same enterprises as 2021, the office's reviewer alone rates every
    qualitative criterion (levels from the same diligence as 2021's, found afresh), compute, publish, lock."""
    orgs = list(Organisation.objects.filter(kind=OrgKind.ENTERPRISE, closed_on__isnull=True).order_by("path"))
    clock.set(_at(3, 1, 9, 30, year=YEAR))
    round_ = services.round_open(
        by=office, framework=framework, name=PREVIOUS_ROUND_NAME, orgs=orgs, self_deadline=dt.date(YEAR, 3, 5),
        appeal_deadline=dt.date(YEAR, 4, 9),
    )  # fmt: skip
    reviewer = _demo_user("office_reviewer")
    if reviewer is not None:
        services.rater_assign(by=office, round_=round_, user=reviewer)
    clock.set(_at(3, 8, 9, year=YEAR))
    round_ = services.round_advance(by=office, round_=round_, version=round_.version)
    weak = {e.org.code for e in demo_enterprises() if e.weak}
    if reviewer is not None:
        tasks = [
            t
            for t in queries.rater_tasks(reviewer, round_)
            if not t.own and (not t.criterion.ownerships or t.participant.org.ownership in t.criterion.ownerships)
        ]
        by = Actor(user=reviewer)
        for step, task in enumerate(tasks):
            participant, criterion, org = task.participant, task.criterion, task.participant.org
            participant.round = round_
            level = _level(org.code, criterion.code, _diligence(org.code, org.code in weak), PREVIOUS_YEAR)
            clock.set(_rating_time(step, len(tasks), PREVIOUS_RATING_DAYS))
            services.rating_save(
                by=by, participant=participant, criterion=criterion, level=level,
                comment=_comment(org, criterion, level, f"{reviewer.username}:{PREVIOUS_YEAR}"),
                evidence=EVIDENCE.get(criterion.code, ""),
            )  # fmt: skip
    clock.set(_at(3, 15, 17, year=YEAR))
    round_ = services.round_advance(by=office, round_=round_, version=round_.version)
    clock.set(_at(3, 16, 10, year=YEAR))
    services.round_compute(by=office, round_=round_, reason="评分结束，计算得分。")
    clock.set(_at(3, 19, 15, year=YEAR))
    round_ = services.round_publish(by=office, round_=round_, version=round_.version)
    clock.set(_at(4, 12, 9, year=YEAR))
    return services.round_lock(by=office, round_=round_, version=round_.version)


def _play_round(framework: Framework, office: Actor, clock) -> Round:
    """Open the round, self-assess, rate, record events, calibrate, compute, publish, appeal, republish, lock."""
    orgs = list(Organisation.objects.filter(kind=OrgKind.ENTERPRISE, closed_on__isnull=True).order_by("path"))
    clock.set(_at(3, 1, 9, 30))
    round_ = services.round_open(
        by=office, framework=framework, name=ROUND_NAME, orgs=orgs, self_deadline=dt.date(NEXT_YEAR, 3, 15),
        appeal_deadline=dt.date(NEXT_YEAR, 4, 22),
    )  # fmt: skip
    by_code = {c.code: c for c in Criterion.objects.filter(dimension__framework=framework)}
    office_reviewer, guidance, dept_viewer = (_demo_user(n) for n in ("office_reviewer", "guidance", "dept_viewer"))
    unions = {o.code: o for o in Organisation.objects.filter(code__in=["U01", "U02", "U03", "U04", "U05", "U07"])}
    if office_reviewer is not None:
        services.rater_assign(by=office, round_=round_, user=office_reviewer)
    if guidance is not None:
        for code in ("U01", "U02"):
            services.rater_assign(by=office, round_=round_, user=guidance, org=unions[code])
    if dept_viewer is not None:
        for code in ("U03", "U04", "U05", "U07"):  # the provincial groups the 国资委 supervises
            services.rater_assign(
                by=office, round_=round_, user=dept_viewer, criterion=by_code["O_SOE"], org=unions[code]
            )

    enterprises = demo_enterprises()
    weak = {e.org.code for e in enterprises if e.weak}
    named = {e.org.code for e in enterprises if e.union is not None and e.union.code in NAMED_UNIONS}
    participants = list(round_.participants.select_related("org", "round").order_by("org__path"))
    _self_assess([p for p in participants if p.org.code in named], by_code["S_CERT_TARGET"], clock)

    clock.set(_at(3, 16, 9))
    round_ = services.round_advance(by=office, round_=round_, version=round_.version)
    participants = list(round_.participants.select_related("org").order_by("org__path"))
    for participant in participants:
        participant.round = round_  # one object: the services read the stage from it, and each step refreshes it
    _rate(round_, weak, clock)

    by_org = {p.org.code: p for p in participants}
    for index, (code, item, note) in enumerate(BONUS_EVENTS):
        if code in by_org:
            clock.set(_at(3, 24, 10) + dt.timedelta(minutes=20 * index))
            services.entry_add(by=office, participant=by_org[code], criterion=by_code["O_BONUS"], item=item,
                               note=note + SAMPLE)  # fmt: skip
    laggards = sorted(code for code in weak if code in by_org)
    if laggards:
        clock.set(_at(3, 25, 15))
        services.entry_add(by=office, participant=by_org[laggards[0]], criterion=by_code["O_DEDUCTION"],
                           item="OVERDUE", note=OVERDUE_NOTE + SAMPLE)  # fmt: skip
    if VETO_CODE in by_org:
        clock.set(_at(3, 25, 16))
        services.entry_add(by=office, participant=by_org[VETO_CODE], criterion=by_code["O_VETO"], item="",
                           note=VETO_NOTE + SAMPLE)  # fmt: skip

    clock.set(_at(3, 31, 17))
    round_ = services.round_advance(by=office, round_=round_, version=round_.version)
    services.round_compute(by=office, round_=round_, reason="评分结束，校准前试算。")
    clock.set(_at(4, 6, 10))
    for code, (_office, _guidance, level, reason) in DISAGREE_ON_PLAN.items():
        if code in by_org:
            services.calibrate(by=office, participant=by_org[code], criterion=by_code["O_PLAN"], level=level,
                               reason=reason)  # fmt: skip
    clock.set(_at(4, 7, 11))
    services.round_compute(by=office, round_=round_, reason="校准后计算。")
    clock.set(_at(4, 8, 15))
    round_ = services.round_publish(by=office, round_=round_, version=round_.version)

    kunming = by_org.get(KUNMING_POWER)
    reporter = _reporter(kunming.org) if kunming else None
    if kunming is not None and reporter is not None:
        clock.set(_at(4, 12, 16, 20))
        appeal = services.appeal_file(
            by=Actor(user=reporter), participant=kunming, criterion=by_code["O_BONUS"],
            reason="本局“工匠工作室带徒传技”经验于2021年11月被全国总工会产改工作简报刊发推广（附简报），"
                   "按考核办法应加 1 分，公布结果未计入，请核实。" + SAMPLE,
        )  # fmt: skip
        clock.set(_at(4, 19, 10))
        services.appeal_answer(
            by=office, appeal=appeal, version=appeal.version, upheld=True,
            answer="经核实，该经验确被全国总工会产改工作简报刊发推广，申诉成立。已补录加分并重新计算、公布。",
        )  # fmt: skip
        round_ = services.round_reopen(
            by=office, round_=round_, version=round_.version, reason="昆明供电局申诉成立，补录加分事项。"
        )
        _code, item, note = APPEAL_BONUS
        services.entry_add(by=office, participant=kunming, criterion=by_code["O_BONUS"], item=item, note=note + SAMPLE)
        clock.set(_at(4, 19, 11))
        services.round_compute(by=office, round_=round_, reason="申诉成立，补录加分后重新计算。")
        clock.set(_at(4, 20, 9, 30))
        round_ = services.round_publish(by=office, round_=round_, version=round_.version)

    clock.set(_at(4, 25, 9))
    return services.round_lock(by=office, round_=round_, version=round_.version)


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
