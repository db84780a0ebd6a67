"""A report's history on its page: its audit rows, labelled, with the note each kind of event carries."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from reporting import queries
from reporting.models import Report

EVENT_LABELS = {
    "reporting.report.open": gettext_lazy("创建草稿"),
    "reporting.values.save": gettext_lazy("保存数据"),
    "reporting.value.comment": gettext_lazy("填写备注"),
    "reporting.warning.explain": gettext_lazy("说明警告"),
    "reporting.report.submit": gettext_lazy("提交"),
    "reporting.report.approve": gettext_lazy("审核通过"),
    "reporting.report.return": gettext_lazy("退回"),
    "reporting.report.accept": gettext_lazy("验收"),
    "reporting.report.lock": gettext_lazy("锁定"),
    "reporting.report.reopen": gettext_lazy("重新打开"),
    "reporting.attachment.add": gettext_lazy("上传附件"),
    "reporting.attachment.delete": gettext_lazy("删除附件"),
}
HIDDEN_EVENTS = {"reporting.attachment.download"}


def _history(report: Report) -> list[dict]:
    entries = [e for e in queries.report_history(report) if e.event not in HIDDEN_EVENTS and e.success]
    names = {
        u.pk: (u.full_name or u.username) for u in User.objects.filter(pk__in={e.user_id for e in entries if e.user_id})
    }
    rows = []
    for entry in entries:
        detail = entry.detail or {}
        note = ""
        if entry.event in ("reporting.report.return", "reporting.report.reopen"):
            note = detail.get("reason", "")
        elif entry.event == "reporting.values.save":
            note = _("修改 %(n)d 项") % {"n": len(detail.get("changes", {}))}
        elif entry.event.startswith("reporting.attachment."):
            note = detail.get("name", "")
        elif entry.event == "reporting.warning.explain":
            note = detail.get("text", "")
        if detail.get("history"):
            loaded = _("历史数据导入：%(file)s") % {"file": detail["history"].get("file", "")}
            note = f"{note}（{loaded}）" if note else loaded
        rows.append(
            {
                "at": entry.at,
                "who": names.get(entry.user_id, entry.username or _("系统")),
                "label": EVENT_LABELS.get(entry.event, entry.event),
                "event": entry.event,
                "note": note,
            }
        )
    return rows
