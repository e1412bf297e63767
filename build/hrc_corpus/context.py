"""Context from public sources: where each session fact comes from, and reference figures beside claims.

The records are records/sources.yaml (schema/source.schema.json), the facts listed in
records/sessions.yaml, and records/references.yaml (schema/reference.schema.json); the rules
are codebook §15. Both files are optional: a corpus without sources.yaml has no context, and
then its sessions need no facts. This module holds the rules that span these records (called
by the check step, whole-corpus or per statement (pipeline.py), for the references) and their table rows (called by tables.py).
A reference describes how a source's figure stands beside a claim's; nothing here judges a claim.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

from .load import Document
from .problems import Path_, Problem, did_you_mean

if TYPE_CHECKING:  # the check step passes its validators in: importing check here would be a cycle
    from .check.validate import Validators

NO_SOURCE, RELATED = "no_source_found", "related_fact"
STATE_KIND = "cambodian_state"  # a source of this kind is never independent of the speaker (source_kind and independence)
Row = dict[str, Any]


@dataclass
class ClaimIndex:
    """What the reference rules need of the checked claims."""

    qualifiers: dict[str, list[str]]  # claim id -> the qualifier of each of its quantities, in order
    checked: set[str]  # statement ids whose claims passed their checks (references into them are judged)
    folders: set[str]  # every statement folder (a reference into one that failed is not judged again)


@dataclass
class Context:
    """The checked context records, for the tables step."""

    sources: list[dict[str, Any]] = field(default_factory=list)
    references: list[dict[str, Any]] = field(default_factory=list)


def check_context(validators: Validators, sessions: Document | None, sources: Document | None,
                  references: Document | None, claims: ClaimIndex | None) -> tuple[list[Problem], Context]:
    """Every rule on sources, session facts and references; claims None leaves the references unchecked."""
    problems, index = check_sources(validators, sources)
    if sessions is not None:
        fields = [term.id for term in validators.schemas.vocabularies["session_field"]]  # the fields a fact can be about
        problems += session_fact_problems(sessions, index, fields, has_sources=sources is not None)
    found = Context(sources.data if sources is not None and isinstance(sources.data, list) else [])
    if references is not None and claims is not None:
        reference_found = check_references(validators, references, index, claims, has_sources=sources is not None)
        problems += reference_found
        found.references = references.data if not reference_found else []
    return problems, found


def check_sources(validators: Validators, doc: Document | None) -> tuple[list[Problem], dict[str, dict[str, Any]] | None]:
    """The sources file against its schema, and unique ids; the index is None when its shape is wrong."""
    if doc is None:
        return [], {}
    problems = validators.problems("sources", doc)
    if problems:
        return problems, None
    index: dict[str, dict[str, Any]] = {}
    for i, source in enumerate(doc.data):
        if source["id"] in index:
            problems.append(doc.problem((i, "id"), f"duplicate source id {source['id']!r} (first at line {doc.locate((_first(doc.data, source['id']), 'id'))[0]})"))
        index.setdefault(source["id"], source)
        if source["published"] and source["published"] > source["seen_on"]:
            problems.append(doc.problem((i, "published"), f"published {source['published']} is after seen_on {source['seen_on']}"))
    return problems, index


def session_fact_problems(doc: Document, sources: dict[str, dict[str, Any]] | None, fields: list[str],
                          has_sources: bool) -> list[Problem]:
    """Each fact names a known source; with a sources file, every session field with a value has a fact stating it."""
    problems = []
    for i, session in enumerate(doc.data):
        facts = session.get("facts", [])
        seen: set[tuple[str, str]] = set()
        for j, fact in enumerate(facts):
            where: Path_ = (i, "facts", j)
            if not has_sources:
                problems.append(doc.problem(where + ("source",), "facts name sources, but records/sources.yaml is missing"))
            elif sources is not None and fact["source"] not in sources:
                problems.append(doc.problem(where + ("source",), f"unknown source {fact['source']!r} (expected an id from records/sources.yaml){did_you_mean(fact['source'], sources)}"))
            if (fact["field"], fact["source"]) in seen:
                problems.append(doc.problem(where, f"a second fact on {fact['field']} from {fact['source']}; one fact per field and source"))
            seen.add((fact["field"], fact["source"]))
            if session.get(fact["field"]) is None:
                problems.append(doc.problem(where + ("field",), f"{fact['field']} is null, but this fact states it; give the field the preferred source's value, or remove the fact"))
        if not has_sources:
            continue
        for name in fields:
            value = session.get(name)
            if value is not None and not any(f["field"] == name and _same(f["value"], value) for f in facts):
                problems.append(doc.problem((i, name), f"{name} is {value!r}, but no fact under facts states that value; add one with its source (codebook §15)"))
    return problems


def check_references(validators: Validators, doc: Document, sources: dict[str, dict[str, Any]] | None, claims: ClaimIndex,
                     has_sources: bool) -> list[Problem]:
    """The references file: its schema, then ids, sources, claims and quantities, and what each relation needs."""
    problems = validators.problems("references", doc)
    if problems:
        return problems
    ids: dict[str, int] = {}
    for i, ref in enumerate(doc.data):
        if ref["id"] in ids:
            problems.append(doc.problem((i, "id"), f"duplicate reference id {ref['id']!r} (first at line {doc.locate((ids[ref['id']], 'id'))[0]})"))
        ids.setdefault(ref["id"], i)
        problems += _reference_shape(doc, i, ref)
        if ref["source"] is not None:
            if not has_sources:
                problems.append(doc.problem((i, "source"), "the reference names a source, but records/sources.yaml is missing"))
            elif sources is not None:
                source = sources.get(ref["source"])
                if source is None:
                    problems.append(doc.problem((i, "source"), f"unknown source {ref['source']!r} (expected an id from records/sources.yaml){did_you_mean(ref['source'], sources)}"))
                elif source["kind"] == STATE_KIND and ref["independence"] != STATE_KIND:
                    problems.append(doc.problem((i, "independence"), f"{ref['source']} is a body of the Cambodian state, so its figure is not independent (independence: {STATE_KIND})"))
        problems += _claim_and_quantity(doc, i, ref, claims)
    return problems


def _reference_shape(doc: Document, i: int, ref: dict[str, Any]) -> list[Problem]:
    """What the relation requires of the other fields."""
    problems = []
    missing = ref["relation"] == NO_SOURCE
    for name in ("source", "figure", "independence"):
        if missing != (ref[name] is None):
            want = "null: no source was found" if missing else "set: a reference with a figure names its source, the figure and its independence"
            problems.append(doc.problem((i, name), f"{name} must be {want}"))
    if missing and not ref.get("searched"):
        problems.append(doc.problem((i, "relation"), "no_source_found needs searched: the queries that found nothing"))
    if ref["relation"] == RELATED and ref["quantity"] is not None:
        problems.append(doc.problem((i, "quantity"), "quantity must be null: a related fact is about something the claim states without a number"))
    elif ref["relation"] not in (RELATED, NO_SOURCE) and ref["quantity"] is None:
        problems.append(doc.problem((i, "quantity"), f"quantity must be the seq of the claim's quantity that a {ref['relation']} figure stands beside"))
    figure = ref["figure"]
    if figure is not None:
        if figure["value"] is None and figure.get("date") is None and figure["qualifier"] != "indefinite":
            problems.append(doc.problem((i, "figure", "value"), "value is null, but the figure is neither indefinite nor a date"))
        if figure.get("date") is not None and (figure["value"] is not None or figure["unit"] is not None):
            problems.append(doc.problem((i, "figure", "date"), "a figure that is a date has no value and no unit"))
    return problems


def _claim_and_quantity(doc: Document, i: int, ref: dict[str, Any], claims: ClaimIndex) -> list[Problem]:
    """The claim exists, and so does the quantity; value_for_indefinite stands beside an indefinite one."""
    statement = ref["claim"].rsplit("-", 1)[0]
    if statement not in claims.folders:
        return [doc.problem((i, "claim"), f"unknown claim {ref['claim']!r} (no statement {statement!r}){did_you_mean(ref['claim'], claims.qualifiers)}")]
    if statement not in claims.checked:
        return []  # its statement has problems of its own: one mistake, one message
    qualifiers = claims.qualifiers.get(ref["claim"])
    if qualifiers is None:
        return [doc.problem((i, "claim"), f"unknown claim {ref['claim']!r}{did_you_mean(ref['claim'], claims.qualifiers)}")]
    seq = ref["quantity"]
    if seq is None:
        return []
    if seq > len(qualifiers):
        return [doc.problem((i, "quantity"), f"{ref['claim']} has {len(qualifiers)} quantit{'y' if len(qualifiers) == 1 else 'ies'}, so there is no quantity {seq}")]
    if ref["relation"] == "value_for_indefinite" and qualifiers[seq - 1] != "indefinite":
        return [doc.problem((i, "relation"), f"value_for_indefinite stands beside an indefinite quantity, but quantity {seq} is {qualifiers[seq - 1]}")]
    return []


def _first(records: list[dict[str, Any]], record_id: str) -> int:
    """Index of the first record with an id."""
    return next(j for j, r in enumerate(records) if r["id"] == record_id)


def _same(fact: Any, value: Any) -> bool:
    """Whether a fact's value is the field's (a count as a number, everything else as text)."""
    return type(fact) is type(value) and fact == value


def _date(value: str | None) -> dt.date | None:
    """An ISO date string as a date (the schema has checked it)."""
    return dt.date.fromisoformat(value) if value else None


def session_columns(session: dict[str, Any]) -> Row:
    """The sessions table's context columns of one session."""
    return {"president": session.get("president"),
            "high_level_segment_start": _date(session.get("high_level_segment_start")),
            "high_level_segment_end": _date(session.get("high_level_segment_end")),
            "resolutions_adopted": session.get("resolutions_adopted")}


def session_fact_rows(sessions: list[dict[str, Any]]) -> Iterator[Row]:
    """One row per session fact: sessions by id, facts in file order."""
    for session in sorted(sessions, key=lambda s: s["id"]):
        for seq, fact in enumerate(session.get("facts", []), start=1):
            yield {"session_id": session["id"], "seq": seq, "field": fact["field"], "value": str(fact["value"]),
                   "source_id": fact["source"], "note": fact.get("note")}


def source_rows(sources: list[dict[str, Any]]) -> Iterator[Row]:
    """One row per source, by id."""
    for s in sorted(sources, key=lambda s: s["id"]):
        yield {"source_id": s["id"], "url": s["url"], "publisher": s["publisher"], "kind": s["kind"], "title": s["title"],
               "published": _date(s["published"]), "seen_as": s["seen_as"], "seen_on": _date(s["seen_on"]),
               "description": s["description"], "note": s.get("note")}


def reference_rows(references: list[dict[str, Any]]) -> Iterator[Row]:
    """One row per reference, by id."""
    for r in sorted(references, key=lambda r: r["id"]):
        figure = r["figure"] or {}
        yield {"reference_id": r["id"], "claim_id": r["claim"], "quantity_seq": r["quantity"], "relation": r["relation"],
               "source_id": r["source"], "as_stated": figure.get("as_stated"), "value": figure.get("value"),
               "unit": figure.get("unit"), "qualifier": figure.get("qualifier"), "measure": figure.get("measure"),
               "reference_time": figure.get("reference_time"), "date": _date(figure.get("date")),
               "attributed_to": r["attributed_to"], "independence": r["independence"], "note": r.get("note")}


def search_rows(references: list[dict[str, Any]]) -> Iterator[Row]:
    """One row per search a reference lists, by reference id, in order."""
    for r in sorted(references, key=lambda r: r["id"]):
        for seq, search in enumerate(r.get("searched", []), start=1):
            yield {"reference_id": r["id"], "seq": seq, "query": search["query"], "corpus": search["corpus"]}
