"""Send the day's digest e-mails of unread notifications (reporting/services/digest.py).

The worker (`manage.py run_worker`) already sends them once a day after 08:00 Beijing time; this command is
for operators: to send them now, or with `--dry-run` to see who would get one and how many new notifications
each digest would count, writing nothing and sending nothing. It is idempotent: whoever already had (or was
being sent) today's digest, by the worker or an earlier run, is skipped. A mail failure for one person is
logged and retried the next day; the others are still sent. Exit status 0; the summary is printed in Chinese.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from core.actor import Actor
from reporting.services.digest import digests_send


class Command(BaseCommand):
    help = _("发送未读通知每日汇总邮件（每人每天最多一封，只发给有新的未读通知的人）。")

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help=_("只列出将收到汇总的人和条数，不发送、不写入任何数据")
        )

    def handle(self, *args, **options):
        run = digests_send(by=Actor.system("digest"), dry_run=options["dry_run"])
        for digest in run.sent:
            self.stdout.write(f"{digest.user.username}\t{digest.new_count}\t{digest.unread_count}")
        for digest, reason in run.failed:
            self.stderr.write(
                _("%(user)s：发送失败（%(reason)s），明天重试。") % {"user": digest.user.username, "reason": reason}
            )
        self.stdout.write(run.summary())
