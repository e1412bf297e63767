"""The normalization that spans index into: artifacts go, words stay."""

from __future__ import annotations

from hrc_corpus.text import closest_passage, normalize, occurrences, paragraphs, sentences

from .conftest import REPO

PRESS = REPO / "records/statements/khm-hrc53-2023-07-16-press-release/source.md"
SPEECH = REPO / "records/statements/khm-hrc55-2024-02-26-high-level-segment/source.md"


def test_artifacts_are_removed_and_words_kept() -> None:
    text = normalize(PRESS.read_text(encoding="utf-8"))
    assert "**" not in text and "<sup>" not in text and "\n\n\n" not in text
    assert "concluded its 53rd Session on 14 July 2023" in text
    assert text.startswith("KINGDOM OF CAMBODIA\nNation Religion King\n")
    assert "Geneva, 16 July 2023 – The Human Rights Council" in text  # italics markers gone
    assert not any(line != line.strip() for line in text.split("\n"))


def test_page_break_inside_a_bullet_is_rejoined() -> None:
    text = normalize(PRESS.read_text(encoding="utf-8"))
    assert "poor. Pro-bono lawyers units of the Prime Minister" in text
    assert "Pro-bono\n" not in text


def test_every_word_of_the_source_survives() -> None:
    for path in (PRESS, SPEECH):
        source = path.read_text(encoding="utf-8")
        words = [w.strip("*") for w in source.replace("<sup>", " ").replace("</sup>", " ").split()]
        text = normalize(source)
        for word in (w for w in words if w):
            assert word in text, word


def test_numbered_paragraphs_keep_their_numbers() -> None:
    text = normalize(SPEECH.read_text(encoding="utf-8"))
    numbered = [p.number for p in paragraphs(text) if p.number is not None]
    assert numbered == list(range(1, 18))


def test_sentences_do_not_split_at_titles() -> None:
    text = normalize(SPEECH.read_text(encoding="utf-8"))
    found = [text[s.start : s.end] for s in sentences(text)]
    assert "Mr. President," in found
    assert "In July last year, Cambodia held general elections." in found
    assert all(not s.startswith(("1. ", "- ")) for s in found)


def test_normalization_is_idempotent_and_line_end_blind() -> None:
    source = SPEECH.read_text(encoding="utf-8")
    once = normalize(source)
    assert normalize(once) == once
    assert normalize(source.replace("\n", "\r\n")) == once


def test_occurrences_and_closest_passage() -> None:
    text = "Mr. President,\nPeace is vital.\nMr. President,\n"
    assert occurrences(text, "Mr. President,") == [0, 31]
    hint = closest_passage(text, "Peace is vitall.")
    assert "Peace is vital." in hint and "first difference at character 15" in hint


def test_numbers_finds_quantities_and_skips_years_dates_ordinals() -> None:
    from hrc_corpus.text import numbers
    text = "1. In 2023, on 14 July, the 53rd session saw 38 meetings, a two-way process, nearly 2,000 outlets, 8.2 million voters and half of them.\n"
    found = [text[s.start : s.end] for s in numbers(text)]
    assert found == ["38", "2,000", "8.2", "million", "half"]


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_WORDS = (r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
          r"eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|"
          r"billions?|dozens?|half|quarter")


def _numbers_as_the_codebook_words_them(text: str) -> list[tuple[int, int]]:
    """The rule in its plain form (Python's re, every number against every exempt span): the oracle."""
    import re

    exempt = [m.span() for pattern in (
        r"(?<![\d,.])(?:19|20)\d\d(?!\d|[,.]\d|%|\s*percent)",
        rf"\b\d{{1,2}}(?=\s+(?:{_MONTHS})\b)|\b(?:{_MONTHS})\s\d{{1,2}}\b",
        r"\d+(?=st|nd|rd|th)\b|\d+(?:st|nd|rd|th)\b",
        r"(?m)^\d{1,3}(?=\.\s)",
        r"(?i)\b\w+(?=-way\b)",
    ) for m in re.finditer(pattern, text)]
    return [m.span() for m in re.finditer(rf"(?i)\d[\d,.]*\d|\d|\b(?:{_WORDS})\b", text)
            if not any(a <= m.start() and m.end() <= b for a, b in exempt)]


def test_numbers_agree_with_the_plain_rule_on_any_text() -> None:
    """RE2 on an ASCII image of the text, prefilters and bisection find what Python's re and the quadratic rule find,
    also where Unicode decides: letters that match ignoring case (ſ is s, K is k), other scripts' digits and letters."""
    import random

    from hrc_corpus.text import numbers

    pieces = list("0123456789  ,.%-\n\tawytoenhfisxvrdlqu") + [
        "TWO", "Two", "way", "WAY", "-way", "st", "nd", "th", "rd", " percent", "January", "May", "December", "19", "20",
        "2023", "\u212a", "\u017f", "\u0131", "\u0130", "\u017fix", "\u017feven", "é", "ä", "٣", "²", "\u00a0", "\u2009", "–",
        "’", "_", "Ⅻ", "ﬀ", "halF", "hälf", "ñine", "nıne", "Nİne", "thousands", "1st", "22nd", "3.5", "1,000", "two-way",
        "𝟗", "\u2028", "1. ", "14 July", "July 4"]
    rng = random.Random(20261201)
    texts = [PRESS.read_text(encoding="utf-8"), SPEECH.read_text(encoding="utf-8")]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(20000)]
    for text in texts:
        assert [(s.start, s.end) for s in numbers(text)] == _numbers_as_the_codebook_words_them(text), text
