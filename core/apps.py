from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _register_sqlite_functions(sender, connection, **kwargs):
    # The audit table's delete trigger asks this function whether a purge is under way;
    # a connection without it (the sqlite3 shell) cannot delete audit rows at all.
    if connection.vendor == "sqlite":
        from core.audit import purge_allowed

        connection.connection.create_function("changai_audit_purge_allowed", 0, purge_allowed)


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "核心"

    def ready(self):
        from core import checks  # noqa: F401 - registers the deployment checks

        connection_created.connect(_register_sqlite_functions, dispatch_uid="changai_sqlite_functions")
        # Every app's audit events, job kinds, menu entries and answers (core/registry.py).
        from django.utils.module_loading import autodiscover_modules

        from core import registry

        autodiscover_modules(registry.MODULE)
