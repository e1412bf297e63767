"""Reporting a quote that is not in the text: the first real difference, its kind, and bounded work at any length."""

from __future__ import annotations

import unicodedata

import pytest

from hrc_corpus.text import closest_passage

TEXT = "Peace is vital. Cambodia hosted the meeting in Genève on 14 July 2023.\n"


@pytest.mark.parametrize("quote, says", [
    ("Peace is vitall.", "character 15 of the quote: the quote has an extra 'l' (U+006C LATIN SMALL LETTER L)"),
    ("Peace is vita.", "character 14 of the quote: the quote lacks the text's 'l'"),
    ("Peace is vital!", "character 15 of the quote: the quote has '!' (U+0021 EXCLAMATION MARK), the text has '.'"),
    ("Xeace is vital.", "character 1 of the quote: the quote has 'X'"),
    ("PPeace is vital.", "character 1 of the quote: the quote has an extra 'P'"),
    ("Peace s vital.", "character 7 of the quote: the quote lacks the text's 'i'"),
    ("Cambodia hosted the\u200b meeting", "invisible character the text does not have, at character 20: '\\u200b' (U+200B ZERO WIDTH SPACE)"),
    ("Cambodia hosted the meeting in Gen\u00adève", "U+00AD SOFT HYPHEN"),
    (unicodedata.normalize("NFD", "the meeting in Genève"), "only after Unicode normalization: its characters are written NFD"),
    ("eace is vital.", "but inside other words"),
    ("nothing of the sort was ever said here", "no passage of the text is close to it"),
])
def test_the_first_difference_is_named(quote: str, says: str) -> None:
    """One inserted, deleted, changed or invisible character, or another normalization, is named where it is."""
    assert says in closest_passage(TEXT, quote)


def test_the_passage_shown_is_the_sentence_that_differs() -> None:
    """The excerpt is the sentence the difference is in."""
    assert "closest passage: 'Cambodia hosted the meeting in Genève on 14 July 2023.'" in closest_passage(TEXT, "Cambodia hosted the meting")


def test_a_megabyte_quote_points_at_its_one_difference() -> None:
    """A 1 MB quote with one letter deleted half way is reported at that letter (the old report compared it with every
    sentence by difflib: 378 s; this takes a few dozen substring searches, timed in benchmarks/quotes.py)."""
    line = " ".join(f"word{i}" for i in range(150_000))  # about a megabyte, no two stretches alike
    middle = len(line) // 2
    quote = line[:middle] + line[middle + 1 :]
    message = closest_passage(line + "\n", quote)
    assert f"first difference at character {middle + 1} of the quote: the quote lacks the text's {line[middle]!r}" in message
