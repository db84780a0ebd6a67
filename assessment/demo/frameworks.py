"""The demo's assessment method: the dimensions and criteria of the demo frameworks, built (or copied from
last year's) through assessment.services and issued."""

from __future__ import annotations

from decimal import Decimal

from analytics.models import Indicator
from assessment import services
from assessment.choices import Area, Combine, CriterionKind, Curve, Grade
from assessment.demo.common import NEF_INDUSTRIES, STATE_OWNED
from assessment.models import Criterion, Framework
from core.actor import Actor

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
