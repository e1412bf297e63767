"""Step 3, tables: turn the checked records into one Arrow table per output table.

Rows are produced in a fixed order (statements by id; claims in document order; the rest by
their keys), and columns in the order of schema/tables.schema.json, so the same records always
give the same tables.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from . import context
from .check import CheckedCorpus, CheckedStatement
from .schema import Schemas
from .tableschema import Table, tables

if TYPE_CHECKING:
    import pyarrow as pa

Row = dict[str, Any]
# Tables whose rows come from one statement each, in statement order (claim_links is sorted
# across statements; null_reasons spans statements, sessions and actors).
PER_STATEMENT = ("statements", "claims", "claim_topics", "claim_themes", "quantities", "claim_entities", "non_claims")


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema of a table: its Table Schema types, nullability and descriptions."""
    import pyarrow as pa  # imported here: `hrc-corpus check` makes no tables and need not load Arrow

    types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(), "date": pa.date32()}
    return pa.schema([
        pa.field(f.name, types[f.type], nullable=not f.required, metadata={"description": f.description})
        for f in table.fields
    ])


def build_tables(corpus: CheckedCorpus) -> dict[str, pa.Table]:
    """Every output table, keyed by name, in the order the schema lists them."""
    import pyarrow as pa

    rows = table_rows(corpus)
    return {t.name: pa.Table.from_pylist(rows[t.name], schema=arrow_schema(t)) for t in tables(corpus.schemas)}


def table_rows(corpus: CheckedCorpus) -> dict[str, list[Row]]:
    """Every output table's rows, keyed by name."""
    rows: dict[str, list[Row]] = {
        "statements": [],
        "claims": [], "claim_topics": [], "claim_themes": [], "quantities": [], "claim_entities": [], "claim_links": [], "non_claims": [],
        "sessions": [{"session_id": s["id"], "body": s["body"], "number": s["number"], "start_date": _date(s["start"]),
                      "end_date": _date(s["end"]), "place": s["place"], **context.session_columns(s)}
                     for s in sorted(corpus.sessions, key=lambda s: s["id"])],
        "actors": [{"actor_id": a["id"], "name": a["name"], "kind": a["kind"], "country": a["country"]}
                   for a in sorted(corpus.actors, key=lambda a: a["id"])],
        "entities": [{"entity_id": e["id"], "name": e["name"], "kind": e["kind"], "note": e.get("note")}
                     for e in sorted(corpus.entities, key=lambda e: e["id"])],
        "topics": list(_topics(corpus)),
        "themes": list(_themes(corpus)),
        "vocabularies": [{"vocabulary": name, "term": t.id, "label": t.label, "definition": t.definition}
                         for name, terms in sorted(corpus.schemas.vocabularies.items()) for t in terms],
        "null_reasons": [],
        "session_facts": list(context.session_fact_rows(corpus.sessions)),
        "sources": list(context.source_rows(corpus.context.sources)),
        "claim_references": list(context.reference_rows(corpus.context.references)),
        "reference_searches": list(context.search_rows(corpus.context.references)),
    }
    for statement in corpus.statements:
        for name, found in statement_rows(statement).items():
            rows[name] += found
    rows["claim_links"].sort(key=link_order)
    rows["null_reasons"] = null_reason_rows([(s.id, s.meta.get("null_reasons", {})) for s in corpus.statements],
                                            corpus.sessions, corpus.actors, corpus.schemas)
    return rows


def link_order(row: Row) -> tuple[str, str]:
    """The order of the claim_links table: by claim, then target."""
    return (row["claim_id"], row["target_claim_id"])


def statement_rows(s: CheckedStatement) -> dict[str, list[Row]]:
    """One statement's rows of every per-statement table, and of claim_links."""
    rows: dict[str, list[Row]] = {name: [] for name in PER_STATEMENT + ("claim_links",)}
    rows["statements"].append(_statement(s))
    _claim_rows(s, rows)
    return rows


def _date(value: str | None) -> dt.date | None:
    """An ISO date string as a date (the schema has already checked it is a real date)."""
    return dt.date.fromisoformat(value) if value else None


def _statement(s: CheckedStatement) -> Row:
    """A statement's row."""
    m = s.meta
    return {"statement_id": m["id"], "title": m["title"], "statement_type": m["type"], "date": _date(m["date"]),
            "place": m["place"], "session_id": m["session"], "segment": m["segment"], "agenda_item": m["agenda_item"],
            "delegation": m["delegation"], "speaker_id": m["speaker"], "speaker_title": m["speaker_title"],
            "issuer_id": m["issuer"], "language": m["language"], "curation": m["curation"],
            "source_file": m["source"]["file"], "source_sha256": m["source"]["sha256"], "source_url": m["source"]["url"],
            "text": s.text, "note": m.get("note")}


def _claim_rows(s: CheckedStatement, rows: dict[str, list[Row]]) -> None:
    """Claims of one statement and everything hanging off them, appended to rows."""
    for seq, located in enumerate(sorted(s.claims, key=lambda c: c.span.start), start=1):
        claim, span = located.record, located.span
        claim_id = f"{s.id}-{claim['id']}"
        para = s.paragraph_of(span.start)
        rows["claims"].append({
            "claim_id": claim_id, "statement_id": s.id, "seq": seq, "paragraph": para.index,
            "paragraph_number": para.number, "char_start": span.start, "char_end": span.end,
            "quote": s.text[span.start : span.end], "claim_type": claim["type"], "attribution": claim["attribution"],
            "checkworthy": claim["checkworthy"], "summary": claim["summary"], "note": claim.get("note")})
        for rank, topic in enumerate(claim["topics"], start=1):
            rows["claim_topics"].append({"claim_id": claim_id, "topic_id": topic, "rank": rank})
        for rank, theme in enumerate(claim["themes"], start=1):
            rows["claim_themes"].append({"claim_id": claim_id, "theme_id": theme, "rank": rank})
        for n, q in enumerate(s.quantities.get(claim["id"], []), start=1):
            r = q.record
            rows["quantities"].append({
                "claim_id": claim_id, "seq": n, "as_written": s.text[q.span.start : q.span.end], "value": r["value"],
                "unit": r["unit"], "qualifier": r["qualifier"], "measure": r["measure"], "period": r["period"],
                "char_start": q.span.start, "char_end": q.span.end})
        for n, m in enumerate(s.mentions.get(claim["id"], []), start=1):
            rows["claim_entities"].append({
                "claim_id": claim_id, "seq": n, "entity_id": m.record["id"],
                "as_written": s.text[m.span.start : m.span.end], "char_start": m.span.start, "char_end": m.span.end})
        for link in claim.get("links", []):
            rows["claim_links"].append({"claim_id": claim_id, "target_claim_id": link["to"],
                                        "relation": link["rel"], "note": link["note"]})
    for seq, nc in enumerate(sorted(s.non_claims, key=lambda n: n.span.start), start=1):
        rows["non_claims"].append({"statement_id": s.id, "seq": seq, "char_start": nc.span.start, "char_end": nc.span.end,
                                   "quote": s.text[nc.span.start : nc.span.end], "reason": nc.record["reason"]})


def _topics(corpus: CheckedCorpus) -> Iterator[Row]:
    """The topic vocabulary as a table."""
    scheme = corpus.schemas.documents["vocab/topic.json"].get("x-scheme", "")
    for term in corpus.schemas.vocabularies["topic"]:
        yield {"topic_id": term.id, "scheme": scheme, "label": term.label, "description": term.definition,
               "parent_id": term.extra.get("x-parent")}


def _themes(corpus: CheckedCorpus) -> Iterator[Row]:
    """The theme vocabulary (UHRI themes and groups, and the project's additions) as a table."""
    for term in corpus.schemas.vocabularies["theme"]:
        yield {"theme_id": term.id, "scheme": term.extra["x-scheme"], "facet": term.extra["x-facet"], "label": term.label,
               "description": term.definition, "search_terms": "; ".join(term.extra["x-search-terms"])}


def null_reason_rows(statements: Iterable[tuple[str, dict[str, str]]], sessions: list[dict[str, Any]],
                     actors: list[dict[str, Any]], schemas: Schemas) -> list[Row]:
    """Why each null field of a statement (id, its null_reasons), session or actor is null."""
    found = [("statements", statement_id, reasons) for statement_id, reasons in statements]
    found += [("sessions", r["id"], r.get("null_reasons", {})) for r in sessions]
    found += [("actors", r["id"], r.get("null_reasons", {})) for r in actors]
    # Record field -> column, read off the columns' $refs (speaker -> speaker_id, source.url -> source_url).
    columns = {t.name: {f.record_field: f.name for f in t.fields if f.record_field} for t in tables(schemas)}
    return [{"table": table, "record_id": record_id, "field": columns[table].get(name, name), "reason": reason}
            for table, record_id, reasons in sorted(found) for name, reason in sorted(reasons.items())]
