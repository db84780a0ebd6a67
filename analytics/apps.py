from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_indicators(sender, **kwargs):
    # The shipped indicators are reference data defined by a data migration; put them back after
    # a `flush` (which empties every table, then sends post_migrate). Idempotent by code.
    from django.apps import apps

    from analytics.migrations._indicators import load

    load(apps)


class AnalyticsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "analytics"
    verbose_name = _("指标与分析")

    def ready(self):
        from analytics.aggregates import on_accepted_data_changed, on_tree_changed
        from orgs.services import tree_changed
        from reporting.signals import accepted_data_changed

        accepted_data_changed.connect(on_accepted_data_changed, dispatch_uid="analytics_aggregates")
        tree_changed.connect(on_tree_changed, dispatch_uid="analytics_tree_changed")
        post_migrate.connect(_ensure_indicators, sender=self, dispatch_uid="analytics_ensure_indicators")
