"""The validator of the check step: does a record fit its JSON Schema, and if not, what is wrong, in plain words.

Two backends, chosen by the pipeline's one switch:

- "reference": jsonschema (with ECMA-262's meaning of a pattern's . and $), whose errors are
  turned into plain-language messages at the right place. It is the judge.
- "fast": jsonschema-rs answers valid/invalid in microseconds (jsonschema takes about 0.3 ms
  a claim). Its yes is taken only for documents a YAML backend marked `screened` (no escapes,
  control or line-break characters in any text): there, the one place the two libraries'
  regular expressions differ (Python's \\s also matches U+001C-U+001F and U+0085) cannot
  arise; elsewhere jsonschema-rs is as strict or stricter (its $ is the end of the text; it
  checks format "uri"). A no, or a document not screened, goes to jsonschema, which words it.
"""

from __future__ import annotations

import datetime
import re
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, Iterator

from ..load import Document
from ..problems import Path_, Problem, did_you_mean
from ..schema import BASE_URI, RECORD_SCHEMAS, Schemas

if TYPE_CHECKING:  # jsonschema is imported when a record needs it: a clean check with the fast backends never does
    from jsonschema import Draft202012Validator, ValidationError

try:  # optional: without jsonschema-rs every record is validated by jsonschema
    import jsonschema_rs

    FAST_AVAILABLE = True
except ImportError:  # pragma: no cover - jsonschema-rs is pinned, but the reference backend must not need it
    FAST_AVAILABLE = False

BACKENDS = ("fast", "reference")
_TEXT_PATTERN = r"^\S(.*\S)?$"  # common.schema.json's text: no white space at either end, no line break
_JSON_TYPES = {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a whole number",
               float: "a number", type(None): "null (empty)"}


@cache
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    """A schema pattern compiled with ECMA-262's meanings of . (no line terminator) and a final $ (the end)."""
    # Python's . matches CR, U+2028 and U+2029, and its $ also matches before a final newline: a note
    # holding "\r" (which breaks CSV rows) and an id "c001\n" passed patterns that forbid them.
    out, in_class, escaped = [], False, False
    for i, char in enumerate(pattern):
        if escaped or char == "\\":
            escaped = not escaped
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == ".":
            char = "[^\n\r\u2028\u2029]"
        elif char == "$" and i == len(pattern) - 1:
            char = r"\Z"
        out.append(char)
    return re.compile("".join(out))


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    """The pattern keyword, with ECMA-262's end of input."""
    if validator.is_type(instance, "string") and not _ecma_regex(pattern).search(instance):
        from jsonschema import ValidationError

        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def _is_date(value: str) -> bool:
    """Format "date" as jsonschema's format checker reads it: YYYY-MM-DD, a date the standard library holds."""
    if not _DATE.fullmatch(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_integer(checker: Any, instance: Any) -> bool:
    """JSON Schema's integer, as the records mean it: a whole number written as one (1.0 is not an occurrence)."""
    return isinstance(instance, int) and not isinstance(instance, bool)


@cache
def _validator_class() -> Any:
    """jsonschema's Draft 2020-12 validator with the records' pattern and integer."""
    from jsonschema import Draft202012Validator, validators

    return validators.extend(Draft202012Validator, {"pattern": _pattern},
                             type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer))




class Validators:
    """The record kinds' validators, from one schema folder, with one backend."""

    def __init__(self, schemas: Schemas, backend: str = "fast"):
        if backend not in BACKENDS:
            raise ValueError(f"unknown validator backend {backend!r} (expected one of {BACKENDS})")
        self.schemas, self.backend = schemas, backend

    @cached_property
    def _reference(self) -> dict[str, Draft202012Validator]:
        validator = _validator_class()
        return {kind: validator(self.schemas.documents[file], registry=self.schemas.registry,
                                format_checker=validator.FORMAT_CHECKER)
                for kind, file in RECORD_SCHEMAS.items()}

    @cached_property
    def _fast(self) -> dict[str, Any]:
        if not FAST_AVAILABLE or self.backend != "fast":
            return {}
        registry = jsonschema_rs.Registry([(BASE_URI + rel, doc) for rel, doc in self.schemas.documents.items()])
        # format "date" as jsonschema checks it (YYYY-MM-DD that Python's date holds): jsonschema-rs's own takes year 0.
        return {kind: jsonschema_rs.validator_for(self.schemas.documents[file], registry=registry, validate_formats=True,
                                                  base_uri=BASE_URI + file, formats={"date": _is_date})
                for kind, file in RECORD_SCHEMAS.items()}

    def fast_yes(self, kind: str, doc: Document) -> bool:
        """Whether the fast backend vouches that a screened document fits its schema."""
        validator = self._fast.get(kind)
        if validator is None or not doc.screened:
            return False
        try:
            return bool(validator.is_valid(doc.data))
        except (ValueError, OverflowError):  # a value it cannot take (an integer beyond 64 bits): jsonschema judges
            return False

    def errors(self, kind: str, instance: Any) -> Iterator[tuple[Path_, bool, str]]:
        """Every schema error of a record as (place, is-about-a-key, plain message), by jsonschema."""
        for error in self._reference[kind].iter_errors(instance):
            yield from _explain(error)

    def located(self, kind: str, doc: Document) -> list[tuple[Path_, Problem]]:
        """The JSON Schema problems of one record file, each with the place it is about."""
        if self.fast_yes(kind, doc):
            return []
        return [(where, doc.problem(where, message, key)) for where, key, message in self.errors(kind, doc.data)]

    def problems(self, kind: str, doc: Document) -> list[Problem]:
        """The JSON Schema problems of one record file, located."""
        return [problem for _, problem in self.located(kind, doc)]


def _vocabulary_title(schema: dict[str, Any]) -> str | None:
    """The title of a vocabulary schema (an anyOf of consts), else None."""
    branches = schema.get("anyOf", [])
    if branches and all("const" in b for b in branches):
        return schema.get("title", "term")
    return None


def _kind(value: Any) -> str:
    """How a value's type reads in a message (subclasses too: the fast loader's lists and mappings)."""
    for kind, name in _JSON_TYPES.items():
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return name
    return type(value).__name__


def _shown(value: Any) -> str:
    """A value as a message quotes it after its type: as YAML writes true/false, nothing for null, cut short."""
    if value is None:
        return ""
    shown = ("true" if value else "false") if isinstance(value, bool) else repr(value)
    return f" ({shown if len(shown) <= 80 else shown[:77] + '...'})"


def _explain(error: ValidationError) -> Iterator[tuple[Path_, bool, str]]:
    """Turn one jsonschema error into plain-language messages at the right place."""
    where: Path_ = tuple(error.absolute_path)
    schema, value, kind = error.schema, error.instance, error.validator
    vocab = _vocabulary_title(schema) if isinstance(schema, dict) else None
    if vocab:
        terms = [b["const"] for b in schema["anyOf"]]
        shown = ", ".join(terms) if len(terms) <= 12 else ", ".join(terms[:12]) + ", ..."
        yield where, False, f"{value!r} is not a {vocab.lower()} (expected one of: {shown}){did_you_mean(value, terms)}"
    elif kind in ("anyOf", "oneOf"):
        # A nullable field or a choice: explain the deepest error of a branch that is not "null".
        nullable = any(b.get("type") == "null" for b in schema.get(kind, []))
        non_null = [e for e in error.context if not (e.validator == "type" and e.validator_value == "null")]
        best = max(non_null or list(error.context), key=lambda e: len(e.absolute_path))
        for place, about_key, message in _explain(best):
            if nullable and best.validator == "type" and message.startswith("expected "):
                message = message.replace(", got", " or null, got", 1)
            yield place, about_key, message
    elif kind == "required":
        for name in error.validator_value:
            if isinstance(value, dict) and name not in value:
                about = schema.get("properties", {}).get(name, {}).get("description", "")
                yield where, False, f"missing field {name!r}" + (f" (expected: {about})" if about else "")
    elif kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        for name in value:
            if name not in allowed:
                shown = repr(name) if len(name) <= 80 else repr(name[:77]) + f"... ({len(name):,} characters)"
                yield where + (name,), True, (f"unknown field {shown}{did_you_mean(name, allowed)} "
                                              f"(allowed: {', '.join(allowed)})")
    elif kind == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        names = {"string": "text", "integer": "a whole number", "number": "a number", "object": "a mapping",
                 "array": "a list", "boolean": "true/false", "null": "null"}
        yield where, False, f"expected {' or '.join(names[w] for w in wanted)}, got {_kind(value)}{_shown(value)}"
    elif kind == "format" and error.validator_value == "date":
        yield where, False, f"{value!r} is not a real calendar date (expected YYYY-MM-DD, years 1 to 9999)"
    elif kind == "pattern":
        about = schema.get("description", "")
        if about.startswith("A non-empty string") or error.validator_value == _TEXT_PATTERN:
            yield where, False, f"{value!r} must not start or end with white space, nor hold a line break"
        else:
            yield where, False, f"{value!r} does not have the expected form: {about or error.validator_value}"
    elif kind == "minLength" and error.validator_value == 1:
        yield where, False, "must not be empty"
    elif kind == "uniqueItems":
        yield where, False, "lists the same item twice"
    else:
        yield where, False, error.message
