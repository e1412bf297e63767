"""Inter-coder agreement: the statistics, and the committed report matching the readings."""

from __future__ import annotations

import pytest

from hrc_corpus.agreement import (
    ClaimCode,
    IdReading,
    cohen_kappa,
    compare_by_id,
    disagreements_markdown,
    jaccard,
    link_agreement,
    match,
    multilabel_agreement,
    periods_compatible,
    read_id_reading,
    read_package,
    same_group_pairs,
    short_id,
)
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


def test_multilabel_agreement_by_hand() -> None:
    # Jaccard 1/2 and 1/2; micro F1 = 2 * 2 common / (3 + 3 labels); no set identical; first labels a=a, c=c
    report = multilabel_agreement([["a", "b"], ["c"]], [["a"], ["c", "d"]])
    assert report == {"mean_jaccard": 0.5, "micro_f1": 0.667, "exact_set_agreement": 0.0, "first_label_agreement": 1.0}
    assert multilabel_agreement([["b", "a"]], [["a", "b"]])["exact_set_agreement"] == 1.0  # order does not matter
    assert multilabel_agreement([["b", "a"]], [["a", "b"]])["first_label_agreement"] == 0.0  # except for the first


def test_grouping_into_indicators_is_compared_by_pairs() -> None:
    mine = same_group_pairs({1: "x", 2: "x", 3: "x", 4: "y"})
    theirs = same_group_pairs({1: "x", 2: "x", 3: "z", 4: "z"})
    assert mine == {frozenset((1, 2)), frozenset((1, 3)), frozenset((2, 3))}
    assert theirs == {frozenset((1, 2)), frozenset((3, 4))}


def test_periods_compare_at_the_coarser_precision() -> None:
    assert periods_compatible("2023-06-19/2023-07-14", "2023-06/2023-07")
    assert periods_compatible("2023-07", "2023")
    assert periods_compatible(None, None)
    assert not periods_compatible("2023-07", None)
    assert not periods_compatible("2020/2022", "2022")  # a span is not a year
    assert not periods_compatible("2005", "2019")


def test_links_match_as_unordered_pairs() -> None:
    mine = [("A", "B", "elaborates"), ("C", "B", "evidence_for"), ("D", "E", "continues")]
    theirs = [("B", "A", "elaborates"), ("C", "B", "elaborates"), ("F", "G", "repeats")]
    report = link_agreement(mine, theirs)
    assert (report["matched"], report["precision"], report["recall"], report["f1"]) == (2, 0.667, 0.667, 0.667)
    assert report["relation_agreement"] == 0.5  # A-B agrees; C-B does not
    assert report["direction_agreement"] == 0.5  # A→B against B→A
    assert report["relation_confusions"] == {"evidence_for / elaborates": 1}


def _code(kind: str, cw: str, themes: list[str], quantities: dict[int, tuple[str, str | None]]) -> ClaimCode:
    return ClaimCode({"type": kind, "checkworthy": cw, "attribution": "own_voice"}, themes, ["SDG16"], quantities)


def test_compare_by_id_on_a_small_reading_by_hand() -> None:
    reading = IdReading({"s-c001": _code("statistic", "cfs", ["t1"], {1: ("m1", "2023"), 2: ("m1", "2024")}),
                         "s-c002": _code("fact", "cfs", ["t1", "t2"], {1: ("m1", None)})},
                        [("s-c002", "s-c001", "elaborates")])
    published = IdReading({"s-c001": _code("statistic", "cfs", ["t1"], {1: ("m1", "2023"), 2: ("m2", "2024-02")}),
                           "s-c002": _code("action", "ufs", ["t2"], {1: ("m1", None)}),
                           "s-c003": _code("fact", "ufs", ["t3"], {})}, [])
    report = compare_by_id(reading, published)
    assert report["claims"] == {"reading": 2, "published": 3, "compared": 2}
    assert report["labels"]["type"]["agreement"] == 0.5
    assert report["labels"]["type"]["kappa"] == 0.333  # observed 1/2, chance 1*1/4 (statistic only): (1/2 - 1/4) / (3/4)
    assert report["labels"]["checkworthy"]["confusions"] == {"cfs / ufs": 1}
    assert report["themes"]["mean_jaccard"] == 0.75 and report["themes"]["micro_f1"] == 0.8
    ind = report["indicators"]
    assert ind["quantities"] == 3 and ind["measure_agreement"] == 0.667
    # reading: all three quantities one indicator (3 pairs); published: only c001 q1 and c002 q1 share one
    assert ind["same_indicator_pairs"] == {"reading": 3, "published": 1, "matched": 1,
                                           "precision": 0.333, "recall": 1.0, "f1": 0.5}
    assert (ind["period_agreement"], ind["period_compatible"]) == (0.667, 1.0)
    assert report["links"]["f1"] == 0.0 and report["links"]["relation_agreement"] is None
    listed = disagreements_markdown(reading, published)
    assert "- s c002 type: fact / action" in listed
    assert "- s c001 q2 measure: m1 / m2" in listed and "- s c001 q2 period: 2024 / 2024-02 (compatible)" in listed
    assert "- only reading: s c002 → s c001 elaborates" in listed and "## Links (1)" in listed


def test_short_claim_ids_name_the_session() -> None:
    assert short_id("khm-hrc53-2023-07-16-press-release-c007") == "hrc53 c007"


def test_third_reading_codes_every_published_claim_and_quantity() -> None:
    third = read_id_reading(REPO / "reliability/third-reading/THIRD-READING.yaml")
    published = read_package(REPO / "data")
    assert sorted(third.claims) == sorted(published.claims) and len(third.claims) == 86
    assert {i: sorted(c.quantities) for i, c in third.claims.items()} == {i: sorted(c.quantities) for i, c in published.claims.items()}
    report = compare_by_id(third, published)
    assert report["claims"]["compared"] == 86 and report["indicators"]["quantities"] == 38
    assert report["labels"]["attribution"]["agreement"] == 1.0  # checked by hand: no attribution differs


def test_reading_the_package_keeps_rank_order() -> None:
    published = read_package(REPO / "data")
    peacekeepers = published.claims["khm-hrc55-2024-02-26-high-level-segment-c014"]
    assert peacekeepers.labels["type"] == "statistic" and peacekeepers.quantities[1][0] == "peacekeepers-deployed"
    assert any(link[:2] == ("khm-hrc55-2024-02-26-high-level-segment-c014", "khm-hrc53-2023-07-16-press-release-c030")
               for link in published.links)


def test_readme_gives_the_third_readings_committed_figures() -> None:
    import json

    third = json.loads((REPO / "reliability/agreement.json").read_text(encoding="utf-8"))["third_vs_published"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    two = lambda x: f"{x:.2f}"  # noqa: E731
    labels, links = third["labels"], third["links"]
    assert f"| claim type, Cohen's kappa | {two(labels['type']['kappa'])} (raw agreement {two(labels['type']['agreement'])}) |" in readme
    assert f"| themes: mean Jaccard / micro F1 | {two(third['themes']['mean_jaccard'])} / {two(third['themes']['micro_f1'])} |" in readme
    assert (f"| links: precision / recall / F1 (as unordered pairs); same relation | {two(links['precision'])} / "
            f"{two(links['recall'])} / {two(links['f1'])}; {two(links['relation_agreement'])} |") in readme
