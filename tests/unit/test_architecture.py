"""The dependency rule of docs/architecture.md, checked on the import statements of every module."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import Any

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "ticketing"
STDLIB = set(sys.stdlib_module_names)
ADAPTER_LIBS = {
    "litestar",
    "piccolo",
    "asyncpg",
    "aiosqlite",
    "aiosmtplib",
    "aiosmtpd",
    "apscheduler",
    "jinja2",
    "uvicorn",
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(sub: str) -> list[Path]:
    return sorted((PACKAGE / sub).rglob("*.py"))


@pytest.mark.parametrize("path", modules("domain"), ids=lambda p: p.name)
def test_domain_imports_only_stdlib_holidays_and_itself(path: Path) -> None:
    for name in imports_of(path):
        top = name.split(".")[0]
        assert top in STDLIB or top == "holidays" or name.startswith("ticketing.domain"), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", modules("domain"), ids=lambda p: p.name)
def test_domain_never_reads_the_clock(path: Path) -> None:
    text = path.read_text()
    for call in ("datetime.now(", "datetime.utcnow(", "date.today(", "time.time("):
        assert call not in text, f"{path.name} calls {call}"


@pytest.mark.parametrize("path", modules("services"), ids=lambda p: p.name)
def test_services_use_no_adapter(path: Path) -> None:
    for name in imports_of(path):
        top = name.split(".")[0]
        assert top not in ADAPTER_LIBS, f"{path.name} imports {name}"
        for layer in ("db", "mail", "web", "jobs", "app", "cli", "container"):
            assert not name.startswith(f"ticketing.{layer}"), f"{path.name} imports {name}"
        assert "datetime.now(" not in path.read_text()


@pytest.mark.parametrize("sub", ["web", "jobs", "mail", "services", "domain"])
def test_only_db_queries_tables(sub: str) -> None:
    for path in modules(sub):
        for name in imports_of(path):
            assert name != "ticketing.db.tables", f"{path} imports the tables"


def test_no_http_exceptions_below_web() -> None:
    for sub in ("domain", "services", "db", "mail", "jobs"):
        for path in modules(sub):
            assert "HTTPException" not in path.read_text(), path


@pytest.mark.parametrize("path", modules("web"), ids=lambda p: p.name)
def test_web_reaches_no_database_and_no_container(path: Path) -> None:
    """Handlers are given services (docs/style.md 15): web/ never holds the engine, a store or the container."""
    for name in imports_of(path):
        for forbidden in ("ticketing.db", "ticketing.container", "piccolo"):
            assert name != forbidden and not name.startswith(forbidden + "."), f"{path.name} imports {name}"


# A SQL statement in a string: the keyword that starts it and the one that must follow.
SQL_STATEMENT = re.compile(
    r"\bSELECT\b[\s\S]*\b(FROM|pg_\w+\(|1\b)|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b|\bRETURNING\b"
)
# Known offenders, each to move into ticketing/db/ by its owner (the xfail is strict: it fails once fixed).
SQL_OUTSIDE_DB_KNOWN: dict[str, str] = {}


def sql_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and SQL_STATEMENT.search(n.value)
    ]


def _outside_db() -> list[Any]:
    params = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("db/"):
            continue
        marks = (
            [pytest.mark.xfail(strict=True, reason=SQL_OUTSIDE_DB_KNOWN[rel])] if rel in SQL_OUTSIDE_DB_KNOWN else []
        )
        params.append(pytest.param(path, id=rel, marks=marks))
    return params


@pytest.mark.parametrize("path", _outside_db())
def test_no_sql_outside_db(path: Path) -> None:
    """SQL text lives in ticketing/db/ (docs/style.md 7): nowhere else builds or sends a statement."""
    assert sql_strings(path) == [], f"{path.relative_to(PACKAGE)} holds SQL"


def test_the_sql_check_sees_statements() -> None:
    found = [
        bool(SQL_STATEMENT.search(s))
        for s in (
            "SELECT id FROM ticket WHERE id = $1",
            "SELECT 1",
            "select pg_try_advisory_lock($1)".upper(),
            "INSERT INTO outbox (kind) VALUES ($1)",
            "UPDATE ticket SET state = $1",
            "DELETE FROM session",
            "Select one of the listed options.",
            "Choose one from the list",
            "an update to the ticket",
        )
    ]
    assert found == [True] * 6 + [False] * 3


def _web_functions() -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    found = []
    for path in [*modules("web"), PACKAGE / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found.append((f"{path.name}:{node.name}", node))
    return found


def test_no_handler_dependency_or_guard_takes_the_container() -> None:
    """By name or by type, in web/ and in the composition root's providers."""
    offenders = []
    for where, fn in _web_functions():
        args = [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]
        for arg in args:
            annotation = ast.unparse(arg.annotation) if arg.annotation else ""
            if (
                arg.arg == "container"
                and where.startswith("app.py:")
                and fn.name in ("create_app", "handler_dependencies")
            ):
                continue  # the composition root builds from the container; it is no handler
            if arg.arg == "container" or "Container" in annotation:
                offenders.append(f"{where}({arg.arg}: {annotation})")
    assert offenders == []


def test_the_app_provides_no_container(tmp_path: Path) -> None:
    """Every route's resolved dependencies, as Litestar sees them: services by name, never `container`."""
    from litestar.routes import HTTPRoute

    from ticketing.app import create_app
    from ticketing.container import Container
    from ticketing.settings import Settings

    app = create_app(Settings(data_dir=tmp_path, secret_key="k" * 40), migrate=False, scheduler=False)
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            provided = handler.resolve_dependencies()
            assert "container" not in provided, route.path
            params = handler.parsed_fn_signature.parameters
            assert "container" not in params, route.path
            assert all(p.annotation is not Container for p in params.values()), route.path
