"""Lossless round trip: generated records → YAML → hrc-corpus build → read back → the same records.

Hypothesis generates valid corpora whose text values hold any Unicode (control characters,
line and paragraph separators, right-to-left marks, emoji), commas, quotes, values that
spreadsheets read as formulas (=, +, -, @), words that readers treat as missing (NA, null),
and very long text. The YAML is written in random styles (plain, quoted, block). The built
packages are read back with Python's csv module, pandas, pyarrow and DuckDB (the CSV package
with all four, the Parquet package with the last three); every reader must give the same
typed tables, and the records rebuilt from them must equal the generated ones, value for value.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import random
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

import duckdb
import pandas as pd
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hrc_corpus.cli import main
from hrc_corpus.load import YamlProblem, parse_yaml
from hrc_corpus.numbers import read as read_number
from hrc_corpus.text import normalize, occurrences

from .conftest import REPO

EXAMPLES = int(os.environ.get("HRC_ROUND_TRIPS", "30"))  # generated corpora per run (250 passed while writing this)
VOCAB = {p.stem: [t["const"] for t in json.loads(p.read_text(encoding="utf-8"))["anyOf"]]
         for p in sorted((REPO / "schema" / "vocab").glob("*.json"))}
IN_SESSION = {t["const"]: t.get("x-in-session", False)
              for t in json.loads((REPO / "schema/vocab/statement_type.json").read_text(encoding="utf-8"))["anyOf"]}
# Record field -> output column, where the names differ (spelled out here, not read from the code under test).
COLUMN_OF = {"speaker": "speaker_id", "source.url": "source_url", "start": "start_date", "end": "end_date"}
TRICKY = ["", "", "", "=", "+", "-", "@", "=1+2", "=HYPERLINK(\"http://example.org\",\"x\")", "+cmd|' /C calc'!A0", "-2+3",
          "@SUM(A1:A2)", "\"", "'", ",", "\",\"", "NA", "null", "NaN", "N/A", "None", "#N/A", "TRUE", "0012", "1e3",
          "2023-07-16", "\u202e", "\u0000", "\t", "\x85", "\ufeff", "\u00a0", "😀", "ក្រុង", "\\", ";", "|"]

Tables = dict[str, list[dict[str, Any]]]


# ----------------------------------------------------------------------------- generation

def text_value() -> st.SearchStrategy[str]:
    """A value the schema's text pattern accepts: no line terminator (LF, CR, U+2028, U+2029), no
    white space at either end."""
    body = st.text(st.characters(codec="utf-8", exclude_characters="\n\r\u2028\u2029"), min_size=1, max_size=30)
    tricky = st.sampled_from(TRICKY)
    repeat = st.sampled_from([1] * 9 + [400])  # now and then a value of several thousand characters
    return (st.tuples(tricky, body, tricky, repeat)
            .map(lambda t: ((t[0] + t[1] + t[2]) * t[3]).replace("\n", " ").strip())
            .filter(lambda s: re.fullmatch(r"\S[^\n\r\u2028\u2029]*\S|\S", s) is not None))


def slug() -> st.SearchStrategy[str]:
    """A lowercase identifier."""
    return st.from_regex(r"\A[a-z0-9]{1,8}(-[a-z0-9]{1,6}){0,2}\Z")


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The value or null."""
    return st.one_of(st.none(), strategy)


def pick_spans(draw: Callable[..., Any], text: str, lo: int, hi: int, count: int) -> list[tuple[int, int]]:
    """Non-overlapping spans of text[lo:hi], each inside one line and trimmed of white space."""
    spans: list[tuple[int, int]] = []
    for _ in range(count):
        a = draw(st.integers(lo, hi - 1))
        b = draw(st.integers(a + 1, min(hi, a + 60)))
        line_end = text.find("\n", a, b)
        b = b if line_end == -1 else line_end
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b and re.fullmatch(r"\S[^\n\r\u2028\u2029]*\S|\S", text[a:b]) and stands_alone(text, a, b) \
                and all(b <= s or a >= e for s, e in spans):
            spans.append((a, b))
    return sorted(spans)


def stands_alone(text: str, a: int, b: int) -> bool:
    """Whether text[a:b] starts and ends at word boundaries (quotes are whole words: codebook)."""
    return not (a > 0 and text[a - 1].isalnum() and text[a].isalnum()) and not (b < len(text) and text[b].isalnum() and text[b - 1].isalnum())


def occurrence_of(text: str, words: str, start: int, lo: int, hi: int, draw: Callable[..., Any]) -> int | None:
    """The occurrence number a record needs to point at `start` (None when the words occur once, mostly)."""
    found = occurrences(text, words, lo, hi, whole_words=True)
    n = found.index(start) + 1
    return n if len(found) > 1 or draw(st.integers(0, 4)) == 0 else None


def with_reasons(draw: Callable[..., Any], record: dict[str, Any], nullable: tuple[str, ...]) -> None:
    """Give every null nullable field a null reason."""
    reasons = {}
    for name in nullable:
        value = record
        for part in name.split("."):
            value = value[part]
        if value is None:
            reasons[name] = draw(text_value())
    if reasons:
        record["null_reasons"] = reasons


@st.composite
def corpora(draw: Callable[..., Any]) -> dict[str, Any]:
    """A valid corpus: sessions, actors, entities and statements with sources, claims and non-claims."""
    numbers = draw(st.lists(st.integers(1, 999), min_size=1, max_size=2, unique=True))
    sessions = []
    for n in numbers:
        start = draw(optional(st.dates(dt.date(1990, 1, 1), dt.date(2090, 1, 1))))
        end = None if start is None else draw(optional(st.dates(start, start + dt.timedelta(days=60))))
        session = {"id": f"HRC{n}", "body": draw(text_value()), "number": draw(st.integers(1, 2**53)),
                   "start": start and start.isoformat(), "end": end and end.isoformat(), "place": draw(optional(text_value()))}
        with_reasons(draw, session, ("start", "end", "place"))
        sessions.append(session)
    actor_ids = draw(st.lists(slug(), min_size=1, max_size=3, unique=True))
    actors = [{"id": a, "name": draw(text_value()), "kind": draw(st.sampled_from(VOCAB["actor_kind"])),
               "country": draw(st.from_regex(r"\A[A-Z]{3}\Z"))} for a in actor_ids]
    entity_ids = draw(st.lists(slug(), min_size=1, max_size=3, unique=True))
    entities = []
    for e in entity_ids:
        entity = {"id": e, "name": draw(text_value()), "kind": draw(st.sampled_from(VOCAB["entity_kind"]))}
        if draw(st.booleans()):
            entity["note"] = draw(text_value())
        entities.append(entity)
    statements = []
    for k in range(draw(st.integers(1, 2))):
        statements.append(draw(statement(sessions, actor_ids, entity_ids, k)))
    all_claims = [f"{s['meta']['id']}-{c['id']}" for s in statements for c in s["claims"]["claims"]]
    for s in statements:
        for c in s["claims"]["claims"]:
            own = f"{s['meta']['id']}-{c['id']}"
            targets = draw(st.lists(st.sampled_from(all_claims), max_size=2, unique=True)) if len(all_claims) > 1 else []
            links = [{"to": t, "rel": draw(st.sampled_from(VOCAB["relation"])), "note": draw(text_value())} for t in targets if t != own]
            if links:
                c["links"] = links
    return {"sessions": sessions, "actors": actors, "entities": entities, "statements": statements}


@st.composite
def statement(draw: Callable[..., Any], sessions: list[dict[str, Any]], actors: list[str], entities: list[str],
              k: int) -> dict[str, Any]:
    """One statement folder: metadata, source document and claims quoting it."""
    session = draw(st.sampled_from(sessions))
    kind = draw(st.sampled_from(VOCAB["statement_type"]))
    date = session["start"] or draw(st.dates(dt.date(1990, 1, 1), dt.date(2090, 1, 1))).isoformat()
    if session["start"] and not IN_SESSION[kind] and draw(st.booleans()):
        date = (dt.date.fromisoformat(session["end"] or session["start"]) + dt.timedelta(days=2)).isoformat()
    paragraphs = draw(st.lists(text_value(), min_size=1, max_size=6))
    # A byte-order mark opening source.md is refused by check (it is not part of the text), so no
    # generated document starts with one; the bad-input catalogue covers that refusal.
    paragraphs[0] = paragraphs[0].lstrip("\ufeff").strip() or "A"
    source = draw(st.sampled_from(["\n\n", "\n", "\r\n"])).join(paragraphs) + draw(st.sampled_from(["", "\n"]))
    raw = source.encode("utf-8")
    text = normalize(source)
    speaker = draw(optional(st.sampled_from(actors)))
    meta = {"id": f"khm-hrc{session['id'][3:]}-{date}-s{k}{draw(slug())}", "title": draw(text_value()), "type": kind,
            "date": date, "place": draw(text_value()), "session": session["id"], "segment": draw(optional(text_value())),
            "agenda_item": draw(optional(st.integers(1, 10))), "delegation": draw(st.from_regex(r"\A[A-Z]{3}\Z")),
            "speaker": speaker, "speaker_title": None if speaker is None else draw(text_value()),
            "issuer": draw(st.sampled_from(actors)), "language": draw(st.sampled_from(["en", "fr", "km", "en-GB", "zh-Hant"])),
            "curation": "in_progress",
            "source": {"file": draw(text_value()), "sha256": hashlib.sha256(raw).hexdigest(),
                       "url": draw(optional(slug().map(lambda s: f"https://example.org/{s}"))), "received": draw(text_value())}}
    if draw(st.booleans()):
        meta["note"] = draw(text_value())
    with_reasons(draw, meta, ("segment", "agenda_item", "speaker", "speaker_title", "source.url"))
    spans = pick_spans(draw, text, 0, len(text) - 1, draw(st.integers(0, 5)))
    claims, non_claims, expected = [], [], {"claims": [], "non_claims": []}
    for a, b in spans:
        words = text[a:b]
        if draw(st.integers(0, 3)) == 0:
            item = {"quote": words, "reason": draw(st.sampled_from(VOCAB["non_claim_reason"]))}
            n = occurrence_of(text, words, a, 0, len(text), draw)
            if n:
                item["occurrence"] = n
            non_claims.append(item)
            expected["non_claims"].append((a, b))
            continue
        claim: dict[str, Any] = {"id": f"c{len(claims) + 1:03d}", "quote": words}
        n = occurrence_of(text, words, a, 0, len(text), draw)
        if n:
            claim["occurrence"] = n
        claim |= {"type": draw(st.sampled_from(VOCAB["claim_type"])), "attribution": draw(st.sampled_from(VOCAB["attribution"])),
                  "checkworthy": draw(st.sampled_from(VOCAB["checkworthy"])), "summary": draw(text_value()),
                  "topics": draw(st.lists(st.sampled_from(VOCAB["topic"]), min_size=1, max_size=3, unique=True)),
                  "themes": draw(st.lists(st.sampled_from(VOCAB["theme"]), min_size=1, max_size=3, unique=True))}
        spots = {"quantities": [], "entities": []}
        for kind_, make in (("quantities", quantity), ("entities", lambda d: {"id": d(st.sampled_from(entities))})):
            items = []
            for qa, qb in pick_spans(draw, text, a, b, draw(st.integers(0, 2))):
                item = make(draw)
                item["as"] = text[qa:qb]
                if kind_ == "quantities" and not agree_with_words(item):
                    continue  # a numeral in no form the check reads: the check refuses it, rightly
                n = occurrence_of(text, text[qa:qb], qa, a, b, draw)
                if n:
                    item["occurrence"] = n
                items.append(item)
                spots[kind_].append((qa, qb))
            if items:
                claim[kind_] = items
        if draw(st.booleans()):
            claim["note"] = draw(text_value())
        claims.append(claim)
        expected["claims"].append({"span": (a, b), **spots})
    return {"meta": meta, "source": raw, "text": text, "claims": {"claims": claims, "non_claims": non_claims},
            "expected": expected}


def agree_with_words(item: dict[str, Any]) -> bool:
    """Make a quantity's value, qualifier and unit what its words state, where they state one (the check's
    number rule, hrc_corpus.numbers); False for words the check refuses as unreadable."""
    reading = read_number(item["as"])
    if reading is None:
        return not any(ch.isdigit() for ch in item["as"])
    if reading.value is None:
        item["value"], item["qualifier"] = None, "indefinite"
    else:
        item["value"] = float(reading.value) if reading.value != reading.value.to_integral_value() else int(reading.value)
        item["qualifier"] = "exact" if item["qualifier"] == "indefinite" else item["qualifier"]
    item["unit"] = reading.unit or item["unit"]
    return True


def quantity(draw: Callable[..., Any]) -> dict[str, Any]:
    """A quantity's fields other than its words: a number (or null when indefinite)."""
    qualifier = draw(st.sampled_from(VOCAB["qualifier"]))
    value = None if qualifier == "indefinite" else draw(st.one_of(
        st.integers(-(2**53), 2**53), st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([0.0, -0.0, 0.1, 1e-300, 5e-324])))
    return {"value": value, "unit": draw(st.sampled_from(VOCAB["unit"])), "qualifier": qualifier,
            "measure": draw(st.sampled_from(VOCAB["indicator"])),
            "period": draw(optional(st.from_regex(r"\A[0-9]{4}(-[0-9]{2})?(/[0-9]{4}(-[0-9]{2})?)?\Z")))}


# ----------------------------------------------------------------------------- writing YAML

def dump(data: Any, rng: random.Random) -> str:
    """YAML as a curator might write it: each string in a random style (plain only where it reads back)."""

    class Dumper(yaml.SafeDumper):
        """SafeDumper with random string styles."""

    def represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = rng.choice([None, None, "'", '"', "|", ">"])
        if style is None and not reads_back_plain(value) or "\x85" in value:
            style = '"'  # NEL only escaped (the loader refuses it raw: YAML 1.1 reads it as a line end)
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, represent_str)
    return yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=rng.choice([40, 80, 10_000]))


def reads_back_plain(value: str) -> bool:
    """Whether the loader reads the value, written plain, as this very string."""
    try:
        return parse_yaml(f"v: {value}\n", "x.yaml").data == {"v": value}
    except YamlProblem:
        return False


def write_corpus(root: Path, corpus: dict[str, Any], rng: random.Random) -> None:
    """The corpus as a repository: records/ (YAML and sources) and a copy of schema/."""
    shutil.copytree(REPO / "schema", root / "schema")
    records = root / "records"
    (records / "statements").mkdir(parents=True)
    for name in ("sessions", "actors", "entities"):
        (records / f"{name}.yaml").write_text(dump(corpus[name], rng), encoding="utf-8")
    for s in corpus["statements"]:
        folder = records / "statements" / s["meta"]["id"]
        folder.mkdir()
        (folder / "statement.yaml").write_text(dump(s["meta"], rng), encoding="utf-8")
        (folder / "claims.yaml").write_text(dump(s["claims"], rng), encoding="utf-8")
        (folder / "source.md").write_bytes(s["source"])


# ----------------------------------------------------------------------------- reading back

def field_types(descriptor: Path) -> dict[str, list[tuple[str, str]]]:
    """Table name -> its (column, Table Schema type) list, from a data package descriptor."""
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    return {r["name"]: [(f["name"], f["type"]) for f in r["schema"]["fields"]] for r in package["resources"]}


def typed(value: Any, kind: str) -> Any:
    """A value read as text (or as a reader's own type) as the Python value its column type means."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        if value == "":
            return None
        return {"integer": int, "number": float, "boolean": lambda v: {"true": True, "false": False}[v],
                "date": dt.date.fromisoformat, "string": str}[kind](value)
    if kind == "date":
        return value.date() if isinstance(value, (pd.Timestamp, dt.datetime)) else value
    return {"integer": int, "number": float, "boolean": bool, "string": str}[kind](value)


def rows(columns: dict[str, list[Any]], types: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Column lists as typed row dicts."""
    assert list(columns) == [name for name, _ in types], "columns come back in schema order"
    n = len(next(iter(columns.values()))) if columns else 0
    return [{name: typed(columns[name][i], kind) for name, kind in types} for i in range(n)]


def read_csv_module(path: Path, types: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Python's csv module."""
    with open(path, newline="", encoding="utf-8") as handle:
        header, *body = list(csv.reader(handle))
    return rows({name: [r[i] for r in body] for i, name in enumerate(header)}, types)


def read_csv_pandas(path: Path, types: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """pandas, every column as text, only the empty field as missing (see docs/reliability.md)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    return rows({c: frame[c].tolist() for c in frame.columns}, types)


def read_csv_pyarrow(path: Path, types: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """pyarrow.csv, every column as text, values may span lines."""
    table = pa_csv.read_csv(path, parse_options=pa_csv.ParseOptions(newlines_in_values=True),
                            convert_options=pa_csv.ConvertOptions(column_types={n: "string" for n, _ in types},
                                                                  strings_can_be_null=True, null_values=[""]))
    return rows(table.to_pydict(), types)


def read_csv_duckdb(path: Path, types: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """DuckDB's read_csv, no type sniffing."""
    columns = ", ".join(f"'{n}': 'VARCHAR'" for n, _ in types)
    query = (f"SELECT * FROM read_csv('{path}', header=true, auto_detect=false, columns={{{columns}}}, "
             "delim=',', quote='\"', escape='\"', max_line_size=100000000)")
    with duckdb.connect() as con:
        result = con.execute(query)
        names = [d[0] for d in result.description]
        data = result.fetchall()
    return rows({n: [r[i] for r in data] for i, n in enumerate(names)}, types)


def read_parquet_pyarrow(path: Path, types: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """pyarrow.parquet."""
    return rows(pq.read_table(path).to_pydict(), types)


def read_parquet_pandas(path: Path, types: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """pandas.read_parquet."""
    frame = pd.read_parquet(path)
    return rows({c: frame[c].tolist() for c in frame.columns}, types)


def read_parquet_duckdb(path: Path, types: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """DuckDB's read_parquet."""
    with duckdb.connect() as con:
        result = con.execute(f"SELECT * FROM read_parquet('{path}')")
        names = [d[0] for d in result.description]
        data = result.fetchall()
    return rows({n: [r[i] for r in data] for i, n in enumerate(names)}, types)


READERS = {"csv module": ("data", "csv", read_csv_module), "pandas csv": ("data", "csv", read_csv_pandas),
           "pyarrow csv": ("data", "csv", read_csv_pyarrow), "duckdb csv": ("data", "csv", read_csv_duckdb),
           "pyarrow parquet": ("dist/parquet", "parquet", read_parquet_pyarrow),
           "pandas parquet": ("dist/parquet", "parquet", read_parquet_pandas),
           "duckdb parquet": ("dist/parquet", "parquet", read_parquet_duckdb)}


def read_all(root: Path, reader: str) -> Tables:
    """Every table of a package, as one reader reads it."""
    folder, ext, read = READERS[reader]
    types = field_types(root / "datapackage.json")
    return {name: read(root / folder / f"{name}.{ext}", cols) for name, cols in types.items()}


# ----------------------------------------------------------------------------- comparing

def same(a: Any, b: Any) -> bool:
    """Equal, with the same types, and floats equal to the bit (so -0.0 is not 0.0)."""
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, float) and isinstance(b, float) and a.hex() == b.hex()
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def records_from(tables: Tables) -> dict[str, Any]:
    """The records, rebuilt from the output tables."""
    by = lambda table, key: {r[key]: r for r in tables[table]}  # noqa: E731 - a local shorthand
    reasons: dict[tuple[str, str], dict[str, str]] = {}
    for r in tables["null_reasons"]:
        reasons.setdefault((r["table"], r["record_id"]), {})[r["field"]] = r["reason"]
    statements = {}
    for sid, s in by("statements", "statement_id").items():
        claims = [c for c in tables["claims"] if c["statement_id"] == sid]
        statements[sid] = {
            "meta": {k: v for k, v in s.items() if k not in ("statement_id", "text")} | {"date": s["date"].isoformat()},
            "reasons": reasons.get(("statements", sid), {}), "text": s["text"],
            "claims": [{
                "id": c["claim_id"].rsplit("-", 1)[1], "span": (c["char_start"], c["char_end"]), "quote": c["quote"],
                "type": c["claim_type"], "attribution": c["attribution"], "checkworthy": c["checkworthy"],
                "summary": c["summary"], "note": c["note"],
                "topics": [t["topic_id"] for t in sorted((t for t in tables["claim_topics"] if t["claim_id"] == c["claim_id"]), key=lambda t: t["rank"])],
                "themes": [t["theme_id"] for t in sorted((t for t in tables["claim_themes"] if t["claim_id"] == c["claim_id"]), key=lambda t: t["rank"])],
                "quantities": [(q["as_written"], q["value"], q["unit"], q["qualifier"], q["measure"], q["period"], q["char_start"], q["char_end"])
                               for q in sorted((q for q in tables["quantities"] if q["claim_id"] == c["claim_id"]), key=lambda q: q["seq"])],
                "entities": [(m["entity_id"], m["as_written"], m["char_start"], m["char_end"])
                             for m in sorted((m for m in tables["claim_entities"] if m["claim_id"] == c["claim_id"]), key=lambda m: m["seq"])],
                "links": sorted((k["target_claim_id"], k["relation"], k["note"]) for k in tables["claim_links"] if k["claim_id"] == c["claim_id"]),
            } for c in sorted(claims, key=lambda c: c["seq"])],
            "non_claims": [(n["quote"], n["reason"], n["char_start"], n["char_end"])
                           for n in sorted((n for n in tables["non_claims"] if n["statement_id"] == sid), key=lambda n: n["seq"])],
        }
    return {
        "sessions": {k: {"body": s["body"], "number": s["number"], "start": s["start_date"] and s["start_date"].isoformat(),
                         "end": s["end_date"] and s["end_date"].isoformat(), "place": s["place"],
                         "reasons": reasons.get(("sessions", k), {})} for k, s in by("sessions", "session_id").items()},
        "actors": {k: {"name": a["name"], "kind": a["kind"], "country": a["country"]} for k, a in by("actors", "actor_id").items()},
        "entities": {k: {"name": e["name"], "kind": e["kind"], "note": e["note"]} for k, e in by("entities", "entity_id").items()},
        "statements": statements,
    }


def expected_records(corpus: dict[str, Any]) -> dict[str, Any]:
    """The generated records, in the shape records_from gives."""
    column = lambda name: COLUMN_OF.get(name, name)  # noqa: E731 - a local shorthand
    statements = {}
    for s in corpus["statements"]:
        m, text = s["meta"], s["text"]
        claims = []
        for c, spots in zip(s["claims"]["claims"], s["expected"]["claims"]):
            claims.append({
                "id": c["id"], "span": spots["span"], "quote": c["quote"], "type": c["type"], "attribution": c["attribution"],
                "checkworthy": c["checkworthy"], "summary": c["summary"], "note": c.get("note"), "topics": c["topics"],
                "themes": c["themes"],
                "quantities": [(q["as"], None if q["value"] is None else float(q["value"]), q["unit"], q["qualifier"], q["measure"],
                                q["period"], *span) for q, span in zip(c.get("quantities", []), spots["quantities"])],
                "entities": [(e["id"], e["as"], *span) for e, span in zip(c.get("entities", []), spots["entities"])],
                "links": sorted((k["to"], k["rel"], k["note"]) for k in c.get("links", [])),
            })
        statements[m["id"]] = {
            "meta": {"title": m["title"], "statement_type": m["type"], "date": m["date"], "place": m["place"],
                     "session_id": m["session"], "segment": m["segment"], "agenda_item": m["agenda_item"],
                     "delegation": m["delegation"], "speaker_id": m["speaker"], "speaker_title": m["speaker_title"],
                     "issuer_id": m["issuer"], "language": m["language"], "curation": m["curation"],
                     "source_file": m["source"]["file"], "source_sha256": m["source"]["sha256"],
                     "source_url": m["source"]["url"], "note": m.get("note")},
            "reasons": {column(k): v for k, v in m.get("null_reasons", {}).items()}, "text": text, "claims": claims,
            "non_claims": [(n["quote"], n["reason"], *span) for n, span in zip(s["claims"]["non_claims"], s["expected"]["non_claims"])],
        }
    return {
        "sessions": {s["id"]: {"body": s["body"], "number": s["number"], "start": s["start"], "end": s["end"], "place": s["place"],
                               "reasons": {column(k): v for k, v in s.get("null_reasons", {}).items()}} for s in corpus["sessions"]},
        "actors": {a["id"]: {"name": a["name"], "kind": a["kind"], "country": a["country"]} for a in corpus["actors"]},
        "entities": {e["id"]: {"name": e["name"], "kind": e["kind"], "note": e.get("note")} for e in corpus["entities"]},
        "statements": statements,
    }


def first_difference(a: Any, b: Any, path: str = "") -> str:
    """Where two nested values first differ (for a readable failure)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(a.keys() | b.keys(), key=str):
            if k not in a or k not in b or not same(a[k], b[k]):
                return first_difference(a.get(k), b.get(k), f"{path}.{k}")
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if not same(x, y):
                return first_difference(x, y, f"{path}[{i}]")
    return f"{path}: {a!r} != {b!r}"


# ----------------------------------------------------------------------------- the test

@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(corpus=corpora(), style_seed=st.integers(0, 2**32))
def test_records_survive_build_and_every_reader(corpus: dict[str, Any], style_seed: int) -> None:
    """Build, read back with every reader, rebuild the records: nothing lost or changed."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        write_corpus(root, corpus, random.Random(style_seed))
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main(["--root", str(root), "build"])
        assert code == 0, f"the build refused valid records:\n{err.getvalue()}"
        reference = read_all(root, "pyarrow parquet")
        for reader in READERS:
            if reader != "pyarrow parquet":
                got = read_all(root, reader)
                for name in reference:
                    assert same(got[name], reference[name]), f"{reader}, {name}: {first_difference(got[name], reference[name])}"
        rebuilt, expected = records_from(reference), expected_records(corpus)
        assert same(rebuilt, expected), first_difference(rebuilt, expected)
        assert [r["topic_id"] for r in reference["topics"]] == VOCAB["topic"]


def test_round_trip_can_fail() -> None:
    """The comparison sees a lost sign, a changed type and a changed character."""
    assert not same({"v": -0.0}, {"v": 0.0})
    assert not same({"v": 1}, {"v": 1.0})
    assert not same(["a\r\nb"], ["a\nb"])
    assert math.copysign(1, typed("-0.0", "number")) < 0
