"""Anchors: chain heads written outside the service's database, so truncation shows.

Each service appends its anchors to one JSON-lines file, ``<audit_anchor_dir>/<service>.jsonl``,
opened ``O_APPEND`` and fsynced after each line: a line is never rewritten by the platform. Put
the directory on storage the database's administrators cannot rewrite (another host, a
write-once bucket synced from it, a volume mounted append-only); the default, ``var/audit-anchors``,
is for development. A line that cannot be read (a crash in the middle of a write) is skipped
and counted.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cap_shared.audit.verify import Anchor


@dataclass(frozen=True)
class AnchorFile:
    """The append-only anchor file of one service."""

    path: Path

    @classmethod
    def of(cls, directory: str | Path, service: str) -> AnchorFile:
        """The file of ``service`` under ``directory``."""
        return cls(Path(directory) / f"{service}.jsonl")

    def _append(self, line: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    async def append(self, anchor: Anchor) -> None:
        """Append ``anchor`` durably (one line, fsynced)."""
        line = json.dumps(
            {
                "chain": anchor.chain,
                "seq": anchor.seq,
                "hash": anchor.hash,
                "anchored_at": anchor.anchored_at,
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        await asyncio.to_thread(self._append, (line + "\n").encode())

    def _read(self) -> tuple[list[Anchor], int]:
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return [], 0
        anchors, unreadable = [], 0
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                anchors.append(
                    Anchor(
                        chain=str(raw["chain"]),
                        seq=int(raw["seq"]),
                        hash=str(raw["hash"]),
                        anchored_at=str(raw["anchored_at"]),
                    )
                )
            except (ValueError, KeyError, TypeError):
                unreadable += 1
        return anchors, unreadable

    async def read(self) -> tuple[list[Anchor], int]:
        """Every anchor in the file, and how many lines could not be read."""
        return await asyncio.to_thread(self._read)
