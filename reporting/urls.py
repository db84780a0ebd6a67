from importlib import import_module

app_name = "reporting"

# Each page module lists its own routes; a module not yet written is simply absent.
_MODULES = ("entry", "metadata", "completeness", "excel")

urlpatterns: list = []
for _name in _MODULES:
    try:
        _module = import_module(f"reporting.views.{_name}")
    except ModuleNotFoundError as error:
        if error.name != f"reporting.views.{_name}":
            raise
        continue
    urlpatterns += _module.urlpatterns
