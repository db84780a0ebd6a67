from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_indicators(sender, **kwargs):
    # The talent pool's indicators are reference data from a data migration; put them back after a `flush`.
    from django.apps import apps

    from talent.migrations._indicators import load

    load(apps)


class TalentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "talent"
    label = "talent"
    verbose_name = _("人才库")

    def ready(self):
        # The pool's figures for analytics, its facts for assessment and its events on the ledger's timeline.
        from talent import facts, sources, timeline  # noqa: F401 - each registers itself

        sources.register()
        post_migrate.connect(_ensure_indicators, sender=self, dispatch_uid="talent_ensure_indicators")
