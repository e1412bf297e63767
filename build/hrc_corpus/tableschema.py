"""Frictionless Table Schemas, derived from schema/tables.schema.json (never written by hand).

Each table's row schema lists its fields in order; a field may $ref a record schema or a
vocabulary, so its description, pattern and allowed values come from the one place they are
defined. This module follows the refs and maps JSON Schema onto Table Schema.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from .schema import BASE_URI, Schemas

TABLES_FILE = "tables.schema.json"
_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean"}


@dataclass(frozen=True)
class Field:
    """One column: its Table Schema type, constraints and documentation."""

    name: str
    type: str  # Table Schema type: string, integer, number, boolean, date
    description: str
    required: bool
    constraints: dict[str, Any]
    vocabulary: str | None  # name of the vocabulary whose terms are its allowed values
    record_field: str | None  # the record field it comes from ("source.url"), when it refers to one

    def descriptor(self) -> dict[str, Any]:
        """The field as a Table Schema field descriptor."""
        constraints = {"required": True} if self.required else {}
        constraints.update(self.constraints)
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.type == "date":
            out["format"] = "default"
        out["description"] = self.description
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass(frozen=True)
class Table:
    """One output table: its fields, keys and documentation."""

    name: str
    title: str
    description: str
    fields: list[Field]
    primary_key: list[str]
    foreign_keys: list[dict[str, Any]]

    def descriptor(self) -> dict[str, Any]:
        """The Frictionless Table Schema of this table."""
        schema: dict[str, Any] = {"fields": [f.descriptor() for f in self.fields], "missingValues": [""],
                                  "primaryKey": self.primary_key}
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": fk["fields"], "reference": {"resource": "" if fk["reference"]["resource"] == self.name else fk["reference"]["resource"],
                                                       "fields": fk["reference"]["fields"]}}
                for fk in self.foreign_keys
            ]
        return schema


def tables(schemas: Schemas) -> list[Table]:
    """Every output table, in the order tables.schema.json lists them (worked out once per Schemas)."""
    if schemas not in _MADE:
        _MADE[schemas] = _tables(schemas)
    return list(_MADE[schemas])


_MADE: weakref.WeakKeyDictionary[Schemas, list[Table]] = weakref.WeakKeyDictionary()


def _tables(schemas: Schemas) -> list[Table]:
    """Every output table, made from the schema files."""
    doc = schemas.documents[TABLES_FILE]
    base = BASE_URI + TABLES_FILE
    out = []
    for name in doc["x-tables"]:
        row = doc["$defs"][name]
        required = set(row.get("required", []))
        fields = [_field(schemas, field, spec, base, field in required) for field, spec in row["properties"].items()]
        out.append(Table(name, row["title"], row["description"], fields, row["x-primaryKey"], row["x-foreignKeys"]))
    return out


def _field(schemas: Schemas, name: str, spec: dict[str, Any], base: str, present: bool) -> Field:
    """Map one JSON Schema property onto a Table Schema field."""
    merged, nullable, vocabulary = _flatten(schemas, spec, base)
    types = merged.get("type", "string")
    types = [t for t in (types if isinstance(types, list) else [types]) if t != "null"] or ["string"]
    if len(types) > 1:
        raise ValueError(f"{name}: a column has one type, not {types}")
    kind = "date" if merged.get("format") == "date" else _TYPES[types[0]]
    constraints: dict[str, Any] = {}
    if "enum" in merged:
        constraints["enum"] = merged["enum"]
    if "pattern" in merged and kind == "string":
        # Table Schema patterns must match the whole value (XML Schema style): drop ^ and $, and
        # let an end JSON Schema leaves open stay open (^https?:// becomes https?://.*).
        pattern = merged["pattern"]
        pattern = pattern[1:] if pattern.startswith("^") else ".*" + pattern
        constraints["pattern"] = pattern[:-1] if pattern.endswith("$") else pattern + ".*"
    for key in ("minimum", "maximum", "minLength", "maxLength"):
        if key in merged and not (key == "maxLength" and kind != "string"):
            constraints[key] = merged[key]
    description = merged.get("description") or merged.get("title") or ""
    if vocabulary:
        description = description or merged.get("title", "")
        # Every code resolves: say where its labels are (the vocabularies table is built from schema/vocab/).
        description = f"{description.rstrip()} Labels: vocabularies where vocabulary = '{vocabulary}'."
    if "x-codebook" in merged:
        description = f"{description.rstrip()} Rules: codebook §{merged['x-codebook']} (schema/CODEBOOK.md)."
    return Field(name, kind, description, present and not nullable, constraints, vocabulary, _record_field(spec))


def _record_field(spec: dict[str, Any]) -> str | None:
    """The dotted record field a column's $ref points at (statement.schema.json#/properties/source/properties/url)."""
    ref = spec.get("$ref") or next((b["$ref"] for b in spec.get("anyOf", []) if "$ref" in b), "")
    pointer = ref.partition("#")[2]
    if "/properties/" not in pointer or pointer.startswith("/$defs/"):
        return None
    return ".".join(part for part in pointer.removeprefix("/items").split("/") if part and part != "properties")


def _flatten(schemas: Schemas, spec: dict[str, Any], base: str) -> tuple[dict[str, Any], bool, str | None]:
    """Follow $refs and nullable anyOfs; return the merged schema, nullability and vocabulary."""
    merged: dict[str, Any] = {}
    nullable = False
    vocabulary = None
    if "$ref" in spec:
        target, target_base = schemas.resolve(spec["$ref"], base)
        inner, inner_null, vocabulary = _flatten(schemas, target, target_base)
        merged.update(inner)
        nullable |= inner_null
        if target_base.startswith(BASE_URI + "vocab/") and vocabulary is None:
            vocabulary = target_base.removeprefix(BASE_URI + "vocab/").removesuffix(".json")
    branches = spec.get("anyOf", [])
    if branches and all("const" in b for b in branches):  # a vocabulary
        merged["type"] = "string"
        merged["enum"] = [b["const"] for b in branches]
    elif branches:
        for branch in branches:
            if branch.get("type") == "null":
                nullable = True
            else:
                inner, inner_null, inner_vocab = _flatten(schemas, branch, base)
                merged.update(inner)
                nullable |= inner_null
                vocabulary = vocabulary or inner_vocab
    for key, value in spec.items():
        if key not in ("$ref", "anyOf", "$schema", "$id", "title") or (key == "title" and "title" not in merged):
            merged[key] = value
    if isinstance(merged.get("type"), list) and "null" in merged["type"]:
        nullable = True
    return merged, nullable, vocabulary
