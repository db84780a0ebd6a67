from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ledger"
    verbose_name = _("产改台账")

    def ready(self):
        # The ledger's facts for assessment criteria (plans on time, officers, alerts by kind …).
        from ledger import facts  # noqa: F401 - registers with assessment.facts
