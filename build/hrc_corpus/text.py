"""Plain text from a source document, its paragraphs and sentences, and where quotes sit in it.

The normalization is the contract between `source.md` (kept byte-identical to what was
received) and the character spans in the tables. It removes conversion artifacts only; the
words are untouched. Each rule is documented in schema/CODEBOOK.md ("Text and spans").
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any, Iterable

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
    if "*" in source:  # (the whole text at once: the pattern never crosses a line, and sees a line's ends as ends)
        source = _ITALIC.sub(r"\1", source)
    lines = [line.strip() for line in source.split("\n")]
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
        if merged and _ENDS_OPEN.search(merged[-1][-1], len(merged[-1][-1]) - 1) and _STARTS_LOWER.match(block[0]):
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


def sentences(text: str, paras: list[Paragraph] | None = None) -> list[Span]:
    """Split a normalized text into sentences: within each paragraph (`paras`, if already split), after its number or bullet."""
    found: list[Span] = []
    for para in paragraphs(text) if paras is None else paras:
        line = text[para.span.start : para.span.end]
        marker = _MARKER.match(line)
        start = marker.end() if marker else 0
        for match in _SENTENCE_END.finditer(line, start):
            if line.endswith(_ABBREVIATIONS, 0, match.end()):
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
    """Describe where a quote that was not found departs from the text, and the passage it departs from.

    Bounded (a few dozen substring searches, linear each) however long the quote: the longest
    prefix of the quote that occurs in the text, and the longest suffix, are found by bisection;
    the longer one anchors the quote, and the character after it (or before it) is the first
    difference, told apart as an extra, a missing or a different character. Two causes are named
    first: Unicode normalization (NFD against NFC) and invisible characters (a zero-width space).
    """
    if not text:
        return "the text is empty"
    named = _normalization(text, quote) or _invisible(text, quote)
    if named:
        return named
    prefix, at = _longest_part(text, quote, prefix=True)
    suffix, suffix_at = _longest_part(text, quote, prefix=False)
    if prefix == len(quote):
        return (f"the words occur at character {at + 1} of the text, but inside other words "
                f"({_excerpt(text, at)!r}): a quote starts and ends at word boundaries")
    if max(prefix, suffix) < min(12, len(quote) // 2):
        return "no passage of the text is close to it (check that it is from this statement)"
    if prefix >= suffix:
        qi, ti = prefix, at + prefix  # the first character after the longest matching beginning
        how = _edit(quote[qi + 1 : qi + 41], quote[qi : qi + 40], text[ti + 1 : ti + 41], text[ti : ti + 40])
    else:
        qi, ti = len(quote) - suffix - 1, suffix_at - 1  # the last character before the longest matching end
        how = _edit(quote[max(qi - 40, 0) : qi], quote[max(qi - 39, 0) : qi + 1], text[max(ti - 40, 0) : ti],
                    text[max(ti - 39, 0) : ti + 1], forward=False)
    got = _char(quote[qi])
    want = _char(text[ti]) if 0 <= ti < len(text) else "the end of the text"
    differs = {"extra": f"the quote has an extra {got}",
               "missing": f"the quote lacks the text's {want}",
               "different": f"the quote has {got}, the text has {want}"}[how]
    where = qi + 2 if how == "missing" and prefix < suffix else qi + 1  # (a missing character is missed after qi, going back)
    return f"closest passage: {_excerpt(text, max(ti, 0))!r}; first difference at character {where} of the quote: {differs}"


def _longest_part(text: str, quote: str, prefix: bool) -> tuple[int, int]:
    """The length of the longest beginning (or end) of quote that occurs in text, and where it occurs."""
    lo, hi, at = 0, len(quote), 0  # quote parts of length lo occur; of length hi + 1 do not
    while lo < hi:
        mid = (lo + hi + 1) // 2
        found = text.find(quote[:mid] if prefix else quote[len(quote) - mid :])
        if found >= 0:
            lo, at = mid, found
        else:
            hi = mid - 1
    return lo, at


def _edit(skip_quote: str, quote: str, skip_text: str, text: str, forward: bool = True) -> str:
    """Which one-character edit makes the quote go on (or, backwards, lead up) like the text: extra, missing or different.

    Each argument is a window of up to 40 characters after (before) the difference, with or
    without the differing character; the text's windows are cut to the quote's length.
    """
    def same(q: str, t: str) -> bool:
        return bool(q) and q == (t[: len(q)] if forward else t[len(t) - len(q) :])

    if same(skip_quote, skip_text):
        return "different"
    if same(quote, skip_text):
        return "missing"
    if same(skip_quote, text) or (not skip_quote and not text):
        return "extra"
    return "different"


def _char(c: str) -> str:
    """A character as a message shows it: itself, its code point and its Unicode name."""
    return f"{c!r} (U+{ord(c):04X} {unicodedata.name(c, 'unnamed')})"


def _excerpt(text: str, at: int) -> str:
    """The sentence of the text around an offset, or 160 characters of it when the sentence is longer."""
    sentence = next((s for s in sentences(_window(text, at)[0]) if s.start <= _window(text, at)[1] < s.end), None)
    window, offset = _window(text, at)
    if sentence is not None and sentence.end - sentence.start <= 160:
        return window[sentence.start : sentence.end]
    start = max(offset - 60, 0)
    return ("..." if start else "") + window[start : start + 160] + ("..." if start + 160 < len(window) else "")


def _window(text: str, at: int) -> tuple[str, int]:
    """The paragraph of the text that holds an offset (bounded to 2,000 characters around it), and the offset in it."""
    start = text.rfind("\n", max(at - 1000, 0), at) + 1 if at > 0 else 0
    start = max(start, at - 1000, 0)
    end = text.find("\n", at, at + 1000)
    end = min(at + 1000, len(text)) if end < 0 else end
    return text[start:end], at - start


def _normalization(text: str, quote: str) -> str | None:
    """The message when the quote and the text differ only in Unicode normalization (NFD against NFC)."""
    for form in ("NFC", "NFD"):
        if unicodedata.normalize(form, quote) != quote and unicodedata.normalize(form, quote) in text:
            other = "NFD" if form == "NFC" else "NFC"
            first = _common_prefix(quote, unicodedata.normalize(form, quote))
            first = first + 1 if first + 1 < len(quote) and unicodedata.combining(quote[first + 1]) else first
            return (f"the quote matches the text only after Unicode normalization: its characters are written {other} "
                    f"(composed differently, first at character {first + 1}: {_char(quote[first])}), the text's {form}; "
                    f"write the quote in {form}, copied from the text")
    return None


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common beginning of two texts (by bisection: slices compare in C)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _invisible(text: str, quote: str) -> str | None:
    """The message when the quote holds invisible characters (zero-width space, soft hyphen ...) the text does not."""
    hidden = [i for i, c in enumerate(quote) if unicodedata.category(c) == "Cf"]
    if hidden and "".join(c for c in quote if unicodedata.category(c) != "Cf") in text:
        return (f"the quote holds an invisible character the text does not have, at character {hidden[0] + 1}: "
                f"{_char(quote[hidden[0]])}" + (f" (and {len(hidden) - 1} more)" if len(hidden) > 1 else "") + "; delete it")
    return None


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# Numbers a claim may state: digits, or number words (not "one", which is mostly a pronoun).
_NUMBER_PATTERN = (
    r"\d[\d,.]*\d|\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    r"hundreds?|thousands?|millions?|billions?|dozens?|half|quarter)\b"
)
_NUMBER = re.compile(_NUMBER_PATTERN, re.IGNORECASE)
# What the codebook says is not a quantity: years, days of a month, ordinals, paragraph numbers,
# and compounds such as "two-way". Each pattern starts with what it must match first (a digit, a
# month's letter), so that the regex engine skips ahead instead of trying every position; the
# lookbehinds say what the plain form said with \b or (?<![\d,.]) in front.
_NOT_QUANTITY = [
    re.compile(r"(?:19|20)(?<![\d,.]..)\d\d(?!\d|[,.]\d|%|\s*percent)"),  # a year
    re.compile(rf"\d(?<!\w\d)\d?(?=\s+(?:{_MONTHS})\b)"),  # a day before its month
    re.compile("(?:" + "|".join(rf"{m[0]}(?<!\w{m[0]}){m[1:]}" for m in _MONTHS.split("|")) + r")\s\d{1,2}\b"),  # ... after it
    re.compile(r"\d+(?=st|nd|rd|th)\b|\d+(?:st|nd|rd|th)\b"),  # ordinal
    re.compile(r"^\d{1,3}(?=\.\s)", re.MULTILINE),  # paragraph number
    re.compile(r"\b\w+(?=-way\b)", re.IGNORECASE),
]
# Text without which a pattern above cannot match: most texts have no ordinal and no "-way", and a
# search for these is far cheaper than running the pattern over the whole text.
_NEEDS = [None, None, None, re.compile(r"\d(?:st|nd|rd|th)"), None, re.compile(r"-way", re.IGNORECASE)]

try:  # RE2 (a DFA) finds the numbers some ten times faster than Python's re; without it, re does
    import re2

    _NUMBER_RE2: Any = re2.compile("(?i)" + _NUMBER_PATTERN)
except ImportError:  # pragma: no cover - RE2 is pinned
    _NUMBER_RE2 = None


@lru_cache(maxsize=None)
def _ascii_stand_in(c: str) -> str:
    """The ASCII character that _NUMBER (under Python's rules) treats as it treats c: a letter it matches
    ignoring case (U+212A KELVIN SIGN is k, U+017F LONG S is s), a digit, a word character, a space or other."""
    for letter in "abcdefghijklmnopqrstuvwxyz":
        if re.fullmatch(letter, c, re.IGNORECASE):
            return letter
    for pattern, stand_in in ((r"\d", "0"), (r"\w", "_"), (r"\s", " ")):
        if re.fullmatch(pattern, c):
            return stand_in
    return "#"


def _number_spans(text: str) -> list[tuple[int, int]]:
    """Where _NUMBER matches in text, as Python's re finds it (RE2 runs on an ASCII image of the text)."""
    if _NUMBER_RE2 is None:
        return [m.span() for m in _NUMBER.finditer(text)]
    if not text.isascii():  # one ASCII character per character: offsets stay, and RE2's ASCII \b, \d, \w agree with re's
        text = text.translate({ord(c): _ascii_stand_in(c) for c in set(text) if not c.isascii()})
    return [m.span() for m in _NUMBER_RE2.finditer(text.encode("ascii"))]


def numbers(text: str) -> list[Span]:
    """Where the text states a number a quantity should record (codebook: Quantities)."""
    exempt = sorted(m.span() for pattern, needs in zip(_NOT_QUANTITY, _NEEDS)
                    if needs is None or needs.search(text) for m in pattern.finditer(text))
    inside = Spans(exempt)
    return [Span(start, end) for start, end in _number_spans(text) if not inside.covers(start, end)]


class Spans:
    """Half-open ranges, to ask quickly whether one of them covers a range (one bisection, not a scan)."""

    def __init__(self, spans: Iterable[tuple[int, int]]):
        ordered = sorted(spans)
        self.starts = [start for start, _ in ordered]
        self.reach = list(accumulate((end for _, end in ordered), max))  # the furthest end of the spans so far

    def covers(self, start: int, end: int) -> bool:
        """Whether some span starts at or before start and ends at or after end."""
        before = bisect_right(self.starts, start)
        return before > 0 and self.reach[before - 1] >= end
