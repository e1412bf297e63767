"""Step 1, load: read the records strictly, keeping the line and column of every value.

Every file comes through files.read_bytes and files.decode (the one gate), then one of two
YAML backends turns its text into JSON values:

- "reference" (reference.py): PyYAML's events, read by this project's rules (YAML 1.2 core
  schema; whatever YAML 1.1 tools read differently must be quoted; no anchors, aliases, tags
  or duplicate keys). It is the judge: its values and messages are the ones that count.
- "fast" (rapid.py): rapidyaml, behind a screen; it answers with the reference's values or
  not at all, and then the reference backend reads the file.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..files import (
    ACTORS_FILE,
    CLAIMS_FILE,
    ENTITIES_FILE,
    MAX_BYTES,
    RECORDS,
    REFERENCES_FILE,
    SESSIONS_FILE,
    SHARED_FILES,
    SOURCE_FILE,
    SOURCES_FILE,
    STATEMENT_FILE,
    STATEMENTS,
    decode,
    read_bytes,
    statement_folders,
)
from ..problems import Problem
from . import rapid
from .document import Corpus, Document, StatementFolder, YamlProblem
from .reference import MAX_DEPTH, MAX_INT, MAX_KEY, parse_yaml

BACKENDS = ("fast", "reference")

__all__ = ["ACTORS_FILE", "BACKENDS", "CLAIMS_FILE", "Corpus", "Document", "ENTITIES_FILE", "MAX_BYTES", "MAX_DEPTH",
           "MAX_INT", "MAX_KEY", "RECORDS", "REFERENCES_FILE", "SESSIONS_FILE", "SOURCES_FILE", "SOURCE_FILE", "STATEMENTS", "STATEMENT_FILE", "StatementFolder",
           "YamlProblem", "load_corpus", "load_optional_yaml", "load_statement", "load_yaml", "parse", "parse_yaml", "read_bytes", "read_document"]


def parse(text: str, rel: str, backend: str = "fast") -> Document:
    """Parse one YAML text with a backend (see the module docstring); raise YamlProblem on misuse."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown YAML backend {backend!r} (expected one of {BACKENDS})")
    if backend == "fast":
        fast = rapid.parse(text, rel)
        if fast is not None:
            return fast
    return parse_yaml(text, rel)


def read_document(data: bytes, rel: str, backend: str = "fast") -> tuple[Document | None, list[Problem]]:
    """A record file's Document from its bytes, through the decoding gate; problems instead of exceptions."""
    text, problems = decode(data, rel)
    if text is None:
        return None, problems
    try:
        return parse(text, rel, backend), []
    except YamlProblem as exc:
        return None, [Problem(rel, exc.line, exc.column, "", exc.message)]


def load_yaml(root: Path, rel: str, backend: str = "fast") -> tuple[Document | None, list[Problem]]:
    """Read and parse one YAML record file; problems instead of exceptions."""
    data, problems = read_bytes(root, rel)
    if data is None:
        return None, problems
    return read_document(data, rel, backend)


def load_statement(root: Path, name: str, backend: str = "fast",
                   blobs: tuple[bytes | None, ...] | None = None) -> tuple[StatementFolder | None, list[Problem]]:
    """One statement folder (listed by files.statement_folders), from disk or from its files' bytes already read."""
    folder = f"{STATEMENTS}/{name}"
    problems: list[Problem] = []
    if blobs is None:
        read = [read_bytes(root, f"{folder}/{file}") for file in (STATEMENT_FILE, CLAIMS_FILE, SOURCE_FILE)]
        blobs = tuple(data for data, _ in read)
        problems += [p for _, found in read for p in found]
    meta = claims = None
    if blobs[0] is not None:
        meta, found = read_document(blobs[0], f"{folder}/{STATEMENT_FILE}", backend)
        problems += found
    if blobs[1] is not None:
        claims, found = read_document(blobs[1], f"{folder}/{CLAIMS_FILE}", backend)
        problems += found
    if meta is None or claims is None or blobs[2] is None:
        return None, problems
    return StatementFolder(name, meta, claims, blobs[2], f"{folder}/{SOURCE_FILE}"), problems


def load_corpus(root: Path, backend: str = "fast") -> Corpus:
    """Read every record under root/records: what could be read, and the problems of what could not.

    A file that cannot be read does not stop the others: the check step checks everything
    that was read, so that one run reports every problem.
    """
    problems: list[Problem] = []
    shared = []
    for rel in SHARED_FILES:
        doc, found = load_yaml(root, rel, backend)
        problems += found
        shared.append(doc)
    listing = statement_folders(root)
    problems += listing.problems
    statements: list[StatementFolder] = []
    unread: list[str] = list(listing.refused)
    for name in listing.names:
        statement, found = load_statement(root, name, backend)
        problems += found
        if statement is None:
            unread.append(name)
        else:
            statements.append(statement)
    optional = []
    for rel in (SOURCES_FILE, REFERENCES_FILE):
        doc, found = load_optional_yaml(root, rel, backend)
        problems += found
        optional.append(doc)
    return Corpus(shared[0], shared[1], shared[2], statements, optional[0], optional[1], unread, problems)


def load_optional_yaml(root: Path, rel: str, backend: str = "fast") -> tuple[Document | None, list[Problem]]:
    """A record file that may be absent (None, no problem); present, it is read like any other."""
    if not os.path.lexists(root / rel):
        return None, []
    return load_yaml(root, rel, backend)
