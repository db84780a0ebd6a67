"""`manage.py create_root --code 530000 --name 云南省`: the root of a fresh installation's organisation tree."""

from django.core.management.base import BaseCommand, CommandError

from core.actor import Actor
from core.errors import UserError
from orgs import services


class Command(BaseCommand):
    help = "新安装时建立组织机构树的根机构（省）；之后用 bootstrap_admins 创建三类管理员。"

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="机构代码，例如 530000")
        parser.add_argument("--name", required=True, help="名称，例如 云南省")

    def handle(self, *args, code: str, name: str, **options):
        try:
            root = services.root_create(by=Actor.system("create_root"), code=code, name=name)
        except UserError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"已建立根机构：{root.name}（{root.code}）。下一步：manage.py bootstrap_admins --root-code {root.code}"
        )
