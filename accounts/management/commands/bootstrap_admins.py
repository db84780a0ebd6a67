"""Create the three separated administrators (系统/安全/审计管理员) on a fresh installation."""

from django.core.management.base import BaseCommand, CommandError

from accounts import services
from core.actor import Actor
from core.errors import UserError
from orgs.choices import Role
from orgs.models import Organisation


class Command(BaseCommand):
    help = (
        "在根机构下创建系统管理员、安全管理员、审计管理员三个互相独立的账号，"
        "各自的随机初始密码只显示这一次，首次登录须修改。已存在的账号保持不变，可重复执行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--root-code", required=True, help="根机构（省）的机构代码，例如 530000")

    def handle(self, *args, root_code, **options):
        root = Organisation.objects.filter(code=root_code).first()
        if root is None:
            raise CommandError(f"根机构“{root_code}”不存在，请先建立组织机构树。")
        if not root.is_root():
            raise CommandError(f"机构“{root.name}”（{root_code}）不是根机构，三类管理员须设在根机构。")
        try:
            results = services.admins_bootstrap(by=Actor.system("bootstrap_admins"), root=root)
        except UserError as error:
            raise CommandError(error.message) from error
        for result in results:
            label = Role(result.role).label
            if result.password is None:
                self.stdout.write(f"{label}：账号 {result.username} 已存在，未作修改。")
            else:
                self.stdout.write(f"{label}：账号 {result.username}，初始密码 {result.password}")
        if any(r.password for r in results):
            self.stdout.write(
                self.style.WARNING(
                    "初始密码只显示这一次，请立即分别交给三位管理员；首次登录须修改密码并绑定动态验证器。"
                )
            )
