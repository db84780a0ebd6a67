from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "publishing"
    verbose_name = _("信息与快报")

    def ready(self):
        # Counts of submitted and used items as figures for analytics.
        from publishing import sources

        sources.register()

        # Assessment facts, and the submissions as events of the organisations' timelines.
        # Closing an organisation asks for confirmation when it has later submissions.
        from orgs.services import register_dated_records
        from publishing import facts, timeline  # noqa: F401 - register with assessment.facts and ledger.timeline
        from publishing.queries import records_after

        register_dated_records(records_after)
