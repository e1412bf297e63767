"""The number rule (numbers.py): what number a quantity's words state, and the check that holds value to it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hrc_corpus.numbers import disagreements, read

from .conftest import hrc


@pytest.mark.parametrize(("words", "value", "unit"), [
    ("9,281", 9281, None), ("8.2 million", 8200000, None), ("Eighteen", 18, None), ("nine", 9, None),
    ("forty-two", 42, None), ("two thousand", 2000, None), ("a hundred", 100, None), ("half", 0.5, "fraction"),
    ("a quarter", 0.25, "fraction"), ("three quarters", 0.75, "fraction"), ("three decades", 3, "decade"),
    ("four-week", 4, "week"), ("16 percent", 16, "percent"), ("two percent", 2, "percent"), ("16%", 16, "percent"),
    ("1.5", 1.5, None),
])
def test_words_that_fix_a_number(words: str, value: float, unit: str | None) -> None:
    """Numerals, scale words, number words (text2num), fractions and unit words give one number and unit."""
    reading = read(words)
    assert reading is not None and reading.value == Decimal(str(value)) and reading.unit == unit


@pytest.mark.parametrize("words", ["several thousand", "Thousands", "millions", "tens of thousands", "a few hundred", "many"])
def test_words_that_fix_no_number_are_indefinite(words: str) -> None:
    """Vague amounts read as indefinite: the record must be value null."""
    reading = read(words)
    assert reading is not None and reading.value is None


@pytest.mark.parametrize("words", ["9,28,1", "2,000 media", "thousand-fold", "nine-ish", ""])
def test_words_in_no_known_form_are_unreadable(words: str) -> None:
    """Malformed separators and extra words are not guessed at."""
    assert read(words) is None


def test_unreadable_words_are_refused_when_they_hold_a_digit() -> None:
    """A numeral in no known form is refused on `as`; words without a digit are left to the curator."""
    assert set(dict(disagreements({"as": "9,28,1", "value": 9281, "unit": "count", "qualifier": "exact"}))) == {"as"}
    assert not list(disagreements({"as": "nine-ish", "value": 9, "unit": "count", "qualifier": "approximately"}))


def test_a_value_that_disagrees_is_named_with_the_number_the_words_state() -> None:
    """9,281 recorded as 9821 is refused on value; a percent recorded as a count on unit."""
    wrong = dict(disagreements({"as": "9,281", "value": 9821, "unit": "count", "qualifier": "exact"}))
    assert wrong == {"value": "value 9821 disagrees with its words '9,281', which state 9281 (codebook §7)"}
    assert set(dict(disagreements({"as": "16 percent", "value": 16, "unit": "count", "qualifier": "exact"}))) == {"unit"}
    assert not list(disagreements({"as": "8.2 million", "value": 8200000, "unit": "count", "qualifier": "more_than"}))
    assert not list(disagreements({"as": "a third", "value": 0.333, "unit": "fraction", "qualifier": "approximately"}))
    assert list(disagreements({"as": "a third", "value": 0.3, "unit": "fraction", "qualifier": "approximately"}))


def test_every_published_quantity_agrees_with_its_words(built) -> None:  # type: ignore[no-untyped-def]
    """The real records pass the rule, and so the check (which also runs it) passes."""
    import yaml

    for path in sorted((built / "records" / "statements").glob("*/claims.yaml")):
        for claim in yaml.safe_load(path.read_text(encoding="utf-8"))["claims"]:
            for quantity in claim.get("quantities", []):
                assert read(quantity["as"]) is not None, (path.parent.name, claim["id"], quantity)
                assert not list(disagreements(quantity)), (path.parent.name, claim["id"], quantity)
    assert hrc(built, "check")[0] == 0


def test_quantities_sharing_an_indicator_share_its_unit(built) -> None:  # type: ignore[no-untyped-def]
    """An indicator measures one thing one way: every quantity of it is in the indicator's unit (x-unit)."""
    import json

    import yaml

    indicators = {t["const"]: t["x-unit"] for t in json.loads((built / "schema/vocab/indicator.json").read_text(encoding="utf-8"))["anyOf"]}
    used = set()
    for path in sorted((built / "records" / "statements").glob("*/claims.yaml")):
        for claim in yaml.safe_load(path.read_text(encoding="utf-8"))["claims"]:
            for quantity in claim.get("quantities", []):
                assert quantity["unit"] == indicators[quantity["measure"]], (path.parent.name, claim["id"], quantity)
                used.add(quantity["measure"])
    assert used == set(indicators), set(indicators) - used  # no indicator is defined that nothing uses
