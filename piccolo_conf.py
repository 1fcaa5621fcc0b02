"""Piccolo configuration for the `piccolo` CLI run from the repository root
(e.g. `piccolo migrations new ticketing --auto`). The real one is ticketing.piccolo_conf."""

from typing import Any

from ticketing.piccolo_conf import APP_REGISTRY

__all__ = ["APP_REGISTRY"]


def __getattr__(name: str) -> Any:
    from ticketing import piccolo_conf

    return getattr(piccolo_conf, name)
