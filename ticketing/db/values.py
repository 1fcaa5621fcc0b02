"""Small conversions shared by the repositories."""

from __future__ import annotations

import json
from typing import Any


def cut(value: str | None, length: int) -> str | None:
    """A column value at most `length` characters long; empty becomes NULL."""
    return value[:length] if value else None


def loads(value: Any, default: Any) -> Any:
    """A JSON column as Python: SQLite (and asyncpg for `json`) hand it over as text."""
    if value is None:
        return default
    return json.loads(value) if isinstance(value, str) else value
