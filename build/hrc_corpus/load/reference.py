"""The reference YAML backend of the load step: PyYAML's events, read by rules of our own.

YAML is read event by event (PyYAML's C parser, which emits the same events as its
pure-Python one) and turned into plain JSON values, so that nothing is silently coerced:

- duplicate keys, anchors, aliases and tags are refused (an alias bomb fails on its first alias);
- plain scalars follow YAML 1.2's core schema: null, true/false, integers, floats; everything
  else is text, including unquoted dates (2023-07-16 stays the string "2023-07-16");
- plain scalars that YAML 1.1 tools read differently are refused and must be quoted:
  yes/no/on/off/y/n in any case, numbers with leading zeros (012), sexagesimals (12:30),
  numbers with underscores (1_000), .inf/.nan, octal and hex forms, and any other plain scalar
  YAML 1.1's rules read as another value or type (2023-07-16 10:30, 1e3, +.5, =, <<);
- numbers are finite, and whole numbers at most MAX_INT in size (what float64 and JSON keep exactly);
- values are nested at most MAX_DEPTH levels.

(The bytes reach this parser through files.decode, which refuses what is not UTF-8 and every
line end but LF, after dropping a byte-order mark and reading CRLF as LF, as YAML does.)
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from ..problems import Path_
from .document import Document, YamlProblem


class PyParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's pure-Python event parser (the reference the C parser must agree with)."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)

    def dispose(self) -> None:
        """Nothing to free (the C parser needs this call)."""


def _fastest_parser() -> type:
    """libyaml's parser, ~10x faster and emitting the same events, where PyYAML was built with it; else PyParser."""
    try:
        import yaml.cyaml
    except ImportError:  # pragma: no cover - depends on how PyYAML was built
        return PyParser
    return getattr(yaml.cyaml, "CParser", PyParser)


_Parser = _fastest_parser()

_NULL = re.compile(r"^(?:~|null|Null|NULL)?$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+)(?:[eE][-+]?[0-9]+)?$")
# Plain scalars YAML 1.1 reads as something other than what YAML 1.2 (and a reader) would.
_YAML11 = [
    (re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$"),
     "YAML 1.1 tools read {v} as a boolean; write \"{v}\" in quotes for the text, or true/false"),
    (re.compile(r"^[-+]?0[0-9_]+$"), "YAML 1.1 tools read {v} as an octal number; write it without the leading zero, or in quotes"),
    (re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$"),
     "YAML 1.1 tools read {v} as a sexagesimal number; write \"{v}\" in quotes"),
    (re.compile(r"^[-+]?[0-9][0-9_]*_[0-9_]*(?:\.[0-9_]*)?$"), "YAML 1.1 tools read {v} as a number with digit separators; write it without underscores, or in quotes"),
    (re.compile(r"^[-+]?0(?:[xX][0-9a-fA-F_]+|[oO][0-7_]+|[bB][01_]+)$"), "{v} is a number in another base; write it in decimal, or in quotes"),
    (re.compile(r"^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$"), "{v} is not a finite number; the records hold no infinities"),
]
# Any other plain scalar is read by YAML 1.1's own rules too, and refused if they disagree with ours.
_YAML11_RESOLVER, _YAML11_CONSTRUCTOR = yaml.resolver.Resolver(), yaml.constructor.SafeConstructor()
_YAML11_READ = {"int": _YAML11_CONSTRUCTOR.construct_yaml_int, "float": _YAML11_CONSTRUCTOR.construct_yaml_float,
                "bool": _YAML11_CONSTRUCTOR.construct_yaml_bool, "null": _YAML11_CONSTRUCTOR.construct_yaml_null,
                "str": _YAML11_CONSTRUCTOR.construct_scalar}
_YAML11_KIND = {"int": "a whole number", "float": "a number", "bool": "a boolean", "null": "null",
                "timestamp": "a date and time", "merge": "a merge key", "value": "a special value", "str": "text"}
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # YAML 1.1 reads it as a date, whose text it is: allowed
MAX_INT = 2**53
MAX_KEY = 1000  # characters; libyaml refuses a plain key longer than 1,024, so the fast backend defers well before
MAX_DEPTH = 20  # records nest five levels deep; far deeper is a mistake (and would exhaust the stack)


def _mark(event: Any) -> tuple[int, int]:
    """1-based line and column where an event starts."""
    return (event.start_mark.line + 1, event.start_mark.column + 1)


def _scalar(event: yaml.ScalarEvent) -> Any:
    """The JSON value of a scalar, by the rules in this module's docstring."""
    if not event.implicit[0]:  # quoted or block scalar: always text
        return event.value
    return read_plain(event.value, *_mark(event))


def read_plain(value: str, line: int = 0, column: int = 0) -> Any:
    """The JSON value of a plain scalar with this text; raise YamlProblem (at line, column) where it must be quoted."""
    mark = (line, column)
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    for pattern, why in _YAML11:
        if pattern.match(value):
            raise YamlProblem(*mark, why.format(v=value))
    ours: Any = int(value) if _INT.match(value) else float(value) if _FLOAT.match(value) else value
    if isinstance(ours, int) and abs(ours) > MAX_INT:  # float64 columns and JSON readers would round it
        raise YamlProblem(*mark, f"{value} is too large: whole numbers go up to {MAX_INT:,}, the largest every reader keeps exactly")
    if isinstance(ours, float) and math.isinf(ours):
        raise YamlProblem(*mark, f"{value} is beyond the largest number (about 1.8e+308); the records hold no infinities")
    tag = _YAML11_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)).rpartition(":")[2]
    if tag in _YAML11_READ:
        theirs = _YAML11_READ[tag](yaml.ScalarNode(tag, value))
        if type(theirs) is type(ours) and theirs == ours:
            return ours
    elif tag == "timestamp" and _DATE.match(value):
        return ours
    if tag == "str":
        raise YamlProblem(*mark, f"YAML 1.1 tools read {value} as text, YAML 1.2 as a number; write \"{value}\" "
                                          "in quotes for the text, or the number so that both agree (1000 or 1.0e+3)")
    raise YamlProblem(*mark, f"YAML 1.1 tools read {value} as {_YAML11_KIND.get(tag, tag)}; write \"{value}\" in quotes")


def parse_yaml(text: str, path: str) -> Document:
    """Parse one YAML document into JSON values with positions; raise YamlProblem on misuse."""
    doc = Document(path, None)
    parser = None
    try:
        parser = _Parser(text)  # inside the try: the pure-Python reader checks characters here
        _expect(parser, yaml.StreamStartEvent)
        if parser.check_event(yaml.StreamEndEvent):
            raise YamlProblem(1, 1, "the file is empty (expected a YAML document)")
        _expect(parser, yaml.DocumentStartEvent)
        doc.data = _node(parser, doc, ())
        _expect(parser, yaml.DocumentEndEvent)
        if not parser.check_event(yaml.StreamEndEvent):
            line, column = _mark(parser.peek_event())
            raise YamlProblem(line, column, "a second YAML document ('---') follows; a record file holds one")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = (exc.problem or exc.context or "invalid YAML").strip()
        key_line = text.split("\n")[exc.context_mark.line] if exc.context_mark and "simple key" in (exc.context or "") else ""
        if len(key_line) > 1024:  # libyaml's limit on a key's length, which its own message does not name
            mark = exc.context_mark
            what = "a key longer than 1,024 characters (YAML allows no longer key; a record's keys are short field names)"
        elif exc.problem and exc.context and exc.context_mark and exc.context_mark is not mark:
            # Where the unfinished thing started, which is where the mistake usually is.
            what += f" ({exc.context.strip()} that starts at line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1})"
        raise YamlProblem(mark.line + 1 if mark else 1, mark.column + 1 if mark else 1, f"YAML syntax: {what}") from None
    except yaml.reader.ReaderError as exc:  # a control character or non-character; libyaml counts UTF-8 bytes
        before = text[: exc.position] if _Parser is PyParser else text.encode("utf-8")[: exc.position].decode("utf-8", "replace")
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        raise YamlProblem(line, column, f"character U+{exc.character:04X} is not allowed in a YAML file; delete it, "
                           f"or write it as the escape \\u{exc.character:04x} inside double quotes") from None
    except yaml.YAMLError as exc:  # any other parser error
        raise YamlProblem(1, 1, f"YAML: {exc}") from None
    finally:
        if parser is not None:
            parser.dispose()
    return doc


def _expect(parser: Any, kind: type) -> Any:
    """Take the next event, which must be of the given kind."""
    event = parser.get_event()
    if not isinstance(event, kind):  # pragma: no cover - the parser guarantees the structure
        raise YamlProblem(*_mark(event), f"unexpected {type(event).__name__}")
    return event


def _node(parser: Any, doc: Document, where: Path_) -> Any:
    """Build the value of the node that starts at the next event."""
    event = parser.get_event()
    if len(where) > MAX_DEPTH:
        raise YamlProblem(*_mark(event), f"values nested more than {MAX_DEPTH} levels deep; a record is not nested like this")
    if isinstance(event, yaml.AliasEvent):
        raise YamlProblem(*_mark(event), f"alias *{event.anchor} is not allowed (write the value out; aliases hide what a record says)")
    if getattr(event, "anchor", None):
        raise YamlProblem(*_mark(event), f"anchor &{event.anchor} is not allowed (write each value out)")
    tag = getattr(event, "tag", None)
    if tag and not (isinstance(event, yaml.ScalarEvent) and event.implicit[0]) and tag != "!":
        raise YamlProblem(*_mark(event), f"tag {tag} is not allowed (records hold plain values)")
    doc.positions[where] = _mark(event)
    if isinstance(event, yaml.ScalarEvent):
        return _scalar(event)
    if isinstance(event, yaml.SequenceStartEvent):
        items: list[Any] = []
        while not parser.check_event(yaml.SequenceEndEvent):
            items.append(_node(parser, doc, where + (len(items),)))
        parser.get_event()
        return items
    if isinstance(event, yaml.MappingStartEvent):
        mapping: dict[str, Any] = {}
        while not parser.check_event(yaml.MappingEndEvent):
            key_event = parser.peek_event()
            key_mark = _mark(key_event)
            if isinstance(key_event, yaml.AliasEvent):
                raise YamlProblem(*key_mark, f"alias *{key_event.anchor} is not allowed (write the key out)")
            if not isinstance(key_event, yaml.ScalarEvent):
                raise YamlProblem(*key_mark, "a key must be a plain word, not a list or mapping")
            key = _node(parser, doc, where + ("\0key",))
            if not isinstance(key, str):
                raise YamlProblem(*key_mark, f"key {key_event.value!r} must be text; write it in quotes")
            if key in mapping:
                first = doc.key_positions[where + (key,)]
                raise YamlProblem(*key_mark, f"duplicate key {key!r} (first at line {first[0]}); a key may appear once")
            doc.key_positions[where + (key,)] = key_mark
            mapping[key] = _node(parser, doc, where + (key,))
        parser.get_event()
        doc.positions.pop(where + ("\0key",), None)
        return mapping
    raise YamlProblem(*_mark(event), f"unexpected {type(event).__name__}")  # pragma: no cover


