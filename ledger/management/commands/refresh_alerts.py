"""`manage.py refresh_alerts`: recompute the reform ledger's alerts now, as the system.

The worker (`manage.py run_worker`) already runs this once a day by itself; use the command from cron
or a systemd timer where no worker runs, or to recompute at once after changing the settings.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from core.actor import Actor
from ledger.services.alerts import alerts_refresh
from ledger.tasks import summary


class Command(BaseCommand):
    help = "Recompute the reform ledger's alerts (raise, keep, clear) as of today"

    def handle(self, *args, **options) -> None:
        result = alerts_refresh(by=Actor.system("refresh_alerts"))
        self.stdout.write(summary(result)["message"])
