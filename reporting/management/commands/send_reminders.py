"""Send the day's reminders for reports not yet submitted: in the inbox and by e-mail, each once.

How it is scheduled: a management command run once a day by the host's scheduler; the web
processes never send reminders themselves. It is idempotent (a second run on the same day, or a
run after a failed one, sends nothing twice), so a manual run next to the scheduled one is safe.
Run it as the application's user with the production environment (CHANGAI_SECRET_KEY,
DATABASE_URL, the mail settings), e.g. at 08:30 Beijing time.

cron (`crontab -e` of the application's user; CRON_TZ needs cronie, otherwise convert to the
server's time zone):

    CRON_TZ=Asia/Shanghai
    30 8 * * *  cd /srv/changai && .venv/bin/python manage.py send_reminders >> var/log/reminders.log 2>&1

or a systemd timer, /etc/systemd/system/changai-reminders.service:

    [Unit]
    Description=changai: send the day's reporting reminders
    [Service]
    Type=oneshot
    User=changai
    WorkingDirectory=/srv/changai
    EnvironmentFile=/etc/changai/env
    ExecStart=/srv/changai/.venv/bin/python manage.py send_reminders

and /etc/systemd/system/changai-reminders.timer (`systemctl enable --now changai-reminders.timer`):

    [Unit]
    Description=changai: reporting reminders every morning
    [Timer]
    OnCalendar=*-*-* 08:30:00 Asia/Shanghai
    Persistent=true
    [Install]
    WantedBy=timers.target

`Persistent=true` runs a missed day's job when the host comes back; the job itself also catches up
a stage whose day was missed. What it does (see reporting/services/reminders.py):

- before the deadline (by default 3 days and 1 day before; the deadline day itself belongs to the
  last of these), the reporters of every organisation that must report and has not submitted;
- after the deadline (by default 1 day and 7 days after), those reporters again, and the
  administrators of the group union above them, one message per administrator listing all of
  that union's late organisations.

Each reminder writes an audit row (event `reporting.reminder.send`) in the same transaction as its
notifications; that row is also how a later run knows the reminder went out. E-mail goes through
Django's mail settings after the commit; a mail failure is logged and the inbox copy stays.

Options: `--before 3,1`, `--after 1,7` (days), `--date YYYY-MM-DD` (run as if on that day, Beijing
time; for catching up or testing), `--dry-run` (count what would be sent, write nothing).
Exit status 0 on success; the summary line is printed in Chinese.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actor import Actor
from core.errors import UserError
from reporting import queries, services
from reporting.services.reminders import DEFAULT_AFTER, DEFAULT_BEFORE


def _days(value: str, option: str) -> tuple[int, ...]:
    try:
        days = tuple(int(part) for part in value.replace("，", ",").split(",") if part.strip())
    except ValueError as error:
        raise CommandError(_("%(option)s 应为逗号分隔的天数，例如 3,1。") % {"option": option}) from error
    if not days:
        raise CommandError(_("%(option)s 至少需要一个天数。") % {"option": option})
    return days


class Command(BaseCommand):
    help = _("发送截止日期前后的催报提醒（站内通知和电子邮件），每项提醒只发送一次。")

    def add_arguments(self, parser):
        add = parser.add_argument
        add("--before", default=",".join(map(str, DEFAULT_BEFORE)), help=_("截止前几天提醒，逗号分隔，默认 3,1"))
        add("--after", default=",".join(map(str, DEFAULT_AFTER)), help=_("截止后几天提醒，逗号分隔，默认 1,7"))
        add("--date", help=_("按北京时间的某一天运行，格式 YYYY-MM-DD（补发或测试用）"))
        add("--dry-run", action="store_true", help=_("只统计将发送的提醒，不写入任何数据"))

    def handle(self, *args, **options):
        now = timezone.now()
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(_("--date 应为 YYYY-MM-DD 格式的日期。")) from error
            now = dt.datetime.combine(day, now.astimezone(queries.REPORTING_TZ).timetz()).astimezone(dt.UTC)
        try:
            run = services.reminders_send(
                by=Actor.system("reminders"),
                now=now,
                before_days=_days(options["before"], "--before"),
                after_days=_days(options["after"], "--after"),
                dry_run=options["dry_run"],
            )
        except UserError as error:
            raise CommandError(error.message) from error
        for reminder in run.sent:
            self.stdout.write(
                f"{reminder.stage}\t{reminder.dataset.code}\t{reminder.period.code}\t{reminder.org.code}\t"
                f"{reminder.deadline.isoformat()}\t{','.join(reminder.recipients)}"
            )
        self.stdout.write(run.summary())
