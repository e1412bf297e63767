"""What is wrong with the records: one Problem per mistake, located by file, line and column."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Iterable

Path_ = tuple[str | int, ...]  # a place inside a record: ("claims", 3, "type")


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in the records, with where it is and what was expected."""

    file: str  # path relative to the repository, with forward slashes
    line: int  # 1-based; 0 when the problem is about the file as a whole
    column: int  # 1-based
    where: str  # the place inside the record (claims[3].type), or "" for the whole file
    message: str  # what is wrong and what was expected, in plain words

    def __str__(self) -> str:
        where = f" {self.where}:" if self.where else ""
        return f"{self.file}:{self.line}:{self.column}:{where} {self.message}"


class RecordError(Exception):
    """Raised to stop the pipeline when the records have problems; carries all of them."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(f"{len(self.problems)} problem(s) in the records")


def dotted(path: Path_) -> str:
    """Render a place inside a record the way a curator reads it: claims[3].quantities[0].unit."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' did you mean ...?' suffix when a close choice exists, else ''."""
    by_lower = {str(c).lower(): c for c in choices}  # ignoring case, so that UFS finds ufs
    close = difflib.get_close_matches(str(word).lower(), list(by_lower), n=1, cutoff=0.6)
    return f"; did you mean {by_lower[close[0]]!r}?" if close else ""


def relative(path: PurePosixPath | str) -> str:
    """A path as shown in messages (forward slashes)."""
    return str(path).replace("\\", "/")
