from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_indicators(sender, **kwargs):
    # The studios' indicators are reference data defined by a data migration; put them back after a `flush`.
    from django.apps import apps

    from studios.migrations._indicators import load

    load(apps)


class StudiosConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "studios"
    label = "studios"
    verbose_name = _("创新工作室")

    def ready(self):
        # The studios' figures for analytics, their facts for assessment and their events on the ledger's timeline.
        from studios import declarations, facts, sources, timeline  # noqa: F401 - each registers itself

        sources.register()
        post_migrate.connect(_ensure_indicators, sender=self, dispatch_uid="studios_ensure_indicators")
