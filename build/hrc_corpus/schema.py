"""The schema folder: JSON Schemas, vocabularies, and plain-language messages for what fails them.

schema/ is the single source of truth. This module reads it once; check.py validates records
with it, tableschema.py derives the Table Schemas from it, docs.py the data dictionary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .problems import Path_, did_you_mean

BASE_URI = "https://cambodia-hrc-statements.invalid/schema/"
RECORD_SCHEMAS = {  # record kind -> schema file
    "sessions": "session.schema.json",
    "actors": "actor.schema.json",
    "entities": "entity.schema.json",
    "statement": "statement.schema.json",
    "claims": "claims.schema.json",
}
_JSON_TYPES = {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a whole number",
               float: "a number", type(None): "null (empty)"}


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
        for path in sorted(folder.rglob("*.json")):
            rel = path.relative_to(folder).as_posix()
            self.documents[rel] = json.loads(path.read_text(encoding="utf-8"))
        self.registry: Registry = Registry().with_resources(
            (BASE_URI + rel, Resource(doc, specification=DRAFT202012)) for rel, doc in self.documents.items()
        )

    def validator(self, kind: str) -> Draft202012Validator:
        """A validator for one record kind (see RECORD_SCHEMAS)."""
        return self._validators[kind]

    @cached_property
    def _validators(self) -> dict[str, Draft202012Validator]:
        return {
            kind: Draft202012Validator(self.documents[file], registry=self.registry,
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
    """How a value's type reads in a message."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


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
        # A nullable field or a choice: explain the branch that fits the value's type best.
        branches = [e for e in error.context if e.validator != "type" or value is None] or list(error.context)
        non_null = [e for e in branches if not (e.validator == "type" and e.validator_value == "null")]
        best = min(non_null or branches, key=lambda e: len(e.absolute_path) * -1)
        yield from _explain(best)
    elif kind == "required":
        for name in error.validator_value:
            if isinstance(value, dict) and name not in value:
                about = schema.get("properties", {}).get(name, {}).get("description", "")
                yield where, False, f"missing field {name!r}" + (f" (expected: {about})" if about else "")
    elif kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        for name in value:
            if name not in allowed:
                yield where + (name,), True, (f"unknown field {name!r}{did_you_mean(name, allowed)} "
                                              f"(allowed: {', '.join(allowed)})")
    elif kind == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        names = {"string": "text", "integer": "a whole number", "number": "a number", "object": "a mapping",
                 "array": "a list", "boolean": "true/false", "null": "null"}
        yield where, False, f"expected {' or '.join(names[w] for w in wanted)}, got {_kind(value)} ({value!r})"
    elif kind == "format" and error.validator_value == "date":
        yield where, False, f"{value!r} is not a real calendar date (expected YYYY-MM-DD)"
    elif kind == "pattern":
        about = schema.get("description", "")
        if about.startswith("A non-empty string"):
            yield where, False, f"{value!r} must not start or end with white space"
        else:
            yield where, False, f"{value!r} does not have the expected form: {about or error.validator_value}"
    elif kind == "minLength" and error.validator_value == 1:
        yield where, False, "must not be empty"
    elif kind == "uniqueItems":
        yield where, False, "lists the same item twice"
    else:
        yield where, False, error.message
