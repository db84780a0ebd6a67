"""What reporting adds: its audit events, its background job and the "统计填报" menu."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from core import registry
from orgs.choices import Action
from orgs.nav import may

registry.audit_events(
    {
        # Reports and their workflow (reporting.report.<step> for each step of reporting/workflow.py).
        "reporting.report.open": _("创建报表草稿"),
        "reporting.report.submit": _("提交报表"),
        "reporting.report.approve": _("审核通过报表"),
        "reporting.report.return": _("退回报表"),
        "reporting.report.accept": _("验收报表"),
        "reporting.report.lock": _("锁定报表"),
        "reporting.report.reopen": _("重新打开报表"),
        "reporting.values.save": _("保存报表数据"),
        "reporting.value.comment": _("填写数据备注"),
        "reporting.warning.explain": _("说明校验警告"),
        "reporting.attachment.add": _("上传报表附件"),
        "reporting.attachment.delete": _("删除报表附件"),
        "reporting.attachment.download": _("下载报表附件"),
        # Periods and deadlines.
        "reporting.period.lock": _("锁定填报期"),
        "reporting.period.unlock": _("解锁填报期"),
        "reporting.deadline.extend": _("延长填报截止日期"),
        "reporting.reminder.send": _("发送催报提醒"),
        "reporting.reminder.manual": _("在截止日看板上催报"),
        # The daily digest of unread notifications (reporting/services/digest.py).
        "reporting.digest.send": _("发送未读通知每日汇总邮件"),
        "reporting.digest.fail": _("未读通知每日汇总邮件发送失败"),
        # Excel and exports.
        "reporting.template.download": _("下载 Excel 填报模板"),
        "reporting.import.preview": _("Excel 导入预检"),
        "reporting.import.refused": _("Excel 导入被拒绝"),
        "reporting.import.apply": _("Excel 导入数据"),
        "security.import.refused": _("Excel 导入因安全原因被拒绝"),
        # Past years' figures from the office's own spreadsheets (reporting/history.py).
        "reporting.history.preview": _("历史数据导入预检"),
        "reporting.history.refused": _("历史数据导入被拒绝"),
        "reporting.history.apply": _("历史数据导入"),
        "reporting.history.mapping": _("保存历史数据列对应关系"),
        "reporting.completeness.export": _("导出填报完成情况"),
        # Data-set definitions.
        "reporting.category.create": _("新增分类"),
        "reporting.category_option.create": _("新增分类选项"),
        "reporting.category_combo.create": _("新增分类组合"),
        "reporting.data_element.create": _("新增数据项"),
        "reporting.data_element.update": _("修改数据项"),
        "reporting.dataset.create": _("新建报表"),
        "reporting.dataset.update": _("修改报表"),
        "reporting.dataset.assign": _("分配报表给机构"),
        "reporting.dataset.unassign": _("取消机构的报表分配"),
        "reporting.dataset_version.create": _("新建报表版本"),
        "reporting.dataset_version.publish": _("发布报表版本"),
        "reporting.section.create": _("新增报表分区"),
        "reporting.section.update": _("修改报表分区"),
        "reporting.section.move": _("调整报表分区顺序"),
        "reporting.section.delete": _("删除报表分区"),
        "reporting.section_element.create": _("分区中新增数据项"),
        "reporting.section_element.update": _("修改分区数据项"),
        "reporting.section_element.move": _("调整分区数据项顺序"),
        "reporting.section_element.delete": _("从分区删除数据项"),
        "reporting.total_relation.create": _("新增合计关系"),
        "reporting.total_relation.delete": _("删除合计关系"),
        "reporting.rule.create": _("新增校验规则"),
        "reporting.rule.update": _("修改校验规则"),
        "reporting.rule.generate": _("生成校验规则"),
        "demo.load_reports": _("载入演示报表数据"),
    }
)

registry.job_kinds({"reporting.excel_import": _("Excel 数据导入"), "reporting.history_import": _("历史数据导入")})

registry.menu(
    registry.MenuEntry(
        key="reporting",
        label=_("统计填报"),
        order=20,
        visible=may(Action.VIEW),
        section="reporting",
        inactive=("inbox",),
        children=(
            registry.MenuEntry(key="my_reports", label=_("我的填报"), url_name="reporting:my_reports"),
            registry.MenuEntry(
                key="excel", label=_("Excel 导入导出"), url_name="reporting:excel_home", visible=may(Action.EDIT)
            ),
            registry.MenuEntry(
                key="completeness",
                label=_("填报完成情况"),
                url_name="reporting:completeness",
                visible=may(Action.REVIEW, Action.ACCEPT),
            ),
            registry.MenuEntry(
                key="metadata",
                label=_("报表与校验规则"),
                url_name="reporting:metadata_home",
                visible=may(Action.METADATA_MANAGE),
                divider=True,
            ),
        ),
    ),
)


def _todos(user):
    from reporting.queries.worklists import reporting_todos

    return reporting_todos(user)


registry.todos("reporting", _todos)


def _rounds(user):
    from reporting.queries.worklists import reporting_rounds

    return reporting_rounds(user)


registry.rounds("reporting", _rounds)


# --- Residual information: Excel uploads and previews nobody confirmed, removed every hour by the worker ---


def _purge_import_temp():
    from reporting.excel import storage

    return storage.purge()


registry.periodic(
    "reporting.purge_import_temp",
    every=timedelta(hours=1),
    fn=_purge_import_temp,
    label=_("清理 24 小时前的 Excel 导入临时文件"),
)


# --- The daily digest of unread notifications, e-mailed after 08:00 Beijing time (reporting/services/digest.py) ---


def _send_digests():
    from core.actor import Actor
    from reporting.services.digest import digests_send

    return digests_send(by=Actor.system("digest")).as_dict()


registry.periodic(
    "reporting.send_digests",
    every=timedelta(days=1),
    offset=timedelta(hours=8),
    fn=_send_digests,
    label=_("发送未读通知每日汇总邮件"),
)


# --- Integrity: accepted reports are sealed and checked (reporting/integrity.py, core/integrity.py) ---

from core import integrity  # noqa: E402  (declarations run once the apps are ready)
from reporting.integrity import SEALABLE  # noqa: E402

integrity.register(SEALABLE)
