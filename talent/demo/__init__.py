"""The demo province's talent pool, played through the services.

- about forty fictional people (names from reporting/demo/cast.py) in the demo enterprises: occupations, skill
  levels on the eight-level ladder, education, some migrant workers, some managers (not industrial workers),
  some speakers; valid-format fake ID numbers (core.idnumber.fake_id_number) and phones for most of them;
- their honours: 全国劳动模范, 云南省劳动模范, 全国/云南省五一劳动奖章, 云岭大工匠 and 州市、企业工匠, 技能大师,
  首席技师, 技能竞赛获奖 from 2015 to last year;
- one person removed from the pool (retired);
- 云南省五一劳动奖章评选 of the year of loading, taking nominations now: unions' nominations submitted,
  one shortlisted, one returned with a reason, one draft.

Idempotent: a second load finds the people and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core import deadlines
from core.actor import Actor
from core.idnumber import fake_id_number
from orgs.choices import OrgKind, Role
from orgs.models import Membership, Organisation
from reporting.demo.cast import GIVEN, SURNAMES
from talent import services
from talent.choices import Education, HonourKind, HonourLevel, SkillLevel
from talent.models import Person, SelectionRound
from talent.services import rounds

SYSTEM = Actor.system("demo")
PEOPLE = 40
ROUND_TITLE = "云南省五一劳动奖章"

OCCUPATIONS = (
    "变电检修工", "输电线路工", "电力调度员", "火法冶炼工", "电解精炼工", "矿井维修电工", "化工总控工", "仪表维修工",
    "焊工", "钢筋工", "架子工", "混凝土工", "机车司机", "铁路线路工", "制糖工", "橡胶割胶工", "数控车工", "汽车维修工",
)  # fmt: skip

# (kind, level, title, awarding body)
HONOURS = (
    (HonourKind.MODEL_WORKER, HonourLevel.NATIONAL, "全国劳动模范", "国务院"),
    (HonourKind.MODEL_WORKER, HonourLevel.PROVINCIAL, "云南省劳动模范", "云南省人民政府"),
    (HonourKind.MAY_DAY_MEDAL, HonourLevel.NATIONAL, "全国五一劳动奖章", "中华全国总工会"),
    (HonourKind.MAY_DAY_MEDAL, HonourLevel.PROVINCIAL, "云南省五一劳动奖章", "云南省总工会"),
    (HonourKind.CRAFTSMAN, HonourLevel.PROVINCIAL, "云岭大工匠", "云南省人力资源和社会保障厅"),
    (HonourKind.CRAFTSMAN, HonourLevel.PROVINCIAL, "云岭工匠", "云南省总工会"),
    (HonourKind.CRAFTSMAN, HonourLevel.PREFECTURE, "州市工匠", "州市总工会"),
    (HonourKind.CRAFTSMAN, HonourLevel.ENTERPRISE, "企业工匠", "本企业"),
    (HonourKind.SKILL_MASTER, HonourLevel.PROVINCIAL, "云南省技能大师", "云南省人力资源和社会保障厅"),
    (HonourKind.CHIEF_TECHNICIAN, HonourLevel.ENTERPRISE, "企业首席技师", "本企业"),
    (HonourKind.COMPETITION_WINNER, HonourLevel.PROVINCIAL, "全省职工职业技能大赛一等奖", "云南省总工会"),
    (HonourKind.YOUNG_BACKBONE, HonourLevel.ENTERPRISE, "青年技术骨干", "本企业"),
)  # fmt: skip


@dataclass
class DemoTalentResult:
    created: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


def summary_lines(result: DemoTalentResult) -> list[str]:
    """What `load_demo` prints about the talent pool."""
    return [
        _("  人才库：新建人员 %(people)d 人（已存在 %(kept)d 人），荣誉 %(honours)d 项；评选推荐 %(nominations)d 份")
        % {
            "people": result.created.get("people", 0),
            "kept": result.kept.get("people", 0),
            "honours": result.created.get("honours", 0),
            "nominations": result.created.get("nominations", 0),
        }
    ]


def _union_admin(org: Organisation):
    steplen = Organisation.steplen
    above = [org.path[:n] for n in range(steplen, len(org.path), steplen)]
    membership = (
        Membership.objects.filter(org__path__in=above, role=Role.UNION_ADMIN, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("-org__depth", "id")
        .first()
    )
    return Actor(user=membership.user) if membership else None


def _region(org: Organisation) -> str:
    code = str(getattr(org, "region_id", "") or "")
    return code if len(code) == 6 and code.isdigit() else "530102"


def load_demo_talent(office_user) -> DemoTalentResult:
    started = time.monotonic()
    result = DemoTalentResult()
    existing = Person.objects.count()
    if existing:
        result.kept["people"] = existing
        result.seconds = time.monotonic() - started
        return result
    enterprises = list(
        Organisation.objects.filter(kind=OrgKind.ENTERPRISE, closed_on__isnull=True).order_by("path")[:16]
    )
    if not enterprises:
        result.warnings.append(_("人才库演示：没有企业，已跳过。"))
        return result
    r = random.Random(16)  # noqa: S311 - reproducible demo data, not a secret
    today = deadlines.today()
    people: list[Person] = []
    used: set[str] = set()
    skills = [s for s in SkillLevel.values if s != SkillLevel.NONE]
    honours = 0
    for index in range(PEOPLE):
        org = enterprises[index % len(enterprises)]
        name = r.choice(SURNAMES) + r.choice(GIVEN)
        while name in used:
            name = r.choice(SURNAMES) + r.choice(GIVEN)
        used.add(name)
        born = dt.date(r.randint(1966, 1998), r.randint(1, 12), r.randint(1, 28))
        manager = index % 9 == 4
        person = services.person_create(
            by=SYSTEM, org=org, name=name, gender="female" if index % 3 == 1 else "male", birth_year=born.year,
            occupation="车间主任" if manager else r.choice(OCCUPATIONS),
            skill_level=skills[min(len(skills) - 1, 3 + index % 6)] if not manager else SkillLevel.NONE,
            education=r.choice(Education.values), is_industrial_worker=not manager,
            is_migrant_worker=index % 7 == 3, is_speaker=index % 5 == 0,
            id_number=fake_id_number(_region(org), born, 100 + index) if index % 6 != 5 else "",
            phone=f"139{r.randint(10000000, 99999999)}" if index % 4 != 3 else "",
            notes="扎根一线二十年，带徒传技，牵头完成多项技术革新，创效显著。" if index % 2 == 0 else "",
        )  # fmt: skip
        people.append(person)
        for kind, level, title, body in r.sample(HONOURS, k=1 + index % 3):
            year = r.randint(2015, today.year - 1)
            services.honour_add(
                by=SYSTEM, person=person, kind=kind, level=level, title=title, awarded_by=body,
                awarded_on=dt.date(year, 4 if kind in (HonourKind.MODEL_WORKER, HonourKind.MAY_DAY_MEDAL) else 9, 28),
            )  # fmt: skip
            honours += 1
    retired = people[-1]
    services.person_remove(
        by=SYSTEM, person=retired, version=retired.version, on=today - dt.timedelta(days=90), reason="退休"
    )
    result.created.update(people=len(people), honours=honours)

    # This year's round, taking nominations now.
    office = Actor(user=office_user)
    rnd = SelectionRound.objects.filter(title=ROUND_TITLE, year=today.year).first() or rounds.round_create(
        by=office, kind=HonourKind.MAY_DAY_MEDAL, level=HonourLevel.PROVINCIAL, title=ROUND_TITLE, year=today.year,
        quota=5, opens_on=today - dt.timedelta(days=10), closes_on=today + dt.timedelta(days=20),
        awarded_by="云南省总工会", notes="各产业系统公司工会按名额推荐一线职工，优先推荐技术工人和农民工。",
    )  # fmt: skip
    nominations = 0
    for index, person in enumerate(p for p in people[:-1] if p.is_industrial_worker and not p.honours.filter(
        kind=HonourKind.MAY_DAY_MEDAL).exists()):  # fmt: skip
        if nominations >= 6:
            break
        union = _union_admin(person.org)
        if union is None:
            continue
        nomination = rounds.nominate(
            by=union, rnd=rnd, person=person, submit=index % 6 != 5,
            reason="长期扎根生产一线，技术精湛，带徒成效突出，在技能竞赛和技术革新中成绩显著。",
        )  # fmt: skip
        nominations += 1
        if index == 0:
            rounds.nomination_step(by=office, nomination=nomination, step="shortlist")
        elif index == 2:
            rounds.nomination_step(
                by=office, nomination=nomination, step="return", reason="请补充近三年主要技术成果和获奖证明材料。"
            )
    if nominations == 0:
        result.warnings.append(_("人才库演示：找不到工会管理员，评选推荐已跳过。"))
    result.created["nominations"] = nominations
    result.seconds = time.monotonic() - started
    return result
