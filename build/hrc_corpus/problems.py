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
        where = f" {printable(self.where)}:" if self.where else ""
        return f"{printable(self.file)}:{self.line}:{self.column}:{where} {self.message}"


class RecordError(Exception):
    """Raised to stop the pipeline when the records have problems; carries all of them."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(f"{len(self.problems)} problem(s) in the records")


def dotted(path: Path_) -> str:
    """Render a place inside a record the way a curator reads it: claims[3].quantities[0].unit."""
    out = ""
    for part in path:
        part = part if isinstance(part, int) or len(part) <= 80 else part[:77] + "..."  # an absurdly long key
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' did you mean ...?' suffix when a close choice exists, else ''."""
    by_lower = {str(c).lower(): c for c in choices}  # ignoring case, so that UFS finds ufs
    close = closest_match(str(word).lower(), by_lower)
    return f"; did you mean {by_lower[close]!r}?" if close is not None else ""


def closest_match(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """difflib.get_close_matches(word, choices, n=1, cutoff)'s answer, without computing every ratio.

    get_close_matches computes the full ratio of every choice whose quick bound passes the
    cutoff; among 100,000 claim ids that look alike, that took ten seconds per unknown link.
    The ratio never exceeds quick_ratio, so going through the choices by quick_ratio, highest
    first, we can stop once the bound falls below the best ratio found: same answer (ties go
    to the greater string, as nlargest's do), a few ratios computed.
    """
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    bounded = []
    for choice in choices:
        matcher.set_seq1(choice)
        if matcher.real_quick_ratio() >= cutoff:
            bound = matcher.quick_ratio()
            if bound >= cutoff:
                bounded.append((bound, choice))
    bounded.sort(reverse=True)
    best: tuple[float, str] | None = None
    for bound, choice in bounded:
        if best is not None and bound < best[0]:
            break
        matcher.set_seq1(choice)
        ratio = matcher.ratio()
        if ratio >= cutoff and (best is None or (ratio, choice) > best):
            best = (ratio, choice)
    return best[1] if best else None


def printable(text: str) -> str:
    """Text on one line, whatever it holds: a line break or control character shown as its escape (\\n, \\x1b, \\u200b)."""
    return text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def relative(path: PurePosixPath | str) -> str:
    """A path as shown in messages (forward slashes)."""
    return str(path).replace("\\", "/")
