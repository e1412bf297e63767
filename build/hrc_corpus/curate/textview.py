"""`hrc-corpus text ID`: a statement's normalized text, paragraph by paragraph, with offsets.

Quotes are copied from this text (codebook §1), not from source.md: the spans in the tables
index into it. Offsets are code points, end exclusive, as in the tables' char_start/char_end.
"""

from __future__ import annotations

from pathlib import Path

from ..load import SOURCE_FILE, STATEMENTS, read_bytes
from ..problems import Problem, RecordError
from ..text import normalize, paragraphs, sentences


def statement_text(root: Path, statement_id: str) -> str:
    """The normalized text of a statement's source.md (RecordError when it cannot be read)."""
    folder = root / STATEMENTS / statement_id
    if not folder.is_dir():
        known = sorted(p.name for p in (root / STATEMENTS).iterdir() if p.is_dir()) if (root / STATEMENTS).is_dir() else []
        from ..problems import did_you_mean

        raise RecordError([Problem(f"{STATEMENTS}/{statement_id}", 0, 0, "",
                                   f"no such statement{did_you_mean(statement_id, known)} (known: {', '.join(known) or 'none'})")])
    rel = f"{STATEMENTS}/{statement_id}/{SOURCE_FILE}"
    data, problems = read_bytes(root, rel)
    if data is None:
        raise RecordError(problems)
    try:
        return normalize(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RecordError([Problem(rel, 0, 0, "", f"the source document is not UTF-8 ({exc.reason} at byte {exc.start})")]) from None


def render(text: str, by_sentence: bool = False) -> str:
    """The text as lines `¶index [start-end) words`, or one line per sentence with its offsets."""
    lines = [f"# {len(text):,} characters, {len(paragraphs(text))} paragraphs, {len(sentences(text))} sentences; "
             "offsets are code points [start, end), as char_start/char_end in the tables"]
    spans = sentences(text) if by_sentence else None
    for para in paragraphs(text):
        number = f" (no. {para.number})" if para.number is not None else ""
        if spans is None:
            lines.append(f"¶{para.index}{number} [{para.span.start}-{para.span.end}) {text[para.span.start:para.span.end]}")
            continue
        lines.append(f"¶{para.index}{number} [{para.span.start}-{para.span.end})")
        for s in spans:
            if para.span.start <= s.start < para.span.end:
                lines.append(f"  [{s.start}-{s.end}) {text[s.start:s.end]}")
    return "\n".join(lines) + "\n"
