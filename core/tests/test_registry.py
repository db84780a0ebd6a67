"""core/registry.py: every audit event and job kind the code writes is declared; core imports no app."""

from __future__ import annotations

import ast
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from core import audit, registry
from core.models import AuditEntry
from orgs.tests.factories import SYSTEM

ROOT = Path(settings.BASE_DIR)
DOMAIN_APPS = ("orgs", "accounts", "reporting", "analytics", "assessment")
CODE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
AUDIT_CALLS = {"record": 1, "record_refusal": 1, "_audit_refusal": 1}  # name -> position of the event


def _sources(*, tests: bool = False) -> list[Path]:
    skip = {".venv", "node_modules", "migrations", "locale", "static"}
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if not skip & set(path.relative_to(ROOT).parts) and (tests or "tests" not in path.relative_to(ROOT).parts)
    ]


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _assigned(tree: ast.AST, name: str) -> list[ast.AST]:
    """The values assigned to `name` anywhere in the module (tuple unpacking included)."""
    values = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == name:
                values.append(node.value)
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                for element, value in zip(target.elts, node.value.elts, strict=False):
                    if isinstance(element, ast.Name) and element.id == name:
                        values.append(value)
    return values


def _event_argument(call: ast.Call) -> ast.AST | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name not in AUDIT_CALLS:
        return None
    if isinstance(func, ast.Attribute) and not (isinstance(func.value, ast.Name) and func.value.id == "audit"):
        return None
    for keyword in call.keywords:
        if keyword.arg == "event":
            return keyword.value
    position = AUDIT_CALLS[name]
    return call.args[position] if len(call.args) > position else None


def written_events(paths: list[Path], root: Path = ROOT) -> tuple[set[str], set[str], list[str]]:
    """(literal codes, f-string prefixes, calls whose event could not be followed) over `paths`.

    A literal, a conditional of literals and a name assigned literals in the same module are
    followed; an f-string gives its fixed prefix (checked against the declared codes).
    """
    codes: set[str] = set()
    prefixes: set[str] = set()
    unknown: list[str] = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            arg = _event_argument(call)
            if arg is None:
                continue
            where = f"{path.relative_to(root)}:{call.lineno}"
            if isinstance(arg, ast.JoinedStr):
                head = arg.values[0]
                if isinstance(head, ast.Constant) and head.value:
                    prefixes.add(head.value)
                else:
                    unknown.append(where)
                continue
            values = [arg]
            if isinstance(arg, ast.Name):
                values = _assigned(tree, arg.id)
            found = [s for value in values for s in _strings(value) if CODE.match(s)]
            if found:
                codes.update(found)
            else:
                unknown.append(where)
    return codes, prefixes, unknown


# --- every written event is declared ------------------------------------------------------------


def test_every_event_the_code_writes_is_declared():
    codes, prefixes, unknown = written_events(_sources())
    # The event arguments the scan cannot follow: each is a parameter passed on from a caller
    # whose literal the scan does see (audit.record_refusal and the API's refusal helper), or a
    # workflow step's declared event (core/workflow.py; each is checked below and in
    # test_each_report_workflow_step_has_its_declared_event).
    assert {where.split(":")[0] for where in unknown} == {"core/api.py", "core/audit.py", "core/workflow.py"}
    assert len(codes) > 100  # the scan really finds the calls
    assert registry.undeclared(codes) == []
    for prefix in prefixes:
        assert any(code.startswith(prefix) for code in registry.declared_events()), prefix


def test_the_scan_catches_an_undeclared_event(tmp_path):
    # A deliberately undeclared event, in the three shapes the code uses.
    bad = tmp_path / "bad.py"
    bad.write_text(
        "EVENT = 'reporting.nothing.here'\n"
        "def f(by, ok):\n"
        "    audit.record(by, 'orgs.organisation.vanish')\n"
        "    audit.record(by, 'a.b.c' if ok else 'orgs.organisation.create')\n"
        "    audit.record(by, EVENT)\n"
        "    audit.record(by, event=f'reporting.widget.{ok}')\n"
        "    other.record(by, 'not.an.audit.call')\n",
        encoding="utf-8",
    )
    codes, prefixes, unknown = written_events([bad], root=tmp_path)
    assert registry.undeclared(codes) == ["a.b.c", "orgs.organisation.vanish", "reporting.nothing.here"]
    assert prefixes == {"reporting.widget."}
    assert not any(code.startswith("reporting.widget.") for code in registry.declared_events())
    assert unknown == []


def test_each_report_workflow_step_has_its_declared_event():
    # reporting/services/workflow.py writes f"reporting.report.{step_name}" for every step.
    from reporting.workflow import STEPS

    assert STEPS
    assert registry.undeclared(f"reporting.report.{name}" for name in STEPS) == []


def test_every_declared_event_has_a_chinese_label():
    with translation.override("zh-hans"):
        for code, label in registry.declared_events().items():
            assert re.search(r"[\u4e00-\u9fff]", str(label)), code


def test_every_job_kind_the_code_creates_is_declared():
    kinds = set()
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            if getattr(call.func, "id", getattr(call.func, "attr", "")) != "job_create":
                continue
            kind = next(k.value for k in call.keywords if k.arg == "kind")
            kinds.update(_strings(kind))
    assert kinds == {
        "reporting.excel_import",
        "reporting.history_import",
        "assessment.round_compute",
        "ledger.alerts_refresh",
    }
    assert all(registry.job_kind_label(kind) != kind for kind in kinds)
    assert registry.job_kind_label("reporting.excel_import") == "Excel 数据导入"
    assert registry.job_kind_label("nobody.declared") == "nobody.declared"


# --- audit.record and undeclared events -------------------------------------------------------


@pytest.mark.django_db
def test_recording_an_undeclared_event_raises_in_strict_mode_and_writes_nothing(settings):
    settings.AUDIT_STRICT_EVENTS = True
    with pytest.raises(ImproperlyConfigured, match="reporting.report.vanish"):
        audit.record(SYSTEM, "reporting.report.vanish")
    assert not AuditEntry.objects.filter(event="reporting.report.vanish").exists()


@pytest.mark.django_db
def test_in_production_an_undeclared_event_is_logged_and_still_written(settings, caplog):
    settings.AUDIT_STRICT_EVENTS = False
    with caplog.at_level(logging.ERROR, logger="core.audit"):
        entry = audit.record(SYSTEM, "reporting.report.vanish")
    assert AuditEntry.objects.filter(pk=entry.pk, event="reporting.report.vanish").exists()
    assert "'reporting.report.vanish' is not declared" in caplog.text


def test_the_test_suite_runs_strict():
    assert settings.AUDIT_STRICT_EVENTS is True


# --- the registry itself -----------------------------------------------------------------------


def test_labels_and_search_by_word():
    assert registry.event_label("reporting.report.submit") == "提交报表"
    assert registry.event_label("nobody.declared.this") == "nobody.declared.this"
    assert "reporting.report.submit" in registry.events_matching("提交")
    assert "assessment.self_assessment.submit" in registry.events_matching(" 提交 ")
    assert "accounts.login" in registry.events_matching("登录")
    assert {"audit.export", "analytics.pivot.export"} <= set(registry.events_matching("导出"))
    assert "reporting.report.return" in registry.events_matching("退回")
    assert "reporting.report.submit" not in registry.events_matching("登录")
    assert registry.events_matching("") == []


def test_a_code_declared_twice_with_different_labels_is_refused(monkeypatch):
    monkeypatch.setattr(registry, "_events", dict(registry._events))
    registry.audit_events({"reporting.report.submit": registry.declared_events()["reporting.report.submit"]})
    with pytest.raises(ImproperlyConfigured, match="declared twice"):
        registry.audit_events({"reporting.report.submit": "别的名称"})


def test_core_questions_fail_closed_and_take_one_answer(monkeypatch):
    monkeypatch.setattr(registry, "_providers", {})

    class Person:
        is_authenticated = True

    assert registry.allows("audit.view", Person()) is False  # nobody answered: no
    registry.provide("audit.view", lambda user: True)
    assert registry.allows("audit.view", Person()) is True
    assert registry.allows("audit.view", None) is False  # signed out
    with pytest.raises(ImproperlyConfigured):
        registry.provide("audit.view", lambda user: False)
    with pytest.raises(ImproperlyConfigured):
        registry.provide("no.such.question", lambda user: True)


def test_menu_shows_only_what_the_user_may_open(monkeypatch):
    monkeypatch.setattr(registry, "_menu", {})
    registry.menu(
        registry.MenuEntry(
            key="box",
            label="盒子",
            order=2,
            section="orgs",
            children=(
                registry.MenuEntry(key="tree", label="树", url_name="orgs:org_tree"),
                registry.MenuEntry(key="hidden", label="隐藏", url_name="orgs:org_tree", visible=lambda u: False),
                registry.MenuEntry(key="absent", label="不存在", url_name="nowhere:page"),
            ),
        ),
        registry.MenuEntry(key="first", label="首", url_name="home", order=1),
        registry.MenuEntry(key="empty", label="空", visible=lambda u: False, url_name="home"),
    )
    items = registry.menu_for(object())
    assert [(i.key, i.url, [c.key for c in i.children]) for i in items] == [
        ("first", "/", []),
        ("box", "", ["tree"]),
    ]
    assert items[1].is_active("orgs", "org_detail") and not items[0].is_active("orgs", "org_detail")
    assert registry.menu_urls()["absent"] == ""
    with pytest.raises(ImproperlyConfigured, match="'tree' declared twice"):
        registry.menu(
            registry.MenuEntry(key="other", label="别", children=(registry.MenuEntry(key="tree", label="x"),))
        )


def test_another_app_adds_entries_under_a_drop_down(monkeypatch):
    monkeypatch.setattr(registry, "_menu", {})
    monkeypatch.setattr(registry, "_menu_extra", {})
    registry.menu(
        registry.MenuEntry(
            key="box", label="盒子", children=(registry.MenuEntry(key="tree", label="树", url_name="home"),)
        )
    )
    registry.menu_children("box", registry.MenuEntry(key="more", label="更多", url_name="orgs:org_tree"))
    registry.menu_children("box", registry.MenuEntry(key="more", label="更多", url_name="orgs:org_tree"))  # again
    registry.menu_children("box", registry.MenuEntry(key="shut", label="关", url_name="home", visible=lambda u: False))
    [box] = registry.menu_for(object())
    assert [c.key for c in box.children] == ["tree", "more"]
    assert registry.menu_urls()["more"].startswith("/orgs/")
    with pytest.raises(ImproperlyConfigured, match="'tree' declared twice"):
        registry.menu_children("box", registry.MenuEntry(key="tree", label="x"))


# --- core knows no app ----------------------------------------------------------------------------


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
    return modules


def core_imports_of_apps(core: Path) -> dict[str, set[str]]:
    """For each core module (its tests aside), the domain-app modules it imports."""
    found = {}
    for path in sorted(core.rglob("*.py")):
        if "tests" in path.relative_to(core).parts:
            continue
        apps = {m for m in _imported_modules(path) if m.split(".")[0] in DOMAIN_APPS}
        if apps:
            found[str(path.relative_to(core))] = apps
    return found


def test_core_imports_no_domain_app():
    assert core_imports_of_apps(ROOT / "core") == {}


def test_the_import_check_sees_an_app_import(tmp_path):
    (tmp_path / "views.py").write_text(
        "from orgs.scoping import has_action\ndef f():\n    import reporting.queries\n    from . import audit\n"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("from orgs.choices import Role\n")
    assert core_imports_of_apps(tmp_path) == {"views.py": {"orgs.scoping", "reporting.queries"}}


def test_todos_come_from_every_source_most_urgent_first(monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setattr(registry, "_todo_sources", {})
    registry.todos("b", lambda user: [registry.Todo("later", urgency=2), registry.Todo("now", urgency=0)])
    registry.todos("a", lambda user: [registry.Todo("soon", "/x/", 1)])
    user = SimpleNamespace(is_authenticated=True)
    assert [t.text for t in registry.todos_for(user)] == ["now", "soon", "later"]
    assert registry.todos_for(SimpleNamespace(is_authenticated=False)) == []
    with pytest.raises(ImproperlyConfigured):
        registry.todos("a", lambda user: [])
