"""What the reform ledger adds: its audit events, its background job and the "产改台账" menu."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from core import registry
from orgs.choices import Action
from orgs.nav import may

registry.audit_events(
    {
        "ledger.settings.update": _("修改产改台账设置"),
        "ledger.ledger.create": _("列入产改台账"),
        "ledger.ledger.update": _("修改产改台账"),
        "ledger.document.add": _("上传台账文件"),
        "ledger.document.download": _("下载台账文件"),
        "ledger.member.add": _("增加领导小组成员"),
        "ledger.member.update": _("修改领导小组成员"),
        "ledger.member.end": _("领导小组成员离任"),
        "ledger.officer.add": _("配备信息员或联络员"),
        "ledger.officer.update": _("修改信息员或联络员"),
        "ledger.officer.end": _("信息员或联络员离任"),
        "ledger.task.create": _("新建改革任务"),
        "ledger.task.update": _("修改改革任务"),
        "ledger.task.delete": _("删除改革任务"),
        "ledger.milestone.save": _("保存任务节点"),
        "ledger.milestone.delete": _("删除任务节点"),
        "ledger.update.add": _("填报任务进展"),
        "ledger.round.open": _("发起书面报告"),
        "ledger.round.update": _("修改书面报告期"),
        "ledger.written.create": _("开始撰写书面报告"),
        "ledger.written.save": _("保存书面报告"),
        "ledger.written.submit": _("提交书面报告"),
        "ledger.written.return": _("退回书面报告"),
        "ledger.written.accept": _("书面报告审核通过"),
        "ledger.written.reopen": _("重新打开书面报告"),
        "ledger.written.comment": _("填写书面报告审核意见"),
        "ledger.written.export": _("导出书面报告"),
        "ledger.alerts.refresh": _("计算产改预警"),
        "ledger.alerts.export": _("导出产改预警"),
        # --- Roadmap, the province's task view and the summaries (roadmap part) ---
        "ledger.tasks.export": _("导出改革任务清单"),
    }
)

registry.job_kinds({"ledger.alerts_refresh": _("产改预警计算")})


def _todos(user):
    from ledger.queries.worklist import ledger_todos

    return ledger_todos(user)


registry.todos("ledger", _todos)


# --- Alerts: the daily refresh, run by the worker once a day (core/periodic.py) ---


def _alerts_refresh_daily():
    from ledger.tasks import alerts_refresh_daily

    return alerts_refresh_daily()


registry.periodic(
    "ledger.alerts_refresh",
    every=timedelta(days=1),
    offset=timedelta(hours=1),  # after midnight Beijing time, once the day's deadlines have passed
    fn=_alerts_refresh_daily,
    label=_("产改预警每日计算"),
)

_view = may(Action.VIEW)
_manage = may(Action.ASSESS_MANAGE)

registry.menu(
    registry.MenuEntry(
        key="ledger",
        label=_("产改台账"),
        order=35,
        visible=_view,
        section="ledger",
        children=(
            registry.MenuEntry(key="ledgers", label=_("改革台账"), url_name="ledger:home"),
            registry.MenuEntry(key="tasks", label=_("改革任务"), url_name="ledger:tasks"),
            registry.MenuEntry(key="written", label=_("书面报告"), url_name="ledger:written_rounds"),
            registry.MenuEntry(key="alerts", label=_("预警"), url_name="ledger:alerts"),
            registry.MenuEntry(key="summary", label=_("推进情况统计"), url_name="ledger:summary"),
            registry.MenuEntry(
                key="settings", label=_("台账设置"), url_name="ledger:settings", visible=_manage, divider=True
            ),
        ),
    ),
)


# --- Integrity: accepted written reports are sealed and checked (ledger/integrity.py, core/integrity.py) ---

from core import integrity  # noqa: E402  (declarations run once the apps are ready)
from ledger.integrity import SEALABLE  # noqa: E402

integrity.register(SEALABLE)
