"""The schema folder: JSON Schemas and vocabularies.

schema/ is the single source of truth. This module reads it once; check.validate validates
records with it, tableschema.py derives the Table Schemas from it, docs.py the data dictionary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from referencing import Registry

from .problems import Problem, RecordError

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

    @cached_property
    def registry(self) -> Registry:
        """The schemas by URI, for jsonschema (made when first needed: a clean fast check needs none)."""
        from referencing import Registry
        from referencing.jsonschema import DRAFT202012

        return Registry().with_resources((BASE_URI + rel, DRAFT202012.create_resource(doc)) for rel, doc in self.documents.items())

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
