from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_indicators(sender, **kwargs):
    # The use-rate indicator is reference data from a data migration; put it back after a `flush`. By code.
    from django.apps import apps

    from policies.migrations._indicators import load

    load(apps)


class PoliciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "policies"
    verbose_name = _("政策库")

    def ready(self):
        from policies import sources

        sources.register()
        post_migrate.connect(_ensure_indicators, sender=self, dispatch_uid="policies_ensure_indicators")
        # Closing an organisation asks for confirmation when it has submitted uptake forms after that day.
        from orgs.services import register_dated_records
        from policies import evaluation, facts, timeline  # noqa: F401 - register with assessment.facts, the ledger's

        # timeline and the evaluation report
        from policies.queries import records_after

        register_dated_records(records_after)
