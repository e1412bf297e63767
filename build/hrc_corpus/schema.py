"""The schema folder: JSON Schemas, vocabularies, and plain-language messages for what fails them.

schema/ is the single source of truth. This module reads it once; check.py validates records
with it, tableschema.py derives the Table Schemas from it, docs.py the data dictionary.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Iterator

from jsonschema import Draft202012Validator, ValidationError, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .problems import Path_, Problem, RecordError, did_you_mean

BASE_URI = "https://cambodia-hrc-statements.invalid/schema/"
RECORD_SCHEMAS = {  # record kind -> schema file
    "sessions": "session.schema.json",
    "actors": "actor.schema.json",
    "entities": "entity.schema.json",
    "statement": "statement.schema.json",
    "claims": "claims.schema.json",
    "sources": "source.schema.json",
    "references": "reference.schema.json",
}
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
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _is_integer(checker: Any, instance: Any) -> bool:
    """JSON Schema's integer, as the records mean it: a whole number written as one (1.0 is not an occurrence)."""
    return isinstance(instance, int) and not isinstance(instance, bool)


Validator = validators.extend(Draft202012Validator, {"pattern": _pattern},
                              type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer))


@dataclass(frozen=True)
class Term:
    """One term of a controlled vocabulary."""

    id: str
    label: str
    definition: str
    extra: dict[str, Any]  # x-... annotations (x-parent, x-in-session)


class Schemas:
    """Every JSON Schema and vocabulary under a schema folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.documents: dict[str, dict[str, Any]] = {}
        if not folder.is_dir():
            raise RecordError([Problem(folder.name, 0, 0, "", "the schema folder is missing (it holds the JSON Schemas "
                                       "the records are checked against); restore it from the repository")])
        problems = []
        for path in sorted(folder.rglob("*.json")):
            rel = path.relative_to(folder).as_posix()
            shown = f"{folder.name}/{rel}"
            try:
                self.documents[rel] = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                problems.append(Problem(shown, exc.lineno, exc.colno, "", f"not JSON: {exc.msg}"))
            except UnicodeDecodeError as exc:
                problems.append(Problem(shown, 0, 0, "", f"the file is not UTF-8 ({exc.reason} at byte {exc.start})"))
            except OSError as exc:
                problems.append(Problem(shown, 0, 0, "", f"the file cannot be read: {(exc.strerror or str(exc)).lower()}"))
        for rel in (*RECORD_SCHEMAS.values(), "tables.schema.json"):
            if rel not in self.documents and not any(p.file == f"{folder.name}/{rel}" for p in problems):
                problems.append(Problem(f"{folder.name}/{rel}", 0, 0, "", "the schema file is missing; restore it from the repository"))
        if problems:
            raise RecordError(problems)
        self.registry: Registry = Registry().with_resources(
            (BASE_URI + rel, Resource(doc, specification=DRAFT202012)) for rel, doc in self.documents.items()
        )

    def validator(self, kind: str) -> Draft202012Validator:
        """A validator for one record kind (see RECORD_SCHEMAS)."""
        return self._validators[kind]

    @cached_property
    def _validators(self) -> dict[str, Draft202012Validator]:
        return {
            kind: Validator(self.documents[file], registry=self.registry,
                            format_checker=Draft202012Validator.FORMAT_CHECKER)
            for kind, file in RECORD_SCHEMAS.items()
        }

    @cached_property
    def vocabularies(self) -> dict[str, list[Term]]:
        """Vocabulary name (file stem) -> its terms, in file order."""
        return {
            rel.removeprefix("vocab/").removesuffix(".json"): [
                Term(t["const"], t["title"], t["description"], {k: v for k, v in t.items() if k.startswith("x-")})
                for t in doc["anyOf"]
            ]
            for rel, doc in self.documents.items()
            if rel.startswith("vocab/")
        }

    def resolve(self, ref: str, base: str) -> tuple[dict[str, Any], str]:
        """The schema a $ref points to, and the URI it lives at (for resolving refs inside it)."""
        resolver = self.registry.resolver(base_uri=base)
        resolved = resolver.lookup(ref)
        return resolved.contents, resolved.resolver._base_uri  # noqa: SLF001 - no public accessor

    @cached_property
    def _fast(self) -> Any:
        from .fastschema import FastValidators  # imported late: it builds on this module

        return FastValidators(self, RECORD_SCHEMAS, BASE_URI)

    def describe_errors(self, kind: str, instance: Any) -> Iterator[tuple[Path_, bool, str]]:
        """Every schema error of a record as (place, is-about-a-key, plain message)."""
        if self._fast.vouches(kind, instance):  # jsonschema-rs's yes, where it is as strict (fastschema.py)
            return
        for error in self.validator(kind).iter_errors(instance):
            yield from _explain(error)


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
        yield where, False, f"{value!r} is not a real calendar date (expected YYYY-MM-DD)"
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
