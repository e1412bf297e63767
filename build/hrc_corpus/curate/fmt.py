"""`hrc-corpus fmt [--check]`: every record file in its canonical form (yamlstyle.py).

Formats each record file of records/ that has a schema (sessions.yaml, actors.yaml, entities.yaml ...)
and each statement's statement.yaml and claims.yaml; source.md is never touched. A file saved with CRLF line ends or a byte-order
mark is written back with LF and without it. With --check nothing is written and the exit
status is 1 when a file is not canonical (CI runs it). If any file cannot be formatted, none is.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from ..load import CLAIMS_FILE, RECORDS, STATEMENT_FILE, STATEMENTS
from ..problems import Problem, RecordError
from ..schema import RECORD_SCHEMAS, Schemas
from .yamlstyle import FormatError, Layout, canonical, kind_of


def record_files(root: Path) -> list[str]:
    """Every YAML record file under records/, relative to root, in a fixed order."""
    shared = sorted(p.name for p in (root / RECORDS).glob("*.yaml")) if (root / RECORDS).is_dir() else []
    files = [f"{RECORDS}/{name}" for name in shared if kind_of(name) in RECORD_SCHEMAS and (root / RECORDS / name).is_file()]
    base = root / STATEMENTS
    for name in sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")) if base.is_dir() else []:
        for file in (STATEMENT_FILE, CLAIMS_FILE):
            rel = f"{STATEMENTS}/{name}/{file}"
            if (root / rel).is_file() and not (root / rel).is_symlink():
                files.append(rel)
    return files


def formatted(root: Path) -> tuple[dict[str, str], list[Problem]]:
    """The canonical text of every record file that is not canonical yet, and the files that cannot be formatted."""
    layout = Layout(Schemas(root / "schema"))
    changed: dict[str, str] = {}
    problems: list[Problem] = []
    for rel in record_files(root):
        data = (root / rel).read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(rel, 0, 0, "", f"not formatted: byte 0x{data[exc.start]:02x} is not UTF-8"))
            continue
        try:
            new = canonical(text, rel, layout)
        except FormatError as exc:
            problems.append(Problem(rel, 0, 0, "", str(exc)))
            continue
        if new != text:
            changed[rel] = new
    return changed, problems


def _replace(path: Path, text: str) -> None:
    """Write a file's new text atomically (a temporary file beside it, then renamed over it)."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def run_fmt(root: Path, check_only: bool) -> int:
    """Format the record files, or with check_only report the ones that are not canonical."""
    changed, problems = formatted(root)
    if problems:
        raise RecordError(problems)
    if check_only:
        for rel in changed:
            print(f"not canonical: {rel}", file=sys.stderr)
        if changed:
            print(f"{len(changed)} file(s) not in canonical form: run `hrc-corpus fmt` and commit.", file=sys.stderr)
        return 1 if changed else 0
    for rel, text in changed.items():
        _replace(root / rel, text)
        print(f"formatted {rel}")
    if not changed:
        print("every record file is canonical")
    return 0
