"""Step 1, load: read the records strictly, keeping the line and column of every value.

YAML is read event by event (PyYAML's C parser where available) and turned into plain JSON
values by rules of our own, so that nothing is silently coerced:

- duplicate keys, anchors, aliases and tags are refused (an alias bomb fails on its first alias);
- plain scalars follow YAML 1.2's core schema: null, true/false, integers, floats; everything
  else is text, including unquoted dates (2023-07-16 stays the string "2023-07-16");
- plain scalars that YAML 1.1 tools read differently are refused and must be quoted:
  yes/no/on/off/y/n in any case, numbers with leading zeros (012), sexagesimals (12:30),
  numbers with underscores (1_000), .inf/.nan, octal and hex forms, and any other plain scalar
  YAML 1.1's rules read as another value or type (2023-07-16 10:30, 1e3, +.5, =, <<);
- numbers are finite, and whole numbers at most MAX_INT in size (what float64 and JSON keep exactly);
- files must be UTF-8 without a byte-order mark, with LF line ends (no CR, and none of the
  line ends YAML 1.1 adds: U+0085, U+2028, U+2029), at most MAX_BYTES long, nested at most
  MAX_DEPTH levels.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .problems import Path_, Problem, RecordError, dotted



class PyParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's pure-Python event parser (the reference the C parser must agree with)."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)

    def dispose(self) -> None:
        """Nothing to free (the C parser needs this call)."""


try:  # libyaml's parser is ~10x faster and emits the same events
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    _Parser = PyParser  # type: ignore[assignment,misc]

MAX_BYTES = 8 * 1024 * 1024  # a record file larger than this is a mistake, not a record

RECORDS = "records"
STATEMENTS = f"{RECORDS}/statements"
SESSIONS_FILE = f"{RECORDS}/sessions.yaml"
ACTORS_FILE = f"{RECORDS}/actors.yaml"
ENTITIES_FILE = f"{RECORDS}/entities.yaml"
SOURCES_FILE = f"{RECORDS}/sources.yaml"  # optional: public sources (codebook §15)
REFERENCES_FILE = f"{RECORDS}/references.yaml"  # optional: reference figures beside claims
STATEMENT_FILE, CLAIMS_FILE, SOURCE_FILE = "statement.yaml", "claims.yaml", "source.md"

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
MAX_KEY = 1000  # characters; libyaml refuses a plain key longer than 1,024, so the fast path defers well before
MAX_DEPTH = 20  # records nest five levels deep; far deeper is a mistake (and would exhaust the stack)
# Characters YAML 1.1 parsers (libyaml) treat as line ends, folding or breaking values around them.
_LINE_ENDS = {"\r": "CR (Windows or old Mac)", "\x85": "U+0085 (next line)", "\u2028": "U+2028 (line separator)",
              "\u2029": "U+2029 (paragraph separator)"}


@dataclass
class Document:
    """One YAML file's value, with the line and column of every node in it."""

    path: str  # relative to the repository root, forward slashes
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)  # value starts
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)  # mapping keys

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
        return Problem(self.path, line, column, dotted(where), message)


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
    """Everything under records/, as read from disk."""

    sessions: Document
    actors: Document
    entities: Document
    statements: list[StatementFolder]
    sources: Document | None = None  # None: the records have no sources.yaml
    references: Document | None = None  # None: the records have no references.yaml


class _YamlProblem(Exception):
    """A YAML file that cannot be read as records; located at a line and column."""

    def __init__(self, line: int, column: int, message: str):
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


def _mark(event: Any) -> tuple[int, int]:
    """1-based line and column where an event starts."""
    return (event.start_mark.line + 1, event.start_mark.column + 1)


def _scalar(event: yaml.ScalarEvent) -> Any:
    """The JSON value of a scalar, by the rules in this module's docstring."""
    value = event.value
    if not event.implicit[0]:  # quoted or block scalar: always text
        return value
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    for pattern, why in _YAML11:
        if pattern.match(value):
            raise _YamlProblem(*_mark(event), why.format(v=value))
    ours: Any = int(value) if _INT.match(value) else float(value) if _FLOAT.match(value) else value
    if isinstance(ours, int) and abs(ours) > MAX_INT:  # float64 columns and JSON readers would round it
        raise _YamlProblem(*_mark(event), f"{value} is too large: whole numbers go up to {MAX_INT:,}, the largest every reader keeps exactly")
    if isinstance(ours, float) and math.isinf(ours):
        raise _YamlProblem(*_mark(event), f"{value} is beyond the largest number (about 1.8e+308); the records hold no infinities")
    tag = _YAML11_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)).rpartition(":")[2]
    if tag in _YAML11_READ:
        theirs = _YAML11_READ[tag](yaml.ScalarNode(tag, value))
        if type(theirs) is type(ours) and theirs == ours:
            return ours
    elif tag == "timestamp" and _DATE.match(value):
        return ours
    if tag == "str":
        raise _YamlProblem(*_mark(event), f"YAML 1.1 tools read {value} as text, YAML 1.2 as a number; write \"{value}\" "
                                          "in quotes for the text, or the number so that both agree (1000 or 1.0e+3)")
    raise _YamlProblem(*_mark(event), f"YAML 1.1 tools read {value} as {_YAML11_KIND.get(tag, tag)}; write \"{value}\" in quotes")


def parse_yaml(text: str, path: str) -> Document:
    """Parse one YAML document into JSON values with positions; raise _YamlProblem on misuse."""
    doc = Document(path, None)
    parser = None
    try:
        parser = _Parser(text)  # inside the try: the pure-Python reader checks characters here
        _expect(parser, yaml.StreamStartEvent)
        if parser.check_event(yaml.StreamEndEvent):
            raise _YamlProblem(1, 1, "the file is empty (expected a YAML document)")
        _expect(parser, yaml.DocumentStartEvent)
        doc.data = _node(parser, doc, ())
        _expect(parser, yaml.DocumentEndEvent)
        if not parser.check_event(yaml.StreamEndEvent):
            line, column = _mark(parser.peek_event())
            raise _YamlProblem(line, column, "a second YAML document ('---') follows; a record file holds one")
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
        raise _YamlProblem(mark.line + 1 if mark else 1, mark.column + 1 if mark else 1, f"YAML syntax: {what}") from None
    except yaml.reader.ReaderError as exc:  # a control character or non-character; libyaml counts UTF-8 bytes
        before = text[: exc.position] if _Parser is PyParser else text.encode("utf-8")[: exc.position].decode("utf-8", "replace")
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        raise _YamlProblem(line, column, f"character U+{exc.character:04X} is not allowed in a YAML file; delete it, "
                           f"or write it as the escape \\u{exc.character:04x} inside double quotes") from None
    except yaml.YAMLError as exc:  # any other parser error
        raise _YamlProblem(1, 1, f"YAML: {exc}") from None
    finally:
        if parser is not None:
            parser.dispose()
    return doc


def _expect(parser: Any, kind: type) -> Any:
    """Take the next event, which must be of the given kind."""
    event = parser.get_event()
    if not isinstance(event, kind):  # pragma: no cover - the parser guarantees the structure
        raise _YamlProblem(*_mark(event), f"unexpected {type(event).__name__}")
    return event


def _node(parser: Any, doc: Document, where: Path_) -> Any:
    """Build the value of the node that starts at the next event."""
    event = parser.get_event()
    if len(where) > MAX_DEPTH:
        raise _YamlProblem(*_mark(event), f"values nested more than {MAX_DEPTH} levels deep; a record is not nested like this")
    if isinstance(event, yaml.AliasEvent):
        raise _YamlProblem(*_mark(event), f"alias *{event.anchor} is not allowed (write the value out; aliases hide what a record says)")
    if getattr(event, "anchor", None):
        raise _YamlProblem(*_mark(event), f"anchor &{event.anchor} is not allowed (write each value out)")
    tag = getattr(event, "tag", None)
    if tag and not (isinstance(event, yaml.ScalarEvent) and event.implicit[0]) and tag != "!":
        raise _YamlProblem(*_mark(event), f"tag {tag} is not allowed (records hold plain values)")
    doc.positions[where] = _mark(event)
    if isinstance(event, yaml.ScalarEvent):
        return _scalar(event)
    if isinstance(event, yaml.SequenceStartEvent):
        items = []
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
                raise _YamlProblem(*key_mark, f"alias *{key_event.anchor} is not allowed (write the key out)")
            if not isinstance(key_event, yaml.ScalarEvent):
                raise _YamlProblem(*key_mark, "a key must be a plain word, not a list or mapping")
            key = _node(parser, doc, where + ("\0key",))
            if not isinstance(key, str):
                raise _YamlProblem(*key_mark, f"key {key_event.value!r} must be text; write it in quotes")
            if key in mapping:
                first = doc.key_positions[where + (key,)]
                raise _YamlProblem(*key_mark, f"duplicate key {key!r} (first at line {first[0]}); a key may appear once")
            doc.key_positions[where + (key,)] = key_mark
            mapping[key] = _node(parser, doc, where + (key,))
        parser.get_event()
        doc.positions.pop(where + ("\0key",), None)
        return mapping
    raise _YamlProblem(*_mark(event), f"unexpected {type(event).__name__}")  # pragma: no cover


def read_text(root: Path, rel: str) -> tuple[str | None, list[Problem]]:
    """Read a record file as UTF-8 text, refusing what a curator's editor should not produce."""
    data, problems = read_bytes(root, rel)
    if data is None:
        return None, problems
    if data.startswith(b"\xef\xbb\xbf"):
        return None, [Problem(rel, 1, 1, "", "the file starts with a byte-order mark; save it as UTF-8 without BOM")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Problem(rel, line, column, "", f"byte 0x{data[exc.start]:02x} is not UTF-8; save the file as UTF-8")]
    for char, name in _LINE_ENDS.items():
        if char in text:
            at = text.index(char)
            line, column = text[:at].count("\n") + 1, at - (text.rfind("\n", 0, at) + 1) + 1
            message = (f"the file has {name} line ends; save it with LF line ends" if char == "\r" else
                       f"the file has a {name}, which YAML 1.1 tools read as a line end; "
                       f"write it as \\u{ord(char):04x} inside double quotes, or delete it")
            return None, [Problem(rel, line, column, "", message)]
    return text, []


def read_bytes(root: Path, rel: str) -> tuple[bytes | None, list[Problem]]:
    """Read a file inside the repository, refusing links that lead out of it and oversized files."""
    path = root / rel
    try:
        real = path.resolve(strict=True)
    except (FileNotFoundError, RuntimeError):
        return None, [Problem(rel, 0, 0, "", "the file is missing (or is a broken link)")]
    if not real.is_relative_to(root.resolve()):
        return None, [Problem(rel, 0, 0, "", "the path leads outside the repository (a symbolic link?); records must be files inside it")]
    if not real.is_file():
        return None, [Problem(rel, 0, 0, "", "expected a file, found a folder or special file")]
    size = real.stat().st_size
    if size > MAX_BYTES:
        return None, [Problem(rel, 0, 0, "", f"the file is {size:,} bytes; a record file may be at most {MAX_BYTES:,} bytes")]
    try:
        return real.read_bytes(), []
    except OSError as exc:  # unreadable (permissions), or the disk failed
        return None, [Problem(rel, 0, 0, "", f"the file cannot be read: {(exc.strerror or str(exc)).lower()}")]


def load_yaml(root: Path, rel: str) -> tuple[Document | None, list[Problem]]:
    """Read and parse one YAML record file; problems instead of exceptions."""
    text, problems = read_text(root, rel)
    if text is None:
        return None, problems
    from .fastyaml import load_fast  # imported here: it builds on this module

    try:
        return load_fast(text, rel) or parse_yaml(text, rel), []  # the fast path answers as parse_yaml or not at all
    except _YamlProblem as exc:
        return None, [Problem(rel, exc.line, exc.column, "", exc.message)]


def statement_folders(root: Path) -> tuple[list[str], list[Problem]]:
    """The names under records/statements/ to read as statements, sorted (listing order varies by file system).

    A hidden folder (.name) or a name with a line break, a control character or white space at
    an end is a problem, never skipped: its statement would vanish from the tables. Hidden
    files (.DS_Store, .gitkeep) are not statements and are passed over.
    """
    base = root / STATEMENTS
    if not base.is_dir():
        return [], [Problem(STATEMENTS, 0, 0, "", "the statements folder is missing")]
    names, problems = [], []
    for name in sorted(os.listdir(base)):
        folder = f"{STATEMENTS}/{name}"
        if name.startswith("."):
            if (base / name).is_dir():
                problems.append(Problem(folder, 0, 0, "", "a hidden folder (its name starts with '.') would be passed over and "
                                        "its statement dropped from the tables; name the folder by its statement id, or move "
                                        "it out of records/statements/"))
            continue
        if not name.isprintable() or name != name.strip():
            problems.append(Problem(folder, 0, 0, "", "the folder name holds a line break, a control character or white "
                                    "space at an end; name the folder by its statement id"))
            continue
        names.append(name)
    return names, problems


def load_corpus(root: Path) -> Corpus:
    """Read every record under root/records; raise RecordError with all problems found."""
    problems: list[Problem] = []
    shared = []
    for rel in (SESSIONS_FILE, ACTORS_FILE, ENTITIES_FILE):
        doc, found = load_yaml(root, rel)
        problems += found
        shared.append(doc)
    statements: list[StatementFolder] = []
    names, found = statement_folders(root)
    problems += found
    for name in names:
        folder = f"{STATEMENTS}/{name}"
        if (root / folder).is_symlink():
            problems.append(Problem(folder, 0, 0, "", "the statement folder is a symbolic link; it must be a real folder inside the repository"))
            continue
        if not (root / folder).is_dir():
            problems.append(Problem(folder, 0, 0, "", "expected a statement folder (statement.yaml, claims.yaml, source.md)"))
            continue
        meta, found_meta = load_yaml(root, f"{folder}/{STATEMENT_FILE}")
        claims, found_claims = load_yaml(root, f"{folder}/{CLAIMS_FILE}")
        source, found_source = read_bytes(root, f"{folder}/{SOURCE_FILE}")
        problems += found_meta + found_claims + found_source
        if meta and claims and source is not None:
            statements.append(StatementFolder(name, meta, claims, source, f"{folder}/{SOURCE_FILE}"))
    optional = []
    for rel in (SOURCES_FILE, REFERENCES_FILE):
        doc, found = load_optional_yaml(root, rel)
        problems += found
        optional.append(doc)
    if problems:
        raise RecordError(problems)
    sessions, actors, entities = shared
    assert sessions and actors and entities
    return Corpus(sessions, actors, entities, statements, *optional)


def load_optional_yaml(root: Path, rel: str) -> tuple[Document | None, list[Problem]]:
    """A record file that may be absent (None, no problem); present, it is read like any other."""
    if not os.path.lexists(root / rel):
        return None, []
    return load_yaml(root, rel)
