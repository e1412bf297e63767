"""The repository's files as the pipeline reads and writes them: one gate, one listing, one atomic write.

Every file the pipeline reads goes through read_bytes (inside the repository, no links out, not
too large) and, when it is text, through decode (UTF-8; for record files also a byte-order mark
dropped and CRLF read as LF, as YAML reads them, and no other line end than LF). The statement
folders are listed by statement_folders only, and every file the pipeline writes is written by
atomic_write; a folder the build replaces whole (the site, a release) is filled by fresh_folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .problems import Problem

WORK = ".hrc-build"  # the build's working folder inside the repository (ignored by git)
JOURNAL = "journal.json"  # inside WORK: the renames of a commit in progress (write.py)
MAX_BYTES = 8 * 1024 * 1024  # a record file larger than this is a mistake, not a record

RECORDS = "records"
STATEMENTS = f"{RECORDS}/statements"
SESSIONS_FILE = f"{RECORDS}/sessions.yaml"
ACTORS_FILE = f"{RECORDS}/actors.yaml"
ENTITIES_FILE = f"{RECORDS}/entities.yaml"
SOURCES_FILE = f"{RECORDS}/sources.yaml"  # optional: public sources (codebook §15)
REFERENCES_FILE = f"{RECORDS}/references.yaml"  # optional: reference figures beside claims
SHARED_FILES = (SESSIONS_FILE, ACTORS_FILE, ENTITIES_FILE)
OPTIONAL_FILES = (SOURCES_FILE, REFERENCES_FILE)
STATEMENT_FILE, CLAIMS_FILE, SOURCE_FILE = "statement.yaml", "claims.yaml", "source.md"
STATEMENT_FILES = (STATEMENT_FILE, CLAIMS_FILE, SOURCE_FILE)

# Characters YAML 1.1 parsers (libyaml) treat as line ends, folding or breaking values around them.
LINE_ENDS = {"\r": "CR (Windows or old Mac)", "\x85": "U+0085 (next line)", "\u2028": "U+2028 (line separator)",
             "\u2029": "U+2029 (paragraph separator)"}


def read_bytes(root: Path, rel: str) -> tuple[bytes | None, list[Problem]]:
    """Read a file inside the repository, refusing links that lead out of it and oversized files."""
    path = root / rel
    try:
        info = os.lstat(path)
    except OSError:
        return None, [Problem(rel, 0, 0, "", "the file is missing (or is a broken link)")]
    # A regular file whose folders up to the root are no links is inside: no need to resolve the path
    # (resolving every file was a third of a rebuild's time at 100,000 claims).
    if stat.S_ISREG(info.st_mode) and not _crosses_link(root, rel):
        real = path
    else:
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return None, [Problem(rel, 0, 0, "", "the file is missing (or is a broken link)")]
        if not real.is_relative_to(root.resolve()):
            return None, [Problem(rel, 0, 0, "", "the path leads outside the repository (a symbolic link?); records must be files inside it")]
        if not real.is_file():
            return None, [Problem(rel, 0, 0, "", "expected a file, found a folder or special file")]
        info = real.stat()
    if info.st_size > MAX_BYTES:
        return None, [Problem(rel, 0, 0, "", f"the file is {info.st_size:,} bytes; a record file may be at most {MAX_BYTES:,} bytes")]
    try:
        return real.read_bytes(), []
    except OSError as exc:
        return None, [Problem(rel, 0, 0, "", f"the file cannot be read: {(exc.strerror or str(exc)).lower()}")]


def _crosses_link(root: Path, rel: str) -> bool:
    """Whether any folder between root and the file is a symbolic link (or not a folder)."""
    parts = rel.split("/")[:-1]
    here = root
    for part in parts:
        here = here / part
        try:
            if not stat.S_ISDIR(os.lstat(here).st_mode):
                return True
        except OSError:
            return True
    return False


def decode(data: bytes, rel: str, record: bool = True) -> tuple[str | None, list[Problem]]:
    """The one decoding gate: bytes as UTF-8 text; a record file (YAML) read as YAML reads what a Windows
    editor writes (a byte-order mark dropped, CRLF line ends read as LF), with every other CR and the line
    ends only YAML 1.1 has refused. `hrc-corpus fmt` writes such a file back with LF and without the mark."""
    if record and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # YAML ignores a byte-order mark at the start of a stream
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Problem(rel, line, column, "", f"byte 0x{data[exc.start]:02x} is not UTF-8; save the file as UTF-8")]
    if record:
        text = text.replace("\r\n", "\n")  # YAML reads CRLF as one line break; lines and columns stay the same
        for char, name in LINE_ENDS.items():
            if char in text:
                at = text.index(char)
                line, column = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
                message = (f"the file has {name} line ends; save it with LF line ends" if char == "\r" else
                           f"the file has a {name}, which YAML 1.1 tools read as a line end; "
                           f"write it as \\u{ord(char):04x} inside double quotes, or delete it")
                return None, [Problem(rel, line, column, "", message)]
    return text, []


def read_text(root: Path, rel: str) -> tuple[str | None, list[Problem]]:
    """Read a record file through the gate: read_bytes, then decode."""
    data, problems = read_bytes(root, rel)
    if data is None:
        return None, problems
    return decode(data, rel)


@dataclass
class Listing:
    """What records/statements/ holds: the statement folders to read, the entries refused, and why."""

    names: list[str] = field(default_factory=list)  # statement folders, sorted
    refused: list[str] = field(default_factory=list)  # entries that are not (or may not be read as) statement folders
    problems: list[Problem] = field(default_factory=list)


def statement_folders(root: Path) -> Listing:
    """The one listing of records/statements/ (links into a refused entry are not judged).

    A hidden folder (.name) or a name with a line break, a control character or white space at
    an end is a problem, never skipped: its statement would vanish from the tables. Hidden
    files (.DS_Store, .gitkeep) are not statements and are passed over.
    """
    base = root / STATEMENTS
    listing = Listing()
    if not base.is_dir():
        listing.problems.append(Problem(STATEMENTS, 0, 0, "", "the statements folder is missing"))
        return listing
    # One scandir: its entries know (on most file systems, without another system call) what they are.
    for entry in sorted(os.scandir(base), key=lambda e: e.name):  # sorted: listing order varies by file system
        name = entry.name
        folder = f"{STATEMENTS}/{name}"
        if name.startswith("."):
            if entry.is_dir():
                listing.refused.append(name)
                listing.problems.append(Problem(folder, 0, 0, "", "a hidden folder (its name starts with '.') would be passed over "
                                                "and its statement dropped from the tables; name the folder by its statement id, "
                                                "or move it out of records/statements/"))
            continue
        if not name.isprintable() or name != name.strip():
            listing.refused.append(name)
            listing.problems.append(Problem(folder, 0, 0, "", "the folder name holds a line break, a control character or white "
                                            "space at an end; name the folder by its statement id"))
        elif entry.is_symlink():
            listing.refused.append(name)
            listing.problems.append(Problem(folder, 0, 0, "", "the statement folder is a symbolic link; it must be a real folder inside the repository"))
        elif not entry.is_dir():
            listing.refused.append(name)
            listing.problems.append(Problem(folder, 0, 0, "", "expected a statement folder (statement.yaml, claims.yaml, source.md)"))
        else:
            listing.names.append(name)
    return listing


def atomic_write(path: Path, data: bytes, durable: bool = True) -> None:
    """Write a file so that readers see the old content or the new, never a part (durable: flushed to disk)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def fresh_folder(target: Path) -> Iterator[Path]:
    """A new folder beside target to fill; on success it replaces target whole, on failure it is removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        yield fresh
        for folder in sorted({p for p in fresh.rglob("*") if p.is_dir()} | {fresh}):
            os.chmod(folder, 0o755)
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            os.replace(target, old)
        os.replace(fresh, target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
