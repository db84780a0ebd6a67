"""`manage.py backup DEST`: the database, uploaded files and a manifest, in a new folder under DEST (core/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core import backup
from core.errors import UserError


class Command(BaseCommand):
    help = _("备份数据库和上传的文件（连同校验清单）到指定目录下的新文件夹；平台可照常运行。")

    def add_arguments(self, parser):
        parser.add_argument("destination", help=_("存放备份的目录"))

    def handle(self, *args, destination: str, **options):
        try:
            folder = backup.make(Path(destination))
        except UserError as error:
            raise CommandError(error.message) from error
        self.stdout.write(_("已备份到 %(folder)s") % {"folder": folder})
        return
