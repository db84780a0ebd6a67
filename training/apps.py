from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_indicators(sender, **kwargs):
    # The training coverage indicator is reference data from a data migration; put it back after a `flush`.
    from django.apps import apps

    from training.migrations._indicators import load

    load(apps)


class TrainingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "training"
    verbose_name = _("能力建设")

    def ready(self):
        from training import (  # noqa: F401 - timeline registers with ledger.timeline
            evaluation,  # noqa: F401 - registers with publishing.evaluation
            facts,  # noqa: F401 - registers with assessment.facts
            sources,
            timeline,
        )

        sources.register()
        post_migrate.connect(_ensure_indicators, sender=self, dispatch_uid="training_ensure_indicators")

        from orgs.services import register_dated_records
        from training.queries import records_after

        register_dated_records(records_after)
