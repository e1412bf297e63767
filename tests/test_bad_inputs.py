"""The catalogue of bad inputs (tests/fixtures/invalid/), and of tricky inputs that are valid (valid/).

Every invalid case must make `hrc-corpus build` (or the command the case names, such as `new`)
exit 1 with the expected `path:line:column:` and message (and none in files the mistake is not
in), print no traceback, and leave every output file and every record file byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from hrc_corpus.load import YamlProblem, parse_yaml

from .conftest import output_hashes, run_cli
from .patching import Case, apply_case, load_cases, locate

INVALID = load_cases("invalid")
VALID = load_cases("valid")
OUTPUTS = ("datapackage.json", "data", "dist")
LOCATED = re.compile(r"^[^\s:][^:]*:\d+:\d+: \S")  # path:line:column: message




def record_checksums(root: Path) -> dict[str, str]:
    """SHA-256 of every file under records/, and the folders there, by path (a refused `new` adds none)."""
    found = [p for p in sorted((root / "records").rglob("*")) if p.is_file() or p.is_dir()]
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes() if p.is_file() else b"folder").hexdigest()
            for p in found}


def prepare(case: Case, built: Path, where: Path) -> tuple[Path, dict[str, str]]:
    """A built copy of the repository with the case applied; its outputs' checksums before, its records' after."""
    root = where / "repo"
    shutil.copytree(built, root, symlinks=True, ignore=shutil.ignore_patterns(".hrc-build"))
    before = output_hashes(root)
    apply_case(case, root, where / "outside")
    return root, {**before, **record_checksums(root)}


Run = tuple[Path, dict[str, str], CompletedProcess[str]] | AssertionError


def run_case(case: Case, root: Path) -> CompletedProcess[str]:
    """Run the case's command (build, unless it names another) on its patched copy."""
    return run_cli(*(arg.replace("{root}", str(root)) for arg in case.command), root=root)


@pytest.fixture(scope="module")
def invalid_runs(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every invalid case, applied and built; run two at a time, since each is mostly start-up.
    A case that no longer applies (its text left the records) fails alone, not the whole catalogue."""
    prepared: dict[str, tuple[Path, dict[str, str]] | AssertionError] = {}
    cases = {case.name: case for case in INVALID}
    for case in INVALID:
        try:
            prepared[case.name] = prepare(case, built, tmp_path_factory.mktemp(case.name))
        except AssertionError as stale:
            prepared[case.name] = stale
    ready = {name: item for name, item in prepared.items() if not isinstance(item, AssertionError)}
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(ready, pool.map(lambda name: run_case(cases[name], ready[name][0]), ready)))
    return {name: item if isinstance(item, AssertionError) else (*item, results[name]) for name, item in prepared.items()}


def test_catalogue_size() -> None:
    """The issue asks for at least 40 cases; each folder name is one case."""
    assert len(INVALID) >= 40
    assert len({c.name for c in INVALID}) == len(INVALID)


@pytest.mark.parametrize("case", INVALID, ids=lambda c: c.name)
def test_invalid_case(case: Case, invalid_runs: dict[str, Run]) -> None:
    """Exit 1, the expected located message, no traceback, outputs untouched."""
    run = invalid_runs[case.name]
    if isinstance(run, AssertionError):
        raise run
    root, before, result = run
    shown = f"\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    assert result.returncode == 1, shown
    assert "Traceback" not in result.stderr + result.stdout, shown
    lines = result.stderr.splitlines()
    assert lines and lines[0] == f"repository: {root.resolve()}", shown  # the first line names the repository
    lines = lines[1:]
    assert lines and lines[-1].endswith("problem(s); nothing was written."), shown
    assert all(LOCATED.match(line) for line in lines[:-1]), shown
    # One mistake is reported where it is: other files must not get messages about it (a typo in one
    # claim's type once made a link in another statement's file "unknown"). A case lists every file
    # with a problem; within a file, consequences may follow (an uncovered sentence, claims out of order).
    files = {where.split(":", 1)[0] for where, _ in case.expected}
    assert {line.split(":", 1)[0] for line in lines[:-1]} <= files, f"problems in files the mistake is not in{shown}"
    for where, fragment in case.expected:
        prefix, fragment = locate(where, root), locate(fragment, root, where.split(":", 1)[0])
        assert any(line.startswith(prefix) and fragment in line for line in lines), f"expected {prefix} ... {fragment}{shown}"
    assert {**output_hashes(root), **record_checksums(root)} == before


def test_four_mistakes_in_one_claim_are_four_messages(invalid_runs: dict[str, Run]) -> None:
    """Every problem in one run, and one message each: a topic typo (a schema problem) no longer sets the
    whole claim aside, so its wrong value is reported beside it, not on the next run."""
    run = invalid_runs["four-mistakes-in-one-claim"]
    if isinstance(run, AssertionError):
        raise run
    lines = run[2].stderr.splitlines()[1:-1]
    assert len(lines) == 4, run[2].stderr


@pytest.mark.parametrize("case", VALID, ids=lambda c: c.name)
def test_valid_case(case: Case, built: Path, tmp_path: Path) -> None:
    """Tricky but valid input builds, and the output holds the value as written."""
    root, _ = prepare(case, built, tmp_path)
    result = run_cli("build", root=root)
    assert result.returncode == 0, result.stderr
    for output, fragment in case.expected:
        assert fragment in (root / output).read_text(encoding="utf-8")


def test_alias_bomb_is_refused_fast_in_bounded_memory() -> None:
    """A billion laughs far bigger than the fixture's is refused at its first anchor."""
    levels = [f"l0: &l0 [{', '.join(['lol'] * 50)}]"]
    levels += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 50)}]" for i in range(1, 40)]
    text = "\n".join(levels) + "\n"
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(YamlProblem, match="anchor &l0 is not allowed"):
        parse_yaml(text, "bomb.yaml")
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 0.5
    assert peak < 2 * 1024 * 1024  # bytes: the bomb is never expanded
