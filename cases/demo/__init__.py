"""The demo case library (案例库): sample reform cases of the demo province, played through cases.services.

What `load_demo_cases(office_user)` adds (load_demo runs it with the sample reports, after the ledger):

- twelve published cases (cases/demo/stories.py): 云南电网's skill levels linked to pay along three career channels,
  昆明供电局's enterprise-run skill certification, 玉溪矿业's model-worker innovation studio, 建投一建's
  产业工人之家 on building sites with evening classes for migrant workers, 昆明机务段's 师带徒 with two-way
  assessment, 云天化's workers' congress proposals, 驰宏锌锗's skill competitions, 曲靖供电局's 五小 and suggestions,
  交投公路建设's speakers chosen from frontline workers, 云南铜业's school–enterprise classes, 红磷化工's truck
  drivers joining the union, 德宏糖业's seasonal workers; written by each organisation's demo editor (the enterprise's
  reporter, 云南电网's union administrator), submitted, and published by `office_reviewer` in 2021–2022;
- two submitted and waiting for review (开远工务段, 建投二建), one returned with a reason (大理供电局) and one draft of
  昆明供电局 (the `reporter` account's 我的案例);
- eight adoptions (复制推广) recorded by the adopting enterprises' editors, three of them of 云南电网's case.

Each step runs at its day in the story (reporting.demo.story_clock), so dates, the audit log and the workflow history
read as they would have. Idempotent: a case already there (same organisation and title) is kept as it is, and only
missing adoptions are added. A refused step leaves its story out (rolled back) with a warning.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from cases import services
from cases.demo.stories import DRAFT, PUBLISHED, RETURNED, STORIES, Story
from cases.models import Case, Replication, Topic
from core.actor import Actor
from core.deadlines import BEIJING
from core.errors import UserError
from orgs.choices import Role
from orgs.models import Membership, Organisation
from reporting.demo import story_clock

__all__ = ["DemoCasesResult", "load_demo_cases", "summary_lines"]


@dataclass
class DemoCasesResult:
    created: Counter = field(default_factory=Counter)
    kept: int = 0
    warnings: list[str] = field(default_factory=list)


def _editors(codes: set[str], office: Actor) -> dict[str, Actor]:
    """Each organisation's demo editor: its reporter (an enterprise) or union administrator (a union)."""
    found: dict[str, Actor] = {}
    rows = (
        Membership.objects.filter(
            org__code__in=codes, role__in=(Role.REPORTER, Role.UNION_ADMIN), is_active=True, user__is_active=True,
            user__is_demo=True,
        )
        .select_related("user", "org")
        .order_by("id")
    )  # fmt: skip
    for m in rows:
        found.setdefault(m.org.code, Actor(user=m.user))
    return found


def _at(clock, day: dt.date, hour: int = 10) -> None:
    clock.set(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=BEIJING))


def _play(story: Story, org: Organisation, editor: Actor, reviewer: Actor, topics: dict[str, Topic], clock) -> Case:
    _at(clock, story.submitted - dt.timedelta(days=6), 9)
    case = services.case_create(
        by=editor, org=org, title=story.title, year=story.year, summary=story.summary, body=story.body,
        tasks=story.tasks, topics=[topics[name] for name in story.topics if name in topics],
        author_name=story.author[0], author_position=story.author[1],
    )  # fmt: skip
    if story.fate == DRAFT:
        return case
    _at(clock, story.submitted)
    case = services.case_step(by=editor, case=case, step="submit", version=case.version)
    if story.fate == PUBLISHED:
        _at(clock, story.decided, 15)
        case = services.case_step(by=reviewer, case=case, step="publish", version=case.version)
    elif story.fate == RETURNED:
        _at(clock, story.decided, 15)
        case = services.case_step(by=reviewer, case=case, step="return", version=case.version, reason=story.reason)
    return case


def load_demo_cases(office_user) -> DemoCasesResult:
    """Add the demo case library (see the module docstring); safe to run again."""
    result = DemoCasesResult()
    office = Actor(user=office_user)
    reviewer_user = get_user_model().objects.filter(username="office_reviewer", is_demo=True, is_active=True).first()
    reviewer = Actor(user=reviewer_user) if reviewer_user else office
    codes = {s.org for s in STORIES} | {a[0] for s in STORIES for a in s.adopters}
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=codes, closed_on__isnull=True)}
    editors = _editors(set(orgs), office)
    topics = {t.name: t for t in Topic.objects.all()}
    with story_clock() as clock:
        for story in sorted(STORIES, key=lambda s: s.submitted):
            org = orgs.get(story.org)
            if org is None:
                result.warnings.append(
                    _("演示案例“%(t)s”的来源单位 %(c)s 不存在，已跳过。") % {"t": story.title, "c": story.org}
                )
                continue
            case = Case.objects.filter(org=org, title=story.title).first()
            if case is not None:
                result.kept += 1
            else:
                try:
                    with transaction.atomic():
                        case = _play(story, org, editors.get(story.org, office), reviewer, topics, clock)
                except (UserError, PermissionDenied) as error:
                    result.warnings.append(
                        _("演示案例“%(t)s”未能生成：%(e)s") % {"t": story.title, "e": getattr(error, "message", error)}
                    )
                    continue
                result.created[story.fate] += 1
            for code, day, adopted, outcome in story.adopters:
                adopter = orgs.get(code)
                if adopter is None or case.status != PUBLISHED:
                    continue
                if Replication.objects.filter(case=case, org=adopter).exists():
                    continue
                _at(clock, day, 11)
                try:
                    with transaction.atomic():
                        services.replication_record(
                            by=editors.get(code, office), case=case, org=adopter, adopted_on=day, adopted=adopted,
                            result=outcome,
                        )  # fmt: skip
                except (UserError, PermissionDenied) as error:
                    result.warnings.append(
                        _("演示复制推广（%(o)s）未能登记：%(e)s") % {"o": code, "e": getattr(error, "message", error)}
                    )
                    continue
                result.created["replications"] += 1
    return result


def summary_lines(result: DemoCasesResult) -> list[str]:
    created = result.created
    return [
        _("  案例库：新建已发布 %(p)d 个、待审核 %(s)d 个、退回修改 %(r)d 个、草稿 %(d)d 个，已存在 %(k)d 个；"
          "复制推广记录新建 %(n)d 条")
        % {"p": created["published"], "s": created["submitted"], "r": created["returned"], "d": created["draft"],
           "k": result.kept, "n": created["replications"]}
    ]  # fmt: skip
