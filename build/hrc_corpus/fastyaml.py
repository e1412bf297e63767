"""A fast path for reading record files, that answers exactly as load.parse_yaml does or not at all.

rapidyaml parses a file and emits it as JSON, which json.loads turns into values, some thirty
times faster than the event loader in load.py. rapidyaml is not a strict loader, though: its
JSON emitter writes ~ and True as strings, drops anchors and tags, keeps duplicate keys, and it
accepts some syntax libyaml refuses. So a file takes the fast path only when nothing in it can
read differently:

- a screen over the text refuses anything outside the plain subset the records use (tabs,
  backslash escapes, control and line-break characters, anchors, aliases, tags, directives,
  document markers, complex keys, reserved indicators, explicit block indentation);
- in the emitted JSON, every string that YAML 1.2's core schema (or load.py's YAML 1.1
  rules) could read as something else is a doubt, unless rapidyaml would have emitted that
  same text, written plain, as something other than a string (so it must have been quoted);
- keys must be unique, and the document must be a single mapping or list.

Any doubt, and any error, returns None: the caller then uses the reference loader, whose
answer (and message, with line and column) is the one that counts. The documents returned
have no positions; they are computed by the reference parser the first time one is asked
for, which happens only when a check reports a problem in that file.
"""

from __future__ import annotations

import json
import os
import re
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator

from .load import Document, _scalar, _YamlProblem, parse_yaml

try:  # optional: without rapidyaml every file takes the reference path
    import ryml
except ImportError:  # pragma: no cover - rapidyaml is pinned, but the reference path must not need it
    ryml = None

# Text the fast path does not read the way libyaml does, or that this module cannot vouch for.
_SCREEN = re.compile(
    r"[\t\r\\\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]"  # tabs, escapes, control and break characters
    r"|(?:^|[\s\[{,])[&*!%@`?:]"  # anchors, aliases, tags, directives, reserved indicators, complex keys
    r"|(?:^|\s)[\]},]|[,:][\]},]|,\s+[\]},]"  # a scalar starting with a closing bracket or comma; empty flow entries
    r"|[\]}] *[^\s,\]}]"  # anything but a separator after a flow collection closes
    r"|^[^\n]*[\[{][^\n]*:[^\s,\[\]{}]"  # in a flow collection, a colon must end its key
    r"|^[^\n]*[\[{][^\n]*#"  # a comment on a line with a flow collection
    r"|^[^\n]*[\[{][^\]}\n]*$"  # a flow collection that goes on to the next line
    r"|^(?:---|\.\.\.)"  # document markers
    r"|[|>][-+]?[0-9]",  # block scalars with an explicit indentation indicator
    re.MULTILINE,
)
# A JSON string (key or value) whose text could be a null, boolean or number when written plain.
_DOUBTFUL = re.compile(r'"([-+.0-9~yYnNoOtTfF][^"\n]*|)"(:?)')
_RULES = re.compile(r"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO"
                    r"|on|On|ON|off|Off|OFF|[-+]?[0-9.][0-9a-zA-Z_:.+-]*|[-+]?\.[a-zA-Z]+|)$")


class FastDocument(Document):
    """A Document read by the fast path: positions come from the reference parser, on demand."""

    def __init__(self, path: str, data: Any, text: str):
        super().__init__(path, data)
        self._text: str | None = text

    def locate(self, where: Any, key: bool = False) -> tuple[int, int]:
        """Line and column of a place, parsing the file with the reference loader the first time."""
        if self._text is not None:
            reference = parse_yaml(self._text, self.path)  # the same file the fast path vouched for
            self.positions, self.key_positions = reference.positions, reference.key_positions
            self._text = None
        return super().locate(where, key)


class ScreenedDict(dict):  # type: ignore[type-arg]
    """A record file's top-level mapping whose strings passed the fast path's screen."""


class ScreenedList(list):  # type: ignore[type-arg]
    """A record file's top-level list whose strings passed the fast path's screen."""


class _Duplicate(Exception):
    """A mapping repeats a key (the reference loader refuses it)."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A mapping from JSON pairs; a repeated key is a doubt."""
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise _Duplicate
    return mapping


def _no_constant(name: str) -> Any:
    """json.loads would read NaN and Infinity; the reference loader never gives them."""
    raise ValueError(name)


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """rapidyaml prints parse errors to the C stderr; the reference loader reports them instead."""
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _emit(data: bytes) -> str:
    """rapidyaml's JSON for a YAML text (raises on a syntax error)."""
    return ryml.emit_json(ryml.parse_in_arena(data))  # type: ignore[union-attr]


@lru_cache(maxsize=4096)
def _plain_is_not_string(text: str) -> bool:
    """Whether rapidyaml emits `text`, written as a plain scalar anywhere, as a non-string.

    If it does, a string with this text in the emitted JSON came from a quoted scalar, which
    the reference loader reads as the same string.
    """
    probes = (f"- {text}\n", f"a: {text}\n", f"[{text}]\n", f"{{a: {text}}}\n", f"- a: {text}\n")
    try:
        with _quiet_stderr():
            values = [json.loads(_emit(p.encode("utf-8")), parse_constant=_no_constant) for p in probes]
        found = [values[0][0], values[1]["a"], values[2][0], values[3]["a"], values[4][0]["a"]]
    except Exception:  # noqa: BLE001 - any failure to probe is a doubt
        return False
    return all(not isinstance(v, str) for v in found)


def _vouched(emitted: str) -> bool:
    """Whether every string in rapidyaml's JSON reads the same as load.py would read it."""
    for match in _DOUBTFUL.finditer(emitted):
        text, is_key = match.group(1), match.group(2)
        if not _RULES.match(text):
            continue
        try:
            same = _scalar_as_plain(text) == text
        except _YamlProblem:
            same = False
        if same:
            continue  # plain or quoted, the reference loader reads this text as itself
        if is_key or not _plain_is_not_string(text):
            return False
    return True


def _scalar_as_plain(text: str) -> Any:
    """What load.py makes of a plain scalar with this text."""

    class _Mark:
        line = column = 0

    class _Event:  # the attributes _scalar reads
        value = text
        implicit = (True, False)
        start_mark = _Mark()

    value = _scalar(_Event())  # type: ignore[arg-type]
    return value if isinstance(value, str) else object()  # a non-string never equals the text


def load_fast(text: str, path: str) -> Document | None:
    """The file's Document if the fast path can vouch for it, else None (use parse_yaml)."""
    if ryml is None or _SCREEN.search(text):
        return None
    try:
        with _quiet_stderr():
            emitted = _emit(text.encode("utf-8"))
    except Exception:  # noqa: BLE001 - a syntax error: the reference loader words it
        return None
    head = (emitted or "").lstrip()[:1]  # None for a file of comments only
    if head not in ("{", "[") or not _vouched(emitted):
        return None
    try:
        data = json.loads(emitted, object_pairs_hook=_unique, parse_constant=_no_constant)
    except (ValueError, _Duplicate):  # invalid JSON (control characters, +1, ...) or a repeated key
        return None
    return FastDocument(path, ScreenedDict(data) if head == "{" else ScreenedList(data), text)
