"""Standoff annotations: every span slices to its text in code points (Python), UTF-8 bytes and UTF-16 (node)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd

from hrc_corpus.dataset import load
from hrc_corpus.formats import Package, standoff

# Node reads JSON Lines on stdin; for every span, String.prototype.slice over UTF-16 code units must give its text.
NODE_CHECK = r"""
const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter(Boolean);
let spans = 0, bad = [];
for (const line of lines) {
  const doc = JSON.parse(line);
  for (const s of doc.spans) {
    spans++;
    if (doc.text.slice(s.utf16_start, s.utf16_end) !== s.text) bad.push(s.id);
    const cp = Array.from(doc.text).slice(s.start, s.end).join('');
    if (cp !== s.text) bad.push(s.id + ' (code points)');
    const bytes = Buffer.from(doc.text, 'utf8').subarray(s.utf8_start, s.utf8_end).toString('utf8');
    if (bytes !== s.text) bad.push(s.id + ' (utf8)');
  }
}
console.log(JSON.stringify({spans, bad}));
"""


def node_check(jsonl: bytes) -> dict:
    """What node makes of the spans' offsets."""
    node = shutil.which("node")
    assert node, "node (a JavaScript engine) is needed for this test"
    result = subprocess.run([node, "-e", NODE_CHECK], input=jsonl, capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    return json.loads(result.stdout)


def documents(folder: Path) -> list[dict]:
    """The release's JSON Lines, parsed."""
    (path,) = folder.glob("*-spans.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_span_slices_to_its_text_in_python(released: Path) -> None:
    tables = load(released)
    docs = documents(released)
    assert [d["id"] for d in docs] == list(tables["statements"]["statement_id"])
    quotes = dict(zip(tables["claims"]["claim_id"], tables["claims"]["quote"]))
    counted = {"claim": 0, "quantity": 0, "entity": 0, "non_claim": 0}
    for doc in docs:
        text, raw = doc["text"], doc["text"].encode("utf-8")
        for s in doc["spans"]:
            assert text[s["start"]:s["end"]] == s["text"]
            assert raw[s["utf8_start"]:s["utf8_end"]].decode("utf-8") == s["text"]
            assert [s["start"], s["end"], s["label"]] in doc["label"]
            if s["kind"] == "claim":
                assert s["text"] == quotes[s["claim_id"]]
            counted[s["kind"]] += 1
    assert counted == {"claim": len(tables["claims"]), "quantity": len(tables["quantities"]),
                       "entity": len(tables["claim_entities"]), "non_claim": len(tables["non_claims"])}


def test_utf16_offsets_slice_in_javascript(released: Path) -> None:
    (path,) = released.glob("*-spans.jsonl")
    answer = node_check(path.read_bytes())
    assert answer["bad"] == [] and answer["spans"] > 100


def test_web_annotation_selectors(released: Path) -> None:
    (path,) = released.glob("*-annotations.jsonld")
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld" and collection["type"] == "AnnotationCollection"
    texts = {f"{standoff.BASE_IRI}statements/{d['id']}": d["text"] for d in documents(released)}
    items = collection["first"]["items"]
    assert collection["total"] == len(items) == sum(len(d["spans"]) for d in documents(released))
    for a in items:
        text = texts[a["target"]["source"]]
        quote, position = a["target"]["selector"]
        assert quote["type"] == "TextQuoteSelector" and position["type"] == "TextPositionSelector"
        start, end = position["start"], position["end"]
        assert text[start:end] == quote["exact"]
        assert text[:start].endswith(quote["prefix"]) and text[end:].startswith(quote["suffix"])
        assert len(quote["prefix"]) == min(start, standoff.CONTEXT)
        # The quote with its context occurs where the position says (so either selector finds the same place).
        assert text.find(quote["prefix"] + quote["exact"] + quote["suffix"]) <= start - len(quote["prefix"])


def test_generated_non_bmp_text_has_exact_offsets_everywhere() -> None:
    # Astral characters (2 UTF-16 units, 4 UTF-8 bytes), combining marks, Khmer, CJK, emoji with ZWJ.
    pieces = ["Cambodia 🇰🇭 reports ", "𝟗,𝟐𝟖𝟏", " peacekeepers — ", "ព្រះរាជាណាចក្រកម្ពុជា", " and 😀👩‍👩‍👧 ",
              "e\u0301tude", " 中文 ", "𐍈𐍈", " end"]
    text = "".join(pieces)
    starts = [sum(len(p) for p in pieces[:i]) for i in range(len(pieces))]
    claims = pd.DataFrame({
        "claim_id": [f"s-c{i:03d}" for i in range(len(pieces))], "statement_id": ["s"] * len(pieces),
        "char_start": starts, "char_end": [s + len(p) for s, p in zip(starts, pieces)], "quote": pieces,
        "claim_type": ["fact"] * len(pieces), "attribution": ["own_voice"] * len(pieces),
        "checkworthy": ["cfs"] * len(pieces), "summary": ["s"] * len(pieces)})
    empty = {"quantities": ["claim_id", "seq", "char_start", "char_end", "value", "unit", "measure"],
             "claim_entities": ["claim_id", "seq", "entity_id", "char_start", "char_end"],
             "non_claims": ["statement_id", "seq", "char_start", "char_end", "reason"],
             "entities": ["entity_id", "kind"]}
    tables = {name: pd.DataFrame({c: [] for c in cols}) for name, cols in empty.items()}
    tables["claims"] = claims
    tables["statements"] = pd.DataFrame({"statement_id": ["s"], "text": [text], "title": ["t"],
                                         "date": [pd.Timestamp("2024-01-01")], "session_id": ["HRC1"],
                                         "statement_type": ["speech"], "language": ["en"]})
    package = Package({"name": "g", "version": "0", "title": "G"}, tables)
    jsonl = standoff.files(package)["g-0-spans.jsonl"]
    (doc,) = [json.loads(line) for line in jsonl.decode().splitlines()]
    assert any(s["utf16_start"] != s["start"] for s in doc["spans"])  # the test means something
    assert any(s["utf8_start"] != s["utf16_start"] for s in doc["spans"])
    answer = node_check(jsonl)
    assert answer == {"spans": len(pieces), "bad": []}
    for s in doc["spans"]:
        assert doc["text"][s["start"]:s["end"]] == s["text"]
        assert doc["text"].encode("utf-16-le")[2 * s["utf16_start"]:2 * s["utf16_end"]].decode("utf-16-le") == s["text"]


def test_spacy_reads_every_span_at_token_boundaries(released: Path) -> None:
    import spacy

    nlp = spacy.blank("en")  # a tokenizer only: no model is downloaded
    seen = 0
    for doc_json in documents(released):
        doc = nlp(doc_json["text"])
        spans = [doc.char_span(s["start"], s["end"], label=s["label"], alignment_mode="strict") for s in doc_json["spans"]]
        assert all(span is not None for span in spans), [s["id"] for s, span in zip(doc_json["spans"], spans) if span is None]
        doc.spans["hrc"] = spans
        assert [(x.text, x.label_) for x in doc.spans["hrc"]] == [(s["text"], s["label"]) for s in doc_json["spans"]]
        # The control: one code point off, strict alignment refuses a span, so the check above can fail.
        first = doc_json["spans"][0]
        assert doc.char_span(first["start"] + 1, first["end"], alignment_mode="strict") is None
        seen += len(spans)
    assert seen > 100
