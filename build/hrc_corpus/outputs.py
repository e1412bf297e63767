"""What the last build wrote, so that the next one rewrites only the tables an edit changed.

After each commit the build records, in its cache (cache.py: keyed, self-verifying, bound to
this checkout), every output file's identity on disk (size, modification time, inode), its
size and SHA-256, the table's row count and, for the tables made of the statements' rows
(tables.PER_STATEMENT), each statement's part: the SHA-256 and length of its CSV lines.

The next build then:
- keeps a table whose parts are the same and whose two files (CSV and Parquet) are still the
  ones recorded: they are not encoded, staged or replaced;
- makes a changed table's CSV from the parts: a statement it did not recompute gives the bytes
  of its part in the old file, taken only when their SHA-256 is the recorded one, so the result
  is byte for byte what a full build writes (tests/test_incremental.py proves it);
- falls back to the full build whenever anything is missing, changed or not as recorded.

Like the stamp of a build with nothing changed, it trusts a file whose identity is unchanged:
an output edited in place with its size, time and inode put back would be kept (no editor
does that; `hrc-corpus build --check`, which reads no cache, would report it).
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Part = tuple[str, int]  # a statement's part of a table: the SHA-256 (hex) of its CSV lines, their length in bytes


def identity(path: Path | str) -> list[int] | None:
    """What changes when a file is written or replaced: size, modification time, inode (None: not a regular file)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ino] if stat.S_ISREG(info.st_mode) else None


def part_of(lines: bytes | memoryview) -> Part:
    """A statement's part of a table, as recorded."""
    return hashlib.sha256(lines).hexdigest(), len(lines)


def csv_path(table: str) -> str:
    """Where a table's CSV file is, in the repository."""
    return f"data/{table}.csv"


def parquet_path(table: str) -> str:
    """Where a table's Parquet file is, in the repository."""
    return f"dist/parquet/{table}.parquet"


@dataclass
class Layout:
    """The outputs the last build wrote, as it recorded them (see the module docstring)."""

    root: Path
    tables: dict[str, dict[str, Any]]  # table -> {"csv": identity, "parquet": identity, "bytes", "sha256", "rows", "parts"?}
    _old: dict[str, bytes | None] = field(default_factory=dict)  # old CSV files read, or None (not as recorded)
    _starts: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def from_value(cls, root: Path, value: Any) -> Layout | None:
        """A layout from its cached value, or None if it is not in the form this module writes."""
        if not isinstance(value, dict) or not isinstance(value.get("tables"), dict):
            return None
        for entry in value["tables"].values():
            if not (isinstance(entry, dict) and isinstance(entry.get("bytes"), int) and isinstance(entry.get("sha256"), str)
                    and isinstance(entry.get("rows"), int) and isinstance(entry.get("parts", []), list)):
                return None
        return cls(root, value["tables"])

    def intact(self, table: str) -> bool:
        """Whether both files of a table are the ones the last build wrote."""
        entry = self.tables.get(table)
        return (entry is not None and entry.get("csv") is not None and identity(self.root / csv_path(table)) == entry["csv"]
                and entry.get("parquet") is not None and identity(self.root / parquet_path(table)) == entry["parquet"])

    def unchanged(self, table: str, parts: list[Part]) -> bool:
        """Whether a table made of these parts is the one on disk (so neither of its files need be written)."""
        entry = self.tables.get(table)
        return entry is not None and [tuple(p) for p in entry.get("parts", [])] == parts and self.intact(table)

    def same_file(self, table: str, data: bytes) -> bool:
        """Whether a table whose CSV is these bytes is the one on disk."""
        entry = self.tables.get(table)
        return (entry is not None and entry["bytes"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest()
                and self.intact(table))

    def part_bytes(self, table: str, index: int, part: Part) -> memoryview | None:
        """The bytes of a statement's part (the index-th) in the old CSV file, if the file is as recorded and they match."""
        entry = self.tables.get(table)
        if entry is None or index >= len(entry.get("parts", [])) or tuple(entry["parts"][index]) != part:
            return None
        old = self._read(table)
        if old is None:
            return None
        start = self._offsets(table)[index]
        data = memoryview(old)[start : start + part[1]]  # (a view: copying 40 MB of slices cost more than hashing them)
        return data if hashlib.sha256(data).hexdigest() == part[0] else None

    def _offsets(self, table: str) -> list[int]:
        """Where each part starts in the old CSV file (after its header line), worked out once."""
        if table not in self._starts:
            at = (self._old[table] or b"").find(b"\n") + 1
            starts = []
            for _, n in self.tables[table]["parts"]:
                starts.append(at)
                at += n
            self._starts[table] = starts
        return self._starts[table]

    def _read(self, table: str) -> bytes | None:
        """The old CSV file of a table, read once, if it is the one recorded (its identity before and after reading)."""
        if table not in self._old:
            path = self.root / csv_path(table)
            entry = self.tables[table]
            data = None
            if identity(path) == entry.get("csv"):
                try:
                    data = path.read_bytes()
                except OSError:
                    pass
                if identity(path) != entry.get("csv") or data is None or len(data) != entry["bytes"]:
                    data = None
            self._old[table] = data
        return self._old[table]

    def entry(self, table: str) -> dict[str, Any]:
        """What the last build recorded of a table (for a table kept as it is)."""
        return self.tables[table]


def record(root: Path, written: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The value to cache after a commit: each table's files' identities now, with what the build knew of them."""
    tables = {}
    for table, entry in written.items():
        tables[table] = {**entry, "csv": identity(root / csv_path(table)), "parquet": identity(root / parquet_path(table))}
    return {"tables": tables}
