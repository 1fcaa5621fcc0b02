"""The desks TOML file, read and validated (light: the calendar commands need nothing else)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from ticketing.domain.desks import Desk, parse_desks
from ticketing.domain.errors import ConfigError


def load_desks(path: Path) -> dict[str, Desk]:
    """Read and validate a desks TOML file; every problem names the file and the key."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(str(path), "desks file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}") from None
    return parse_desks(data, str(path))


__all__ = ["load_desks"]
