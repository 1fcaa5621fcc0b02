"""Attachment files, stored by content hash under the data dir (outside any web root)."""

from __future__ import annotations

import codecs
import hashlib
import os
import tempfile
from pathlib import Path

import filetype

from ticketing.db.files import private_dir


class FileBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> tuple[str, str]:
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if not path.exists():
            private_dir(path.parent)
            fd, tmp = tempfile.mkstemp(dir=path.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        return digest, sniff(data)

    def get(self, digest: str) -> bytes:
        return self._path(digest).read_bytes()


class MemoryBlobStore:
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def put(self, data: bytes) -> tuple[str, str]:
        digest = hashlib.sha256(data).hexdigest()
        self.blobs[digest] = data
        return digest, sniff(data)

    def get(self, digest: str) -> bytes:
        return self.blobs[digest]


def sniff(data: bytes) -> str:
    """The content type the bytes show, never the one the sender declared."""
    kind = filetype.guess(data)
    if kind is not None:
        return str(kind.mime)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[:4096], final=False)
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"
