"""`manage.py restore FOLDER [--replace]`: load a backup made by `backup`, then check it against its manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core import backup
from core.errors import UserError


class Command(BaseCommand):
    help = _("从 backup 命令生成的备份恢复数据库和上传的文件，并按校验清单核对各表行数和审计日志末条。")

    def add_arguments(self, parser):
        parser.add_argument("folder", help=_("备份文件夹（changai-年月日-时分秒）"))
        parser.add_argument("--replace", action="store_true", help=_("当前数据库已有数据时，用备份替换"))

    def handle(self, *args, folder: str, replace: bool, **options):
        try:
            check = backup.restore(Path(folder), replace=replace)
        except UserError as error:
            raise CommandError(error.message) from error
        if not check.ok:
            lines = [_("恢复后的数据与备份清单不符：")]
            lines += [
                _("  表 %(table)s：清单 %(expected)d 行，恢复后 %(found)d 行")
                % {"table": name, "expected": expected, "found": found}
                for name, (expected, found) in sorted(check.differing.items())
            ]
            if not check.audit_head_matches:
                lines.append(_("  审计日志的最后一条与清单不符"))
            raise CommandError("\n".join(lines))
        self.stdout.write(_("已从 %(folder)s 恢复，各表行数和审计日志末条与备份清单一致。") % {"folder": folder})
