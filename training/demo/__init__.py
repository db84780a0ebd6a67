"""The demo province's capacity building (能力建设): the classes the speech of 2021-07-30 plans for 2021.

What `load_demo_training(office_user)` adds (load_demo runs it with the sample reports, after the ledgers):

- 2021年全省产改专题学习班 (专题学习班, May, 昆明): the heads of the member departments', prefectures' and
  provincial unions' reform bodies; most enrolled, a few absent or on leave, the others completed;
- 2021年产改业务培训班 (业务培训, September, 曲靖): staff of the prefectures and of enterprises (the
  development zones and demonstration-site enterprises of the speech), attendance recorded day by day;
- 2021年产改信息员培训班 (信息员培训, November, 昆明): the demo's information officers (their accounts linked)
  and officers of other enterprises;
- 2021年赴浙江江苏产改工作考察学习 (外出考察学习, October): a small group of unions and prefectures;
- 云南电网2021年产改业务骨干培训, organised by 云南电网's union administrator for its own enterprises;
- a second 业务培训 open for enrolment now: it starts 30 days after the day the demo is loaded and enrolment
  closes in 14 days; a few unions have enrolled, 云南电网 has not (its administrator sees the to-do).

Every organisation's enrolment, attendance and completion are drawn from its code, so the 2021 coverage leaves
some prefectures and unions never trained (listed by name on 培训覆盖). Played through training.services as the
demo's people (the office administrator, 云南电网's union administrator), each step at its day in the story
(reporting.demo.story_clock), so the audit log and the classes' history read as they would have.

Idempotent: a class that exists (by title and organiser) is kept as it is, and nothing is added to it.
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

from core import deadlines
from core.actor import Actor
from core.errors import UserError
from orgs.choices import OrgKind
from orgs.models import Organisation
from orgs.scoping import within
from reporting.demo import story_clock
from training import services
from training.choices import ClassKind, ClassStatus, Mark
from training.models import Enrolment, TrainingClass

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
GIVEN = ("建国", "丽华", "志强", "海燕", "文斌", "晓梅", "国庆", "春花", "明亮", "秀英", "卫东", "红梅", "俊杰",
         "雪松", "云峰", "玉兰", "德华", "静怡", "天宇", "思远", "永平", "桂芳", "家豪", "婷婷")  # fmt: skip
POSITIONS = {
    OrgKind.DEPARTMENT: ("处长", "副处长"),
    OrgKind.PREFECTURE: ("产改办主任", "副主席", "产改办干事"),
    OrgKind.UNION: ("工会主席", "产改办主任", "工会办公室主任"),
    OrgKind.ENTERPRISE: ("工会主席", "人力资源部经理", "工会干事", "班组长"),
}


def _draw(*parts: str) -> int:
    return zlib.crc32("|".join(parts).encode())


def _person(org: Organisation, n: int) -> tuple[str, str, str]:
    """A name, position and phone for the n-th person an organisation sends (deterministic, invented)."""
    seed = _draw(org.code, str(n))
    name = SURNAMES[seed % len(SURNAMES)] + GIVEN[(seed // 7) % len(GIVEN)]
    positions = POSITIONS.get(org.kind, ("工会干事",))
    phone = f"13{seed % 10}{seed % 100_000_000:08d}" if seed % 3 else ""
    return name, positions[(seed // 11) % len(positions)], phone


@dataclass(frozen=True)
class ClassPlan:
    title: str
    kind: str
    organiser: str  # organisation code
    starts_on: dt.date
    ends_on: dt.date
    enrol_deadline: dt.date
    place: str
    audience_kinds: tuple[str, ...]
    audience_note: str
    capacity: int | None
    programme: str
    share: int  # percent of the audience organisations that enrol
    by: str = "office_admin"  # who organises and records


PLANS = (
    ClassPlan(
        "2021年全省产改专题学习班", ClassKind.SEMINAR, "OFFICE", dt.date(2021, 5, 18), dt.date(2021, 5, 20),
        dt.date(2021, 5, 10), "云南省总工会干部学校（昆明）", (OrgKind.DEPARTMENT, OrgKind.PREFECTURE, OrgKind.UNION),
        "领导小组成员单位、州市总工会和省级产业系统公司工会产改工作机构负责人", 80,
        "5月18日：学习习近平总书记关于产业工人队伍建设改革的重要指示精神\n5月19日：全省产改推进情况和重点任务\n"
        "5月20日：量化考核评价办法解读、分组讨论", 75,
    ),
    ClassPlan(
        "2021年产改业务培训班", ClassKind.BUSINESS, "OFFICE", dt.date(2021, 9, 7), dt.date(2021, 9, 9),
        dt.date(2021, 8, 31), "曲靖市", (OrgKind.PREFECTURE, OrgKind.ENTERPRISE),
        "州市、开发区和示范点企业产改工作人员", 120,
        "统计报表填报、改革台账、九个方面书面报告和示范点建设的业务实务。", 45,
    ),
    ClassPlan(
        "2021年赴浙江江苏产改工作考察学习", ClassKind.TRIP, "OFFICE", dt.date(2021, 10, 11), dt.date(2021, 10, 15),
        dt.date(2021, 9, 30), "浙江省杭州市、江苏省苏州市", (OrgKind.PREFECTURE, OrgKind.UNION),
        "州市总工会和省级产业系统公司工会分管负责人", 20,
        "考察浙江、江苏产业工人队伍建设改革试点企业和技能人才评价工作。", 25,
    ),
    ClassPlan(
        "2021年产改信息员培训班", ClassKind.OFFICER, "OFFICE", dt.date(2021, 11, 16), dt.date(2021, 11, 17),
        dt.date(2021, 11, 8), "昆明市", (OrgKind.UNION, OrgKind.ENTERPRISE), "各单位产改信息员", 60,
        "产改通平台操作、信息报送和改革台账更新。", 20,
    ),
    ClassPlan(
        "云南电网2021年产改业务骨干培训", ClassKind.BUSINESS, "U01", dt.date(2021, 6, 22), dt.date(2021, 6, 23),
        dt.date(2021, 6, 15), "云南电网公司昆明培训基地", (OrgKind.ENTERPRISE,), "所属供电局工会产改工作人员", 40,
        "云南电网产改实施方案解读和基层经验交流。", 100, by="union_admin",
    ),
)  # fmt: skip


@dataclass
class DemoTrainingResult:
    """What one load did: rows created by kind, what it found already there, and anything it could not do."""

    created: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)


def _at(clock, day: dt.date, hour: int = 9, minute: int = 0) -> None:
    clock.set(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=deadlines.BEIJING))


def _audience(plan_kinds, organiser: Organisation) -> list[Organisation]:
    rows = Organisation.objects.filter(kind__in=plan_kinds, closed_on__isnull=True)
    if organiser.kind not in (OrgKind.OFFICE, OrgKind.PROVINCE):
        rows = rows.filter(within("path", [organiser]))
    return list(rows.order_by("path"))


def _enrolling(plan: ClassPlan, audience: list[Organisation], extra_users: dict[str, object]) -> list:
    """(organisation, name, position, phone, user) of everyone this class takes, deterministic."""
    people = []
    for org in audience:
        if _draw(plan.title, org.code) % 100 >= plan.share and org.code not in extra_users:
            continue
        user = extra_users.get(org.code)
        name, position, phone = _person(org, _draw(plan.title) % 5)
        if user is not None:
            name, position = user.full_name or user.get_username(), _("信息员")
        people.append((org, name, position, phone, user))
        if plan.kind == ClassKind.SEMINAR and org.kind == OrgKind.UNION and _draw(plan.title, org.code, "2") % 4 == 0:
            name, position, phone = _person(org, 7)
            people.append((org, name, position, phone, None))
    if plan.capacity:
        people = people[: plan.capacity]
    return people


def _mark(plan: ClassPlan, org: Organisation, name: str, day: str = "") -> str:
    draw = _draw(plan.title, org.code, name, day) % 20
    return Mark.ABSENT if draw == 0 else Mark.LEAVE if draw == 1 else Mark.PRESENT


def _play(plan: ClassPlan, clock, cast: dict, result: DemoTrainingResult) -> None:
    organiser = Organisation.objects.get(code=plan.organiser)
    by = cast[plan.by]
    office = cast["office_admin"]
    _at(clock, plan.enrol_deadline - dt.timedelta(days=20))
    klass = services.class_create(
        by=by, organiser=organiser, kind=plan.kind, title=plan.title, starts_on=plan.starts_on, ends_on=plan.ends_on,
        enrol_deadline=plan.enrol_deadline, place=plan.place, audience_kinds=list(plan.audience_kinds),
        audience_note=plan.audience_note, capacity=plan.capacity, programme=plan.programme,
    )  # fmt: skip
    services.class_step(by=by, klass=klass, step="open")
    officers = {}
    if plan.kind == ClassKind.OFFICER:
        User = get_user_model()
        for user in User.objects.filter(username__startswith="info_officer").order_by("username"):
            membership = user.memberships.filter(is_active=True).select_related("org").first()
            if membership is not None:
                officers[membership.org.code] = user
    people = _enrolling(plan, _audience(plan.audience_kinds, organiser), officers)
    enrolments = []
    for index, (org, name, position, phone, user) in enumerate(people):
        _at(clock, plan.enrol_deadline - dt.timedelta(days=10 - index % 10), 10, index % 50)
        actor = cast["union_admin"] if org.code == "U01" or org.path.startswith(cast["U01_path"]) else office
        try:
            enrolments.append(
                services.enrolment_add(
                    by=actor, klass=klass, org=org, name=name, position=position, phone=phone, user=user
                )
            )
        except UserError as error:  # the same invented name twice in one organisation: skip the second
            result.warnings.append(f"{plan.title}：{error.message}")
    result.created["enrolments"] += len(enrolments)
    _at(clock, plan.starts_on, 8, 30)
    services.class_step(by=by, klass=klass, step="start")
    if plan.kind == ClassKind.BUSINESS:  # day by day
        for day in klass.days:
            _at(clock, day, 17)
            marks = {e.pk: _mark(plan, e.org, e.name, f"{day}") for e in enrolments}
            services.attendance_record(by=by, klass=klass, day=day, marks=marks)
    _at(clock, plan.ends_on, 17, 30)
    marks = {e.pk: _mark(plan, e.org, e.name) for e in enrolments}
    services.attendance_record(by=by, klass=klass, marks=marks)
    services.class_step(by=by, klass=klass, step="finish")
    services.completion_record(
        by=by, klass=klass, completed={e.pk: marks[e.pk] == Mark.PRESENT for e in enrolments}, on=plan.ends_on
    )
    result.created["classes"] += 1
    result.created["completed"] += sum(1 for m in marks.values() if m == Mark.PRESENT)


OPEN_TITLE = "产改业务培训班（第二期）"


def _open_class(cast: dict, result: DemoTrainingResult) -> None:
    """The class open for enrolment now: starts in 30 days, enrolment closes in 14; a few unions enrolled."""
    today = deadlines.today()
    office = cast["office_admin"]
    klass = services.class_create(
        by=office, organiser=Organisation.objects.get(code="OFFICE"), kind=ClassKind.BUSINESS, title=OPEN_TITLE,
        starts_on=today + dt.timedelta(days=30), ends_on=today + dt.timedelta(days=32),
        enrol_deadline=today + dt.timedelta(days=14), place="昆明市",
        audience_kinds=[OrgKind.PREFECTURE, OrgKind.UNION],
        audience_note="州市总工会和省级产业系统公司工会产改工作人员", capacity=60,
        programme="量化考核评价、示范点建设和产改通平台的业务实务。",
    )  # fmt: skip
    services.class_step(by=office, klass=klass, step="open")
    for org in Organisation.objects.filter(code__in=("U02", "U03", "U05", "530300")).order_by("path"):
        name, position, phone = _person(org, 3)
        services.enrolment_add(by=office, klass=klass, org=org, name=name, position=position, phone=phone)
        result.created["enrolments"] += 1
    result.created["classes"] += 1


def load_demo_training(office_user) -> DemoTrainingResult:
    """Add the demo's classes that are missing; see the module docstring."""
    result = DemoTrainingResult()
    User = get_user_model()
    union_admin = User.objects.filter(username="union_admin").first()
    u01 = Organisation.objects.filter(code="U01").first()
    if u01 is None or union_admin is None:
        result.warnings.append(_("演示省份缺少云南电网或其工会管理员账号，未生成培训示例。"))
        return result
    cast = {"office_admin": Actor(user=office_user), "union_admin": Actor(user=union_admin), "U01_path": u01.path}
    existing = set(TrainingClass.objects.values_list("title", "organiser__code"))
    for plan in PLANS:
        if (plan.title, plan.organiser) in existing:
            result.kept["classes"] += 1
            continue
        try:
            with transaction.atomic(), story_clock() as clock:
                _play(plan, clock, cast, result)
        except (UserError, PermissionDenied) as error:
            result.warnings.append(f"{plan.title}：{getattr(error, 'message', error)}")
    if (OPEN_TITLE, "OFFICE") in existing:
        result.kept["classes"] += 1
    else:
        try:
            with transaction.atomic():
                _open_class(cast, result)
        except (UserError, PermissionDenied) as error:
            result.warnings.append(f"{OPEN_TITLE}：{getattr(error, 'message', error)}")
    return result


def summary_lines(result: DemoTrainingResult) -> list[str]:
    """What `load_demo` prints about capacity building."""
    total = Enrolment.objects.filter(klass__year=2021, completed=True).count()
    open_now = TrainingClass.objects.filter(status=ClassStatus.OPEN).count()
    return [
        _("  能力建设：新建培训班 %(new)d 期，已存在 %(old)d 期；新建报名 %(enrolments)d 人次；"
          "2021年结业共 %(done)d 人次；正在报名 %(open)d 期")
        % {"new": result.created["classes"], "old": result.kept["classes"], "enrolments": result.created["enrolments"],
           "done": total, "open": open_now},
    ]  # fmt: skip
