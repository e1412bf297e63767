"""Release notes: what a release adds, changes and removes compared with the previous release's tables.

A release records a digest of every statement and every claim (releases/<version>.json); the
next release compares its tables with those digests. A claim's digest covers its row and the
rows that hang off it (topics, quantities, entity mentions, links), so editing any of them
shows the claim as changed; a statement's covers its row and its non-claims.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Mapping

import pyarrow as pa

from .csvfile import csv_cell

# Tables whose rows belong to one statement or one claim, and the column that says which.
_OWNED = {"statements": {"statements": "statement_id", "non_claims": "statement_id"},
          "claims": {"claims": "claim_id", "claim_topics": "claim_id", "quantities": "claim_id",
                     "claim_entities": "claim_id", "claim_links": "claim_id"}}


@dataclass(frozen=True)
class Changes:
    """Ids added, changed and removed between two releases (each sorted)."""

    added: list[str]
    changed: list[str]
    removed: list[str]


def digests(arrow: Mapping[str, pa.Table]) -> dict[str, dict[str, str]]:
    """Per kind (statements, claims): id -> a digest of everything recorded about it."""
    out: dict[str, dict[str, str]] = {}
    for kind, owners in _OWNED.items():
        parts: dict[str, list[str]] = {}
        for table, key in owners.items():
            for row in arrow[table].to_pylist():
                # Canonical text of the row: column names with their CSV form, so types do not matter.
                parts.setdefault(str(row[key]), []).append(
                    table + json.dumps({k: csv_cell(v) for k, v in row.items()}, sort_keys=True, ensure_ascii=False))
        ids = [str(i) for i in arrow[kind].column(next(iter(owners.values()))).to_pylist()]
        out[kind] = {i: hashlib.sha256("\n".join(sorted(parts.get(i, []))).encode()).hexdigest()[:16] for i in sorted(ids)}
    return out


def compare(old: Mapping[str, str], new: Mapping[str, str]) -> Changes:
    """What changed between two id -> digest maps."""
    return Changes(added=sorted(set(new) - set(old)), removed=sorted(set(old) - set(new)),
                   changed=sorted(i for i in set(old) & set(new) if old[i] != new[i]))


def render(record: Mapping[str, Any], previous: Mapping[str, Any] | None, titles: Mapping[str, str]) -> str:
    """A release's notes as a Markdown section (also its CHANGELOG.md entry)."""
    version, rows = record["version"], record["rows"]
    lines = [f"## {version} ({record['date']})", "",
             f"Content fingerprint: `{record['fingerprint']}` (SHA-256 over the CSV package's files).", ""]
    if previous is None:
        lines += [f"First release: {_count(rows['statements'], 'statement')}, {_count(rows['claims'], 'claim')}.", ""]
        lines += [f"- {_ref(i, titles)}" for i in record["statements"]]
    else:
        lines += [f"Compared with {previous['version']}:", ""]
        for kind in ("statements", "claims"):
            changes = compare(previous[kind], record[kind])
            lines.append(f"- {kind.capitalize()}: {len(changes.added)} added, {len(changes.changed)} changed, "
                         f"{len(changes.removed)} removed.")
            for label, ids in (("added", changes.added), ("changed", changes.changed), ("removed", changes.removed)):
                lines += [f"  - {label}: {_ref(i, titles)}" for i in ids]
    lines += ["", "| Table | Rows |" + (f" Change since {previous['version']} |" if previous else ""),
              "| --- | ---: |" + (" ---: |" if previous else "")]
    for table, n in rows.items():
        delta = n - previous["rows"].get(table, 0) if previous else None
        lines.append(f"| `{table}` | {n} |" + (f" {delta:+d} |" if previous else ""))
    return "\n".join(lines) + "\n"


def _ref(identifier: str, titles: Mapping[str, str]) -> str:
    """An id as code, with a statement's title when known."""
    return f"`{identifier}`" + (f": {titles[identifier]}" if identifier in titles else "")


def _count(n: int, noun: str) -> str:
    """'1 statement', '2 statements'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
