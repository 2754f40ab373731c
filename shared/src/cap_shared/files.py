"""File storage behind an interface: documents (signed audit reports...) kept outside the database.

``LocalFileStore`` (the default) writes under a directory, atomically (a temporary file renamed
into place), in a worker thread. Another backend (S3-compatible object storage) implements the
same three methods.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*(/[A-Za-z0-9][A-Za-z0-9._\-]*)*$")


@dataclass(frozen=True)
class StoredFile:
    """Where a file is, how big, and its SHA-256 (hex)."""

    key: str
    size: int
    sha256: str


class FileStore(Protocol):
    """Where generated files (reports, certificates) are kept, by key."""

    async def put(self, key: str, data: bytes) -> StoredFile:
        """Store ``data`` under ``key`` (replacing what was there)."""

    async def get(self, key: str) -> bytes:
        """The bytes stored under ``key``."""

    async def exists(self, key: str) -> bool:
        """Whether something is stored under ``key``."""


class LocalFileStore:
    """Files under ``root`` (created on first write)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key) or ".." in key:
            msg = f"invalid file key {key!r}"
            raise ValueError(msg)
        return self.root / key

    async def put(self, key: str, data: bytes) -> StoredFile:
        """Write ``data`` under ``key`` atomically (a temporary file, then renamed)."""
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise

        await asyncio.to_thread(write)
        return StoredFile(key=key, size=len(data), sha256=hashlib.sha256(data).hexdigest())

    async def get(self, key: str) -> bytes:
        """The bytes stored under ``key``."""
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def exists(self, key: str) -> bool:
        """Whether a file is stored under ``key``."""
        return await asyncio.to_thread(self._path(key).exists)
