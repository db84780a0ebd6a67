from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_topics(sender, **kwargs):
    # The shipped topics are reference data a data migration adds; put them back after a `flush`.
    from django.apps import apps

    from cases.migrations._topics import load

    load(apps)


def _ensure_indicators(sender, **kwargs):
    # The case library's indicators are reference data a data migration adds; put them back after a `flush`.
    from django.apps import apps

    from cases.migrations._indicators import load

    load(apps)


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = _("案例库")

    def ready(self):
        # Figures for analytics, facts for assessment, events for the ledger's timeline.
        from cases import facts, sources, timeline  # noqa: F401 - each registers itself

        sources.register()
        post_migrate.connect(_ensure_topics, sender=self, dispatch_uid="cases_ensure_topics")
        post_migrate.connect(_ensure_indicators, sender=self, dispatch_uid="cases_ensure_indicators")

        # Closing an organisation asks for confirmation when it still has cases or adoptions dated later.
        from cases.queries import records_after
        from orgs.services import register_dated_records

        register_dated_records(records_after)
