"""The demo province's demonstration sites, played through the services as the demo accounts.

- 第一批省级产改示范点 (2021): eight enterprises of seven group unions and as many prefectures, nominated by their
  unions, selected by `office_reviewer`, announced by `office_admin` on 2021-06-18;
- three guidance groups whose members include `guidance`, `office_reviewer` and `dept_viewer`; `guidance` (of
  昆明供电局) is on 第一指导组, assigned to 曲靖供电局, 云铜股份 and 建投一建 — never his own bureau;
- visits in 2021 with findings, recommendations and a generated photo; follow-up tasks, some closed on time,
  some closed late, some still open past their deadline; the groups' 2021 ratings;
- 第二批省级产改示范点, being chosen: its window open from the day of loading for a month, with nominations
  submitted, one returned with a reason and one draft.

Idempotent: a second load finds the first batch and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from core import deadlines
from core.actor import Actor
from orgs.choices import OrgKind, Role
from orgs.models import Membership, Organisation
from sites import services
from sites.choices import RUBRIC
from sites.models import Batch

FIRST = "第一批省级产改示范点"
SECOND = "第二批省级产改示范点"
ANNOUNCED_ON = dt.date(2021, 6, 18)

# (enterprise, its union's short name, goals) of the first batch.
FIRST_SITES = (
    ("曲靖供电局", ("skills", "contribution")),
    ("云南铜业股份有限公司", ("contribution", "status")),
    ("云南建投第一建设有限公司", ("growth", "skills")),
    ("云南云天化红磷化工有限公司", ("skills", "mechanism")),
    ("云南天然橡胶产业集团有限公司", ("thought", "growth")),
    ("云南农垦德宏糖业有限公司", ("status", "growth")),
    ("大理车务段", ("contribution", "thought")),
    ("云南交投集团昭通管理处", ("skills", "status")),
)
REJECTED_FIRST = "玉溪矿业有限公司"

GROUPS = (
    ("第一指导组", "office_reviewer", ("guidance", "office_reviewer"),
     ("曲靖供电局", "云南铜业股份有限公司", "云南建投第一建设有限公司")),
    ("第二指导组", "dept_viewer", ("dept_viewer", "office_admin"),
     ("云南云天化红磷化工有限公司", "云南天然橡胶产业集团有限公司", "云南农垦德宏糖业有限公司")),
    ("第三指导组", "office_admin", ("office_admin", "office_reviewer", "dept_viewer"),
     ("大理车务段", "云南交投集团昭通管理处")),
)  # fmt: skip

# The second batch: (enterprise, fate) — submitted, returned with a reason, or a draft.
SECOND_NOMINATIONS = (
    ("昆明供电局", "submit"),
    ("云南驰宏锌锗股份有限公司", "submit"),
    ("云南磷化集团有限公司", "submit"),
    ("昆明机务段", "return"),
    ("云南建投第二建设有限公司", "submit"),
    ("云南农垦咖啡有限公司", "draft"),
)

FINDINGS = (
    "技能人才评价体系已建立，但一线班组长参与职业技能等级认定的比例偏低；创新工作室成果转化记录不完整。",
    "职代会制度健全，但一线职工代表比例不足一半；劳务派遣人员尚未纳入技能培训计划。",
    "师带徒协议签订规范，但带徒津贴发放标准各车间不一致；新就业形态劳动者入会工作刚起步。",
)
RECOMMENDATIONS = (
    "将技能等级与薪酬挂钩的办法在全公司推开，年底前完成一线班组长认定全覆盖。",
    "修订职代会代表选举办法，提高一线职工代表比例；把派遣人员纳入年度培训计划。",
    "统一带徒津贴标准，建立导师考核档案；联合属地工会开展集中入会活动。",
)


@dataclass
class DemoSitesResult:
    """What one load did."""

    created: dict = field(default_factory=dict)
    existed: bool = False
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


def summary_lines(result: DemoSitesResult) -> list[str]:
    if result.existed:
        return [_("  示范点：已存在，未改动")]
    c = result.created
    return [
        _("  示范点：%(batches)d 个批次，%(sites)d 个示范点，%(groups)d 个指导组，走访 %(visits)d 次，"
          "跟进事项 %(followups)d 项，评价 %(ratings)d 份，第二批推荐 %(nominations)d 份")
        % {k: c.get(k, 0) for k in ("batches", "sites", "groups", "visits", "followups", "ratings", "nominations")}
    ]  # fmt: skip


def _photo(label: int) -> SimpleUploadedFile:
    """A generated photo of the visit (a small JPEG drawn here: the demo carries no real pictures)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (40 + 30 * label, 110, 160))
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 300, 560, 440), fill=(230, 230, 220))
    draw.ellipse((420, 60, 540, 180), fill=(250, 210, 80))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return SimpleUploadedFile(f"走访现场{label}.jpg", out.getvalue(), content_type="image/jpeg")


def _org(name: str) -> Organisation | None:
    return Organisation.objects.filter(name=name, kind=OrgKind.ENTERPRISE, closed_on__isnull=True).first()


def _union_admin(org: Organisation):
    """An active administrator of the union above `org`, as an actor."""
    steplen = Organisation.steplen
    above = [org.path[:n] for n in range(steplen, len(org.path), steplen)]
    membership = (
        Membership.objects.filter(org__path__in=above, role=Role.UNION_ADMIN, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("-org__depth", "id")
        .first()
    )
    return Actor(user=membership.user) if membership else None


def _application(org: Organisation, goals) -> dict:
    return {
        "goals": list(goals),
        "goals_text": f"{org.name}在产业工人技能提升、职业发展通道和民主管理方面形成了可复制的做法。",
        "achievements": "建立技能等级与岗位薪酬挂钩办法；成立劳模创新工作室 3 个；开展岗位练兵和技能竞赛，"
        "一线职工持证率较改革前提高 12 个百分点。",
        "plans": "推动企业自主评价扩面，完善首席技师制度，带动供应链合作单位开展产改。",
        "contact_name": "李明",
        "contact_position": "工会办公室主任",
        "contact_phone": "13987" + f"{org.pk % 1000000:06d}",
    }


def load_demo_sites(office_user) -> DemoSitesResult:
    """Load the demonstration sites (idempotent); see the module docstring."""
    started = time.monotonic()
    result = DemoSitesResult()
    if Batch.objects.filter(name=FIRST).exists():
        result.existed = True
        return result
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[
        "office_admin", "office_reviewer", "guidance", "dept_viewer"])}  # fmt: skip
    office = Actor(user=office_user)
    reviewer = Actor(user=users.get("office_reviewer", office_user))
    today = deadlines.today()
    created = result.created

    # The first batch: nominated while its window was open, then closed, selected and announced.
    first = services.batch_create(
        by=office, level="provincial", year=2021, name=FIRST, quota=8, opens_on=dt.date(2021, 3, 1),
        closes_on=max(today, dt.date(2021, 4, 30)),
        notes="按照省产改协调领导小组部署，在省级产业系统公司中遴选首批示范点。",
    )  # fmt: skip
    nominations = []
    for name, goals in (*FIRST_SITES, (REJECTED_FIRST, ("skills",))):
        org = _org(name)
        union = _union_admin(org) if org else None
        if org is None or union is None:
            result.warnings.append(_("示范点演示：找不到“%(name)s”或其工会管理员，已跳过。") % {"name": name})
            continue
        nomination = services.nomination_create(by=union, batch=first, org=org, **_application(org, goals))
        nomination = services.nomination_step(
            by=union, nomination=nomination, step="submit", version=nomination.version
        )
        nominations.append(nomination)
    for nomination in nominations:
        if nomination.org.name == REJECTED_FIRST:
            services.nomination_step(
                by=reviewer, nomination=nomination, step="reject", version=nomination.version,
                reason="名额有限，其技能人才评价工作尚在起步阶段，建议积累经验后参加下一批推荐。",
            )  # fmt: skip
        else:
            services.nomination_step(by=reviewer, nomination=nomination, step="select", version=nomination.version)
    first.refresh_from_db()
    first = services.batch_update(
        by=office, batch=first, version=first.version, status="selecting", closes_on=dt.date(2021, 4, 30)
    )
    sites = services.batch_announce(by=office, batch=first, version=first.version, announced_on=ANNOUNCED_ON)
    created.update(batches=1, sites=len(sites))
    by_name = {s.org.name: s for s in sites}

    # Guidance groups, assigned to the sites.
    groups = []
    for name, leader, members, site_names in GROUPS:
        people = [users[m] for m in members if m in users]
        if leader not in users:
            continue
        group = services.group_create(by=office, name=name, leader=users[leader], members=people)
        groups.append(group)
        for site_name in site_names:
            site = by_name.get(site_name)
            if site is not None:
                services.site_assign(by=office, site=site, group=group, version=site.version, on=dt.date(2021, 7, 1))
    created["groups"] = len(groups)

    # Visits, follow-ups and ratings in 2021.
    visits = followups = ratings = 0
    for index, site in enumerate(sorted(by_name.values(), key=lambda s: s.org.path)):
        site.refresh_from_db()
        if site.group is None:
            continue
        members = list(site.group.members.order_by("pk"))
        recorder = Actor(user=users["guidance"]) if users.get("guidance") in members else Actor(user=members[0])
        visit = services.visit_record(
            by=recorder, site=site, visited_on=dt.date(2021, 9, 8 + index), findings=FINDINGS[index % 3],
            recommendations=RECOMMENDATIONS[index % 3], members=members, others="属地州市总工会产改办干部",
            photos=[_photo(index)],
        )  # fmt: skip
        visits += 1
        closed = services.followup_create(
            by=recorder, visit=visit, title="制定一线职工技能等级认定全覆盖计划", owner="site",
            deadline=dt.date(2021, 11, 30),
        )  # fmt: skip
        owner = _union_admin(site.org) if index % 2 else None
        closer = owner or Actor(user=office_user)
        services.followup_close(
            by=closer, followup=closed, version=closed.version, note="计划已印发，覆盖全部一线班组。",
            done_on=dt.date(2021, 11, 20) + dt.timedelta(days=(index % 3) * 10),
        )  # fmt: skip
        services.followup_create(
            by=recorder, visit=visit, title="把劳务派遣人员纳入年度培训计划并报送落实情况",
            owner="union" if index % 2 else "site", deadline=dt.date(2022, 3, 31),
        )  # fmt: skip
        followups += 2
        if index % 3 == 0:  # one more still open, due later in the year of loading
            services.followup_create(
                by=recorder, visit=visit, title="报送创新工作室成果转化台账", owner="site",
                deadline=max(dt.date(2022, 6, 30), today + dt.timedelta(days=30)),
            )  # fmt: skip
            followups += 1
        scores = {c.key: c.max_points - (index % 4) - (1 if c.max_points > 10 else 0) for c in RUBRIC}
        services.rating_save(
            by=recorder, site=site, year=2021, scores=scores,
            comment="改革举措扎实，示范带动作用初步显现；一线职工参与民主管理仍需加强。",
        )  # fmt: skip
        ratings += 1
    for site in by_name.values():
        if site.org.name == "云南铜业股份有限公司":
            site.refresh_from_db()
            services.site_summary(
                by=Actor(user=users["guidance"]), site=site, version=site.version,
                summary="2021 年走访一次，技能等级认定和职代会两项整改已启动，派遣人员培训尚待落实。",
            )  # fmt: skip
    created.update(visits=visits, followups=followups, ratings=ratings)

    # The second batch, being chosen: open from the day of loading for a month.
    second = services.batch_create(
        by=office, level="provincial", year=2021, name=SECOND, quota=10, opens_on=dt.date(2021, 7, 1),
        closes_on=today + dt.timedelta(days=30), notes="第二批示范点正在遴选，请各产业系统公司工会推荐。",
    )  # fmt: skip
    count = 0
    for name, fate in SECOND_NOMINATIONS:
        org = _org(name)
        union = _union_admin(org) if org else None
        if org is None or union is None:
            continue
        nomination = services.nomination_create(by=union, batch=second, org=org, **_application(org, ("skills",)))
        count += 1
        if fate == "draft":
            continue
        nomination = services.nomination_step(
            by=union, nomination=nomination, step="submit", version=nomination.version
        )
        if fate == "return":
            services.nomination_step(
                by=reviewer, nomination=nomination, step="return", version=nomination.version,
                reason="请补充近两年技能竞赛和创新工作室的具体成效数据，并附职代会决议。",
            )  # fmt: skip
    created["nominations"] = count
    created["batches"] = 2
    result.seconds = time.monotonic() - started
    return result
