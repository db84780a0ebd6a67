"""The demo province's innovation studios, played through the services.

- twelve studios across the demo enterprises of the seven named unions: 劳模创新工作室 named after a person of the
  talent pool (the pool's own demo person of that enterprise when there is one, else one made here, found again by
  name and organisation so both demos coexist), 工匠 and 职工 studios and 技师工作站; several named at enterprise
  level and raised later to prefecture or provincial level, one revoked;
- results (patents, work methods, 五小 results) with the value they created;
- one cross-industry alliance (滇中电力与有色金属创新工作室联盟) with an activity;
- 2021 annual reviews: rated (优秀, 良好), submitted and waiting for the office, returned with a reason, a draft.

Idempotent: a second load finds studios and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.actor import Actor
from orgs.choices import OrgKind
from orgs.models import Organisation
from studios import services
from studios.models import Studio
from talent.models import Person

SYSTEM = Actor.system("demo")

# (enterprise, kind, leader's name if none in the pool, occupation, namings [(level, day)], topics)
STUDIOS = (
    ("昆明供电局", "model_worker", "张建明", "带电作业工", [("enterprise", dt.date(2018, 4, 28)),
     ("provincial", dt.date(2021, 4, 28))], "配网不停电作业、带电作业工器具改进"),
    ("曲靖供电局", "craftsman", "李文华", "变电检修工", [("enterprise", dt.date(2019, 5, 1))], "变电设备状态检修"),
    ("云南铜业股份有限公司", "model_worker", "王国强", "冶炼工", [("prefecture", dt.date(2018, 9, 1)),
     ("provincial", dt.date(2022, 4, 28))], "铜冶炼节能降耗"),
    ("云南驰宏锌锗股份有限公司", "technician", "赵永平", "采矿工", [("enterprise", dt.date(2020, 3, 1))],
     "井下采矿安全"),
    ("云南云天化股份有限公司", "worker", "陈晓东", "化工总控工", [("enterprise", dt.date(2019, 6, 1)),
     ("prefecture", dt.date(2021, 10, 1))], "合成氨装置优化"),
    ("云南磷化集团有限公司", "craftsman", "杨红梅", "化学检验员", [("enterprise", dt.date(2020, 7, 1))],
     "磷矿石快速检测"),
    ("云南天然橡胶产业集团有限公司", "worker", "刀金华", "橡胶加工工", [("enterprise", dt.date(2019, 11, 1))],
     "天然橡胶初加工"),
    ("云南建投第一建设有限公司", "model_worker", "段志刚", "钢筋工", [("enterprise", dt.date(2018, 5, 1)),
     ("national", dt.date(2022, 11, 1))], "装配式建筑施工工法"),
    ("云南建投第二建设有限公司", "technician", "普建国", "焊工", [("enterprise", dt.date(2020, 4, 1))], "钢结构焊接"),
    ("昆明机务段", "craftsman", "周铁军", "机车检修工", [("prefecture", dt.date(2019, 4, 28))], "电力机车故障诊断"),
    ("大理车务段", "worker", "杨丽娟", "车站值班员", [("enterprise", dt.date(2021, 3, 1))], "站车安全作业标准化"),
    ("云南交投公路建设有限公司", "worker", "罗成", "公路养护工", [("enterprise", dt.date(2019, 8, 1))], "高原公路养护"),
)  # fmt: skip
REVOKED = "云南建投第二建设有限公司"

# (enterprise, kind, title, day, value 元 or None)
RESULTS = (
    ("昆明供电局", "patent", "一种绝缘斗臂车用带电作业工具", dt.date(2021, 6, 1), "1250000"),
    ("昆明供电局", "method", "张建明配网带电作业工作法", dt.date(2022, 3, 1), "360000"),
    ("曲靖供电局", "wuxiao", "主变油色谱在线监测小革新", dt.date(2021, 9, 1), "85000"),
    ("云南铜业股份有限公司", "patent", "铜冶炼余热回收装置", dt.date(2021, 5, 10), "4200000"),
    ("云南铜业股份有限公司", "wuxiao", "阳极板吊装小发明", dt.date(2022, 7, 1), "120000"),
    ("云南云天化股份有限公司", "method", "合成氨装置节能操作法", dt.date(2021, 11, 1), "980000"),
    ("云南磷化集团有限公司", "other", "磷矿石品位快速检测规程", dt.date(2021, 8, 1), None),
    ("云南建投第一建设有限公司", "patent", "装配式叠合板快速安装工法", dt.date(2021, 4, 1), "2300000"),
    ("昆明机务段", "wuxiao", "机车受电弓检测小设计", dt.date(2021, 10, 1), "150000"),
    ("云南交投公路建设有限公司", "method", "高原冻土路基养护工作法", dt.date(2022, 5, 1), "640000"),
)

ALLIANCE = "滇中电力与有色金属创新工作室联盟"
ALLIANCE_MEMBERS = ("昆明供电局", "曲靖供电局", "云南铜业股份有限公司", "云南驰宏锌锗股份有限公司")

# 2021 reviews: (enterprise, fate, scores)
REVIEWS = (
    ("昆明供电局", "rate", {"organisation": "19", "topics": "28", "results": "28", "training": "18"}),
    ("云南铜业股份有限公司", "rate", {"organisation": "17", "topics": "25", "results": "24", "training": "16"}),
    ("曲靖供电局", "submit", None),
    ("云南云天化股份有限公司", "return", None),
    ("昆明机务段", "draft", None),
)


@dataclass
class DemoStudiosResult:
    """What one load did."""

    created: dict = field(default_factory=dict)
    existed: bool = False
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


def summary_lines(result: DemoStudiosResult) -> list[str]:
    if result.existed:
        return [_("  创新工作室：已存在，未改动")]
    c = result.created
    return [
        _("  创新工作室：%(studios)d 个，成果 %(results)d 项，联盟 %(alliances)d 个，年度评估 %(reviews)d 份")
        % {k: c.get(k, 0) for k in ("studios", "results", "alliances", "reviews")}
    ]


def _org(name: str) -> Organisation | None:
    return Organisation.objects.filter(name=name, kind=OrgKind.ENTERPRISE, closed_on__isnull=True).first()


def _leader(org: Organisation, name: str, occupation: str) -> Person:
    """The talent pool's first active industrial worker of the enterprise, else the named person (made once)."""
    pooled = Person.objects.filter(org=org, removed_on__isnull=True, is_industrial_worker=True).order_by("pk").first()
    if pooled is not None:
        return pooled
    person, _created = Person.objects.get_or_create(
        name=name, org=org, defaults={"gender": "male", "occupation": occupation, "skill_level": "senior_technician"}
    )
    return person


def load_demo_studios(office_user) -> DemoStudiosResult:
    started = time.monotonic()
    result = DemoStudiosResult()
    if Studio.objects.exists():
        result.existed = True
        return result
    office = Actor(user=office_user)
    studios: dict[str, Studio] = {}
    for name, kind, leader_name, occupation, namings, topics in STUDIOS:
        org = _org(name)
        if org is None:
            result.warnings.append(_("创新工作室演示：找不到“%(name)s”，已跳过。") % {"name": name})
            continue
        leader = _leader(org, leader_name, occupation)
        label = {"model_worker": "劳模创新工作室", "craftsman": "工匠创新工作室", "worker": "职工创新工作室",
                 "technician": "技师工作站"}[kind]  # fmt: skip
        title = f"{leader.name}{label}" if kind == "model_worker" else f"{org.short_name or org.name}{label}"
        (level, day), *later = namings
        studio = services.studio_create(
            by=SYSTEM, org=org, name=title, kind=kind, level=level, named_on=day, leader=leader,
            location=f"{org.name}生产基地", topics=topics,
            named_by="云南省总工会" if level != "enterprise" else org.name,
        )  # fmt: skip
        for level, day in later:
            studio = services.studio_name(
                by=SYSTEM, studio=studio, version=studio.version, level=level, named_on=day,
                named_by="中华全国总工会" if level == "national" else "云南省总工会",
            )  # fmt: skip
        services.fund_add(by=SYSTEM, studio=studio, year=2021, amount="50000", source="省总工会补助")
        services.fund_add(by=SYSTEM, studio=studio, year=2021, amount="100000", source="企业配套")
        studios[name] = studio
    result.created["studios"] = len(studios)

    count = 0
    for name, kind, title, day, value in RESULTS:
        studio = studios.get(name)
        if studio is None:
            continue
        services.result_record(
            by=SYSTEM, studio=studio, kind=kind, title=title, achieved_on=day, value=value, credited=[studio.leader],
            reference=f"ZL{day:%Y}1{count:07d}.X" if kind == "patent" else "",
            description="在生产一线推广应用，降低了作业风险和成本。",
        )  # fmt: skip
        count += 1
    result.created["results"] = count

    members = [studios[n] for n in ALLIANCE_MEMBERS if n in studios]
    if len(members) >= 2:
        alliance = services.alliance_create(
            by=office, name=ALLIANCE, founded_on=dt.date(2021, 7, 1), lead=members[0], studios=members[1:],
            description="电力与有色金属行业创新工作室跨区域、跨行业联合攻关，共享实训资源。",
        )  # fmt: skip
        services.activity_add(
            by=office, alliance=alliance, held_on=dt.date(2021, 10, 15), title="联盟首次联合攻关推进会",
            description="确定节能降耗、带电作业两个联合攻关课题。",
        )  # fmt: skip
        result.created["alliances"] = 1

    reviews = 0
    for name, fate, scores in REVIEWS:
        studio = studios.get(name)
        if studio is None:
            continue
        review = services.review_start(by=SYSTEM, studio=studio, year=2021)
        review = services.review_save(
            by=SYSTEM, review=review, version=review.version,
            summary="全年围绕攻关方向开展课题攻关，带徒传技，成果在本单位推广应用。",
        )  # fmt: skip
        if fate != "draft":
            review = services.review_step(by=SYSTEM, review=review, version=review.version, step="submit")
        if fate == "rate":
            services.review_rate(by=office, review=review, version=review.version, scores=scores, comment="成效显著。")
        elif fate == "return":
            services.review_step(
                by=office, review=review, version=review.version, step="return",
                reason="请补充成果推广应用和创效金额的测算依据。",
            )  # fmt: skip
        reviews += 1
    result.created["reviews"] = reviews

    revoked = studios.get(REVOKED)
    if revoked is not None:
        revoked.refresh_from_db()
        services.studio_revoke(
            by=SYSTEM, studio=revoked, version=revoked.version, on=dt.date(2023, 6, 30), reason="领办人调离，工作室整合"
        )
    result.seconds = time.monotonic() - started
    return result
