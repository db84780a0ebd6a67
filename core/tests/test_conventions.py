"""STYLE.md §2: views, API modules and exports read scoped data only through the door (orgs.scoping).

A lint over the source, with `ast`. The scoped models come from the app registry: every model whose
default manager hands out a `ScopedQuerySet`, and every model with a foreign key to an organisation.
In every view, API and export module of the project's apps, a read of such a model must go through
the door:

    Report.objects.visible_to(user).get(pk=pk)                      # fine: the scope is applied
    get_visible_or_404(Report.objects.select_related("org"), user, pk=pk)   # fine: the door fetches it
    visible_or_province_wide(IndicatorTarget.objects.filter(...), user)     # fine: the door filters it

and these are what the checker refuses:

    Report.objects.get(pk=pk)                                       # a bypass: any id answers
    get_object_or_404(Report, pk=pk)                                # the same bypass, spelled otherwise
    Report.objects.filter(org__code=request.GET["org"])             # a filter is not a scope

A deliberately added bypass is caught: put `report = Report.objects.get(pk=pk)` into
reporting/views/entry/detail.py and `test_views_api_and_exports_read_scoped_models_through_the_door`
fails, naming the file, line, function and model. `test_the_checker_catches_a_bypass` feeds such
a snippet to the checker itself, so the checker cannot quietly stop working.

Justified exceptions are listed in ALLOWED, keyed by (module, function, model), each with its reason.
A stale entry (the read was removed) fails the test too, so the list stays true.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings

from orgs.models import Organisation
from orgs.scoping import ScopedQuerySet

ROOT = Path(settings.BASE_DIR)

# Calls that read rows when made on `Model.objects` (or on a queryset derived from it).
READS = {
    "get", "filter", "exclude", "all", "first", "last", "in_bulk", "values", "values_list", "count",
    "exists", "iterator", "aggregate", "annotate", "select_related", "prefetch_related", "order_by",
    "only", "defer", "raw", "distinct", "earliest", "latest", "get_or_create", "update_or_create",
}  # fmt: skip
DOOR_METHODS = {"visible_to"}
DOOR_FUNCTIONS = {"get_visible_or_404", "visible_or_province_wide"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}

# (module, function, model): why this read may skip the door. Keep each reason honest and short.
ALLOWED: dict[tuple[str, str, str], str] = {
    # The user's own rows: nothing of anyone else's can come back.
    ("accounts/api.py", "UserViewSet.me", "Membership"): "the caller's own roles (user=request.user)",
    ("accounts/views.py", "_profile_context", "Membership"): "the profile owner's own roles (user=user)",
    ("assessment/views/rating.py", "rating_home", "RaterAssignment"): "the rater's own assignments (user=user)",
    ("assessment/views/rounds.py", "round_list", "RaterAssignment"): "the user's own assignments (user=user)",
    ("assessment/views/rounds.py", "_round_public", "RaterAssignment"): "whether the user rates here (a flag)",
    ("reporting/views/excel.py", "excel_home", "Organisation"): "the roots of the user's own EDIT grants",
    # Rows below an object already fetched through the door.
    ("orgs/api.py", "OrganisationViewSet.history", "OrgLink"): "the history of `org`, found by get_object()",
    ("reporting/api.py", "_values_of", "DataValue"): "the values of a report fetched through the door",
    ("reporting/views/entry/common.py", "_cell_values", "DataValue"): "the values of a report fetched through the door",
    ("assessment/views/rounds.py", "round_list", "Participant"): "counts per round of rounds_visible(user)",
    # Built from scoped pieces, or a count/flag that names no row.
    ("orgs/api.py", "AssignmentViewSet.get_queryset", "Assignment"): "filtered by visible_to() subqueries above",
    ("orgs/api.py", "_with_parent_code", "Organisation"): "the parent's code of an already scoped row",
    ("orgs/api.py", "grant_targets", "Membership"): "Exists(): whether an account never held a role",
    ("assessment/views/exports.py", "may_export_summary", "Participant"): "a count, compared with the visible one",
    # The rater rule itself: 404 unless the office, the scope or a rater assignment allows it.
    ("assessment/api.py", "RatingViewSet._participant", "Participant"): "checked by runs_assessment/can/assigned",
    # The report's own deadline; the deadline/extension rule is being moved into one place.
    ("reporting/views/entry/my_reports.py", "_report_windows", "DeadlineExtension"): "only dates, of reports in view",
}


@dataclass(frozen=True)
class Bypass:
    module: str
    line: int
    function: str
    model: str
    code: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.module, self.function, self.model)

    def __str__(self) -> str:
        return f"{self.module}:{self.line} in {self.function}(): {self.code}  [{self.model} is scoped]"


def scoped_models() -> set[str]:
    """Class names of the project's models that belong to an organisation (from the app registry)."""
    names = set()
    for model in apps.get_models():
        if model._meta.app_label not in project_apps():
            continue
        manager = model._default_manager
        if isinstance(manager.get_queryset(), ScopedQuerySet):
            names.add(model.__name__)
            continue
        for field in model._meta.get_fields():
            if field.is_relation and field.many_to_one and field.related_model is Organisation:
                names.add(model.__name__)
                break
    return names


def project_apps() -> set[str]:
    return {config.label for config in apps.get_app_configs() if Path(config.path).parent == ROOT}


def door_modules() -> list[Path]:
    """Every view, API and export module of the project's apps."""
    found = []
    for config in apps.get_app_configs():
        base = Path(config.path)
        if base.parent != ROOT:
            continue
        for path in sorted(base.rglob("*.py")):
            parts = path.relative_to(base).parts
            if parts[0] in {"tests", "migrations", "management"}:
                continue
            stem = path.stem
            if (
                "views" in parts[:-1]
                or "api" in parts[:-1]
                or stem in {"views", "api", "exports"}
                or stem.startswith(("views_", "api_"))
                or stem.endswith(("_views", "_api"))
                or "export" in stem
            ):
                found.append(path)
    return found


def _chain_root(node: ast.AST) -> ast.AST:
    """Climb from a `Model.objects` node to the outermost expression of its method chain."""
    while True:
        parent = getattr(node, "parent", None)
        is_link = (isinstance(parent, ast.Attribute) and parent.value is node) or (
            isinstance(parent, ast.Call) and parent.func is node
        )
        if not is_link:
            return node
        node = parent


def _chain_methods(top: ast.AST, start: ast.AST) -> list[str]:
    names = []
    node = start
    while node is not top:
        node = node.parent
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
    return names


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _function_of(node: ast.AST) -> str:
    names = []
    while node is not None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        node = getattr(node, "parent", None)
    return ".".join(reversed(names)) or "<module>"


def _passed_to_door(node: ast.AST, doors: set[str] = DOOR_FUNCTIONS) -> bool:
    """Whether the expression is an argument (at any depth of nesting) of a door function."""
    while node is not None:
        parent = getattr(node, "parent", None)
        if isinstance(parent, ast.Call) and node is not parent.func and _call_name(parent) in doors:
            return True
        if isinstance(parent, ast.stmt) or parent is None:
            return False
        node = parent
    return False


def _local_doors(tree: ast.AST) -> set[str]:
    """The door functions plus the module's own helpers that hand their argument to one (`_visible_org`)."""
    doors = set(DOOR_FUNCTIONS)
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef) and function.args.args:
            params = {a.arg for a in function.args.args}
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and _call_name(node) in DOOR_FUNCTIONS
                    and any(isinstance(n, ast.Name) and n.id in params for a in node.args for n in ast.walk(a))
                ):
                    doors.add(function.name)
    return doors


def _scoped_later(expression: ast.AST, tree: ast.AST) -> bool:
    """Whether a queryset kept for later goes through the door there: assigned to a name that is then
    scoped (`qs.visible_to(…)`, `get_visible_or_404(qs, …)`) in the same function, or returned by a
    function whose result is scoped where it is called (`self._base().visible_to(…)`)."""
    parent = getattr(expression, "parent", None)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
        name, scope = parent.targets[0].id, parent
        while scope is not None and not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
            scope = getattr(scope, "parent", None)
        for node in ast.walk(scope or tree):
            if not (isinstance(node, ast.Name) and node.id == name and node is not parent.targets[0]):
                continue
            up = node.parent
            if isinstance(up, ast.Attribute) and up.attr in DOOR_METHODS or _passed_to_door(node):
                return True
        return False
    if isinstance(parent, ast.Return):
        function = _function_of(parent).rsplit(".", 1)[-1]
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _call_name(node) == function:
                up = getattr(node, "parent", None)
                if isinstance(up, ast.Attribute) and up.attr in DOOR_METHODS or _passed_to_door(node):
                    return True
    return False


def check_source(source: str, module: str, models: set[str]) -> list[Bypass]:
    """The reads of `models` in `source` that skip the door, in source order."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            child.parent = node
    lines = source.splitlines()
    doors = _local_doors(tree)
    found = []

    def report(node: ast.AST, model: str) -> None:
        found.append(Bypass(module, node.lineno, _function_of(node), model, lines[node.lineno - 1].strip()))

    for node in ast.walk(tree):
        # Model.objects.<read>(…) without visible_to in the chain and not handed to the door.
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"objects", "_default_manager"}
            and isinstance(node.value, ast.Name)
            and node.value.id in models
        ):
            top = _chain_root(node)
            methods = _chain_methods(top, node)
            if not methods or DOOR_METHODS & set(methods) or not READS & set(methods):
                continue
            if _passed_to_door(top, doors) or _scoped_later(top, tree):
                continue
            report(node, node.value.id)
        # get_object_or_404(Model, …): a fetch by id with no scope at all.
        elif isinstance(node, ast.Call) and _call_name(node) in SHORTCUTS and node.args:
            first = node.args[0]
            if isinstance(first, ast.Name) and first.id in models:
                report(node, first.id)
    return sorted(found, key=lambda b: b.line)


def all_bypasses() -> list[Bypass]:
    models = scoped_models()
    found = []
    for path in door_modules():
        module = str(path.relative_to(ROOT))
        found.extend(check_source(path.read_text(encoding="utf-8"), module, models))
    return found


# --- The tests ---------------------------------------------------------------------------------------------


def test_scoped_models_come_from_the_registry():
    models = scoped_models()
    # ScopedQuerySet managers and organisation foreign keys, across the apps.
    assert {"Organisation", "Membership", "Report", "Participant", "DeadlineExtension", "IndicatorTarget"} <= models
    assert "DataSet" not in models and "Indicator" not in models  # province-wide metadata


def test_the_checker_looks_at_views_api_and_exports_of_every_app():
    modules = {str(p.relative_to(ROOT)) for p in door_modules()}
    assert {
        "reporting/api.py",
        "reporting/views/entry/detail.py",
        "assessment/views/exports.py",
        "orgs/views.py",
    } <= modules
    assert {"analytics/views/pivot.py", "analytics/exports.py", "core/audit_views.py", "accounts/api.py"} <= modules
    assert not any("/tests/" in m or "/migrations/" in m for m in modules)


BYPASS_SNIPPET = """
def report_detail(request, pk):
    report = Report.objects.get(pk=pk)
    other = get_object_or_404(Report, pk=pk)
    rows = Report.objects.select_related("org").filter(org__code=request.GET["org"])
    return report, other, rows
"""

DOOR_SNIPPET = """
def report_detail(request, pk):
    report = Report.objects.visible_to(request.user).get(pk=pk)
    other = get_visible_or_404(Report.objects.select_related("org"), request.user, pk=pk)
    targets = visible_or_province_wide(IndicatorTarget.objects.filter(year=2021), request.user)
    metadata = DataSet.objects.get(code="WF_Y")
    kept = Report.objects.select_related("org")
    later = get_visible_or_404(kept, request.user, pk=pk)
    return report, other, targets, metadata, later, _base().visible_to(request.user)


def _base():
    return Report.objects.select_related("org", "period")
"""


def test_the_checker_catches_a_bypass():
    """A deliberately added bypass, fed to the checker: each of the three reads is caught."""
    models = {"Report", "IndicatorTarget"}
    found = check_source(BYPASS_SNIPPET, "reporting/views/entry/detail.py", models)
    assert [(b.line, b.function, b.model) for b in found] == [
        (3, "report_detail", "Report"),
        (4, "report_detail", "Report"),
        (5, "report_detail", "Report"),
    ]
    assert "Report.objects.get(pk=pk)" in str(found[0])
    # The same page written through the door passes (and unscoped metadata is not a concern).
    assert check_source(DOOR_SNIPPET, "reporting/views/entry/detail.py", models) == []


def test_views_api_and_exports_read_scoped_models_through_the_door():
    found = all_bypasses()
    unexplained = [str(b) for b in found if b.key not in ALLOWED]
    assert not unexplained, "Read scoped models through orgs.scoping (or add a reasoned ALLOWED entry):\n" + "\n".join(
        unexplained
    )
    stale = set(ALLOWED) - {b.key for b in found}
    assert not stale, f"ALLOWED entries that no longer match any read: {sorted(stale)}"
