"""The demo province's 五小 activities and rationalization suggestions.

What `load_demo_suggestions(office_user)` adds (load_demo runs it with the sample reports):

- 云南电网2021年“金点子”合理化建议征集活动, run by 云南电网's union (March to November 2021, 合理化建议);
- 2021年全省职工“五小”创新活动, run by the reform office for the whole province (April to December 2021, the five
  五小 kinds);
- 40 suggestions over the first enterprises of the demo (云南电网's first, so its union administrator and the
  reporter of 昆明供电局 have something in every state): waiting for review, reviewed, adopted, rejected with
  reasons, implemented, benefit assessed (value created in 元) and rewarded. Each is entered and moved through
  suggestions.services, step by step at its day in 2021 (reporting.demo.story_clock), by 云南电网's union
  administrator inside its subtree and by the system elsewhere, so the history reads as it would have.
  Proposers are invented names; one is linked to a talent-pool person of the enterprise when the pool has one.

Idempotent: a suggestion that exists (by title and organisation) is kept as it is; campaigns by name.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from core import deadlines
from core.actor import Actor
from core.errors import UserError
from orgs.choices import OrgKind, Role
from orgs.models import Organisation
from reporting.demo import story_clock
from suggestions import services
from suggestions.choices import SuggestionKind as K
from suggestions.choices import SuggestionStatus as S
from suggestions.models import Campaign, Suggestion

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
GIVEN = ("建国", "丽华", "志强", "海燕", "文斌", "晓梅", "国庆", "春花", "明亮", "秀英", "卫东", "红梅", "俊杰",
         "雪松", "云峰", "玉兰", "德华", "静怡", "天宇", "思远", "永平", "桂芳", "家豪", "婷婷")  # fmt: skip
OCCUPATIONS = ("变电运维工", "输电线路工", "电气试验工", "钳工", "焊工", "化工操作工", "数控车工", "仪表维修工",
               "铁路线路工", "汽车驾驶员", "电工", "起重工")  # fmt: skip

RATIONAL_CAMPAIGN = "云南电网2021年“金点子”合理化建议征集活动"
WUXIAO_CAMPAIGN = "2021年全省职工“五小”创新活动"

IDEAS = {
    K.RATIONAL: ("优化设备巡检路线", "备品备件共享库", "班组交接班电子化", "夜间作业照明改进", "检修计划错峰安排",
                 "废旧物资分类回收", "安全工器具定置管理", "培训课件共享"),
    K.INVENTION: ("便携式绝缘子清扫器", "电缆沟积水报警器", "多功能接地线挂钩"),
    K.CREATION: ("模块化试验接线盒", "可调式管道支架"),
    K.INNOVATION: ("刀闸操作杆加装限位块", "反应釜温控改造", "输送带跑偏自动纠正", "焊机余热利用"),
    K.DESIGN: ("检修作业平台折叠设计", "工具车分层收纳设计", "配电柜防误标识设计"),
    K.ADVICE: ("交接班增加风险提示", "高温时段作业调整", "新员工师带徒清单"),
}  # fmt: skip

# The fate of the 40: how many end in each state (rejected ones carry a reason).
FATES = (
    [S.SUBMITTED] * 4
    + [S.REVIEWED] * 4
    + [S.ADOPTED] * 5
    + [S.REJECTED] * 6
    + [S.IMPLEMENTED] * 5
    + ([S.ASSESSED] * 6 + [S.REWARDED] * 10)
)
REASONS = ("已有同类技改项目在实施", "投入过大，效益不明显", "不符合安全规程要求", "与现行标准冲突，暂缓",
           "建议内容不具体，请补充测算后重新提出", "涉及外单位设备，本单位无法实施")  # fmt: skip
BASIS = "按试行三个月节约的工时和材料费用折算全年效益。"
REWARD_FORMS = ("通报表扬", "荣誉证书", "", "")
PATH = ("review", "adopt", "implement", "assess", "reward")
STOP = {S.SUBMITTED: 0, S.REVIEWED: 1, S.ADOPTED: 2, S.IMPLEMENTED: 3, S.ASSESSED: 4, S.REWARDED: 5}


def _draw(*parts: str) -> int:
    return zlib.crc32("|".join(parts).encode())


@dataclass
class DemoSuggestionsResult:
    created: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=deadlines.BEIJING)


def _campaigns(office_actor: Actor, result: DemoSuggestionsResult) -> dict[str, Campaign]:
    plans = [
        (RATIONAL_CAMPAIGN, "U01", dt.date(2021, 3, 1), dt.date(2021, 11, 30), [K.RATIONAL],
         "围绕安全生产、提质增效、节能降耗，征集职工合理化建议，对采纳并产生效益的给予奖励。"),
        (WUXIAO_CAMPAIGN, "OFFICE", dt.date(2021, 4, 1), dt.date(2021, 12, 31),
         [K.INVENTION, K.CREATION, K.INNOVATION, K.DESIGN, K.ADVICE],
         "在全省产业工人中开展小发明、小创造、小革新、小设计、小建议活动，成果按单位汇总。"),
    ]  # fmt: skip
    found = {}
    for name, code, starts, ends, kinds, description in plans:
        organiser = Organisation.objects.filter(code=code).first()
        if organiser is None:
            result.warnings.append(_("演示活动“%(name)s”的主办单位 %(code)s 不存在。") % {"name": name, "code": code})
            continue
        campaign = Campaign.objects.filter(name=name, organiser=organiser).first()
        if campaign is None:
            campaign = services.campaign_create(
                by=office_actor, organiser=organiser, name=name, starts_on=starts, ends_on=ends, kinds=kinds,
                description=description,
            )  # fmt: skip
            result.created["campaigns"] += 1
        else:
            result.kept["campaigns"] += 1
        found[name] = campaign
    return found


def _proposers(org: Organisation, n: int) -> list[dict]:
    from talent.models import Person

    count = 1 + _draw(org.code, str(n), "n") % 3
    rows = []
    for k in range(count):
        seed = _draw(org.code, str(n), str(k))
        rows.append(
            {
                "name": SURNAMES[seed % len(SURNAMES)] + GIVEN[(seed // 7) % len(GIVEN)],
                "occupation": OCCUPATIONS[(seed // 13) % len(OCCUPATIONS)],
                "person": None,
            }
        )
    person = Person.objects.filter(org=org, removed_on__isnull=True).order_by("pk").first()
    if person is not None and n % 4 == 0:
        rows[0] = {"name": person.name, "occupation": person.occupation, "person": person}
    return rows


def load_demo_suggestions(office_user) -> DemoSuggestionsResult:
    """Two campaigns and 40 suggestions in every state (see the module docstring); idempotent."""
    result = DemoSuggestionsResult()
    office = Actor(user=office_user)
    User = get_user_model()
    admin_user = User.objects.filter(
        memberships__role=Role.UNION_ADMIN, memberships__org__code="U01", is_active=True
    ).first()
    union_a = Organisation.objects.filter(code="U01").first()
    campaigns = _campaigns(office, result)
    enterprises = list(
        Organisation.objects.filter(kind=OrgKind.ENTERPRISE, closed_on__isnull=True, code__startswith="E").order_by(
            "code"
        )[:10]
    )
    if not enterprises:
        result.warnings.append(_("演示省份没有企业，未生成合理化建议。"))
        return result
    ideas = [(kind, title) for kind, titles in IDEAS.items() for title in titles]
    for n, fate in enumerate(FATES):
        org = enterprises[n % len(enterprises)]
        kind, title = ideas[(n * 7) % len(ideas)]
        if Suggestion.objects.filter(org=org, title=title).exists():
            result.kept["suggestions"] += 1
            continue
        in_union = union_a is not None and admin_user is not None and org.path.startswith(union_a.path)
        by = Actor(user=admin_user) if in_union else Actor.system("demo")
        campaign_name = RATIONAL_CAMPAIGN if kind == K.RATIONAL else WUXIAO_CAMPAIGN
        campaign = campaigns.get(campaign_name)
        if campaign is not None and kind == K.RATIONAL and not in_union:
            campaign = None  # 云南电网's drive collects from its own enterprises only
        day = dt.date(2021, 4, 6) + dt.timedelta(days=(n * 5) % 200)
        try:
            with story_clock() as clock:
                clock.set(_at(day))
                suggestion = services.suggestion_submit(
                    by=by, org=org, kind=kind, title=title, campaign=campaign, submitted_on=day,
                    proposers=_proposers(org, n),
                    content=_("现状：%(title)s方面存在重复劳动和安全隐患。建议：%(title)s，先在一个班组试行，再推广。")
                    % {"title": title},
                )  # fmt: skip
                steps = ["review", "reject"] if fate == S.REJECTED else list(PATH[: STOP[fate]])
                for k, step in enumerate(steps, start=1):
                    when = day + dt.timedelta(days=7 * k)
                    clock.set(_at(when))
                    value = Decimal(1000 + _draw(title, org.code) % 90000).quantize(Decimal("1")) * Decimal("1.5")
                    suggestion = services.suggestion_step(
                        by=by, suggestion=suggestion, step=step, version=suggestion.version,
                        note=_("内容具体，具备试行条件。") if step == "review" else "",
                        reason=REASONS[n % len(REASONS)] if step == "reject" else "",
                        implemented_on=when, value=value, value_basis=BASIS,
                        reward_amount=(value / 20).quantize(Decimal("1")) if n % 3 else None,
                        reward_form=REWARD_FORMS[n % len(REWARD_FORMS)] or (_("通报表扬") if not n % 3 else ""),
                        rewarded_on=when,
                    )  # fmt: skip
        except UserError as error:
            result.warnings.append(f"{org.name}·{title}：{error.message}")
            continue
        result.created["suggestions"] += 1
    return result


def summary_lines(result: DemoSuggestionsResult) -> list[str]:
    """What `load_demo` prints about suggestions."""
    total = Suggestion.objects.count()
    adopted = Suggestion.objects.filter(status__in=[S.ADOPTED, S.IMPLEMENTED, S.ASSESSED, S.REWARDED]).count()
    return [
        _("  五小和合理化建议：新建活动 %(c)d 个，新建建议 %(new)d 条，已存在 %(old)d 条；"
          "共 %(total)d 条，采纳 %(adopted)d 条")
        % {"c": result.created["campaigns"], "new": result.created["suggestions"], "old": result.kept["suggestions"],
           "total": total, "adopted": adopted},
    ]  # fmt: skip
