"""Migrations do not import live application code (issue 10, item 6).

A migration is history: what it creates must not change when the application changes. So a
migration module (and the data modules next to it, such as reporting/migrations/_workforce.py)
imports nothing of a project app except that app's or another app's `migrations` package. Data a
data migration needs is frozen into the migration (literal data, `apps.get_model`).

A deliberately added import is caught: put `from reporting.validation import sum_rule_spec` into
reporting/migrations/_workforce.py and `test_migrations_import_no_live_application_code` fails,
naming the file, line and module. `test_the_checker_catches_a_live_import` feeds such a snippet to
the checker itself, so the checker cannot quietly stop working.

The exceptions are the references `makemigrations` itself writes into a schema migration (a
manager, a field default, an upload path, a validator): Django keeps them importable by design
and changing them would make `makemigrations --check` fail. They are listed in ALLOWED, keyed by
(migration file, module), each with its reason; a stale entry fails the test too.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# (migration file, module): why this migration may import it. Only references makemigrations writes.
ALLOWED: dict[tuple[str, str], str] = {
    ("accounts/migrations/0001_initial.py", "accounts.models"): "the user model's manager, as makemigrations wrote it",
    ("orgs/migrations/0001_initial.py", "orgs.validators"): "the credit code field's validator (schema)",
    ("assessment/migrations/0001_initial.py", "assessment.models"): "field defaults and the evidence upload path",
    ("reporting/migrations/0003_report_attachment.py", "reporting.models.attachments"): "the attachment upload path",
    ("ledger/migrations/0001_initial.py", "ledger.models"): "the ledger documents' upload path",
    ("ledger/migrations/0001_initial.py", "core.fields"): "the officers' encrypted contact fields (schema)",
    ("accounts/migrations/0003_user_phone.py", "core.fields"): "the user's encrypted telephone (schema)",
    ("training/migrations/0001_initial.py", "core.fields"): "the enrolled people's encrypted telephone (schema)",
    ("training/migrations/0001_initial.py", "core.models"): "the class files' upload path (core.models.StoredFile)",
    ("sites/migrations/0001_initial.py", "core.fields"): "the site contacts' encrypted telephone (schema)",
    ("sites/migrations/0001_initial.py", "core.models"): "the kept files' upload path (core.models.StoredFile)",
    ("cases/migrations/0001_initial.py", "core.models"): "the case files' upload path (core.models.StoredFile)",
    ("publishing/migrations/0001_initial.py", "core.models"): "the stored files' upload path (core.models.StoredFile)",
    ("dataexport/migrations/0001_initial.py", "core.models"): "the stored files' upload path (core.models.StoredFile)",
    ("talent/migrations/0001_initial.py", "core.fields"): "the people's encrypted ID number and telephone (schema)",
    ("talent/migrations/0001_initial.py", "core.idnumber"): "the ID number field's validator (GB 11643), as the schema",
}


def project_packages() -> set[str]:
    """Top-level packages of the project's own code: its apps and the settings package."""
    names = {config.name.split(".")[0] for config in apps.get_app_configs() if Path(config.path).parent == ROOT}
    return names | {settings.ROOT_URLCONF.split(".")[0]}


def migration_files() -> list[Path]:
    found = []
    for config in apps.get_app_configs():
        base = Path(config.path)
        if base.parent == ROOT and (base / "migrations").is_dir():
            found.extend(sorted((base / "migrations").glob("*.py")))
    return found


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every absolute import, and of importlib.import_module("…") with a literal name."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def live_imports(source: str, packages: set[str]) -> list[tuple[int, str]]:
    """The imports in `source` of a project package other than an app's `migrations` package."""
    result = []
    for line, module in _imported(ast.parse(source)):
        parts = module.split(".")
        if parts[0] in packages and (len(parts) < 2 or parts[1] != "migrations"):
            result.append((line, module))
    return sorted(result)


def all_live_imports() -> dict[tuple[str, str], int]:
    packages = project_packages()
    found = {}
    for path in migration_files():
        name = str(path.relative_to(ROOT))
        for line, module in live_imports(path.read_text(encoding="utf-8"), packages):
            found.setdefault((name, module), line)
    return found


# --- The tests ---------------------------------------------------------------------------------------------


def test_the_checker_reads_every_apps_migrations():
    names = {str(p.relative_to(ROOT)) for p in migration_files()}
    assert {
        "reporting/migrations/0002_workforce_dataset.py",
        "reporting/migrations/_workforce.py",
        "analytics/migrations/0002_indicators.py",
        "orgs/migrations/0002_regions.py",
    } <= names
    assert {"reporting", "analytics", "assessment", "orgs", "accounts", "core"} <= project_packages()


def test_migrations_import_no_live_application_code():
    found = all_live_imports()
    unexplained = [
        f"{name}:{line} imports {module}" for (name, module), line in found.items() if (name, module) not in ALLOWED
    ]
    assert unexplained == [], "a migration imports live application code; freeze the data into the migration"
    stale = sorted(set(ALLOWED) - set(found))
    assert stale == [], "ALLOWED lists an import no migration makes any more"


LIVE_SNIPPET = """
from django.db import migrations
import reporting.models
from reporting.validation import sum_rule_spec
from reporting.migrations._workforce import load
from . import _helpers


def forwards(apps, schema_editor):
    from analytics.indicators import INDICATORS
    import importlib
    importlib.import_module("orgs.regions")
"""


def test_the_checker_catches_a_live_import():
    assert live_imports(LIVE_SNIPPET, project_packages()) == [
        (3, "reporting.models"),
        (4, "reporting.validation"),
        (10, "analytics.indicators"),
        (12, "orgs.regions"),
    ]


def test_the_flush_hooks_load_reference_data_from_the_migrations(db):
    # After `flush`, post_migrate runs these; they call the migrations' own frozen loaders.
    from analytics.apps import _ensure_indicators
    from analytics.models import Indicator
    from orgs.apps import _ensure_regions
    from orgs.models import Region
    from reporting.apps import _ensure_workforce_dataset
    from reporting.models import DataSet

    Indicator.objects.all().delete()
    Region.objects.filter(parent__isnull=False).delete()

    _ensure_regions(sender=None)
    _ensure_workforce_dataset(sender=None)
    _ensure_indicators(sender=None)

    assert Region.objects.count() == 17
    assert DataSet.objects.filter(code__in=["WF_Y", "WF_Q"]).count() == 2
    assert Indicator.objects.filter(code="CERT_RATE").exists()
