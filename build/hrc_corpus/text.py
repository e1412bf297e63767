"""Plain text from a source document, its paragraphs and sentences, and where quotes sit in it.

The normalization is the contract between `source.md` (kept byte-identical to what was
received) and the character spans in the tables. It removes conversion artifacts only; the
words are untouched. Each rule is documented in schema/CODEBOOK.md ("Text and spans").
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# Markdown emphasis the PDF converter wrapped around headings and the dateline.
_BOLD = re.compile(r"\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
# <sup>rd</sup> and friends: keep the words, drop the tags.
_TAGS = re.compile(r"</?(?:sup|sub)>", re.IGNORECASE)
# A line that ends a sentence or a heading; a line that does not, followed after a page break
# by one starting in lower case, is one paragraph the PDF split across pages.
_ENDS_OPEN = re.compile(r"[\w,\-]$")
_STARTS_LOWER = re.compile(r"^[a-z]")
_PARAGRAPH_NUMBER = re.compile(r"^([0-9]{1,3})\.\s")
_MARKER = re.compile(r"^(?:[0-9]{1,3}\.|[-•])\s+")
# Sentence ends: terminal punctuation, closing quotes, then space and a capital or an opening quote.
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*(?=\s+[\"“‘(]?[A-Z0-9])")
_ABBREVIATIONS = ("Mr.", "Mrs.", "Ms.", "Dr.", "H.E.", "e.g.", "i.e.", "No.", "St.", "vs.")


def normalize(source: str) -> str:
    """Derive the plain text that claim spans index into from a source document."""
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    source = _TAGS.sub("", source)
    source = _BOLD.sub("", source)
    lines = [_ITALIC.sub(r"\1", line).strip() for line in source.split("\n")]
    blocks: list[list[str]] = []  # runs of non-empty lines, separated by blank lines
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    merged: list[list[str]] = []
    for block in blocks:
        if merged and _ENDS_OPEN.search(merged[-1][-1]) and _STARTS_LOWER.match(block[0]):
            merged[-1][-1] = merged[-1][-1] + " " + block[0]  # a page break inside a paragraph
            merged[-1].extend(block[1:])
        else:
            merged.append(block)
    return "\n\n".join("\n".join(block) for block in merged) + "\n"


@dataclass(frozen=True)
class Span:
    """A half-open range of code points in a text."""

    start: int
    end: int


@dataclass(frozen=True)
class Paragraph:
    """One non-empty line of the normalized text: a heading line, a numbered paragraph or a bullet."""

    index: int  # 1-based position among the text's paragraphs
    number: int | None  # as printed ("11." is 11), None when unnumbered
    span: Span


def paragraphs(text: str) -> list[Paragraph]:
    """Split a normalized text into its paragraphs (non-empty lines)."""
    found: list[Paragraph] = []
    offset = 0
    for line in text.split("\n"):
        if line:
            match = _PARAGRAPH_NUMBER.match(line)
            number = int(match.group(1)) if match else None
            found.append(Paragraph(len(found) + 1, number, Span(offset, offset + len(line))))
        offset += len(line) + 1
    return found


def sentences(text: str) -> list[Span]:
    """Split a normalized text into sentences: within each paragraph, after its number or bullet."""
    found: list[Span] = []
    for para in paragraphs(text):
        line = text[para.span.start : para.span.end]
        marker = _MARKER.match(line)
        start = marker.end() if marker else 0
        for match in _SENTENCE_END.finditer(line, start):
            if line[: match.end()].endswith(_ABBREVIATIONS):
                continue
            found.append(Span(para.span.start + start, para.span.start + match.end()))
            start = match.end()
            while start < len(line) and line[start] == " ":
                start += 1
        if start < len(line):
            found.append(Span(para.span.start + start, para.span.end))
    return found


def occurrences(text: str, words: str, start: int = 0, end: int | None = None, whole_words: bool = False) -> list[int]:
    """Every offset at which `words` occurs in text[start:end] (overlapping occurrences too).

    With whole_words, an occurrence must not continue a word or number on either side:
    "20" is not found inside "2023", nor "nine" inside "ninety".
    """
    end = len(text) if end is None else end
    found: list[int] = []
    at = text.find(words, start, end)
    while at != -1:
        if not whole_words or _stands_alone(text, at, at + len(words)):
            found.append(at)
        at = text.find(words, at + 1, end)
    return found


def _stands_alone(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] neither continues the word before it nor runs into the one after."""
    before = start > 0 and text[start - 1].isalnum() and text[start].isalnum()
    after = end < len(text) and text[end].isalnum() and text[end - 1].isalnum()
    return not (before or after)


def closest_passage(text: str, quote: str) -> str:
    """Describe the passage of text most like a quote that was not found, and the first difference."""
    candidates = [text[s.start : s.end] for s in sentences(text)]
    best = max(candidates, key=lambda c: difflib.SequenceMatcher(None, quote, c, autojunk=False).ratio(), default="")
    if not best:
        return "the text is empty"
    # Align on the longest common block, then walk forward to the first differing character.
    matcher = difflib.SequenceMatcher(None, quote, best, autojunk=False)
    block = matcher.find_longest_match(0, len(quote), 0, len(best))
    qi, ti = block.a - min(block.a, block.b), block.b - min(block.a, block.b)
    while qi < len(quote) and ti < len(best) and quote[qi] == best[ti]:
        qi += 1
        ti += 1
    excerpt = best if len(best) <= 160 else best[:157] + "..."
    if qi >= len(quote):
        return f"closest passage: {excerpt!r}"
    got = f"{quote[qi]!r} (U+{ord(quote[qi]):04X})"
    want = f"{best[ti]!r} (U+{ord(best[ti]):04X})" if ti < len(best) else "the end of the sentence"
    return f"closest passage: {excerpt!r}; first difference at character {qi + 1} of the quote: quote has {got}, text has {want}"


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# Numbers a claim may state: digits, or number words (not "one", which is mostly a pronoun).
_NUMBER = re.compile(
    r"\d[\d,.]*\d|\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    r"hundreds?|thousands?|millions?|billions?|dozens?|half|quarter)\b",
    re.IGNORECASE,
)
# What the codebook says is not a quantity: years, days of a month, ordinals, paragraph numbers,
# and compounds such as "two-way".
_NOT_QUANTITY = [
    re.compile(r"(?<![\d,.])(?:19|20)\d\d(?!\d|[,.]\d|%|\s*percent)"),  # a year
    re.compile(rf"\b\d{{1,2}}(?=\s+(?:{_MONTHS})\b)|\b(?:{_MONTHS})\s\d{{1,2}}\b"),  # a day of a month
    re.compile(r"\d+(?=st|nd|rd|th)\b|\d+(?:st|nd|rd|th)\b"),  # ordinal
    re.compile(r"^\d{1,3}(?=\.\s)", re.MULTILINE),  # paragraph number
    re.compile(r"\b\w+(?=-way\b)", re.IGNORECASE),
]


def numbers(text: str) -> list[Span]:
    """Where the text states a number a quantity should record (codebook: Quantities)."""
    exempt = [Span(m.start(), m.end()) for pattern in _NOT_QUANTITY for m in pattern.finditer(text)]
    return [
        Span(m.start(), m.end())
        for m in _NUMBER.finditer(text)
        if not any(e.start <= m.start() and m.end() <= e.end for e in exempt)
    ]
