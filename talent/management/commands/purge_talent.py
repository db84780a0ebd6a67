"""manage.py purge_talent: erase the ID numbers and phones the retention rule says are due (idempotent)."""

from django.core.management.base import BaseCommand

from core.actor import Actor
from talent.services.retention import purge_expired


class Command(BaseCommand):
    help = "按保存期限删除移出人才库人员的身份证号和联系电话（可重复执行）。"

    def handle(self, *args, **options):
        result = purge_expired(by=Actor.system("manage.py purge_talent"))
        self.stdout.write(f"erased={result['erased']} years={result['years']}")
