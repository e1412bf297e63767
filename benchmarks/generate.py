"""Generate a synthetic corpus whose records follow the shapes of the real ones, at any size.

The shapes are read off records/ as curated: a statement is a source document of numbered
paragraphs under a bold heading block; a claim quotes one sentence of it (40-200 characters)
with a one-sentence summary, one or two SDG topics and UHRI themes, quantities (with an indicator) in flow mappings with the
number quoted as written ("9,281"), entity mentions, now and then a link to an earlier
claim; headings, datelines and salutations are listed as non-claims. Claims per statement
vary around 50, so 100,000 claims fill about 2,000 statement folders. Every corpus passes
`hrc-corpus check`: the generator places each quote and checks it occurs where it says.

    python benchmarks/generate.py OUT --claims 10000 [--seed 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import shutil
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "build"))  # run from a checkout without installing

from hrc_corpus.text import normalize, occurrences, sentences  # noqa: E402

CLAIMS_PER_STATEMENT = 50  # 100,000 claims in 2,000 statement files
SESSIONS = range(30, 60)
_SYLLABLES = ("ka", "mo", "ri", "sen", "tha", "vu", "lo", "pan", "de", "gre", "sto", "mi", "ra", "tu", "ble",
              "ci", "pro", "na", "vel", "com", "ter", "ing", "tion", "al", "ment", "ver", "dis", "sa", "po", "lem")
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "seven": 7, "eleven": 11, "twelve": 12, "eighteen": 18}
_FRACTIONS = {"a quarter": 0.25, "half": 0.5, "a third": 0.333}


class Words:
    """A fixed synthetic vocabulary, so text has realistic word lengths but no real meaning."""

    def __init__(self, rng: random.Random, size: int = 3000):
        words: set[str] = set()
        while len(words) < size:
            words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))))
        # No word may contain a number word, so a quantity's words occur only where placed.
        self.words = sorted(w for w in words if not any(n in w for n in _NUMBER_WORDS) and w not in ("half", "a"))
        self.rng = rng

    def phrase(self, n: int) -> str:
        """n random words."""
        return " ".join(self.rng.choice(self.words) for _ in range(n))

    def sentence(self, n: int, inserts: list[str]) -> str:
        """A capitalised sentence of about n words, with inserts placed among them, ending with a full stop."""
        parts = self.phrase(n).split()
        for insert in inserts:
            parts.insert(self.rng.randrange(1, len(parts) + 1), insert)
        if len(parts) > 6 and self.rng.random() < 0.4:
            parts[self.rng.randrange(2, len(parts) - 2)] += ","
        text = " ".join(parts)
        return text[0].upper() + text[1:] + "."


def _quantity(rng: random.Random) -> tuple[str, float | int | None, str, str]:
    """A number as written in a statement, its value, unit and qualifier."""
    kind = rng.random()
    if kind < 0.35:
        n = rng.randrange(1000, 99999)
        return f"{n:,}", n, "count", rng.choice(("exact", "exact", "more_than", "approximately"))
    if kind < 0.55:
        n = rng.randrange(10, 999)
        return str(n), n, "count", "exact"
    if kind < 0.7:
        whole, tenth = rng.randrange(1, 20), rng.randrange(1, 10)
        return f"{whole}.{tenth} million", whole * 1_000_000 + tenth * 100_000, "count", rng.choice(("exact", "more_than"))
    if kind < 0.82:
        n = rng.randrange(2, 99)
        return f"{n} percent", n, "percent", rng.choice(("exact", "nearly", "approximately"))
    if kind < 0.92:
        word, n = rng.choice(list(_NUMBER_WORDS.items()))
        return word, n, "count", "exact"
    if kind < 0.97:
        word, value = rng.choice(list(_FRACTIONS.items()))
        return word, value, "fraction", "approximately"
    return "many", None, "count", "indefinite"


_PLAIN_BLOCK = re.compile(r"^[A-Za-z][A-Za-z0-9 ,.()’'–-]*[A-Za-z0-9.)]$")
_PLAIN_FLOW = re.compile(r"^[A-Za-z][A-Za-z0-9 .()’'–-]*[A-Za-z0-9.)]$")
_RESERVED = re.compile(r"^(?:y|n|yes|no|on|off|true|false|null|many)$", re.IGNORECASE)


def scalar(value: Any, flow: bool = False) -> str:
    """A YAML scalar as a curator writes it: plain where that reads the same, else double-quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    plain = (_PLAIN_FLOW if flow else _PLAIN_BLOCK).match(text)
    if plain and ": " not in text and " #" not in text and not _RESERVED.match(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _hash_scalar(digest: str) -> str:
    """A SHA-256 as curators write it: plain, unless it would read as a number (0b..., 0x..., all digits)."""
    return f'"{digest}"' if re.match(r"^(?:0[xXoObB]|[0-9]+(?:[eE][0-9]+)?$)", digest) else digest


def flow_map(record: dict[str, Any]) -> str:
    """A one-line flow mapping, as the curators write quantities and mentions."""
    return "{" + ", ".join(f"{k}: {scalar(v, flow=True)}" for k, v in record.items()) + "}"


def _shared(rng: random.Random, words: Words, out: Path) -> tuple[dict[int, tuple[dt.date, dt.date]], list[tuple[str, str]]]:
    """Write sessions, actors and entities; return session dates and (entity id, name) pairs."""
    sessions: dict[int, tuple[dt.date, dt.date]] = {}
    lines = ["# Human Rights Council regular sessions (synthetic).", ""]
    for number in SESSIONS:
        start = dt.date(2015, 2, 20) + dt.timedelta(days=122 * (number - SESSIONS.start))
        end = start + dt.timedelta(days=26)
        sessions[number] = (start, end)
        lines += [f"- id: HRC{number}", "  body: Human Rights Council", f"  number: {number}",
                  f"  start: {start.isoformat()}", f"  end: {end.isoformat()}", "  place: Geneva", ""]
    (out / "sessions.yaml").write_text("\n".join(lines), encoding="utf-8")
    actors = ["# People and organisations that deliver or issue statements (synthetic).", "",
              "- id: kingdom-of-cambodia", "  name: Kingdom of Cambodia", "  kind: state", "  country: KHM", ""]
    for i in range(8):
        actors += [f"- id: speaker-{i}", f"  name: {words.phrase(3).title()}", "  kind: person", "  country: KHM", ""]
    (out / "actors.yaml").write_text("\n".join(actors), encoding="utf-8")
    entities: list[tuple[str, str]] = []
    lines = ["# What claims name (synthetic).", ""]
    for i in range(60):
        name = "The " + words.phrase(rng.randrange(2, 5)).title()
        entity_id = f"entity-{i}"
        entities.append((entity_id, name))
        lines += [f"- id: {entity_id}", f"  name: {name}", f"  kind: {rng.choice(('un_body', 'organisation', 'law', 'programme'))}"]
        if rng.random() < 0.3:
            lines.append(f"  note: {words.sentence(8, [])}")
        lines.append("")
    (out / "entities.yaml").write_text("\n".join(lines), encoding="utf-8")
    return sessions, entities


def _statement(rng: random.Random, words: Words, index: int, n_claims: int, sessions: dict[int, tuple[dt.date, dt.date]],
               entities: list[tuple[str, str]], topics: list[str], earlier: list[str],
               vocab: dict[str, list[str]]) -> tuple[str, dict[str, str]]:
    """One statement folder's files (statement.yaml, claims.yaml, source.md), and its id."""
    session = rng.choice(list(SESSIONS))
    start, end = sessions[session]
    date = start + dt.timedelta(days=rng.randrange(0, (end - start).days + 1))
    statement_id = f"khm-hrc{session}-{date.isoformat()}-statement-{index:05d}"
    complete = rng.random() < 0.7
    # The source: a bold heading block, a salutation, then numbered paragraphs of 1-4 sentences.
    heading = ["Statement", f"Item {rng.randrange(1, 11)} {words.phrase(4).title()}", f"Geneva, {date.day} {date:%B %Y}"]
    source = [f"**{line}**  " for line in heading] + ["", "**Mr. President,**", ""]
    planned: list[tuple[str, list[tuple[str, Any, str, str]], list[tuple[str, str]]]] = []  # sentence, quantities, mentions
    claim_sentences: set[int] = set()
    paragraph: list[str] = []
    number = 0
    while len(claim_sentences) < n_claims:
        quantities = [_quantity(rng) for _ in range(rng.choice((0, 0, 0, 1, 1, 2, 3)))]
        mentions = [rng.choice(entities) for _ in range(1 if rng.random() < 0.35 else 0)]
        quantities = [q for i, q in enumerate(quantities) if all(q[0] != p[0] for p in quantities[:i])]
        mentions = [m for m in mentions if all(m[1] != q[0] for q in quantities)]
        inserts = [q[0] for q in quantities] + [m[1] for m in mentions]
        sentence = words.sentence(rng.randrange(6, 30), inserts)
        if any(len(occurrences(sentence, words_)) != 1 for words_ in inserts):
            continue  # "9 percent" inside "49 percent": the curator would add occurrence; keep it simple
        # Curators list quantities and mentions in the order they appear in the quote (the check enforces it).
        quantities.sort(key=lambda q: sentence.index(q[0]))
        mentions.sort(key=lambda m: sentence.index(m[1]))
        if rng.random() < 0.8:
            claim_sentences.add(len(planned))
        planned.append((sentence, quantities, mentions))
        paragraph.append(sentence)
        if len(paragraph) >= rng.randrange(1, 5):
            number += 1
            source.append(f"{number}. " + " ".join(paragraph))
            source.append("")
            paragraph = []
    if paragraph:
        source.append(f"{number + 1}. " + " ".join(paragraph))
    source += ["", "**Thank you, Mr. President.**", ""]
    source_bytes = "\n".join(source).encode("utf-8")
    text = normalize(source_bytes.decode("utf-8"))
    claims_yaml = ["# Claims of the statement, in document order (synthetic).", "claims:"]
    claim_ids: list[str] = []
    for i, (sentence, quantities, mentions) in enumerate(planned):
        if i not in claim_sentences:
            continue
        claim_id = f"c{len(claim_ids) + 1:03d}"
        claim_ids.append(claim_id)
        found = occurrences(text, sentence)
        lines = [f"  - id: {claim_id}", f"    quote: {scalar(sentence)}"]
        if len(found) > 1:
            lines.append(f"    occurrence: {found.index(text.index(sentence)) + 1}")
        lines += [f"    type: {'statistic' if quantities else rng.choice(('fact', 'action', 'commitment', 'evaluation', 'normative'))}",
                  f"    attribution: {rng.choice(('own_voice', 'own_voice', 'own_voice', 'reported'))}",
                  f"    checkworthy: {rng.choice(('cfs', 'cfs', 'ufs', 'nfs'))}"
                  + ("  # procedural facts nobody disputes" if rng.random() < 0.05 else ""),
                  f"    summary: {scalar(words.sentence(rng.randrange(8, 22), []))}",
                  f"    topics: [{', '.join(rng.sample(topics, rng.choice((1, 1, 2, 2, 3))))}]",
                  f"    themes: [{', '.join(rng.sample(vocab['theme'], rng.choice((1, 1, 2, 3))))}]"]
        if quantities:
            lines.append("    quantities:")
            for as_written, value, unit, qualifier in quantities:
                record = {"as": as_written, "value": value, "unit": unit, "qualifier": qualifier,
                          "measure": rng.choice(vocab["indicator"]),
                          "period": rng.choice((None, None, str(date.year), f"{date.year - 10}/{date.year - 1}"))}
                lines.append(f"      - {flow_map(record)}")
        if mentions:
            lines.append("    entities:")
            lines += [f"      - {flow_map({'id': entity_id, 'as': name})}" for entity_id, name in mentions]
        if earlier and rng.random() < 0.05:
            lines += ["    links:", f"      - to: {rng.choice(earlier)}",
                      f"        rel: {rng.choice(('repeats', 'updates', 'related_measure', 'elaborates'))}",
                      f"        note: {scalar(words.sentence(rng.randrange(8, 20), []))}"]
        if rng.random() < 0.1:
            lines.append(f"    note: {scalar(words.sentence(rng.randrange(6, 16), []))}")
        claims_yaml += lines + [""]
    earlier += [f"{statement_id}-{c}" for c in rng.sample(claim_ids, min(3, len(claim_ids)))]
    # Non-claims: the heading block and salutations, and (when complete) every sentence not claimed.
    non_claims = [(line, reason) for line, reason in ((heading[0], "heading"), (heading[1], "heading"), (heading[2], "dateline"),
                                                      ("Mr. President,", "salutation"), ("Thank you, Mr. President.", "closing"))]
    if complete:
        non_claims += [(s, "framing") for i, (s, _, _) in enumerate(planned) if i not in claim_sentences]
    non_claims.sort(key=lambda item: text.index(item[0]))
    claims_yaml.append("non_claims:")
    for quote, reason in non_claims:
        claims_yaml.append(f"  - quote: {scalar(quote)}")
        found = occurrences(text, quote)
        if len(found) > 1:
            claims_yaml.append(f"    occurrence: {found.index(text.index(quote)) + 1}")
        claims_yaml.append(f"    reason: {reason}")
    claims_yaml.append("")
    speaker = rng.randrange(8)
    meta = [f"id: {statement_id}", f"title: {scalar(words.sentence(rng.randrange(5, 14), [])[:-1])}", "type: speech",
            f"date: {date.isoformat()}", "place: Geneva", f"session: HRC{session}", f"segment: {heading[1]}",
            f"agenda_item: {heading[1].split()[1]}", "delegation: KHM", f"speaker: speaker-{speaker}",
            f"speaker_title: {words.phrase(4).title()}", "issuer: kingdom-of-cambodia", "language: en",
            f"curation: {'complete' if complete else 'in_progress'}", "source:",
            f"  file: {date.isoformat()}_hrc{session}_statement-{index:05d}.md",
            f"  sha256: {_hash_scalar(hashlib.sha256(source_bytes).hexdigest())}", "  url: null",
            "  received: UTF-8 text converted from the original PDF (with its conversion artifacts)",
            "null_reasons:", "  source.url: No public address of the document is known.", ""]
    assert sentences(text)  # the text splits into sentences the way check.py splits it
    return statement_id, {"statement.yaml": "\n".join(meta), "claims.yaml": "\n".join(claims_yaml),
                          "source.md": source_bytes.decode("utf-8")}


def generate(out: Path, claims: int, seed: int = 1) -> Path:
    """Write a repository-shaped folder (records/ and schema/) with about `claims` claims; return it."""
    rng = random.Random(seed)
    words = Words(rng)
    if out.exists():
        shutil.rmtree(out)
    records = out / "records"
    (records / "statements").mkdir(parents=True)
    shutil.copytree(REPO / "schema", out / "schema")
    sessions, entities = _shared(rng, words, records)
    topics = [t["const"] for t in json.loads((REPO / "schema/vocab/topic.json").read_text(encoding="utf-8"))["anyOf"]]
    vocab = {name: [t["const"] for t in json.loads((REPO / f"schema/vocab/{name}.json").read_text(encoding="utf-8"))["anyOf"]]
             for name in ("theme", "indicator")}
    n_statements = max(1, round(claims / CLAIMS_PER_STATEMENT))
    # Claims per statement vary (between a fifth and twice the mean) and add up to exactly `claims`.
    weights = [rng.uniform(0.2, 2.0) for _ in range(n_statements)]
    counts = [max(1, int(claims * w / sum(weights))) for w in weights]
    for i in range(claims - sum(counts)):  # the claims lost to rounding down, one to each statement
        counts[i % n_statements] += 1
    earlier: list[str] = []
    for index, n in enumerate(counts):
        statement_id, files = _statement(rng, words, index, n, sessions, entities, topics, earlier, vocab)
        folder = records / "statements" / statement_id
        folder.mkdir()
        for name, content in files.items():
            (folder / name).write_text(content, encoding="utf-8", newline="\n")
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: generate OUT --claims N."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("--claims", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    generate(args.out, args.claims, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
