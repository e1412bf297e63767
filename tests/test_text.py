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
