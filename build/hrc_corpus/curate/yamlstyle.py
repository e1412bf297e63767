"""The canonical form of a record file, written by `hrc-corpus fmt` and `hrc-corpus new`.

A record file is read with ruamel.yaml's round-trip loader, which keeps comments, blank lines,
flow and block styles and the order of list items, and written back with these rules:

- keys in the order of the schema's `properties` (unknown keys after them, in file order);
- a text value is plain where YAML reads the plain form back as the same text (by the
  project's own strict loader, load.parse_yaml, and by ruamel.yaml, which quotes a text that
  its YAML 1.2 rules would read as a date or number); else in double quotes, or in single
  quotes when it holds more double quotes than single ones (fewer escapes); block scalars
  (`>-`, `|`) stay as the curator wrote them;
- null is written `null`; two-space indentation; list items indented under their key, a
  top-level list at column 0; no line is wrapped; LF line ends; no byte-order mark.

The formatted file must hold exactly the values the original holds (checked by parsing both
with load.parse_yaml), so formatting can never change a record.
"""

from __future__ import annotations

import io
import json
from functools import lru_cache
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.compat import ordereddict
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString, SingleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from ..load import parse_yaml
from ..schema import BASE_URI, RECORD_SCHEMAS, Schemas

BOM = "\ufeff"


class FormatError(Exception):
    """A file that cannot be formatted: not YAML ruamel.yaml reads, or formatting would change a value."""


def _yaml() -> YAML:
    """A round-trip YAML reader and writer with the project's layout."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1_000_000  # never wrap: quotes are copied and compared line by line
    yaml.allow_unicode = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    return yaml


# ruamel.yaml indents every list alike, but the records write a top-level list at column 0 and
# the lists inside it indented under their key. So a file whose top level is a list is read
# shifted right by two columns (comments too), written with the one layout, and shifted back.
_SHIFT = "  "


def _shifted(text: str) -> str:
    """Every non-empty line two columns to the right."""
    return "".join(_SHIFT + line if line.strip() else line for line in text.splitlines(keepends=True))


def _unshifted(text: str) -> str:
    """Every line two columns to the left (each non-empty line starts with two spaces)."""
    lines = text.splitlines(keepends=True)
    if any(line.strip() and not line.startswith(_SHIFT) for line in lines):
        raise FormatError("not formatted: a line of the list is not indented as the others (please report this)")
    return "".join(line[len(_SHIFT):] if line.strip() else line for line in lines)


def _top_is_list(text: str) -> bool:
    """Whether a YAML text's top level is a block list (its first content line starts with '- ')."""
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#") and not line.startswith("---"):
            return line.startswith("-")
    return False


def clean_text(text: str) -> str:
    """The text without a byte-order mark and with LF line ends (what a Windows editor may add)."""
    return text.removeprefix(BOM).replace("\r\n", "\n").replace("\r", "\n")


def load(text: str) -> Any:
    """Read a record file with comments and styles kept (a top-level list shifted, see _SHIFT)."""
    text = clean_text(text)
    try:
        return _yaml().load(_shifted(text) if _top_is_list(text) else text)
    except Exception as exc:  # ruamel raises many kinds; all mean the same to a curator
        raise FormatError(f"cannot be read as YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None


def dump(data: Any) -> str:
    """Write a round-trip document in the canonical layout (styles must already be applied)."""
    out = io.StringIO()
    _yaml().dump(data, out)
    return _unshifted(out.getvalue()) if isinstance(data, list) else out.getvalue()


@lru_cache(maxsize=65536)
def reads_back_plain(value: str, flow: bool) -> bool:
    """Whether the plain form of a text reads back, by the project's loader, as that same text."""
    if not value or value != value.strip() or "\n" in value:
        return False
    document = f"{{k: {value}}}\n" if flow else f"k: {value}\n"
    try:
        return parse_yaml(document, "<plain>").data == {"k": value}
    except Exception:  # noqa: BLE001 - any refusal means: not as plain text
        return False


def styled(value: str, flow: bool) -> str:
    """A text value with its canonical quoting style."""
    if isinstance(value, (FoldedScalarString, LiteralScalarString)):
        return value  # a block scalar is a curator's choice of layout for long prose
    if reads_back_plain(str(value), flow):
        return str(value)
    if value.count('"') > value.count("'"):  # single quotes need fewer escapes
        return SingleQuotedScalarString(str(value))
    return DoubleQuotedScalarString(str(value))


class Layout:
    """Key orders and styles for each record kind, from the JSON Schemas."""

    def __init__(self, schemas: Schemas):
        self.schemas = schemas

    def _resolve(self, schema: Any, base: str) -> tuple[dict[str, Any], str]:
        """Follow $refs to the schema that says what shape a value has."""
        while isinstance(schema, dict) and "$ref" in schema:
            schema, base = self.schemas.resolve(schema["$ref"], base)
        return (schema if isinstance(schema, dict) else {}), base

    def _branch(self, schema: dict[str, Any], base: str, value: Any) -> tuple[dict[str, Any], str]:
        """The branch of an anyOf that fits the value's shape (a mapping or a list)."""
        schema, base = self._resolve(schema, base)
        for option in schema.get("anyOf", []):
            resolved, at = self._resolve(option, base)
            if isinstance(value, dict) and "properties" in resolved or isinstance(value, list) and "items" in resolved:
                return resolved, at
        return schema, base

    def apply(self, data: Any, kind: str) -> Any:
        """Reorder keys and set scalar styles throughout a document of one record kind."""
        file = RECORD_SCHEMAS[kind]
        return self._apply(data, self.schemas.documents[file], BASE_URI + file, False)

    def _apply(self, value: Any, schema: Any, base: str, flow: bool) -> Any:
        """Canonical form of one value, given its schema."""
        schema, base = self._branch(schema, base, value)
        if isinstance(value, CommentedMap):
            inner = value.fa.flow_style()
            properties = schema.get("properties", {})
            _reorder(value, list(properties))
            for key in list(value.keys()):
                sub = properties.get(key, schema.get("additionalProperties", {}))
                # ordereddict's own setter: CommentedMap's would keep the old quoting style
                ordereddict.__setitem__(value, key, self._apply(value[key], sub, base, inner))
            return value
        if isinstance(value, CommentedSeq):
            inner = value.fa.flow_style()
            for i, item in enumerate(value):
                list.__setitem__(value, i, self._apply(item, schema.get("items", {}), base, inner))
            return value
        if isinstance(value, str):
            return styled(value, flow)
        return value


def _reorder(mapping: CommentedMap, order: list[str]) -> None:
    """Put a mapping's keys in schema order, keeping each key's comments with it."""
    keys = list(mapping.keys())
    wanted = [k for k in order if k in mapping] + [k for k in keys if k not in order]
    if keys == wanted:
        return
    # ruamel.yaml stores the comment lines between two keys with the first key (after its value):
    # split them into that key's own end-of-line remark and the lines that introduce the next key,
    # so that an introduction moves with the key it introduces.
    own: dict[Any, str] = {}
    intro: dict[Any, str] = {}
    tail = ""  # what follows the mapping's last value (blank lines, comments before what comes next)
    for i, key in enumerate(keys):
        entry = mapping.ca.items.get(key)
        token = entry[2] if entry and len(entry) > 2 else None
        if token is None:
            continue
        cut = token.value.index("\n") + 1 if "\n" in token.value else len(token.value)
        own[key] = token.value[:cut]
        if i + 1 < len(keys):
            intro[keys[i + 1]] = token.value[cut:]
        else:
            tail = token.value[cut:]
    items = [(k, mapping[k]) for k in wanted]
    for k in keys:
        del mapping[k]
    for k, v in items:
        mapping[k] = v
    for i, key in enumerate(wanted):
        after = intro.get(wanted[i + 1], "") if i + 1 < len(wanted) else tail
        value = own.get(key, "\n") + after
        entry = mapping.ca.items.get(key)
        if entry and len(entry) > 2 and entry[2] is not None:
            entry[2].value = value
        elif value != "\n" and not isinstance(mapping[key], (CommentedMap, CommentedSeq)):
            mapping.ca.items.setdefault(key, [None, None, None, None])[2] = CommentToken(value, CommentMark(0), None)


def kind_of(rel: str) -> str:
    """The record kind of a file under records/: its name without .yaml (see schema.RECORD_SCHEMAS)."""
    return rel.rsplit("/", 1)[-1].removesuffix(".yaml")


def _same_values(before: str, after: str, rel: str) -> bool:
    """Whether two texts hold the same values, as the project's loader reads them."""
    def values(text: str) -> str:
        return json.dumps(parse_yaml(text, rel).data, sort_keys=True, ensure_ascii=False)

    return values(before) == values(after)


def canonical(text: str, rel: str, layout: Layout) -> str:
    """The canonical form of a record file's text; FormatError when it cannot be had safely."""
    data = load(text)
    formatted = dump(layout.apply(data, kind_of(rel)))
    try:
        same = _same_values(clean_text(text), formatted, rel)
    except Exception as exc:  # noqa: BLE001 - the loader's own refusal: check reports it with its place
        raise FormatError(f"not formatted: the file has a problem `hrc-corpus check` reports ({exc})") from None
    if not same:
        raise FormatError("not formatted: the canonical form would change a value (please report this)")
    return formatted
