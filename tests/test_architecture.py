"""The layers hold: the import-linter contracts in pyproject.toml pass; no module imports inside a function (where
cycles hide); components/ and pages/ hold no SQL and open no connection of their own (they call domain functions on
connections from lessons.access)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("lessons", "components", "pages")

# In-function imports not fixed here, by module path (a prefix also covers the package a module becomes).
SKIP_IMPORTS_IN_FUNCTIONS = (
    # `python -m lessons` loads a command's modules only when that command runs: loading all of them (scikit-learn,
    # fpdf2, vl-convert, openpyxl …) for every command made `python -m lessons --help` about four times slower
    "lessons/cli",
    # the benchmark's child processes measure their memory after importing only what each measurement needs
    "lessons/bench.py",
    # scikit-learn, SciPy (about a second and 90 MB) only when an analysis is computed, never for a page that reads one
    "lessons/learn.py",
    # the report and bundle stack (fpdf2, vl-convert, networkx, scipy …) only when a brief, report or bundle is drawn
    "lessons/drawing.py",
    # the launcher imports the first page's modules in a thread while the first browser loads (#18, cold start)
    "components/serve.py",
)
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b")
DATABASE_CALLS = {"execute", "executemany", "executescript", "query", "connect"}


def modules(*roots: str) -> list[Path]:
    return sorted(path for root in roots for path in (ROOT / root).rglob("*.py"))


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def imports_in_functions(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    found.append(f"{relative(path)}:{inner.lineno} in {node.name}()")
    return found


def sql_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            found.append(f"{relative(path)}:{node.lineno} SQL text {node.value[:40]!r}")
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            receiver = getattr(getattr(node.func, "value", None), "id", None)
            if name in DATABASE_CALLS and receiver != "websockets":  # the load generator's websocket is no store
                found.append(f"{relative(path)}:{node.lineno} calls {name}()")
    return found


def test_the_import_contracts_hold():
    """pages → components → lessons; lessons/ UI-free; components/ without sqlite3; no cycles in lessons/."""
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize("path", modules(*LAYERS), ids=relative)
def test_no_import_inside_a_function(path):
    if relative(path).startswith(SKIP_IMPORTS_IN_FUNCTIONS):
        pytest.skip("listed in SKIP_IMPORTS_IN_FUNCTIONS")
    assert imports_in_functions(path) == []


def test_components_and_pages_hold_no_sql_and_open_no_connection():
    found = [problem for path in modules("components", "pages") for problem in sql_in(path)]
    assert found == []


CACHES = {"cache_data", "cache_resource"}
# Caches not keyed by a data version, and why.
UNVERSIONED_CACHES = {
    "prepare_store": "creates or migrates the store once per process and path",
    "previous_round": "a finished round no longer changes; keying it by version would recompute it on every vote",
    "read_upload": "reads uploaded files, not the store: keyed by the files' hash",
}


def caches(path: Path) -> list[tuple[str, set[str], list[str]]]:
    """Each Streamlit-cached function: name, the cache's keyword arguments, the function's parameters."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and getattr(decorator.func, "attr", None) in CACHES:
                    found.append((node.name, {k.arg for k in decorator.keywords}, [a.arg for a in node.args.args]))
    return found


def test_every_cache_is_bounded_and_keyed_by_data_version():
    found = [(relative(path), *cache) for path in modules("components", "pages") for cache in caches(path)]
    assert len(found) > 40
    unbounded = [(where, name) for where, name, keywords, _ in found if not keywords & {"ttl", "max_entries"}]
    assert unbounded == []
    unversioned = [
        (where, name) for where, name, _, params in found if "version" not in params and name not in UNVERSIONED_CACHES
    ]
    assert unversioned == []


def test_the_checks_can_fail(tmp_path, monkeypatch):
    """The two AST checks find what they look for."""
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    bad = tmp_path / "bad.py"
    bad.write_text('def f(db):\n    import os\n    return db.execute("SELECT 1")\n', encoding="utf-8")
    assert imports_in_functions(bad) == ["bad.py:2 in f()"]
    assert sql_in(bad) == ["bad.py:3 calls execute()", "bad.py:3 SQL text 'SELECT 1'"]


def test_no_import_cycle_between_any_two_modules_at_any_depth():
    """import-linter's acyclic-siblings contract looks at siblings; this looks at every module of lessons/ and
    components/, however deep, through grimp (import-linter's own graph)."""
    graph = grimp.build_graph("lessons", "components")
    edges = nx.DiGraph(
        (module, imported) for module in graph.modules for imported in graph.find_modules_directly_imported_by(module)
    )
    assert [sorted(c) for c in nx.strongly_connected_components(edges) if len(c) > 1] == []


def test_architecture_md_names_every_room_and_only_rooms_that_exist():
    """ARCHITECTURE.md stays true: every module and package of lessons/ and components/ is named there, and every
    `*.py` or package it names exists."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    rooms = [
        p.stem if p.is_file() else p.name
        for root in ("lessons", "components")
        for p in (ROOT / root).iterdir()
        if (p.suffix == ".py" and p.stem not in ("__init__", "__main__")) or (p / "__init__.py").exists()
    ]
    assert [room for room in rooms if not re.search(rf"\b{re.escape(room)}\b", text)] == []
    named = set(re.findall(r"`((?:lessons|components|pages)/[\w/]+(?:\.py)?)", text))
    missing = [n for n in sorted(named) if not (ROOT / n.rstrip("/")).exists() and not (ROOT / f"{n}.py").exists()]
    assert missing == []


def test_every_package_states_its_public_surface():
    """Each package of lessons/ and components/ lists what it offers in ``__all__``."""
    packages = [p for root in ("lessons", "components") for p in (ROOT / root).rglob("__init__.py")]
    assert [relative(p) for p in packages if "__all__" not in p.read_text(encoding="utf-8")] == []
