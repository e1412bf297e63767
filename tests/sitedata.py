"""Generated data packages for the site's tests: hostile text, characters outside the BMP, any size.

A package is written as `hrc-corpus build` would publish it (the repository's descriptor with
each resource's bytes and SHA-256 set to the generated files), so `hrc_corpus.dataset.load`
and the site read it like the real one.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import random
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PWNED = "window.__pwned = 1"
HOSTILE = [
    f"<script>{PWNED}</script>",
    f'<img src=x onerror="{PWNED}">',
    f"javascript:{PWNED}",
    f"</textarea><script>{PWNED}</script>",
    f'"><svg onload="{PWNED}">',
    "&amp; &lt;b&gt; {{ 7*7 }} ${7*7}",
    f"</script><script>{PWNED}</script>",
]
# Characters outside the Basic Multilingual Plane (two UTF-16 units each), and other tricky ones.
WIDE = ["😀", "𠜎", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "👩‍👩‍👧", "🇰🇭", "𓂀", "e\u0301", "مرحبا", "\u00a0", "\u2028"]
WORDS = ["peacekeepers", "council", "poverty", "women", "elections", "rights", "report", "national", "law", "session"]


def _sentence(rng: random.Random, n: int) -> tuple[str, int, str]:
    """A sentence with hostile text and wide characters in it, where its number is, and the number."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(4, 9))]
    words.insert(rng.randint(0, len(words)), rng.choice(WIDE))
    if n % 2 == 0:
        words.insert(rng.randint(0, len(words)), HOSTILE[n % len(HOSTILE)])
    number = f"{rng.randint(2, 9999):,}"
    where = rng.randint(0, len(words))
    head = "Claim " + " ".join(words[:where] + [""])
    return head + number + "".join(" " + w for w in words[where:]) + ".", len(head), number


def tables(statements: int = 2, claims_per: int = 8, seed: int = 1) -> dict[str, list[dict[str, Any]]]:
    """The rows of every table of a generated package."""
    rng = random.Random(seed)
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in (
        "statements", "claims", "claim_topics", "quantities", "claim_entities", "claim_links", "non_claims",
        "sessions", "actors", "entities", "topics", "null_reasons")}
    rows["sessions"] = [{"session_id": "HRC53", "body": "Human Rights Council", "number": 53, "start_date": "2023-06-19",
                         "end_date": "2023-07-14", "place": "Geneva"}]
    rows["actors"] = [{"actor_id": "gen-issuer", "name": f"Issuer {HOSTILE[1]} 😀", "kind": "organisation", "country": "KHM"}]
    rows["entities"] = [{"entity_id": "gen-entity", "name": f"Entity {HOSTILE[0]} 𠜎", "kind": "organisation",
                         "note": HOSTILE[3]}]
    rows["topics"] = [{"topic_id": "SDG16", "scheme": "SDG", "label": f"Peace {HOSTILE[4]}", "description": "Goal 16.",
                       "parent_id": None}]
    with open(REPO / "data" / "vocabularies.csv", encoding="utf-8", newline="") as f:  # labels, as published
        rows["vocabularies"] = list(csv.DictReader(f))
    types = ["statistic", "fact", "action", "commitment", "evaluation", "normative", "rebuttal"]
    n, numbers = 0, {}
    for s in range(statements):
        sid = f"gen-{s + 1:04d}-statement"
        heading = f"HEADING {HOSTILE[s % len(HOSTILE)]} 🇰🇭"
        lines: list[tuple[str, list[tuple[int, str, int]]]] = [(heading, []), ("", [])]  # (line, [(at, quote, k)])
        for k in range(claims_per):
            n += 1
            if k % 3 == 0:
                lines.append((f"{len(lines) - 1}. ", []))
            line, found = lines[-1]
            line += "" if line.endswith(". ") and not found else " "
            quote, at, number = _sentence(rng, n)
            numbers[(s, k)] = (at, number)
            found.append((len(line), quote, k))
            lines[-1] = (line + quote, found)
        claims, offset, para = [], 0, 0
        for line, found in lines:
            para += 1 if line else 0
            claims += [(offset + at, offset + at + len(quote), quote, para, k) for at, quote, k in found]
            offset += len(line) + 1
        non_claims = [(0, len(heading), heading)]
        text = "\n".join(line for line, _ in lines)
        rows["statements"].append({
            "statement_id": sid, "title": f"Statement {s + 1} {HOSTILE[(s + 2) % len(HOSTILE)]} 𝔘𝔫𝔦",
            "statement_type": "press_release", "date": (datetime.date(2023, 7, 10) + datetime.timedelta(days=s)).isoformat(), "place": "Geneva", "session_id": "HRC53",
            "segment": None, "agenda_item": None, "delegation": "KHM", "speaker_id": None, "speaker_title": None,
            "issuer_id": "gen-issuer", "language": "en", "curation": "complete", "source_file": f"gen-{s + 1}.md",
            "source_sha256": hashlib.sha256(text.encode()).hexdigest(), "source_url": f"javascript:{PWNED}",
            "text": text, "note": HOSTILE[6]})
        for seq, (start, end, quote) in enumerate(non_claims, 1):
            rows["non_claims"].append({"statement_id": sid, "seq": seq, "char_start": start, "char_end": end,
                                       "quote": quote, "reason": "heading"})
        for seq, (start, end, quote, para_index, k) in enumerate(claims, 1):
            assert text[start:end] == quote, (sid, seq)
            cid = f"{sid}-c{seq:03d}"
            rows["claims"].append({
                "claim_id": cid, "statement_id": sid, "seq": seq, "paragraph": para_index, "paragraph_number": para_index - 1,
                "char_start": start, "char_end": end, "quote": quote, "claim_type": types[(seq - 1) % len(types)],
                "attribution": "own_voice", "checkworthy": ["cfs", "ufs", "nfs"][seq % 3],
                "summary": f"Summary {seq} {HOSTILE[(seq + 1) % len(HOSTILE)]} 👩‍👩‍👧", "note": HOSTILE[2]})
            rows["claim_topics"].append({"claim_id": cid, "topic_id": "SDG16", "rank": 1})
            at, number = numbers[(s, k)]
            assert quote[at:at + len(number)] == number
            rows["quantities"].append({
                "claim_id": cid, "seq": 1, "as_written": number, "value": float(number.replace(",", "")), "unit": "count",
                "qualifier": "exact", "measure": ("peacekeepers-deployed", "voters-general-election")[seq % 2], "period": None,
                "char_start": start + at, "char_end": start + at + len(number)})
            rows["claim_entities"].append({"claim_id": cid, "seq": 1, "entity_id": "gen-entity", "as_written": quote[:6],
                                           "char_start": start, "char_end": start + 6})
            if s > 0 and seq <= 2:
                rows["claim_links"].append({"claim_id": cid, "target_claim_id": f"gen-0001-statement-c{seq:03d}",
                                            "relation": "updates", "note": f"Link note {HOSTILE[seq]} 𓂀"})
    return rows


def write_package(folder: Path, rows: dict[str, list[dict[str, Any]]]) -> Path:
    """Write rows as a CSV data package (the repository's descriptor, sizes and hashes set) into folder."""
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    (folder / "data").mkdir(parents=True, exist_ok=True)
    for resource in descriptor["resources"]:
        names = [f["name"] for f in resource["schema"]["fields"]]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(names)
        for row in rows.get(resource["name"], []):
            writer.writerow(["" if row.get(n) is None else _cell(row.get(n)) for n in names])
        data = buffer.getvalue().encode("utf-8")
        (folder / resource["path"]).write_bytes(data)
        resource["bytes"] = len(data)
        resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return folder


def _cell(value: Any) -> str:
    """A CSV cell: integers without a decimal point."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
