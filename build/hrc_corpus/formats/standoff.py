"""Standoff annotations: every span of the package over its statement's text, in two formats.

- `<name>-<version>-spans.jsonl`: one line per statement, `{"id", "text", "spans", "label"}`;
  `spans` is the list of `{"start", "end", "label", ...}` that Prodigy and spaCy (Doc.char_span)
  read, `label` the `[start, end, label]` triples of doccano's JSONL import.
- `<name>-<version>-annotations.jsonld`: a W3C Web Annotation collection, one annotation per span,
  each targeting its statement with a TextQuoteSelector (exact, prefix, suffix) and a
  TextPositionSelector.

`start`/`end` (and the TextPositionSelector) count Unicode code points, end exclusive, as the
tables do; `utf16_start`/`utf16_end` count UTF-16 code units (JavaScript's String.slice) and
`utf8_start`/`utf8_end` UTF-8 bytes. The IRIs are under the reserved domain `.invalid`: the
documents have no public address, so none is invented.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

import pandas as pd

from .package import Package

BASE_IRI = "https://cambodia-hrc-statements.invalid/"
CONTEXT = 32  # code points of prefix and suffix in a TextQuoteSelector


def files(package: Package) -> dict[str, bytes]:
    """Both standoff files, by release file name."""
    documents = list(_documents(package))
    lines = "".join(json.dumps(doc, ensure_ascii=False) + "\n" for doc in documents)
    return {f"{package.stem}-spans.jsonl": lines.encode(),
            f"{package.stem}-annotations.jsonld": _web_annotations(package, documents)}


class Offsets:
    """Code-point offsets of one text converted to UTF-16 code units and UTF-8 bytes."""

    def __init__(self, text: str):
        self.utf16 = [0]
        self.utf8 = [0]
        for char in text:
            point = ord(char)
            self.utf16.append(self.utf16[-1] + (2 if point > 0xFFFF else 1))
            self.utf8.append(self.utf8[-1] + len(char.encode("utf-8")))

    def span(self, start: int, end: int) -> dict[str, int]:
        """A span's offsets in every unit."""
        return {"start": start, "end": end, "utf16_start": self.utf16[start], "utf16_end": self.utf16[end],
                "utf8_start": self.utf8[start], "utf8_end": self.utf8[end]}


def _documents(package: Package) -> Iterator[dict[str, Any]]:
    """One document per statement: its text and every span in it, in text order."""
    t = package.tables
    claims = t["claims"]
    kind_of = dict(zip(t["entities"]["entity_id"].astype(str), t["entities"]["kind"].astype(str)))
    statement_of = dict(zip(claims["claim_id"].astype(str), claims["statement_id"].astype(str)))
    found: dict[str, list[dict[str, Any]]] = {}

    def add(statement: str, start: int, end: int, label: str, kind: str, ident: str, claim: str | None,
            extra: dict[str, Any]) -> None:
        found.setdefault(statement, []).append({"start": int(start), "end": int(end), "label": label, "kind": kind,
                                                "id": ident, "claim_id": claim, **extra})

    for r in claims.itertuples(index=False):
        add(r.statement_id, r.char_start, r.char_end, str(r.claim_type), "claim", r.claim_id, r.claim_id,
            {"attribution": str(r.attribution), "checkworthy": str(r.checkworthy), "summary": r.summary})
    for r in t["quantities"].itertuples(index=False):
        value = None if _null(r.value) else float(r.value)
        add(statement_of[r.claim_id], r.char_start, r.char_end, "QUANTITY", "quantity", f"{r.claim_id}-q{r.seq}",
            r.claim_id, {"value": value, "unit": str(r.unit), "measure": r.measure})
    for r in t["claim_entities"].itertuples(index=False):
        add(statement_of[r.claim_id], r.char_start, r.char_end, kind_of[r.entity_id].upper(), "entity",
            f"{r.claim_id}-e{r.seq}", r.claim_id, {"entity_id": r.entity_id})
    for r in t["non_claims"].itertuples(index=False):
        add(r.statement_id, r.char_start, r.char_end, "NON_CLAIM", "non_claim", f"{r.statement_id}-n{r.seq}", None,
            {"reason": str(r.reason)})
    for s in t["statements"].itertuples(index=False):
        text = s.text
        offsets = Offsets(text)
        spans = []
        for span in sorted(found.get(s.statement_id, []), key=lambda x: (x["start"], -x["end"], x["kind"], x["id"])):
            spans.append(offsets.span(span["start"], span["end"]) | {k: v for k, v in span.items() if k not in ("start", "end")}
                         | {"text": text[span["start"]:span["end"]]})
        yield {"id": s.statement_id, "text": text, "spans": spans,
               "label": [[x["start"], x["end"], x["label"]] for x in spans],
               "meta": {"title": s.title, "date": _iso(s.date), "session_id": s.session_id,
                        "statement_type": str(s.statement_type), "language": s.language}}


def _null(value: Any) -> bool:
    """Whether a cell is null (pandas NA or None)."""
    return value is None or bool(pd.isna(value))


def _iso(value: Any) -> str | None:
    """A date cell as ISO text."""
    return None if _null(value) else value.date().isoformat()


def _web_annotations(package: Package, documents: list[dict[str, Any]]) -> bytes:
    """The W3C Web Annotation collection of every span."""
    items = []
    for doc in documents:
        text, source = doc["text"], f"{BASE_IRI}statements/{doc['id']}"
        for span in doc["spans"]:
            start, end = span["start"], span["end"]
            items.append({
                "id": f"{BASE_IRI}annotations/{span['id']}",
                "type": "Annotation",
                "motivation": "classifying" if span["kind"] == "claim" else "identifying",
                "body": _bodies(span),
                "target": {"source": source, "selector": [
                    {"type": "TextQuoteSelector", "exact": text[start:end],
                     "prefix": text[max(0, start - CONTEXT):start], "suffix": text[end:end + CONTEXT]},
                    {"type": "TextPositionSelector", "start": start, "end": end}]},
            })
    collection = {"@context": "http://www.w3.org/ns/anno.jsonld", "id": f"{BASE_IRI}annotations/",
                  "type": "AnnotationCollection", "label": package.descriptor["title"],
                  "total": len(items), "first": {"type": "AnnotationPage", "items": items}}
    return (json.dumps(collection, indent=1, ensure_ascii=False) + "\n").encode()


def _bodies(span: dict[str, Any]) -> list[dict[str, Any]]:
    """What an annotation says about its span, as textual bodies."""
    bodies = [{"type": "TextualBody", "purpose": "classifying" if span["kind"] == "claim" else "tagging",
               "value": span["label"]}]
    if span["kind"] == "claim":
        bodies.append({"type": "TextualBody", "purpose": "describing", "value": span["summary"]})
    if span.get("claim_id") and span["kind"] != "claim":
        bodies.append({"type": "SpecificResource", "purpose": "linking",
                       "source": f"{BASE_IRI}annotations/{span['claim_id']}"})
    return bodies
