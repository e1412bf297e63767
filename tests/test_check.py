"""Broken copies of the real records: each mistake is reported at its file and line, and nothing is written."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from hrc_corpus.cli import main
from hrc_corpus.load import parse_yaml

from .conftest import output_hashes, run_cli

SPEECH = "records/statements/khm-hrc55-2024-02-26-high-level-segment"
PRESS = "records/statements/khm-hrc53-2023-07-16-press-release"
Mutation = Callable[[Any], tuple[Any, ...]]  # changes a record in place; returns where the error must point


def rewrite(root: Path, rel: str, mutate: Mutation) -> tuple[int, int]:
    """Apply a mutation to a record file (re-serialized as YAML); return the line and column it must be reported at."""
    path = root / rel
    data = parse_yaml(path.read_text(encoding="utf-8"), rel).data
    where, key = mutate(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000), encoding="utf-8")
    doc = parse_yaml(path.read_text(encoding="utf-8"), rel)
    return doc.key_positions[where] if key else doc.positions[where]


def set_(where: tuple[Any, ...], value: Any, key: bool = False) -> Mutation:
    """A mutation that sets one field."""
    def mutate(data: Any) -> tuple[Any, ...]:
        target = data
        for part in where[:-1]:
            target = target[part]
        target[where[-1]] = value(target[where[-1]]) if callable(value) else value
        return where, key
    return mutate


def on_first_claim_with(field: str, rest: tuple[Any, ...], value: Any) -> Mutation:
    """Set a field of the first claim that has `field` (records change as curation goes on)."""
    def mutate(data: Any) -> tuple[Any, ...]:
        i = next(i for i, c in enumerate(data["claims"]) if c.get(field))
        return set_(("claims", i, field) + rest, value)(data)
    return mutate


def delete(where: tuple[Any, ...]) -> Mutation:
    """A mutation that removes one field; the error points at the enclosing record."""
    def mutate(data: Any) -> tuple[Any, ...]:
        target = data
        for part in where[:-1]:
            target = target[part]
        del target[where[-1]]
        return where[:-1], False
    return mutate


def duplicate_claim_id(data: Any) -> tuple[Any, ...]:
    """Give the second claim the first claim's id."""
    data["claims"][1]["id"] = data["claims"][0]["id"]
    return ("claims", 1, "id"), False


def drop_null_reason(data: Any) -> tuple[Any, ...]:
    """Remove the reason for a null agenda item; the error points at the null field."""
    del data["null_reasons"]["agenda_item"]
    return ("agenda_item",), False


def duplicate_session(data: Any) -> tuple[Any, ...]:
    """Add a copy of the first session at the end."""
    data.append(copy.deepcopy(data[0]))  # deep: a shared facts list would be dumped as a YAML alias
    return (len(data) - 1, "id"), False


CASES = {
    "wrong enum": (f"{SPEECH}/claims.yaml", set_(("claims", 0, "type"), "statistc"), "did you mean 'statistic'"),
    "unknown field": (f"{SPEECH}/statement.yaml", set_(("venue",), "Palais des Nations", key=True), "unknown field 'venue'"),
    "missing field": (f"{SPEECH}/claims.yaml", delete(("claims", 0, "summary")), "missing field 'summary'"),
    "wrong type": (f"{PRESS}/statement.yaml", set_(("agenda_item",), "four"), "expected a whole number or null"),
    "dangling session": (f"{SPEECH}/statement.yaml", set_(("session",), "HRC99"), "unknown session 'HRC99'"),
    "dangling actor": (f"{SPEECH}/statement.yaml", set_(("speaker",), "sok-chenda"), "unknown actor 'sok-chenda'"),
    "dangling link": (f"{SPEECH}/claims.yaml", on_first_claim_with("links", (0, "to"), "khm-hrc53-2023-07-16-press-release-c999"), "unknown claim"),
    "quote not in text": (f"{SPEECH}/claims.yaml", set_(("claims", 0, "quote"), lambda q: q + " And more."), "does not occur in the statement's text"),
    "duplicate claim id": (f"{SPEECH}/claims.yaml", duplicate_claim_id, "duplicate claim id"),
    "duplicate session id": ("records/sessions.yaml", duplicate_session, "duplicate id 'HRC53'"),
    "as_written outside quote": (f"{SPEECH}/claims.yaml", on_first_claim_with("quantities", (0, "as"), "9,282"), "does not occur in the claim's quote"),
    "impossible date": (f"{PRESS}/statement.yaml", set_(("date",), "2023-02-30"), "not a real calendar date"),
    "date before session": (f"{PRESS}/statement.yaml", set_(("date",), "2023-06-01"), "before session HRC53 starts"),
    "folder and id differ": (f"{PRESS}/statement.yaml", set_(("id",), "khm-hrc53-2023-07-16-press-note"), "differs from its folder name"),
    "bad id pattern": (f"{SPEECH}/claims.yaml", set_(("claims", 0, "id"), "C1"), "does not have the expected form"),
    "null without reason": (f"{SPEECH}/statement.yaml", drop_null_reason, "agenda_item is null but null_reasons gives no reason"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_copy_is_reported_at_its_line(case: str, repo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rel, mutate, message = CASES[case]
    line, column = rewrite(repo_copy, rel, mutate)
    assert main(["--root", str(repo_copy), "check"]) == 1
    err = capsys.readouterr().err
    expected = f"{rel}:{line}:{column}:"
    assert any(line.startswith(expected) and message in line for line in err.splitlines()), f"want {expected} ... {message}\n{err}"


def test_changed_source_is_refused(repo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = repo_copy / SPEECH / "source.md"
    source.write_bytes(source.read_bytes().replace(b"9,281", b"9,821"))
    assert main(["--root", str(repo_copy), "check"]) == 1
    assert "the source document changed after it was recorded" in capsys.readouterr().err




def test_a_failing_build_writes_nothing_and_shows_no_traceback(repo_copy: Path) -> None:
    assert run_cli("build", root=repo_copy).returncode == 0
    before = output_hashes(repo_copy)
    rewrite(repo_copy, f"{SPEECH}/claims.yaml", set_(("claims", 0, "type"), "statistc"))
    rewrite(repo_copy, "records/sessions.yaml", duplicate_session)
    result = run_cli("build", root=repo_copy)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "2 problem(s); nothing was written." in result.stderr  # every problem in one run
    assert output_hashes(repo_copy) == before


def test_usage_error_exits_2() -> None:
    result = run_cli("frobnicate")
    assert result.returncode == 2 and "invalid choice" in result.stderr
