"""The demo province's labour and skill competitions.

What `load_demo_competitions(office_user)` adds (load_demo runs it with the sample reports):

- 2021年全省电力行业职业技能竞赛 (技能竞赛, 省级, organised by 云南电网's union, September 2021): four trades,
  one contestant per trade from each of 云南电网's enterprises (昆明、曲靖、大理、红河供电局); scores, ranks and
  awards recorded, results published and locked; the first and second of each trade brought a skill level, the
  title 云南省技术能手, an honour in the talent pool and a pay rise. Contestants of 昆明 and 曲靖 are people of the
  talent pool (found by name and organisation, created when missing, so this coexists with the pool's own demo);
  the others were added to the pool from their entries when their results brought them a level or an honour.
- 2021年云南电网“建功十四五”劳动竞赛 (劳动竞赛, 产业系统级, under way until two months after the day of loading):
  entries from the same enterprises, no results yet.

Played through competitions.services as 云南电网's union administrator, each step at its day in the story
(reporting.demo.story_clock). Idempotent: an event that exists (by name and organiser) is kept as it is.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from competitions.choices import CompetitionStatus, OutcomeKind
from competitions.models import Competition, CompetitionEntry
from competitions.services import competitions as svc
from competitions.services import entries as entry_svc
from competitions.services import outcomes
from core import deadlines
from core.actor import Actor
from core.errors import UserError
from orgs.choices import OrgKind
from orgs.models import Organisation
from orgs.scoping import within
from reporting.demo import story_clock
from talent.choices import SkillLevel
from talent.models import Person

SKILL_NAME = "2021年全省电力行业职业技能竞赛"
LABOUR_NAME = "2021年云南电网“建功十四五”劳动竞赛"
SKILL_TRADES = ("变电检修工", "配电线路工", "继电保护员", "电力电缆工")
LABOUR_TRADES = ("输变电工程建设", "配网抢修")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡丁魏"
GIVEN = ("建军", "晓东", "志刚", "海波", "文涛", "丽娟", "国华", "春林", "明辉", "秀兰", "卫平", "红英", "俊峰",
         "雪峰", "云龙", "玉梅", "德明", "静雯", "天明", "思琪")  # fmt: skip
AWARDS = {1: "first", 2: "second", 3: "third", 4: "merit"}
IN_POOL = 2  # the first two enterprises' contestants are people of the talent pool


@dataclass
class DemoCompetitionsResult:
    created: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)


def _draw(*parts: str) -> int:
    return zlib.crc32("|".join(parts).encode())


def _name(org: Organisation, trade: str) -> str:
    seed = _draw(org.code, trade)
    return SURNAMES[seed % len(SURNAMES)] + GIVEN[(seed // 7) % len(GIVEN)]


def _at(clock, day: dt.date, hour: int = 9) -> None:
    clock.set(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=deadlines.BEIJING))


def _pool_person(org: Organisation, name: str, trade: str) -> Person:
    person, _created = Person.objects.get_or_create(
        org=org, name=name,
        defaults={"gender": "male" if _draw(name) % 3 else "female", "occupation": trade,
                  "skill_level": (SkillLevel.SENIOR, SkillLevel.INTERMEDIATE)[_draw(name, trade) % 2]},
    )  # fmt: skip
    return person


def _skill(by: Actor, enterprises: list[Organisation], organiser: Organisation, clock, result, today) -> None:
    _at(clock, dt.date(2021, 8, 2))
    competition = svc.competition_create(
        by=by, kind="skill", level="provincial", name=SKILL_NAME, organiser=organiser, trades=list(SKILL_TRADES),
        starts_on=dt.date(2021, 9, 6), ends_on=dt.date(2021, 9, 10),
        notes="省总工会、省人力资源社会保障厅指导，云南电网有限责任公司工会承办。决赛在昆明培训基地举行。",
    )  # fmt: skip
    trades = {t.name: t for t in competition.trades.all()}
    _at(clock, dt.date(2021, 8, 20))
    for index, org in enumerate(enterprises):
        for trade in SKILL_TRADES:
            name = _name(org, trade)
            person = _pool_person(org, name, trade) if index < IN_POOL else None
            entry_svc.entry_create(by=by, competition=competition, trade=trades[trade], org=org, person=person,
                                   name=name)  # fmt: skip
            result.created["entries"] += 1
    _at(clock, dt.date(2021, 9, 6))
    competition = svc.competition_step(by=by, competition=competition, version=competition.version, status="under_way")
    _at(clock, dt.date(2021, 9, 10), 17)
    for trade in SKILL_TRADES:
        rows = list(CompetitionEntry.objects.filter(trade=trades[trade]).order_by("pk"))
        scores = sorted(((80 + _draw(e.name, trade) % 200 / 10, e) for e in rows), key=lambda s: -s[0])
        for rank, (score, entry) in enumerate(scores, 1):
            entry_svc.result_record(by=by, entry=entry, version=entry.version, score=f"{score:.1f}", rank=rank,
                                    award=AWARDS.get(rank, ""))  # fmt: skip
    competition.refresh_from_db()
    competition = svc.competition_step(by=by, competition=competition, version=competition.version, status="finished")
    _at(clock, dt.date(2021, 9, 20))
    competition = svc.results_publish(by=by, competition=competition, version=competition.version)
    _at(clock, dt.date(2021, 9, 28))
    for entry in CompetitionEntry.objects.filter(competition=competition, rank__lte=2).select_related(
        "person", "trade"
    ):
        if entry.person_id is None:
            outcomes.entry_add_to_pool(by=by, entry=entry, version=entry.version, gender="male")
            entry.refresh_from_db()
        person = entry.person
        target = SkillLevel.TECHNICIAN if entry.rank == 1 else SkillLevel.SENIOR
        if list(SkillLevel.values).index(target) > list(SkillLevel.values).index(person.skill_level):
            outcomes.outcome_record(by=by, entry=entry, kind=OutcomeKind.SKILL_LEVEL, skill_level=target,
                                    effective_on=dt.date(2021, 10, 1))  # fmt: skip
        outcomes.outcome_record(by=by, entry=entry, kind=OutcomeKind.HONOUR, effective_on=dt.date(2021, 9, 20))
        if entry.rank == 1:
            outcomes.outcome_record(by=by, entry=entry, kind=OutcomeKind.TITLE, title="云南省技术能手",
                                    effective_on=dt.date(2021, 9, 20))  # fmt: skip
            outcomes.outcome_record(by=by, entry=entry, kind=OutcomeKind.PAY_RISE, pay_amount="300",
                                    effective_on=dt.date(2021, 10, 1))  # fmt: skip
        else:
            outcomes.outcome_record(by=by, entry=entry, kind=OutcomeKind.PAY_RISE, pay_percent="5",
                                    effective_on=dt.date(2021, 10, 1))  # fmt: skip
        result.created["outcomes"] += 1
    result.created["competitions"] += 1


def _labour(by: Actor, enterprises: list[Organisation], organiser: Organisation, clock, result, today) -> None:
    _at(clock, dt.date(2021, 3, 15))
    competition = svc.competition_create(
        by=by, kind="labour", level="industry", name=LABOUR_NAME, organiser=organiser, trades=list(LABOUR_TRADES),
        starts_on=dt.date(2021, 4, 1), ends_on=max(today + dt.timedelta(days=60), dt.date(2021, 12, 31)),
        notes="围绕电网建设重点工程和迎峰度夏保供电，开展班组劳动竞赛。",
    )  # fmt: skip
    trades = list(competition.trades.all())
    for org in enterprises:
        for trade in trades:
            entry_svc.entry_create(by=by, competition=competition, trade=trade, org=org,
                                   name=_name(org, trade.name))  # fmt: skip
            result.created["entries"] += 1
    _at(clock, dt.date(2021, 4, 1))
    svc.competition_step(by=by, competition=competition, version=competition.version, status="under_way")
    result.created["competitions"] += 1


def load_demo_competitions(office_user) -> DemoCompetitionsResult:
    """Add the demo's competitions that are missing; see the module docstring."""
    result = DemoCompetitionsResult()
    union_admin = get_user_model().objects.filter(username="union_admin").first()
    organiser = Organisation.objects.filter(code="U01").first()
    if organiser is None or union_admin is None:
        result.warnings.append(_("演示省份缺少云南电网或其工会管理员账号，未生成竞赛示例。"))
        return result
    enterprises = list(
        Organisation.objects.filter(within("path", [organiser]), kind=OrgKind.ENTERPRISE).order_by("code")[:4]
    )
    by = Actor(user=union_admin)
    today = deadlines.today()  # the day of loading, read before the story clock turns back
    existing = set(Competition.objects.filter(organiser=organiser).values_list("name", flat=True))
    for name, play in ((SKILL_NAME, _skill), (LABOUR_NAME, _labour)):
        if name in existing:
            result.kept["competitions"] += 1
            continue
        try:
            with transaction.atomic(), story_clock() as clock:
                play(by, enterprises, organiser, clock, result, today)
        except (UserError, PermissionDenied) as error:
            result.warnings.append(f"{name}：{getattr(error, 'message', error)}")
    return result


def summary_lines(result: DemoCompetitionsResult) -> list[str]:
    """What `load_demo` prints about the competitions."""
    published = Competition.objects.filter(status=CompetitionStatus.PUBLISHED).count()
    return [
        _("  劳动和技能竞赛：新建竞赛 %(new)d 项，已存在 %(old)d 项；新建报名 %(entries)d 人次、获奖成果 %(out)d 人；"
          "已公布结果 %(published)d 项")
        % {"new": result.created["competitions"], "old": result.kept["competitions"],
           "entries": result.created["entries"], "out": result.created["outcomes"], "published": published},
        *(f"  ！{w}" for w in result.warnings),
    ]  # fmt: skip
