"""`hrc-corpus status`: how far each statement's curation has gone, and what is left, where.

Per statement: its curation state, the sentences accounted for (inside a claim or a listed
non-claim, as check counts them), and every draft left with its file:line. It reads each
statement on its own, so a statement with a mistake does not hide the others; the mistakes
themselves are check's to report.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..load import CLAIMS_FILE, SOURCE_FILE, STATEMENT_FILE, STATEMENTS, Document, load_yaml, read_bytes
from ..text import Span, normalize, occurrences, paragraphs, sentences
from .drafts import claims_drafts, located, statement_drafts


@dataclass
class StatementStatus:
    """What status says about one statement."""

    id: str
    curation: str
    sentences_total: int = 0
    sentences_covered: int = 0
    drafts: list[str] = field(default_factory=list)  # "file:line: what to decide"
    uncovered: list[str] = field(default_factory=list)  # "¶n [start-end) words"
    unreadable: list[str] = field(default_factory=list)  # files that cannot be read or changed (check explains most)


def _spans(text: str, items: list[Any]) -> list[Span]:
    """Where each quote of a list of claims or non-claims sits (the ones that are found)."""
    found = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("quote"), str) or not item["quote"]:
            continue
        at = occurrences(text, item["quote"], whole_words=True)
        n = item.get("occurrence") or 1
        if isinstance(n, int) and 1 <= n <= len(at):
            found.append(Span(at[n - 1], at[n - 1] + len(item["quote"])))
    return found


def statement_status(root: Path, name: str) -> StatementStatus:
    """The status of one statement folder."""
    folder = f"{STATEMENTS}/{name}"
    meta, meta_problems = load_yaml(root, f"{folder}/{STATEMENT_FILE}")
    claims, claims_problems = load_yaml(root, f"{folder}/{CLAIMS_FILE}")
    data = meta.data if meta and isinstance(meta.data, dict) else {}
    status = StatementStatus(name, str(data.get("curation", "unknown")))
    status.unreadable = [str(p) for p in meta_problems + claims_problems]
    if meta:
        status.drafts += [_line(p) for p in located(meta, statement_drafts(meta.data))]
    if claims:
        status.drafts += [_line(p) for p in located(claims, claims_drafts(claims.data))]
    source, source_problems = read_bytes(root, f"{folder}/{SOURCE_FILE}")
    status.unreadable += [str(p) for p in source_problems]
    status.unreadable += _changed_sources(root, folder, data, source)
    if source is None or claims is None or not isinstance(claims.data, dict):
        return status
    try:
        text = normalize(source.decode("utf-8"))
    except UnicodeDecodeError:
        status.unreadable.append(f"{folder}/{SOURCE_FILE}: not UTF-8")
        return status
    _count(status, text, claims)
    return status


def _changed_sources(root: Path, folder: str, meta: dict[str, Any], source: bytes | None) -> list[str]:
    """source.md, and a PDF kept as source.pdf, must still have the SHA-256 recorded in statement.yaml."""
    recorded: dict[str, Any] = meta["source"] if isinstance(meta.get("source"), dict) else {}
    files = [(SOURCE_FILE, source, recorded.get("sha256"))]
    original = recorded.get("original")
    if isinstance(original, dict) and isinstance(original.get("file"), str):
        data, problems = read_bytes(root, f"{folder}/{original['file']}")
        if data is None:
            return [str(p) for p in problems]
        files.append((original["file"], data, original.get("sha256")))
    return [f"{folder}/{name}: SHA-256 {hashlib.sha256(data).hexdigest()} is not the one statement.yaml records: "
            "the file changed after it was received (restore it)"
            for name, data, digest in files if data is not None and isinstance(digest, str) and hashlib.sha256(data).hexdigest() != digest]


def _count(status: StatementStatus, text: str, claims: Document) -> None:
    """Count the sentences inside a claim or non-claim; note the ones that are not."""
    spans = _spans(text, claims.data.get("claims") or []) + _spans(text, claims.data.get("non_claims") or [])
    paras = paragraphs(text)
    for sentence in sentences(text):
        status.sentences_total += 1
        if any(s.start < sentence.end and sentence.start < s.end for s in spans):
            status.sentences_covered += 1
        else:
            para = next(p for p in paras if p.span.start <= sentence.start < p.span.end)
            words = text[sentence.start : sentence.end]
            status.uncovered.append(f"¶{para.index} [{sentence.start}-{sentence.end}) {words[:80]}{'...' if len(words) > 80 else ''}")


def _line(problem: Any) -> str:
    """A draft as `file:line: what to decide`."""
    return f"{problem.file}:{problem.line}: {problem.message}"


def all_statuses(root: Path) -> list[StatementStatus]:
    """The status of every statement folder, by id."""
    base = root / STATEMENTS
    names = sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")) if base.is_dir() else []
    return [statement_status(root, name) for name in names]


def report(statuses: list[StatementStatus]) -> str:
    """The text status prints."""
    lines = []
    for s in statuses:
        lines.append(f"{s.id}: {s.curation}, {s.sentences_covered}/{s.sentences_total} sentences accounted for, "
                     f"{len(s.drafts)} draft(s) left")
        lines += [f"  problem: {p}" for p in s.unreadable]
        lines += [f"  {d}" for d in s.drafts]
        lines += [f"  not accounted for: {u}" for u in s.uncovered]
    drafts = sum(len(s.drafts) for s in statuses)
    done = sum(1 for s in statuses if s.curation == "complete" and not s.drafts and not s.unreadable)
    lines.append(f"{len(statuses)} statement(s): {done} complete, {drafts} draft(s) left")
    return "\n".join(lines) + "\n"
