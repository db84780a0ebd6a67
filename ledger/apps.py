from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


# --- The 工 indicators (roadmap, summaries and indicators part) ---------------------------------------------
def _ensure_indicators(sender, **kwargs):
    # The 工 indicators are reference data defined by a data migration; put them back after a `flush`
    # (which empties every table, then sends post_migrate). Idempotent by code.
    from django.apps import apps

    from ledger.migrations._indicators import load

    load(apps)


class LedgerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ledger"
    verbose_name = _("产改台账")

    def ready(self):
        # --- The 工 indicators (roadmap, summaries and indicators part): the ledger's figures for analytics.
        from ledger import sources

        sources.register()
        post_migrate.connect(_ensure_indicators, sender=self, dispatch_uid="ledger_ensure_indicators")

        # The ledger's facts for assessment criteria (plans on time, officers, alerts by kind …), and its
        # section of the evaluation report (the five key tasks).
        from ledger import evaluation, facts  # noqa: F401 - each registers itself

        # Closing an organisation asks for confirmation when its ledger has later records.
        from ledger.queries import records_after
        from orgs.services import register_dated_records

        register_dated_records(records_after)
