"""What number a quantity's words state, so that check can refuse a value that disagrees with them.

The words are a quantity's `as` (codebook §7): a numeral (`9,281`, `8.2`), a numeral or number
words with a scale word (`8.2 million`, `two thousand`), number words (`eighteen`, `nine`,
`forty-two`, read by the text2num library), a fraction in words (`half`, `a quarter`,
`three quarters`, `a third`), each optionally followed by a unit word (`16 percent`, `three decades`,
`four-week`). Words that name no definite number (`several thousand`, `Thousands`, `millions`,
`hundreds of thousands`) are indefinite: the codebook records value null, qualifier indefinite.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Iterator

from text_to_num import text2num

# Unit words that may follow the number, and the unit (schema/vocab/unit.json) each implies.
_UNIT_WORDS = {
    "percent": "percent", "per cent": "percent", "%": "percent",
    "week": "week", "weeks": "week", "year": "year", "years": "year", "decade": "decade", "decades": "decade",
}
_UNIT_SUFFIX = re.compile(r"(?:\s+|-|(?=%))(" + "|".join(sorted(map(re.escape, _UNIT_WORDS), key=len, reverse=True)) + r")$")
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
# A numeral: plain digits, or digits grouped in threes by commas, with an optional decimal part.
_NUMERAL = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_FRACTIONS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4}
# Words that do not fix a number: a plural scale word alone or after a vague word, a vague word
# before a scale word ("several thousand", "thousands", "tens of thousands", "millions"), or a
# vague word alone ("many": the codebook records none, but if recorded it can only be indefinite).
_VAGUE = r"(?:several|a\s+few|few|many|some|numerous|tens\s+of|hundreds\s+of|thousands\s+of)"
_INDEFINITE = re.compile(
    rf"(?:{_VAGUE}\s+)?(?:dozens|hundreds|thousands|millions|billions)|{_VAGUE}\s+(?:dozen|hundred|thousand|million|billion)"
    rf"|{_VAGUE}",
    re.IGNORECASE)


@dataclass(frozen=True)
class Reading:
    """What the words of a quantity state: a value (None when indefinite) and the unit their unit word implies."""

    value: Decimal | None
    unit: str | None  # what the words imply (percent for "16 percent", fraction for "half"); None for a plain count


@lru_cache(maxsize=8192)  # the same words recur across claims; a Reading is immutable
def read(words: str) -> Reading | None:
    """The number the words state, or None when they are not a form this module reads."""
    phrase, unit = _split_unit(" ".join(words.split()).lower())
    if _INDEFINITE.fullmatch(phrase):
        return Reading(None, unit)
    value = _numeral(phrase)
    if value is None:
        value = _fraction(phrase)
        if value is not None:
            return Reading(value, unit or "fraction")
    if value is None:
        value = _number_words(phrase)
    return None if value is None else Reading(value, unit)


def _split_unit(phrase: str) -> tuple[str, str | None]:
    """The number part of the words and the unit its trailing unit word implies."""
    found = _UNIT_SUFFIX.search(phrase)
    if not found or found.start() == 0:
        return phrase, None
    return phrase[: found.start()].strip(), _UNIT_WORDS[found.group(1)]


def _numeral(phrase: str) -> Decimal | None:
    """A numeral with an optional scale word: 9,281; 8.2 million; 16."""
    parts = phrase.split()
    if not parts or not _NUMERAL.fullmatch(parts[0]) or len(parts) > 2:
        return None
    value = Decimal(parts[0].replace(",", ""))
    if len(parts) == 1:
        return value
    scale = _SCALES.get(parts[1])
    return None if scale is None else value * scale


def _fraction(phrase: str) -> Decimal | None:
    """A fraction in words: half, a half, a quarter, one quarter, three quarters."""
    parts = phrase.split()
    if not parts or parts[-1] not in _FRACTIONS or len(parts) > 2:
        return None
    if len(parts) == 1 or parts[0] in ("a", "one"):
        count = Decimal(1)
    else:
        count = _number_words(parts[0]) or Decimal(0)
        if not count:
            return None
    return count / _FRACTIONS[parts[-1]]


def _number_words(phrase: str) -> Decimal | None:
    """Cardinal number words (eighteen, forty-two, two thousand), by text2num; 'a hundred' is one hundred."""
    phrase = re.sub(r"^an?\s+(?=hundred|thousand|million|billion)", "one ", phrase)
    if not re.fullmatch(r"[a-z]+(?:[\s-][a-z]+)*", phrase):
        return None
    try:
        return Decimal(text2num(phrase, "en"))
    except (ValueError, InvalidOperation):
        return None


def disagreements(quantity: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(field, message) for each way a quantity's value, qualifier or unit contradicts its words."""
    words, value, unit = quantity["as"], quantity["value"], quantity["unit"]
    reading = read(words)
    if reading is None:
        if any(ch.isdigit() for ch in words):  # a numeral in no known form (9,28,1) or with other words (2,000 media)
            yield "as", (f"cannot read a number from {words!r}: write it as the text does, as a numeral (9,281; 8.2 million), "
                         "number words (eighteen), a fraction (half, a quarter) or an indefinite amount (several thousand), "
                         "optionally with a unit word (percent, decades) (codebook §7)")
        return
    if reading.value is None:
        if value is not None:
            yield "value", (f"{words!r} does not state a definite number, so value is null and the qualifier "
                            f"indefinite (codebook §7), not {_shown(value)}")
    elif value is not None and not _agrees(reading.value, value):
        yield "value", f"value {_shown(value)} disagrees with its words {words!r}, which state {_shown(reading.value)} (codebook §7)"
    elif value is None and quantity["qualifier"] == "indefinite":
        yield "value", f"{words!r} states the number {_shown(reading.value)}: give it as value, with a qualifier other than indefinite"
    if reading.unit and unit != reading.unit:
        yield "unit", f"the words {words!r} give the unit {reading.unit!r}, so unit is {reading.unit!r}, not {unit!r} (codebook §7)"


def _agrees(exact: Decimal, value: float | int) -> bool:
    """Whether a recorded value is the words' number; a fraction without a finite decimal (a third)
    may be rounded, to two decimals or more (0.33, 0.333)."""
    if math.isclose(float(exact), float(value), rel_tol=1e-12, abs_tol=0.0):
        return True
    decimals = -int(Decimal(str(value)).normalize().as_tuple().exponent)  # finite: the loader refuses the rest
    terminates = (exact * 10**12) == (exact * 10**12).to_integral_value()
    return not terminates and decimals >= 2 and abs(Decimal(str(value)) - exact) <= Decimal(5) / 10 ** (decimals + 1)


def _shown(number: Decimal | float | int) -> str:
    """A number as a curator would write it: 9281, 0.25, 8200000."""
    shown = format(Decimal(str(number)).normalize(), "f")
    return shown if len(shown) <= 15 else f"{float(number):.6g}"
