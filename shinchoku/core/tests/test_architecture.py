"""The house rules that no single feature test would catch (``docs/architecture.md``):

- only an app's actions write models — no view, API operation, importer, command, admin or template
  tag calls ``save``/``create``/``update``/``delete``/``bulk_*``/``get_or_create`` …;
- apps depend on each other one way (import-linter's layers contract in ``pyproject.toml``);
- every registered action has rows in the generated permission matrix.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import shinchoku

ROOT = Path(shinchoku.__file__).resolve().parent

# Where writes are the point: the actions layer of each app, and the core machinery it is built on
# (the change log writes its own rows; upsert is the actions' create-or-update helper).
WRITE_LAYER = {"core/actions.py", "core/changelog.py", "core/upsert.py"}

# Method calls that write rows. ``save``/``delete`` only without positional arguments (an openpyxl
# ``wb.save(path)`` or ``storage.delete(name)`` takes one); ``update`` only with keyword arguments
# alone (a QuerySet's, not a dict's).
ALWAYS = {"create", "get_or_create", "update_or_create", "bulk_create", "bulk_update", "upsert"}
NO_POSITIONAL = {"save", "delete"}


def _is_write(call: ast.Call) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    name, receiver = func.attr, func.value
    if name in ALWAYS:
        # On a manager, a related manager or a queryset (``Model.objects.create``,
        # ``finding.responses.create``, ``qs.filter(…).update_or_create``) — not a module's function
        # (``rules.create``).
        return not isinstance(receiver, ast.Name)
    if name in NO_POSITIONAL:
        return not call.args
    if name == "update":
        # A queryset's ``filter(…).update(x=…)``, not a dict's ``ctx.update(x=…)``.
        queryset = isinstance(receiver, ast.Call) or (isinstance(receiver, ast.Attribute) and receiver.attr == "objects")
        return queryset and not call.args and bool(call.keywords)
    return False


def _in_write_layer(rel: str) -> bool:
    parts = rel.split("/")
    return (
        rel in WRITE_LAYER
        or parts[-1] == "actions.py"
        or "actions" in parts[:-1]
        or "migrations" in parts
        or "tests" in parts
        or "testing" in parts
    )


def writes_outside_actions() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if _in_write_layer(rel):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _is_write(node):
                found.append(f"{rel}:{node.lineno} .{node.func.attr}()")
    return found


# Modules not yet converted to the actions layer (issue 14). The list may only shrink.
PENDING = {
    "audits/", "meetings/", "procedures/", "evaluations/", "effects/", "plans/services.py", "plans/importers/",
    "plans/workbook/", "reports/", "demo/", "core/admin.py", "indicators/admin.py", "rounds/admin.py", "plans/admin.py",
    "core/management/", "core/views.py", "core/notify.py",
}


def test_only_actions_write_models():
    offenders = [w for w in writes_outside_actions() if not any(w.startswith(p) for p in PENDING)]
    assert offenders == [], "writes outside the actions layer:\n" + "\n".join(offenders)


def test_the_checker_sees_a_write():
    source = (
        "def view(request):\n    obj.save()\n    Model.objects.filter(a=1).update(b=2)\n    wb.save('x.xlsx')\n"
        "    ctx.update(a=1)\n    rules.create(access, 1)\n    finding.responses.create(text='x')\n"
    )
    calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)]
    assert sorted(c.func.attr for c in calls if _is_write(c)) == ["create", "save", "update"]


def test_apps_depend_one_way():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is part of the test extras (pip install -e .[test])"
    result = subprocess.run([lint, "--no-cache"], cwd=ROOT.parent, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def _matrix_modules() -> list[str]:
    return [
        f"shinchoku.{info.name}.tests.test_permission_matrix"
        for info in pkgutil.iter_modules([str(ROOT)])
        if (ROOT / info.name / "tests" / "test_permission_matrix.py").exists()
    ]


def test_every_action_has_rows_in_the_permission_matrix():
    from shinchoku.core.actions import registered_actions
    from shinchoku.core.testing.matrix import declared_cases

    for info in pkgutil.iter_modules([str(ROOT)]):
        if (ROOT / info.name / "actions.py").exists() or (ROOT / info.name / "actions").is_dir():
            importlib.import_module(f"shinchoku.{info.name}.actions")
    for module in _matrix_modules():
        importlib.import_module(module)
    declared = {case.name.split(" (")[0] for case in declared_cases()}
    missing = sorted(set(registered_actions()) - declared)
    assert missing == [], f"actions without rows in a permission matrix: {missing}"


@pytest.mark.parametrize("module", ["shinchoku.indicators.values", "shinchoku.indicators.judgement", "shinchoku.core.fiscal"])
def test_domain_modules_import_no_django(module):
    source = Path(importlib.import_module(module).__file__).read_text(encoding="utf-8")
    imported = {
        (n.module or "") if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(ast.parse(source)) if isinstance(n, (ast.Import, ast.ImportFrom))
        for a in (n.names if isinstance(n, ast.Import) else [n])
    }
    assert not any(name.startswith("django") for name in imported), imported
