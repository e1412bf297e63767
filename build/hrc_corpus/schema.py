"""The schema folder: JSON Schemas and vocabularies.

schema/ is the single source of truth. This module reads it once; check.validate validates
records with it, tableschema.py derives the Table Schemas from it, docs.py the data dictionary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from referencing import Registry
from referencing.jsonschema import DRAFT202012

BASE_URI = "https://cambodia-hrc-statements.invalid/schema/"
RECORD_SCHEMAS = {  # record kind -> schema file
    "sessions": "session.schema.json",
    "actors": "actor.schema.json",
    "entities": "entity.schema.json",
    "statement": "statement.schema.json",
    "claims": "claims.schema.json",
}


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
            (BASE_URI + rel, DRAFT202012.create_resource(doc)) for rel, doc in self.documents.items()
        )

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
