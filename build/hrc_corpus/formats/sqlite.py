"""A SQLite database of the package for Datasette (and any SQLite client), built with sqlite-utils.

Every table keeps its primary and foreign keys; claims (quote, summary) and statements (text) get
full-text search; two views put claims in context and figures side by side; the Datasette
metadata carries every table's and column's description from the package, facets on the
vocabulary columns and canned queries.

The bytes are a function of the package: a fixed page size, rows inserted in package order, no
timestamps, and a final VACUUM that lays the pages out afresh (same SQLite library, same bytes).
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
import sqlite_utils

from .package import Package

_TYPES = {"string": str, "integer": int, "number": float, "boolean": int, "date": str}
PAGE_SIZE = 4096
FTS = {"claims": ["quote", "summary"], "statements": ["text"]}
# Which column names a row of a lookup table, so Datasette shows names beside foreign keys.
LABELS = {"sessions": "session_id", "actors": "name", "entities": "name", "topics": "label", "statements": "title"}

VIEWS = {
    "claims_in_context": (
        "Every claim with its statement and session: what was said, where and when.",
        """SELECT c.claim_id, c.statement_id, s.title AS statement_title, s.statement_type, s.date, s.session_id,
       se.number AS session_number, c.seq, c.paragraph_number, c.claim_type, c.attribution, c.checkworthy,
       c.quote, c.summary
FROM claims AS c
JOIN statements AS s ON s.statement_id = c.statement_id
JOIN sessions AS se ON se.session_id = s.session_id
ORDER BY s.date, c.statement_id, c.seq"""),
    "figures_across_statements": (
        "Every stated figure with its measure, the claim and the statement's date, so a measure's figures line up "
        "across statements.",
        """SELECT q.measure, q.unit, q.value, q.as_written, q.qualifier, q.period, s.date, s.session_id,
       c.statement_id, q.claim_id, c.quote
FROM quantities AS q
JOIN claims AS c ON c.claim_id = q.claim_id
JOIN statements AS s ON s.statement_id = c.statement_id
ORDER BY q.measure, q.unit, s.date, q.claim_id, q.seq"""),
}

QUERIES = {
    "figures_in_several_statements": (
        "Figures stated in more than one statement",
        "Measures (with their unit) that more than one statement gives a figure for, with each figure as written "
        "and the statement's date: where a number may have changed between sessions.",
        """SELECT measure, unit, count(DISTINCT statement_id) AS statements, count(*) AS figures,
       group_concat(as_written || ' (' || date || ')', '; ') AS as_written
FROM (SELECT * FROM figures_across_statements ORDER BY measure, unit, date, claim_id)
GROUP BY measure, unit
HAVING count(DISTINCT statement_id) > 1
ORDER BY measure, unit"""),
    "links_across_statements": (
        "Links between claims of different statements",
        "Claims that repeat, update, conflict with or follow up a claim of another statement, with both quotes.",
        """SELECT l.relation, a.statement_id AS from_statement, l.claim_id, a.quote AS from_quote,
       b.statement_id AS to_statement, l.target_claim_id, b.quote AS to_quote, l.note
FROM claim_links AS l
JOIN claims AS a ON a.claim_id = l.claim_id
JOIN claims AS b ON b.claim_id = l.target_claim_id
WHERE a.statement_id <> b.statement_id
ORDER BY l.relation, l.claim_id, l.target_claim_id"""),
    "claims_by_type_with_labels": (
        "Claims per type, with the type's label",
        "How many claims of each type each statement makes, with the label and definition of the type.",
        """SELECT c.statement_id, c.claim_type, v.label, count(*) AS claims, v.definition
FROM claims AS c
JOIN vocabularies AS v ON v.vocabulary = 'claim_type' AND v.term = c.claim_type
GROUP BY c.statement_id, c.claim_type
ORDER BY c.statement_id, claims DESC, c.claim_type"""),
}


def database(package: Package) -> bytes:
    """The SQLite database file of the package, as bytes."""
    with tempfile.TemporaryDirectory(prefix="hrc-sqlite-") as tmp:
        path = Path(tmp) / "db.sqlite"
        conn = sqlite3.connect(path)
        try:
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # before the first table: fixed for the file's life
            db = sqlite_utils.Database(conn)
            for name in _creation_order(package):
                _create(db, package, name)
            for name, columns in FTS.items():
                # No triggers: the database is published read-only; porter stemming finds "peacekeeper(s)".
                db.table(name).enable_fts(columns, tokenize="porter")
            for name, (_, sql) in VIEWS.items():
                db.create_view(name, sql)
            conn.commit()
            conn.execute("VACUUM")
        finally:
            conn.close()
        return path.read_bytes()


def _creation_order(package: Package) -> list[str]:
    """Table names with every referenced table before the tables that refer to it (else package order)."""
    done: list[str] = []

    def visit(name: str) -> None:
        if name in done:
            return
        for fk in package.resource(name)["schema"].get("foreignKeys", []):
            target = fk["reference"]["resource"] or name
            if target != name:
                visit(target)
        done.append(name)

    for resource in package.descriptor["resources"]:
        visit(resource["name"])
    return done


def _create(db: sqlite_utils.Database, package: Package, name: str) -> None:
    """One table with its types, NOT NULLs, keys and rows."""
    schema = package.resource(name)["schema"]
    fields = schema["fields"]
    foreign = [(_columns(fk["fields"]), fk["reference"]["resource"] or name, _columns(fk["reference"]["fields"]))
               for fk in schema.get("foreignKeys", [])]
    pk = schema["primaryKey"]
    table = db.create_table(name, {f["name"]: _TYPES[f["type"]] for f in fields},
                            pk=pk[0] if len(pk) == 1 else tuple(pk), foreign_keys=foreign,
                            not_null=[f["name"] for f in fields if f.get("constraints", {}).get("required")])
    table.insert_all(_rows(package.tables[name], fields))


def _columns(names: list[str]) -> str | tuple[str, ...]:
    """A key's column, or its columns when it has several (sqlite-utils' form for a composite key)."""
    return names[0] if len(names) == 1 else tuple(names)


def _rows(frame: pd.DataFrame, fields: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """A typed table's rows as plain Python values: None for null, dates as ISO text."""
    columns = []
    for f in fields:
        values = frame[f["name"]]
        if f["type"] == "date":
            values = values.dt.strftime("%Y-%m-%d")
        columns.append([None if pd.isna(v) else _plain(v, f["type"]) for v in values.astype(object)])
    names = [f["name"] for f in fields]
    for row in zip(*columns):
        yield dict(zip(names, row))


def _plain(value: Any, kind: str) -> Any:
    """A non-null cell as the Python type SQLite stores for its Table Schema type."""
    if kind in ("integer", "boolean"):
        return int(value)
    if kind == "number":
        return float(value)
    return str(value)


def metadata(package: Package) -> bytes:
    """Datapackage metadata as Datasette's metadata.json: descriptions, licence, source, facets, queries."""
    d = package.descriptor
    licence = d["licenses"][0]
    statements = package.tables["statements"]
    sources = "; ".join(f"{t} ({pd.Timestamp(day).date().isoformat()})"
                        for t, day in zip(statements["title"], statements["date"]))
    tables: dict[str, Any] = {}
    for resource in d["resources"]:
        fields = resource["schema"]["fields"]
        entry: dict[str, Any] = {"description": resource.get("description", ""),
                                 "columns": {f["name"]: f["description"] for f in fields}}
        facets = [f["name"] for f in fields if "enum" in f.get("constraints", {})]
        if facets:
            entry["facets"] = facets
        if resource["name"] in LABELS:
            entry["label_column"] = LABELS[resource["name"]]
        tables[resource["name"]] = entry
    for name, (description, _) in VIEWS.items():
        tables[name] = {"description": description}
    document = {
        "title": d["title"],
        "description": d["description"],
        "license": licence["name"], "license_url": licence["path"],
        "source": f"Source documents: {sources}",
        "about": f"Version {d['version']} of the {d['name']} data package",
        "databases": {package.stem: {
            "description": d["description"], "tables": tables,
            "queries": {name: {"title": title, "description": text, "sql": sql}
                        for name, (title, text, sql) in QUERIES.items()}}},
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
