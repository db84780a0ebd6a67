from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_indicators(sender, **kwargs):
    # The suggestions' indicators are reference data from a data migration; put them back after a `flush`.
    from django.apps import apps

    from suggestions.migrations._indicators import load

    load(apps)


class SuggestionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "suggestions"
    verbose_name = _("五小和合理化建议")

    def ready(self):
        # The figures for analytics, the facts for assessment and the events on the ledger's timeline.
        from suggestions import facts, sources, timeline  # noqa: F401 - each registers itself

        sources.register()
        post_migrate.connect(_ensure_indicators, sender=self, dispatch_uid="suggestions_ensure_indicators")

        # Closing an organisation asks for confirmation when it has later suggestions.
        from orgs.services import register_dated_records
        from suggestions.queries import records_after

        register_dated_records(records_after)
