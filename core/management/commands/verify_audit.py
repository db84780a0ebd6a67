"""Check the audit log's hash chain; exit non-zero and list the entries that were altered."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core import audit
from core.models import AuditEntry

SHOWN = 200  # ids listed in the message; the count is always complete


class Command(BaseCommand):
    help = _("校验审计日志的哈希链：有记录被改动时列出其编号并以非零状态退出。")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000, help=_("每批读取的记录数"))

    def handle(self, *args, batch_size: int, **options):
        bad = audit.verify_chain(batch_size=batch_size)
        if bad:
            listed = ", ".join(str(i) for i in bad[:SHOWN])
            more = _("（另有 %(n)d 条未列出）") % {"n": len(bad) - SHOWN} if len(bad) > SHOWN else ""
            raise CommandError(
                _("审计日志校验失败：%(count)d 条记录的内容或链接与哈希不符，编号：%(ids)s%(more)s")
                % {"count": len(bad), "ids": listed, "more": more}
            )
        self.stdout.write(_("审计日志完整：已校验 %(n)d 条记录。") % {"n": AuditEntry.objects.count()})
