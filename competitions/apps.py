from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_indicators(sender, **kwargs):
    # The competitions' indicators are reference data defined by a data migration; put them back after a
    # `flush` (which empties every table, then sends post_migrate). Idempotent by code.
    from django.apps import apps

    from competitions.migrations._indicators import load

    load(apps)


class CompetitionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "competitions"
    label = "competitions"
    verbose_name = _("劳动和技能竞赛")

    def ready(self):
        # The competitions' figures for analytics, their facts for assessment and their events on the timeline.
        from competitions import declarations, facts, sources, timeline  # noqa: F401 - each registers itself

        sources.register()
        post_migrate.connect(_ensure_indicators, sender=self, dispatch_uid="competitions_ensure_indicators")
