"""Inter-coder agreement: the statistics, and the committed report matching the readings."""

from __future__ import annotations

import pytest

from hrc_corpus.agreement import cohen_kappa, jaccard, match
from hrc_corpus.text import Span

from .conftest import REPO, run_cli


def test_cohen_kappa_matches_a_hand_computation() -> None:
    # observed 4/5; chance (2*2 + 2*1 + 1*2)/25 = 0.32; kappa = (0.8 - 0.32) / 0.68
    assert cohen_kappa(list("aabbc"), list("aabcc")) == pytest.approx(0.48 / 0.68)
    assert cohen_kappa(list("abab"), list("abab")) == 1.0
    assert cohen_kappa(list("aaaa"), list("aaaa")) is None  # undefined: chance agreement is 1
    assert cohen_kappa(list("ab"), list("ba")) == -1.0


def test_spans_match_one_to_one_best_first() -> None:
    first = [(Span(0, 10),), (Span(10, 20),)]
    second = [(Span(0, 9),), (Span(2, 10),), (Span(30, 40),)]
    assert jaccard(Span(0, 10), Span(0, 9)) == pytest.approx(0.9)
    assert match(first, second) == [(0, 0)]  # (0, 1) loses to the better pair; nothing overlaps claim 1


def test_committed_agreement_report_is_current() -> None:
    result = run_cli("agreement", "--check", root=REPO)
    assert result.returncode == 0, result.stderr


def test_readings_are_complete_and_independent_files() -> None:
    for reading in ("first-reading", "second-reading"):
        folder = REPO / "reliability" / reading
        assert sorted(p.name for p in folder.glob("*.yaml")) == sorted(
            f"{p.name}.yaml" for p in (REPO / "records/statements").iterdir())
        assert (folder / "NOTES.md").is_file()
