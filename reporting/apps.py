from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_workforce_dataset(sender, **kwargs):
    # The workforce data set is reference data defined by migration 0002; put it back after a
    # `flush` (which empties every table, then sends post_migrate). Idempotent by code.
    from django.apps import apps

    from reporting.models import DataSet

    if DataSet.objects.filter(code__in=["WF_Y", "WF_Q"]).count() != 2:
        from reporting.migrations._workforce import load

        load(apps)


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"
    verbose_name = _("统计填报")

    def ready(self):
        post_migrate.connect(_ensure_workforce_dataset, sender=self, dispatch_uid="reporting_ensure_workforce")

        from orgs.services import register_dated_records
        from reporting.queries import reports_after

        register_dated_records(reports_after)
