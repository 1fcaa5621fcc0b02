"""Files the service reads at run time, found through the installed package (importlib.resources).

In the repository `ticketing/emails` and `ticketing/migrations` are links to the top-level folders
the layout keeps; a built wheel carries them as package data. Either way the package finds them
the same way, from any working directory.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

PACKAGE = files("ticketing")


def package_path(*parts: str) -> Path:
    """A directory or file shipped inside the package, as a filesystem path (wheels install unzipped)."""
    return Path(str(PACKAGE.joinpath(*parts)))


EMAILS_DIR = package_path("emails")
MIGRATIONS_DIR = package_path("migrations")
WEB_DIR = package_path("web")
LOCALE_DIR = package_path("web", "locale")
BUNDLED_DESKS = package_path("desks.toml")
