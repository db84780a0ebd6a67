"""The demo province's reform ledgers (改革台账), as the speech of 2021-07-30 describes the 35 unions.

What `load_demo_ledger(by_office_user)` adds (load_demo runs it with the sample reports, after the assessment;
the reform started on 2018-01-01, so reform years 1, 2, 3 are 2018, 2019, 2020):

- every one of the 35 provincial unions and every open enterprise below them on the ledger, listed by the
  office (the closed enterprise cannot be listed);
- plans and leading groups: 14 of the 35 first issued their implementation plan and set up their group in
  reform year 3 (2020; among them the real 云南农垦 and 云南交投, not 云南电网), the other 21 in 2018 or 2019;
  titles, issuing bodies and 文号 ("中铜工〔2018〕…号"); groups with 组长 (the union chair), 副组长, 成员 and
  办公室, the demo accounts of orgs/demo.py linked where they hold a role (王志强 at 云南电网, 杨国平 and 赵丽萍
  at 昆明供电局), the chair of 云天化 changed in 2020; most enterprises have a plan and a group some months
  after their union, some only one or neither;
- information officers and liaisons for most unions and enterprises (the demo's officer accounts linked), some
  missing, 昆明供电局's information officer and 中国铜业's liaison replaced in 2021, one enterprise's officer
  gone without a successor in 2022; phones and e-mails are invented (13x numbers, example.com);
- quantified assessment methods (量化考核评价办法) for the five leading groups after the speech, three
  sample groups and a few enterprises;
- tasks under the five key tasks and the mechanisms: indicator targets on 持证率 and 大专及以上学历占比 (baseline
  from the accepted 2019 or 2020 reports, target for 2022 or 2023, about a third far ahead of what the reports
  show, so they fall behind the straight path), counted results ("新建职工创新工作室 5 个") with cumulative
  updates, vague ones ("加强产业工人思想政治引领", no number: most among the late unions), milestones; one or
  two updates per task from 2018 to 2021; tasks done (some in 2022–2023), a few cancelled, the rest open and
  by now past their deadline. An organisation with an open task records one more update in the few months
  before the load's real date, so "no action for six months" finds the idle unions below and the few whose
  every task is finished or who never wrote one, not the whole province (the story itself ends in 2021);
- four unions (U14, U23, U29, U32) with a plan and a group in 2018–2019 and then nothing: no task, update,
  method, written report or liaison, in them or in their enterprises. Their enterprises still send the
  statistics reports of reporting/demo (every enterprise does, up to the current quarter), so an alert that
  counted the subtree's statistics reports as the union's action would not see them as idle;
- the nine-aspect written reports (`_load_written`, through ledger.services.written): the rounds "2020年度"
  (due 2021-01-31) and "2021年上半年" (due 2021-07-31), written by the unions (not the idle ones) to the
  office and by 云南电网's four bureaus to their union: accepted (some late, some after a return), submitted,
  returned with reasons by aspect, drafts, and missing ones. The other enterprises are not asked in the demo
  (every report is a dozen service calls);
- then the alerts are computed once (ledger.alerts.refresh) at the real date.

Everything goes through ledger.services as the demo's people, on the story clock of reporting/demo: each step
at its day in the story (from 09:00, minutes apart), so dated records and the audit log read as they would
have. A refused step leaves its part out (rolled back) with a warning, so load_demo still finishes.

Idempotent: an organisation already on the ledger is kept as it is (whatever was done to it since) and only
missing ones are built; a written round that exists is kept with its reports. Deterministic: everything is
drawn from organisation codes.
"""

from __future__ import annotations

import importlib
import inspect
import time
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from core import deadlines
from core.actor import Actor
from core.errors import UserError
from ledger.choices import WrittenStatus
from ledger.demo.common import IDLE_UNIONS, UNION_CODES, YEAR_THREE, Timeline, demo_orgs, make_cast
from ledger.demo.ledgers import LedgerStory, enterprise_plan, union_plan
from ledger.demo.written import MISSING, ROUNDS, WRITING_UNIONS, WrittenStory
from ledger.models import Alert, Ledger, ReformSettings, WrittenReport, WrittenRound
from orgs.choices import OrgKind
from reporting.demo import story_clock

__all__ = ["IDLE_UNIONS", "ROUNDS", "YEAR_THREE", "DemoLedgerResult", "load_demo_ledger", "summary_lines"]

WRITTEN_SERVICES = ("round_open", "written_start", "section_save", "written_step")


@dataclass
class DemoLedgerResult:
    """What one load did: rows created by kind, what it found already there, and anything it could not do."""

    created: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    written: Counter = field(default_factory=Counter)  # created reports' fates in the story
    year_three: int = 0  # unions whose plan was first issued in reform year 3
    alerts: int | None = None  # open alerts after the refresh (None: not computed)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


def _indicator_values(org_ids: list[int]) -> dict:
    """{(indicator code, year): {org id: value}} from the accepted reports: the tasks' baselines."""
    from analytics.engine.batch import subtree_values
    from analytics.engine.scope import Scope

    values = {}
    for code in ("CERT_RATE", "COLLEGE_RATE"):
        for year in (2019, 2020):
            try:
                values[(code, year)] = subtree_values(Scope.province(), f"indicator:{code}", str(year), org_ids)
            except UserError:
                values[(code, year)] = {}
    return values


@transaction.atomic
def load_demo_ledger(by_office_user) -> DemoLedgerResult:
    """Create the demo's ledgers where missing (see the module docstring), the office acting as `by_office_user`."""
    started = time.monotonic()
    result = DemoLedgerResult()
    today = deadlines.today()  # the real date, before the story clock runs
    unions, enterprises = demo_orgs()
    orgs = unions + [e for e, _union in enterprises]
    existing = set(Ledger.objects.filter(org__in=orgs).values_list("org_id", flat=True))
    result.kept["ledgers"] = len(existing)
    if len(existing) < len(orgs):
        try:
            with transaction.atomic(), story_clock() as clock:
                cast = make_cast(by_office_user, orgs)
                timeline = Timeline()
                values = _indicator_values([o.pk for o in orgs])
                story = LedgerStory(cast, timeline, result.created, today=today, values=values)
                plans = {u.pk: union_plan(u) for u in unions}
                for union in unions:
                    if union.pk not in existing:
                        story.plan(plans[union.pk])
                for enterprise, union in enterprises:
                    if enterprise.pk not in existing:
                        story.plan(enterprise_plan(enterprise, plans[union.pk], cast.accounts.get(enterprise.code, {})))
                timeline.play(clock)
        except (UserError, PermissionDenied) as error:
            result.created.clear()
            result.warnings.append(_("未能生成示例产改台账：%(error)s") % {"error": getattr(error, "message", error)})
    _load_written(by_office_user, result, unions, enterprises)
    if any(result.created.values()):
        _refresh_alerts(by_office_user, result)
    settings = ReformSettings.current()
    plans_issued = Ledger.objects.filter(org__kind=OrgKind.UNION, org__code__in=UNION_CODES).values_list(
        "plan_issued_on", flat=True
    )
    result.year_three = sum(1 for day in plans_issued if settings.reform_year(day) == 3)
    result.seconds = time.monotonic() - started
    return result


def _load_written(by_office_user, result: DemoLedgerResult, unions, enterprises) -> None:
    """The nine-aspect written reports of the rounds that do not exist yet, through ledger.services.written.

    Skipped with a warning while that module (or one of WRITTEN_SERVICES) is missing.
    """
    try:
        api = importlib.import_module("ledger.services.written")
    except ModuleNotFoundError as error:
        if error.name != "ledger.services.written":
            raise
        api = None
    missing = [name for name in WRITTEN_SERVICES if not hasattr(api, name)]
    if missing:
        result.warnings.append(
            _("书面报告服务尚不完整（缺少 ledger.services.written 的 %(names)s），未生成示例书面报告。")
            % {"names": "、".join(missing)}
        )
        return
    existing = set(WrittenRound.objects.filter(code__in=[s.code for s in ROUNDS]).values_list("code", flat=True))
    result.kept["rounds"] = len(existing)
    specs = [s for s in ROUNDS if s.code not in existing]
    if not specs:
        return
    listed = set(Ledger.objects.values_list("org_id", flat=True))
    # The 35 report to the office (the idle ones write nothing), and 云南电网's four bureaus to their union.
    writers = [(u, u) for u in unions if u.code not in IDLE_UNIONS and u.pk in listed] + [
        (e, u) for e, u in enterprises if u.code in WRITING_UNIONS and e.pk in listed
    ]
    created, fates = Counter(), Counter()
    try:
        with transaction.atomic(), story_clock() as clock:
            cast = make_cast(by_office_user, unions + [e for e, _union in enterprises])
            timeline = Timeline()
            story = WrittenStory(api, cast, timeline, created, fates)
            for spec in specs:
                story.open(spec)
                for org, union in writers:
                    story.report(spec, org, union)
            timeline.play(clock)
    except (UserError, PermissionDenied) as error:
        result.warnings.append(_("未能生成示例书面报告：%(error)s") % {"error": getattr(error, "message", error)})
        return
    result.created.update(created)
    result.written.update(fates)


def _refresh_alerts(by_office_user, result: DemoLedgerResult) -> None:
    """Compute the alerts once at the real date (ledger.alerts.refresh), or say why not."""
    try:
        module = importlib.import_module("ledger.alerts")
    except ModuleNotFoundError as error:
        if error.name != "ledger.alerts":
            raise
        module = None
    refresh = getattr(module, "refresh", None)
    if refresh is None:
        result.warnings.append(_("预警计算（ledger.alerts.refresh）尚未提供，未计算示例预警。"))
        return
    accepted = inspect.signature(refresh).parameters
    kwargs = {"by": Actor(user=by_office_user)} if "by" in accepted else {}
    try:
        with transaction.atomic():
            refresh(**kwargs)
    except (UserError, PermissionDenied) as error:
        result.warnings.append(_("未能计算示例预警：%(error)s") % {"error": getattr(error, "message", error)})
        return
    result.alerts = Alert.objects.open().count()


def summary_lines(result: DemoLedgerResult) -> list[str]:
    """What `load_demo` prints about the ledgers."""
    c = result.created
    lines = [
        _("  产改台账：新建 %(new)d 本，已存在 %(old)d 本；35 家产业系统公司中 %(late)d 家在改革第三年才出台实施方案")
        % {"new": c["ledgers"], "old": result.kept["ledgers"], "late": result.year_three},
    ]
    if c["ledgers"]:
        lines.append(
            _("  新建实施方案 %(plans)d 份、领导小组 %(groups)d 个（成员 %(members)d 名）、"
              "信息员和联络员 %(officers)d 名、量化考核评价办法 %(methods)d 份")
            % {k: c[k] for k in ("plans", "groups", "members", "officers", "methods")}
        )  # fmt: skip
        lines.append(
            _(
                "  改革任务：新建 %(tasks)d 项（量化 %(quantified)d 项），任务节点 %(milestones)d 个，"
                "进展 %(updates)d 条"
            )
            % {k: c[k] for k in ("tasks", "quantified", "milestones", "updates")}
        )
    if c["rounds"]:
        statuses = dict(
            WrittenReport.objects.filter(round__code__in=[s.code for s in ROUNDS])
            .values_list("status")
            .annotate(n=Count("id"))
        )
        states = "，".join(
            f"{label} {statuses[value]}" for value, label in WrittenStatus.choices if statuses.get(value)
        )
        lines.append(
            _("  书面报告：新建报告期 %(rounds)d 个、报告 %(reports)d 份（%(states)s；未报送 %(missing)d 份）")
            % {"rounds": c["rounds"], "reports": c["reports"], "states": states, "missing": result.written[MISSING]}
        )
    elif result.kept["rounds"]:
        lines.append(_("  书面报告：报告期 %(n)d 个已存在") % {"n": result.kept["rounds"]})
    if result.alerts is not None:
        lines.append(_("  产改预警：按今天计算，未解除的预警 %(n)d 条") % {"n": result.alerts})
    lines.append(_("  产改台账用时 %(seconds).1f 秒") % {"seconds": result.seconds})
    return lines
