"""The second topic scheme: UHRI themes on every claim, findable by the names people search by."""

from __future__ import annotations

import pytest

from hrc_corpus.dataset import load

from .conftest import REPO


@pytest.fixture(scope="module")
def tables() -> dict:  # type: ignore[type-arg]
    """The committed data package, as a user loads it."""
    return load(REPO)


def test_every_claim_has_a_theme_and_every_theme_names_its_scheme(tables: dict) -> None:  # type: ignore[type-arg]
    """No claim without a theme; each theme is UHRI's or marked as the project's own."""
    assert set(tables["claims"]["claim_id"]) == set(tables["claim_themes"]["claim_id"])
    assert set(tables["themes"]["scheme"].astype(str)) == {"UHRI", "project"}
    project = tables["themes"][tables["themes"]["scheme"] == "project"]
    assert all(str(t).startswith("ext-") for t in project["theme_id"])


@pytest.mark.parametrize(("search", "expected"), [
    ("elections", "khm-hrc55-2024-02-26-high-level-segment-c027"),
    ("freedom of expression", "khm-hrc53-2023-07-16-press-release-c023"),
    ("civic space", "khm-hrc53-2023-07-16-press-release-c021"),
    ("migrant workers", "khm-hrc53-2023-07-16-press-release-c014"),
    ("trafficking", "khm-hrc53-2023-07-16-press-release-c016"),
    ("peace", "khm-hrc55-2024-02-26-high-level-segment-c014"),
])
def test_a_subject_is_found_by_its_everyday_name(tables: dict, search: str, expected: str) -> None:  # type: ignore[type-arg]
    """A journalist's word, matched against theme labels and search terms, finds the claims about it."""
    themes = tables["themes"]
    text = (themes["label"].astype(str) + "; " + themes["search_terms"].astype(str)).str.lower()
    found = set(themes["theme_id"][text.str.contains(search)].astype(str))
    assert found, search
    claims = set(tables["claim_themes"]["claim_id"][tables["claim_themes"]["theme_id"].astype(str).isin(found)].astype(str))
    assert expected in claims
