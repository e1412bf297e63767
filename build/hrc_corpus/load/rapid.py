"""The fast YAML backend of the load step: it answers exactly as the reference backend does, or not at all.

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

A doubt, or a syntax error rapidyaml reports, returns None: the load step then uses the
reference backend, whose answer (and message, with line and column) is the one that counts.
Any other exception is a bug and is not hidden. The documents returned have no positions;
they are computed by the reference parser the first time one is asked for, which happens
only when a check reports a problem in that file.
"""

from __future__ import annotations

import json
import math
import os
import re
from functools import lru_cache
from typing import Any

from ..problems import Path_
from .document import Document, YamlProblem
from .reference import MAX_DEPTH, MAX_INT, MAX_KEY, parse_yaml, read_plain

try:  # optional: without rapidyaml and RE2 every file takes the reference backend
    import re2
    import ryml

    AVAILABLE = True
except ImportError:  # pragma: no cover - both are pinned, but the reference backend must not need them
    AVAILABLE = False

# Text the fast path does not read the way libyaml does, or that this module cannot vouch for.
# RE2 (a DFA) scans it in linear time, some fifty times faster than Python's re on these patterns.
_SCREEN = "(?m)" + "|".join((
    r"[\t\r\\\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x{2028}\x{2029}\x{feff}]",  # tabs, escapes, control and break characters
    r"[\s\[{,][&*!%@`?:]|^[&*!%@`?:]",  # anchors, aliases, tags, directives, reserved indicators, complex keys
    r"\s[\]},]|^[\]},]|[,:][\]},]|,\s+[\]},]",  # a scalar starting with a closing bracket or comma; empty flow entries
    r"[\]}] *[^\s,\]}]",  # anything but a separator after a flow collection closes
    r"^(?:---|\.\.\.)",  # document markers
    r"[|>][-+]?[0-9]",  # block scalars with an explicit indentation indicator
    r"^[^\n\[{]*[\[{][^\n]*(?::[^\s,\[\]{}]|#)",  # in a flow collection: a colon not ending a key; a comment
    r"^[^\n]*[\[{][^\]}\n]*$",  # a flow collection that goes on to the next line
    r"(?:^|[\s\[{,])-\.[0-9]",  # -.5, which rapidyaml emits as -0.5 though YAML 1.1 reads it as text (the reference refuses it)
))
# A JSON string (key or value) whose whole text could be a null, boolean or number when written plain.
# A token starts at a quote that is not escaped (RE2 has no look-behind: the character before is consumed).
_DOUBTFUL = (r'(?:^|[^\\])"(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[yYnN]|yes|Yes|YES|no|No|NO'
             r'|on|On|ON|off|Off|OFF|[-+]?[0-9.][0-9a-zA-Z_:.+-]*|[-+]?\.[a-zA-Z]+'
             r'|[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]| +)[0-9][^"\\]*|)"(:?)')  # the last: YAML 1.1 timestamps
if AVAILABLE:
    _screen, _doubtful = re2.compile(_SCREEN), re2.compile(_DOUBTFUL)


class LazyDocument(Document):
    """A Document read by this backend: positions come from the reference parser, on demand."""

    def __init__(self, path: str, data: Any, text: str):
        super().__init__(path, data, screened=True)
        self._text: str | None = text

    def locate(self, where: Path_, key: bool = False) -> tuple[int, int]:
        """Line and column of a place, parsing the file with the reference backend the first time."""
        if self._text is not None:
            reference = parse_yaml(self._text, self.path)  # the same file this backend vouched for
            self.positions, self.key_positions = reference.positions, reference.key_positions
            self._text = None
        return super().locate(where, key)


class _Duplicate(Exception):
    """A mapping repeats a key (the reference loader refuses it)."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A mapping from JSON pairs; a repeated key is a doubt."""
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise _Duplicate
    return mapping


def _unique_short(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A mapping from JSON pairs; a repeated key, or one longer than libyaml takes (the reference refuses it), is a doubt."""
    mapping = _unique(pairs)
    if any(len(key) > MAX_KEY for key in mapping):
        raise _Duplicate
    return mapping


# A JSON key of more than MAX_KEY characters, written without escapes (with none, its text is its value).
_LONG_KEY = re.compile(f'"[^"]{{{MAX_KEY + 1},}}":')


def _no_constant(name: str) -> Any:
    """json.loads would read NaN and Infinity; the reference loader never gives them."""
    raise ValueError(name)


_devnull: int | None = None


def _emit(data: bytes) -> str:
    """rapidyaml's JSON for a YAML text (raises on a syntax error)."""
    # rapidyaml prints parse errors to the C stderr; the reference loader reports them instead.
    global _devnull
    if _devnull is None:
        _devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(2)
    os.dup2(_devnull, 2)
    try:
        return str(ryml.emit_json(ryml.parse_in_arena(data)))
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@lru_cache(maxsize=4096)
def _plain_is_not_string(text: str) -> bool:
    """Whether rapidyaml emits `text`, written as a plain scalar anywhere, as a non-string.

    If it does, a string with this text in the emitted JSON came from a quoted scalar, which
    the reference loader reads as the same string.
    """
    probes = (f"- {text}\n", f"a: {text}\n", f"[{text}]\n", f"{{a: {text}}}\n", f"- a: {text}\n")
    try:
        values = [json.loads(_emit(p.encode("utf-8")), parse_constant=_no_constant) for p in probes]
        found = [values[0][0], values[1]["a"], values[2][0], values[3]["a"], values[4][0]["a"]]
    except (ryml.ExceptionBasic, ValueError, KeyError, IndexError, TypeError):  # the probe did not parse as expected: a doubt
        return False
    return all(not isinstance(v, str) for v in found)


def _vouched(emitted: str) -> bool:
    """Whether every string in rapidyaml's JSON reads the same as load.py would read it."""
    for match in _doubtful.finditer(emitted.encode("utf-8")):  # bytes: RE2 need not map offsets back to characters
        text, is_key = match.group(1).decode("utf-8"), match.group(2)
        if _plain_reads_as_itself(text):
            continue  # plain or quoted, the reference loader reads this text as itself
        if is_key or not _plain_is_not_string(text):
            return False
    return True


# Text the reference reads, written plain, as a number (or refuses): never as itself. Most doubts are such numbers.
_NUMBER_TEXT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+)(?:[eE][-+]?[0-9]+)?")
# JSON number tokens that YAML 1.2 and YAML 1.1 alike read as int(token) or float(token) (load.reference.read_plain,
# which a test holds these to): a decimal whole number, or one with a decimal part and no exponent.
_WHOLE, _DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)"), re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")


@lru_cache(maxsize=4096)
def _plain_reads_as_itself(text: str) -> bool:
    """Whether the reference backend reads a plain scalar with this text as this very string."""
    if _NUMBER_TEXT.fullmatch(text):
        return False
    try:
        return bool(read_plain(text) == text)
    except YamlProblem:
        return False


@lru_cache(maxsize=4096)  # (a token the reference refuses raises again: exceptions are not cached)
def _reference_number(token: str) -> Any:
    """A number token of rapidyaml's JSON, read as the reference backend reads the same plain scalar.

    Raises YamlProblem where the reference refuses it (1e3, integers beyond 2**53, 1e400 ...)
    and ValueError where the reference would not read a number at all, so the file defers.
    """
    if _WHOLE.fullmatch(token) and abs(whole := int(token)) <= MAX_INT:
        return whole
    if _DECIMAL.fullmatch(token) and math.isfinite(decimal := float(token)) and not decimal.is_integer():
        return decimal
    value = read_plain(token)  # the rest (exponents, too large, 1.0 ...) as the reference reads it
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(token)
    if isinstance(value, float) and value.is_integer():
        raise ValueError(token)  # jsonschema-rs takes 1.0 as an integer, the reference schema check does not: let it judge
    return value


# The shape of a JSON text: containers as [ and ], each scalar (or run of scalars) as x.
_SHAPE = bytes(ord("[") if c in b"[{" else ord("]") if c in b"]}" else ord("x") for c in range(256))
_SCALARS, _LEAF = re.compile(rb"x+"), re.compile(rb"\[x+\]")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')


def _too_deep(emitted: str) -> bool:
    """Whether any value of a valid JSON text sits deeper than load.py's MAX_DEPTH (which the reference refuses).

    Judged from the text, not by visiting every value: with the strings taken out, each pass
    turns every container that holds only scalars into a scalar, which lifts the deepest
    values one level; a text whose values nest n levels deep is one scalar after n passes.
    """
    if "\\" in emitted:
        outside = _STRING.sub("0", emitted)
    else:  # no escaped quote: the text between every other quote is outside the strings
        outside = "0".join(emitted.split('"')[0::2])
    shape = outside.encode("utf-8").translate(_SHAPE, b" \t\n\r,:")
    shape = _SCALARS.sub(b"x", shape).replace(b"[]", b"x")  # an empty container nests nothing: a scalar
    for _ in range(MAX_DEPTH):
        if shape == b"x":
            return False
        shape = _LEAF.sub(b"x", shape)
    return shape != b"x"


def parse(text: str, path: str) -> Document | None:
    """The file's Document if this backend can vouch for it, else None (use the reference backend)."""
    if not AVAILABLE:
        return None
    raw = text.encode("utf-8")
    if _screen.search(raw):
        return None
    try:
        emitted = _emit(raw)
    except ryml.ExceptionBasic:  # a syntax error: the reference backend words it
        return None
    head = (emitted or "").lstrip()[:1]  # None for a file of comments only
    if head not in ("{", "[") or not _vouched(emitted):
        return None
    # Key lengths are judged once on the text when no key can hide its length behind escapes.
    pairs = _unique_short if "\\" in emitted or _LONG_KEY.search(emitted) else _unique
    try:
        data = json.loads(emitted, object_pairs_hook=pairs, parse_constant=_no_constant,
                          parse_int=_reference_number, parse_float=_reference_number)
    except (ValueError, _Duplicate, RecursionError, YamlProblem):  # invalid JSON (+1, ...), a repeated key, a number the reference refuses
        return None
    if _too_deep(emitted):  # the reference refuses it, with its line and column
        return None
    return LazyDocument(path, data, text)
