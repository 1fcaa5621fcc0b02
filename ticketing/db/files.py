"""Private files: the data directory holds personal data, so only the service's user may read it."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) as 0700; tighten it when it exists with wider bits."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _tighten(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Create an empty `path` as 0600 if it is missing; tighten it when it exists with wider bits."""
    private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        _tighten(path, 0o600)
    return path


def _tighten(path: Path, mode: int) -> None:
    """Only our own files: a shared parent such as /tmp is never changed."""
    info = path.stat()
    current = stat.S_IMODE(info.st_mode)
    if current & ~mode and info.st_uid == os.getuid():
        path.chmod(mode)
        log.info("tightened %s from %o to %o", path, current, mode)
