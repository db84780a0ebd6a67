from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_indicators(sender, **kwargs):
    # The sites' indicators are reference data defined by a data migration; put them back after a `flush`
    # (which empties every table, then sends post_migrate). Idempotent by code.
    from django.apps import apps

    from sites.migrations._indicators import load

    load(apps)


class SitesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sites"
    label = "sites"
    verbose_name = _("示范点")

    def ready(self):
        # The sites' figures for analytics, their facts for assessment and their events on the ledger's timeline.
        from sites import evaluation, facts, sources, timeline  # noqa: F401 - each registers itself

        sources.register()
        post_migrate.connect(_ensure_indicators, sender=self, dispatch_uid="sites_ensure_indicators")

        # Closing an organisation asks for confirmation when its sites have later visits or open follow-ups.
        from orgs.services import register_dated_records
        from sites.queries import records_after

        register_dated_records(records_after)
