"""Recompute the analytics aggregate tables from the accepted reports (repair and benchmarks only:
day to day they are kept current by each acceptance and reopening)."""

from django.core.management.base import BaseCommand

from analytics import aggregates
from core import audit
from core.actor import Actor


class Command(BaseCommand):
    help = "Rebuild the analytics aggregate tables from the accepted reports."

    def handle(self, *args, **options):
        counts = aggregates.rebuild()
        audit.record(Actor.system("analytics_rebuild"), "analytics.aggregates.rebuild", after=None, detail=counts)
        self.stdout.write(
            f"{counts['reports']} accepted reports, {counts['node_rows']} organisation rows, "
            f"{counts['region_rows']} prefecture rows"
        )
