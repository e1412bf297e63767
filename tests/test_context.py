"""Sources, session facts and reference figures: complete on the real records, and every broken copy refused at its line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hrc_corpus.cli import main

from .conftest import REPO

REFS, SOURCES, SESSIONS = "records/references.yaml", "records/sources.yaml", "records/sessions.yaml"


def table(name: str) -> pd.DataFrame:
    """A committed table of the real data package, every value as text."""
    return pd.read_csv(REPO / "data" / f"{name}.csv", dtype=str, keep_default_na=False)


def test_every_quantity_of_a_checkworthy_statistic_has_a_reference() -> None:
    claims = table("claims")
    statistics = set(claims[(claims.claim_type == "statistic") & (claims.checkworthy == "cfs")].claim_id)
    quantities = table("quantities")
    wanted = {(c, s) for c, s in zip(quantities.claim_id, quantities.seq) if c in statistics}
    refs = table("claim_references")
    found = set(zip(refs.claim_id, refs.quantity_seq))
    assert len(wanted) >= 20 and not wanted - found, sorted(wanted - found)


def test_a_figure_has_its_source_and_a_missing_one_its_searches() -> None:
    refs, searches, sources = table("claim_references"), table("reference_searches"), table("sources")
    missing = refs.relation == "no_source_found"
    assert (refs[~missing].source_id != "").all() and (refs[~missing].as_stated != "").all()
    assert set(refs[~missing].source_id) <= set(sources.source_id)
    assert (refs[missing].source_id == "").all() and set(refs[missing].reference_id) <= set(searches.reference_id)
    # a body of the Cambodian state is never an independent source of a figure
    state = set(sources[sources.kind == "cambodian_state"].source_id)
    assert (refs[refs.source_id.isin(state)].independence == "cambodian_state").all()


def test_every_session_value_has_a_fact_stating_it() -> None:
    sessions, facts = table("sessions"), table("session_facts")
    stated = set(zip(facts.session_id, facts.field, facts.value))
    columns = {"start_date": "start", "end_date": "end", "place": "place", "president": "president",
               "high_level_segment_start": "high_level_segment_start", "high_level_segment_end": "high_level_segment_end",
               "resolutions_adopted": "resolutions_adopted"}
    for row in sessions.itertuples():
        for column, name in columns.items():
            value = getattr(row, column)
            assert value == "" or (row.session_id, name, value) in stated, (row.session_id, name, value)
    # HRC55's resolutions: the three counts found are all kept
    assert {v for s, f, v in stated if s == "HRC55" and f == "resolutions_adopted"} == {"32", "33", "34"}


def edit(root: Path, rel: str, old: str, new: str) -> int:
    """Replace text that occurs once in a record file; return the line the replacement starts on."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
    at = text.index(old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[:at].count("\n") + 1 + new[: len(new) - len(new.lstrip("\n"))].count("\n")


R002 = "  relation: same_figure\n  source: ohchr-2023-07-14-hrc53-concludes\n"
CASES = {  # file, text, replacement, lines below the replacement's first, message
    "unknown source": (REFS, R002, "  relation: same_figure\n  source: ohchr-2023-07-14-hrc53-closes\n", 1,
                       "unknown source 'ohchr-2023-07-14-hrc53-closes'"),
    "unknown claim": (REFS, "- id: r003\n  claim: khm-hrc53-2023-07-16-press-release-c001\n",
                      "- id: r003\n  claim: khm-hrc53-2023-07-16-press-release-c099\n", 1, "unknown claim"),
    "unknown statement": (REFS, "- id: r003\n  claim: khm-hrc53-2023-07-16-press-release-c001\n",
                          "- id: r003\n  claim: khm-hrc54-2023-09-11-press-release-c001\n", 1, "no statement"),
    "no such quantity": (REFS, "  quantity: 2  # 30 resolutions\n", "  quantity: 7  # 30 resolutions\n", 0,
                         "has 2 quantities, so there is no quantity 7"),
    "nothing searched": (REFS, "  relation: no_source_found\n  source: null\n  figure: null\n  attributed_to: null\n  independence: null\n  searched:\n"
                         "    - {query: Human Rights Council 53rd session closes adopts resolutions 14 July 2023, corpus: pages}\n"
                         "    - {query: Human Rights Council fifty-third session report 38 meetings adopted resolutions A/HRC/53/2, corpus: pages}\n",
                         "  relation: no_source_found\n  source: null\n  figure: null\n  attributed_to: null\n  independence: null\n", 0,
                         "no_source_found needs searched"),
    "a figure without a source": (REFS, R002, "  relation: same_figure\n  source: null\n", 1, "source must be set"),
    "a state source called independent": (REFS, '    reference_time: "2022"\n  attributed_to: null\n  independence: cambodian_state\n',
                                          '    reference_time: "2022"\n  attributed_to: null\n  independence: independent\n', 2,
                                          "is a body of the Cambodian state"),
    "value for an exact quantity": (REFS, "  quantity: 2  # 30 resolutions\n  relation: same_figure\n  source: ohchr",
                                    "  quantity: 2  # 30 resolutions\n  relation: value_for_indefinite\n  source: ohchr", 1,
                                    "stands beside an indefinite quantity, but quantity 2 is exact"),
    "a related fact with a quantity": (REFS, "  quantity: null\n  relation: related_fact\n  source: xinhua-2024-02-25",
                                       "  quantity: 1\n  relation: related_fact\n  source: xinhua-2024-02-25", 0, "quantity must be null"),
    "relation misspelt": (REFS, R002, "  relation: same_figur\n  source: ohchr-2023-07-14-hrc53-concludes\n", 0, "did you mean 'same_figure'"),
    "a session value no fact states": (SESSIONS, "  resolutions_adopted: 32\n", "  resolutions_adopted: 31\n", 0,
                                       "resolutions_adopted is 31, but no fact under facts states that value"),
    "a fact from an unknown source": (SESSIONS, "value: 33, source: kas-hrc55-key-votes}\n", "value: 33, source: kas-hrc55-votes}\n", 0,
                                      "unknown source 'kas-hrc55-votes'"),
    "a fact on a null field": (SESSIONS, "    - {field: resolutions_adopted, value: 30, source: ohchr-2023-07-14-hrc53-concludes}\n",
                               "    - {field: resolutions_adopted, value: 30, source: ohchr-2023-07-14-hrc53-concludes}\n"
                               "    - {field: high_level_segment_start, value: 2023-06-19, source: urg-hrc53-report}\n", 1,
                               "high_level_segment_start is null, but this fact states it"),
    "a duplicate source id": (SOURCES, "- id: urg-hrc53-report\n", "- id: ohchr-2023-07-14-hrc53-concludes\n", 0,
                              "duplicate source id 'ohchr-2023-07-14-hrc53-concludes'"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_context_is_reported_at_its_line(case: str, repo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rel, old, new, below, message = CASES[case]
    line = edit(repo_copy, rel, old, new) + below
    assert main(["--root", str(repo_copy), "check"]) == 1
    err = capsys.readouterr().err
    assert any(l.startswith(f"{rel}:{line}:") and message in l for l in err.splitlines()), f"want {rel}:{line}: ... {message}\n{err}"
    assert "Traceback" not in err


def test_without_references_the_corpus_builds_and_the_table_is_empty(repo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo_copy / REFS).unlink()
    assert main(["--root", str(repo_copy), "build"]) == 1  # the build refuses to drop every row unasked
    assert "claim_references" in capsys.readouterr().err
    assert main(["--root", str(repo_copy), "build", "--allow-drop"]) == 0
    capsys.readouterr()
    refs = pd.read_csv(repo_copy / "data/claim_references.csv")
    assert len(refs) == 0 and list(refs.columns)[:4] == ["reference_id", "claim_id", "quantity_seq", "relation"]
    assert len(pd.read_csv(repo_copy / "data/sources.csv")) == len(table("sources"))


def test_facts_need_the_sources_file(repo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo_copy / SOURCES).unlink()
    assert main(["--root", str(repo_copy), "check"]) == 1
    err = capsys.readouterr().err
    assert "records/sources.yaml is missing" in err and f"{REFS}:" in err and f"{SESSIONS}:" in err
