"""What core adds: its own audit events (refusals, audit log, jobs, personal data) and the audit log's menu entry."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from core import registry

registry.audit_events(
    {
        "access.denied": _("越权操作被拒绝"),
        "access.not_found": _("访问不存在或范围外的对象"),
        "api.auth_failed": _("API 令牌验证失败"),
        "audit.export": _("导出审计日志"),
        "audit.purge": _("归档并清理审计日志"),
        "core.job.create": _("提交后台任务"),
        "core.job.finish": _("后台任务结束"),
        "core.pii.reveal": _("查看完整个人信息"),
        "core.integrity.check": _("数据完整性校验"),
        "core.integrity.seal": _("补加数据完整性封印"),
    }
)

registry.menu(
    registry.MenuEntry(
        key="audit",
        label=_("审计日志"),
        url_name="audit:entry_list",
        order=90,
        visible=lambda user: registry.allows("audit.view", user),
        section="audit",
    ),
    registry.MenuEntry(
        key="jobs",
        label=_("我的后台任务"),
        url_name="core:job_list",
        order=60,
        visible=lambda user: user.is_authenticated,
        place="user",
    ),
)


# --- Integrity seals: the daily check of accepted business data (core/integrity.py) ---


def _integrity_check_daily():
    from core.integrity import periodic_check

    return periodic_check()


registry.periodic(
    "core.integrity_check",
    every=timedelta(days=1),
    offset=timedelta(hours=2),  # at night Beijing time, after the ledger's alert refresh
    fn=_integrity_check_daily,
    label=_("数据完整性每日校验"),
)

# The audit log is the audit administrator's to read and export (/audit/export/), never part of the office's.
registry.export_leaves_out({"core.AuditEntry": _("审计日志（由审计管理员在“审计日志”中导出）")})
