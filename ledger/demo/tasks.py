"""The demo's reform tasks: what the unions and enterprises wrote into their plans under the five key tasks.

Quantified tasks are either an indicator target on a shipped indicator the demo's accepted reports feed
(持证率, 大专及以上学历占比) or a counted result with progress updates; vague ones have no number
("加强产业工人思想政治引领"), as the speech complains.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.choices import KeyTask, TargetKind


@dataclass(frozen=True)
class Template:
    key: str
    key_task: str
    title: str  # "{n}" is the counted target; "{year}" and "{target}" an indicator's
    kind: str
    owner_unit: str
    notes: tuple[str, ...]  # progress notes; "{value}{unit}" a counted result's running total, "{n}" a number
    result_text: str = ""
    unit: str = ""
    low: int = 0
    high: int = 0
    step: int = 1
    indicator: str = ""


RESULT, INDICATOR, NONE = TargetKind.RESULT, TargetKind.INDICATOR, TargetKind.NONE

TEMPLATES = (
    Template(
        "talks", KeyTask.THOUGHT, "组建优秀产业工人宣讲团，开展宣讲 {n} 场", RESULT, "党委宣传部、工会",
        ("宣讲团深入车间、班组开展宣讲，累计 {value} {unit}。",
         "结合“七一”重要讲话精神开展专题宣讲，累计完成 {value} {unit}，覆盖一线职工 {n} 人次。"),
        result_text="开展宣讲", unit="场", low=12, high=40, step=2,
    ),
    Template(
        "guidance", KeyTask.THOUGHT, "加强产业工人思想政治引领", NONE, "党委宣传部",
        ("组织职工开展专题学习 {n} 次，各基层工会同步开展学习讨论。",
         "开展“劳模进班组”活动，参与职工约 {n} 人次。"),
    ),
    Template(
        "spirit", KeyTask.THOUGHT, "大力弘扬劳模精神、劳动精神、工匠精神", NONE, "工会",
        ("举办劳模工匠事迹报告会 {n} 场，在内网开设专栏宣传先进典型。",
         "评选年度“最美产业工人”{n} 名，并组织巡回宣讲。"),
    ),
    Template(
        "studios", KeyTask.CONTRIBUTION, "新建职工创新工作室 {n} 个", RESULT, "工会、科技部",
        ("完成工作室申报评审和挂牌，累计新建 {value} {unit}。",
         "工作室围绕生产难题开展攻关，累计建成 {value} {unit}，形成成果 {n} 项。"),
        result_text="新建职工创新工作室", unit="个", low=3, high=8,
    ),
    Template(
        "contests", KeyTask.CONTRIBUTION, "组织劳动和技能竞赛 {n} 项", RESULT, "工会、人力资源部",
        ("举办岗位练兵和技能比武，累计组织竞赛 {value} {unit}，参赛职工 {n} 人次。",
         "竞赛结果与技能等级晋升挂钩，累计完成 {value} {unit}。"),
        result_text="组织劳动和技能竞赛", unit="项", low=5, high=15,
    ),
    Template(
        "suggestions", KeyTask.CONTRIBUTION, "征集职工合理化建议 {n} 条", RESULT, "工会、企业管理部",
        ("开展“金点子”征集，累计收到合理化建议 {value} {unit}，采纳 {n} 条。",
         "对采纳的建议兑现奖励，累计征集 {value} {unit}。"),
        result_text="征集合理化建议", unit="条", low=100, high=600, step=50,
    ),
    Template(
        "wuxiao", KeyTask.CONTRIBUTION, "深入开展“五小”群众性创新活动", NONE, "工会",
        ("各基层单位开展小发明、小创造、小革新活动，形成成果 {n} 项。",
         "组织“五小”成果评审，推广应用 {n} 项。"),
    ),
    Template(
        "cert", KeyTask.SKILLS, "到{year}年技能等级持证率达到 {target}%", INDICATOR, "人力资源部",
        ("组织 {n} 名职工参加职业技能等级认定。",
         "开展企业技能等级自主评价，新增持证职工 {n} 人。"),
        indicator="CERT_RATE",
    ),
    Template(
        "college", KeyTask.SKILLS, "到{year}年大专及以上学历职工占比达到 {target}%", INDICATOR, "人力资源部、工会",
        ("与省内高职院校合作开办学历提升班，{n} 名职工入学。",
         "落实学历提升学费补助，{n} 名职工取得大专及以上学历。"),
        indicator="COLLEGE_RATE",
    ),
    Template(
        "training", KeyTask.SKILLS, "完成职工技能培训 {n} 人次", RESULT, "人力资源部",
        ("开展岗位技能培训和新技术培训，累计培训 {value} {unit}。",
         "用好职业技能提升行动培训补贴，累计完成培训 {value} {unit}。"),
        result_text="职工技能培训", unit="人次", low=1000, high=6000, step=500,
    ),
    Template(
        "self_eval", KeyTask.SKILLS, "开展职业技能等级自主评价 {n} 人", RESULT, "人力资源部",
        ("完成企业自主评价备案，累计评价取证 {value} {unit}。",
         "扩大自主评价职业（工种）范围，累计取证 {value} {unit}。"),
        result_text="自主评价取证", unit="人", low=200, high=1200, step=100,
    ),
    Template(
        "schools", KeyTask.SKILLS, "推进产教融合、校企合作", NONE, "人力资源部",
        ("与 {n} 所职业院校签订校企合作协议，共建实训基地。",
         "开设订单班，招收学员 {n} 人。"),
    ),
    Template(
        "reps", KeyTask.STATUS, "提高一线职工在两代表一委员中的比例", NONE, "党委组织部、工会",
        ("在换届推荐中向一线职工倾斜，推荐一线职工 {n} 名。",
         "组织两代表一委员深入一线调研 {n} 次。"),
    ),
    Template(
        "congress", KeyTask.STATUS, "健全以职代会为基本形式的民主管理制度", NONE, "工会",
        ("召开职工代表大会，审议通过涉及职工切身利益的制度 {n} 项。",
         "推行厂务公开，公开事项 {n} 项。"),
    ),
    Template(
        "homes", KeyTask.STATUS, "建设职工之家、职工驿站 {n} 个", RESULT, "工会",
        ("完成职工之家、职工驿站建设，累计 {value} {unit}。",
         "为一线班组配备职工驿站，累计建成 {value} {unit}。"),
        result_text="建设职工之家、职工驿站", unit="个", low=2, high=10,
    ),
    Template(
        "nef", KeyTask.GROWTH, "推动新就业形态劳动者入会 {n} 人", RESULT, "工会组织部",
        ("开展货车司机、快递员集中入会活动，累计入会 {value} {unit}。",
         "推进“双覆盖”，累计发展新就业形态劳动者会员 {value} {unit}。"),
        result_text="新就业形态劳动者入会", unit="人", low=100, high=800, step=50,
    ),
    Template(
        "growth", KeyTask.GROWTH, "扩大一线产业工人队伍规模", NONE, "人力资源部",
        ("在招聘计划中向一线技术技能岗位倾斜，新增一线职工 {n} 人。",
         "与院校合作定向培养一线技术工人 {n} 人。"),
    ),
    Template(
        "mechanism", KeyTask.MECHANISM, "健全产改工作推进机制，定期研究改革工作", NONE, "工会（产改办）",
        ("召开产改领导小组会议，研究部署改革工作 {n} 项。",
         "对照实施方案逐项梳理进展，形成问题清单 {n} 条。"),
    ),
    Template(
        "officer_training", KeyTask.MECHANISM, "开展产改信息员、联络员培训 {n} 期", RESULT, "工会（产改办）",
        ("举办信息员、联络员培训班，累计 {value} {unit}。",
         "组织信息员参加全省产改信息报送培训，累计 {value} {unit}。"),
        result_text="信息员、联络员培训", unit="期", low=2, high=4,
    ),
)  # fmt: skip

QUANTIFIED = tuple(t for t in TEMPLATES if t.kind != TargetKind.NONE)
VAGUE = tuple(t for t in TEMPLATES if t.kind == TargetKind.NONE)
BY_KEY = {t.key: t for t in TEMPLATES}

DONE_NOTES = ("全面完成任务目标，形成工作总结报领导小组。", "任务按期完成，相关做法已纳入常态化工作。")
RECENT_NOTES = (
    "持续推进，本季度召开专题推进会，对照路线图查找差距并明确下一步措施。",
    "按季度调度推进情况，已将相关工作纳入年度重点工作清单。",
    "结合年度工作安排继续推进，已向产改办报送阶段性进展材料。",
)
CANCELLED_NOTE = "因机构调整，该项任务并入集团层面统一推进，本单位不再单列。"
