"""The first draft of a statement's claims.yaml: every sentence of its text, each a guess to decide.

Each sentence of the normalized text (text.sentences) becomes, in document order, a draft claim
quoting it exactly, or a candidate non-claim when it looks like a heading, a dateline, a
salutation or a closing formula. In each draft claim, every number text.numbers finds becomes
a draft quantity (as written, with its scale and unit words; its value where numbers.read
determines it), and every name or printed form of an entity already in records/entities.yaml
a draft mention. Every guess carries `draft: true` (curate/drafts.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..numbers import read as read_number
from ..text import Span, numbers, occurrences, paragraphs, sentences

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATELINE = re.compile(rf"^[A-Z][\w .'’-]*,\s+(?:\d{{1,2}}\s+(?:{_MONTHS})|(?:{_MONTHS})\s+\d{{1,2}},?)\s+\d{{4}}\.?$")
_SALUTATION = re.compile(r"^(?:Mr\.?|Mister|Madam|Madame|Ms\.?)\s+(?:President|Chair|Chairperson|Vice-President|Moderator)\b"
                         r"|^(?:Your\s+)?Excellenc|^Distinguished\b|^Ladies\s+and\s+Gentlemen|^Dear\b|^(?:Deputy\s+)?High\s+Commissioner[,:]?$"
                         r"|^Colleagues[,:]?$", re.IGNORECASE)
_CLOSING = re.compile(r"^(?:I\s+)?thank\s+you\b", re.IGNORECASE)
_TERMINAL = re.compile(r"[.!?;:][\"”’)\]]*$")
# Words that extend a number found by text.numbers into the quantity as the text writes it.
_JOIN = re.compile(r"^[ -]$")  # between two number words: "two thousand", "forty-two"
_AFTER = re.compile(r"(?:\s*%|\s+per\s*cent\b|\s+percent\b|-(?:week|year|day|month)s?\b|\s+(?:weeks|years|decades|decade)\b)")
_BEFORE = re.compile(r"(?:\b(?:several|a\s+few|few|many|some|tens\s+of|hundreds\s+of|thousands\s+of|a|one|three)\s+)$", re.IGNORECASE)
_FRACTION_WORD = re.compile(r"^(?:half|quarters?)$", re.IGNORECASE)


@dataclass(frozen=True)
class Found:
    """A span of the text and the words at it."""

    span: Span
    words: str


def guess_reason(sentence: str, is_whole_paragraph: bool) -> str | None:
    """The non-claim reason a sentence looks like (schema/vocab/non_claim_reason.json), or None for a claim."""
    words = len(sentence.split())
    if _DATELINE.match(sentence):
        return "dateline"
    if words <= 8 and _SALUTATION.match(sentence):
        return "salutation"
    if words <= 8 and _CLOSING.match(sentence):
        return "closing"
    if is_whole_paragraph and words <= 20 and not _TERMINAL.search(sentence):
        return "heading"
    return None


def quantities_in(text: str, within: Span) -> list[Found]:
    """The numbers of a sentence, each grown to the words that state it (scale, unit, vague words)."""
    spans = [s for s in numbers(text) if within.start <= s.start and s.end <= within.end]
    merged: list[Span] = []
    for span in spans:  # "two thousand", "forty-two", "8.2 million" are one quantity
        if merged and _JOIN.match(text[merged[-1].end : span.start]):
            merged[-1] = Span(merged[-1].start, span.end)
        else:
            merged.append(span)
    found = []
    for span in merged:
        start, end = span.start, span.end
        after = _AFTER.match(text, end, within.end)
        if after:
            end = after.end()
        before = _BEFORE.search(text, within.start, start)
        if before and (before.group(0).strip().lower() not in ("a", "one", "three") or _FRACTION_WORD.match(text[start:end])):
            start = before.start()
        found.append(Found(Span(start, end), text[start:end]))
    return found


def _number(value: Decimal) -> int | float:
    """A Decimal as the YAML number a curator writes (9281, 0.25, 8200000)."""
    return int(value) if value == value.to_integral_value() else float(value)


def draft_quantity(found: Found, text: str, quote: Span) -> dict[str, Any]:
    """A draft quantity for a number: as written, with what its words determine."""
    item: dict[str, Any] = {"draft": True, "as": found.words}
    at = occurrences(text, found.words, quote.start, quote.end, whole_words=True)
    if len(at) > 1 and found.span.start in at:
        item["occurrence"] = at.index(found.span.start) + 1
    reading = read_number(found.words)
    if reading is not None:
        item["value"] = None if reading.value is None else _number(reading.value)
        if reading.unit:
            item["unit"] = reading.unit
        if reading.value is None:
            item["qualifier"] = "indefinite"
    return item


def entity_names(entities: list[dict[str, Any]], printed: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(words, entity id) for every name, alias and printed form of the known entities, longest first."""
    pairs: dict[str, str] = {}
    for entity in entities:
        forms = [entity.get("name")] + list(entity.get("aliases") or []) + printed.get(entity.get("id", ""), [])
        for form in forms:
            if isinstance(form, str) and form.strip() and form not in pairs:
                pairs[form] = entity["id"]
    return sorted(pairs.items(), key=lambda p: (-len(p[0]), p[0]))


def mentions_in(text: str, quote: Span, names: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Draft mentions of known entities in a quote, in the order they appear, none overlapping."""
    taken: list[tuple[int, int, str, str]] = []
    for words, entity_id in names:  # longest first, so "Human Rights Council" wins over "Council"
        for at in occurrences(text, words, quote.start, quote.end, whole_words=True):
            if not any(at < end and start < at + len(words) for start, end, _, _ in taken):
                taken.append((at, at + len(words), words, entity_id))
    mentions = []
    for start, _, words, entity_id in sorted(taken):
        item: dict[str, Any] = {"draft": True, "id": entity_id, "as": words}
        found_at = occurrences(text, words, quote.start, quote.end, whole_words=True)
        if len(found_at) > 1:
            item["occurrence"] = found_at.index(start) + 1
        mentions.append(item)
    return mentions


def draft_claims(text: str, names: list[tuple[str, str]]) -> dict[str, Any]:
    """The data of a first claims.yaml: draft claims and candidate non-claims, in document order."""
    claims: list[dict[str, Any]] = []
    non_claims: list[dict[str, Any]] = []
    whole = {(p.span.start, p.span.end) for p in paragraphs(text)}
    for span in sentences(text):
        quote = text[span.start : span.end]
        at = occurrences(text, quote, whole_words=True)
        occurrence = {"occurrence": at.index(span.start) + 1} if len(at) > 1 else {}
        reason = guess_reason(quote, (span.start, span.end) in whole)
        if reason:
            non_claims.append({"draft": True, "quote": quote, **occurrence, "reason": reason})
            continue
        claim: dict[str, Any] = {"id": f"c{len(claims) + 1:03d}", "draft": True, "quote": quote, **occurrence}
        quantities = [draft_quantity(f, text, span) for f in quantities_in(text, span)]
        mentions = mentions_in(text, span, names)
        if quantities:
            claim["quantities"] = quantities
        if mentions:
            claim["entities"] = mentions
        claims.append(claim)
    return {"claims": claims, "non_claims": non_claims}
