from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_regions(sender, using="default", **kwargs):
    # Reference data, like content types: put back after `flush` (which empties every table and
    # then sends post_migrate), so the region table is never found empty. Idempotent.
    from django.apps import apps

    from orgs.migrations._regions import load

    load(apps, None)


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("组织机构")

    def ready(self):
        post_migrate.connect(_ensure_regions, sender=self, dispatch_uid="orgs_ensure_regions")
