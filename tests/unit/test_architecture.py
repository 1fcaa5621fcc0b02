"""The dependency rule of DESIGN.md §2, checked on the import statements of every module."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "ticketing"
STDLIB = set(sys.stdlib_module_names)
ADAPTER_LIBS = {
    "litestar", "piccolo", "asyncpg", "aiosqlite", "aiosmtplib", "aiosmtpd", "apscheduler", "jinja2", "uvicorn",
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
