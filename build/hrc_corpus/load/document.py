"""What the load step gives: a record file's value with the line and column of every node."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..problems import Path_, Problem, dotted

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")  # an id fit to name its record in a message

class YamlProblem(Exception):
    """A YAML file that cannot be read as records; located at a line and column."""

    def __init__(self, line: int, column: int, message: str):
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


@dataclass
class Document:
    """One YAML file's value, with the line and column of every node in it."""

    path: str  # relative to the repository root, forward slashes
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)  # value starts
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)  # mapping keys
    # True when a backend vouches that every text value passed its screen (no escapes, no
    # control or line-break characters), so that a validator may take a faster yes (check.validate).
    screened: bool = False

    def locate(self, where: Path_, key: bool = False) -> tuple[int, int]:
        """Line and column of a place in the file: the nearest enclosing node that has one."""
        table = self.key_positions if key else self.positions
        for cut in range(len(where), -1, -1):
            if where[:cut] in table:
                return table[where[:cut]]
            if key and where[:cut] in self.positions:
                return self.positions[where[:cut]]
        return (1, 1)

    def problem(self, where: Path_, message: str, key: bool = False) -> Problem:
        """A Problem located at a place in this file."""
        line, column = self.locate(where, key)
        return Problem(self.path, line, column, self.name(where), message)

    def name(self, where: Path_) -> str:
        """A place as a curator reads it: a listed record by its id as written (c014.type), else dotted."""
        if len(where) >= 2 and where[0] == "claims" and isinstance(where[1], int) and isinstance(self.data, dict):
            listed, index, rest = self.data.get("claims"), where[1], where[2:]
        elif where and isinstance(where[0], int):
            listed, index, rest = self.data, where[0], where[1:]
        else:
            return dotted(where)
        record = listed[index] if isinstance(listed, list) and isinstance(index, int) and 0 <= index < len(listed) else None
        record_id = record.get("id") if isinstance(record, dict) else None
        if not isinstance(record_id, str) or not _ID.fullmatch(record_id):
            return dotted(where)
        return record_id + ("." if rest and isinstance(rest[0], str) else "") + dotted(rest)


@dataclass
class StatementFolder:
    """One statement's folder: its metadata, its claims and its source document."""

    folder: str  # the folder name, which must equal the statement's id
    meta: Document
    claims: Document
    source: bytes
    source_path: str


@dataclass
class Corpus:
    """Everything under records/ that could be read from disk, and the problems of what could not."""

    sessions: Document | None
    actors: Document | None
    entities: Document | None
    statements: list[StatementFolder]
    sources: Document | None = None  # None: the records have no sources.yaml
    references: Document | None = None  # None: the records have no references.yaml
    unread: list[str] = field(default_factory=list)  # statement folders refused, or some file of which could not be read
    problems: list[Problem] = field(default_factory=list)


