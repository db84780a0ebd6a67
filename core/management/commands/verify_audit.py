"""Check the audit log's keyed chain and its last anchor; exit non-zero and say what was cut or altered.

When everything holds, a new anchor (the chain's head and row count, signed) is written outside the table,
so a later cut of the tail shows. Run it regularly (say hourly, from cron or a systemd timer) and copy
the anchor folder off the host (docs/audit-chain.md).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core import audit

SHOWN = 200  # ids listed in the message; the count is always complete


def _ids(ids: list[int]) -> str:
    listed = ", ".join(str(i) for i in ids[:SHOWN])
    return listed + (_("（另有 %(n)d 条未列出）") % {"n": len(ids) - SHOWN} if len(ids) > SHOWN else "")


TAIL = {
    "missing": _("上次锚点记录的最后一条（编号 %(id)s）已不存在：日志末尾的记录被删除"),
    "changed": _("上次锚点记录的最后一条（编号 %(id)s）的哈希已改变"),
    "fewer": _("编号 %(id)s 及以前的记录少于上次锚点时的 %(rows)s 条：有记录被删除后重新链接"),
}


class Command(BaseCommand):
    help = _("校验审计日志的密钥哈希链和上次锚点：有记录被改动、删除或重排时说明并以非零状态退出；完整时写入新锚点。")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000, help=_("每批读取的记录数"))
        parser.add_argument("--no-anchor", action="store_true", help=_("校验通过时不写入新锚点"))

    def handle(self, *args, batch_size: int, no_anchor: bool, **options):
        report = audit.verify(batch_size)
        problems = []
        if report.edited:
            problems.append(
                _("%(n)d 条记录的内容与其签名不符，编号：%(ids)s")
                % {"n": len(report.edited), "ids": _ids(report.edited)}
            )
        if report.broken_links:
            problems.append(
                _("%(n)d 处链接断开（其前的记录被删除、插入或调换了顺序），位于编号：%(ids)s")
                % {"n": len(report.broken_links), "ids": _ids(report.broken_links)}
            )
        if report.unknown_key:
            problems.append(
                _(
                    "%(n)d 条记录由本机没有的密钥签名，无法校验"
                    "（请在 CHANGAI_AUDIT_KEYS 中保留轮换前的密钥），编号：%(ids)s"
                )
                % {"n": len(report.unknown_key), "ids": _ids(report.unknown_key)}
            )
        if report.head_cut is not None:
            problems.append(
                _("日志开头的记录被删除：编号 %(id)s 之前的记录不见了，且没有归档清理的记录") % {"id": report.head_cut}
            )
        if report.tail_cut:
            problems.append(TAIL[report.tail_cut] % {"id": report.anchor["last_id"], "rows": report.anchor["rows"]})
        if problems:
            raise CommandError(_("审计日志校验失败：") + "；".join(problems) + "。")
        self.stdout.write(_("审计日志完整：已校验 %(n)d 条记录。") % {"n": report.rows})
        if not no_anchor:
            anchor = audit.write_anchor()
            if anchor:
                self.stdout.write(
                    _("已写入锚点：最后一条编号 %(id)s，共 %(rows)s 条。")
                    % {"id": anchor["last_id"], "rows": anchor["rows"]}
                )
