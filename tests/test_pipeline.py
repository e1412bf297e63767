"""Differential tests of the whole pipeline: every choice of backend × workers × cache gives the oracle's answer.

The oracle is pipeline.STRICT (`hrc-corpus --strict`): the reference backends, one process, no
cache, the whole corpus at once. Compared: the problems (every message, line and column) of
every case of the bad-input catalogue and of broken generated corpora, and the tables, CSV
bytes and summaries of the real records, the tricky valid cases and generated corpora. With
the cache, each case runs twice: cold, then warm (answered from the cache).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from hrc_corpus.cache import FOLDER
from hrc_corpus.cli import main
from hrc_corpus.files import WORK
from hrc_corpus.load import BACKENDS
from hrc_corpus.pipeline import STAMP, STRICT, Options, run
from hrc_corpus.problems import RecordError

from .conftest import REPO, copy_repo, output_hashes, run_cli
from .patching import apply_case, load_cases

# pool_from=1: the worker processes are used even for the two statements of the real records.
MATRIX = [Options(backend, workers, cache, pool_from=1) for backend in BACKENDS for workers in (1, 2) for cache in (False, True)]
# The catalogue is large: each backend, worker count and cache setting at least once, not every product.
CATALOGUE_OPTIONS = [Options("fast", 1, False), Options("reference", 1, True), Options("fast", 2, True, pool_from=1)]


def label(options: Options) -> str:
    """A test id for a set of options."""
    return f"{options.backend}-{options.workers}w-{'cache' if options.cache else 'nocache'}"


def outcome(root: Path, options: Options, tabulate: bool = True) -> Any:
    """What a run answers: its problems, or its CSV files, tables and summary lines."""
    try:
        result = run(root, options, tabulate)
    except RecordError as exc:
        return ("problems", [str(p) for p in exc.problems])
    tables = {name: (t.schema.to_string(), t.to_pylist()) for name, t in result.arrow.items()}
    return ("ok", result.csv, tables, [c.line() for c in result.coverage])


_ORACLE: dict[tuple[Path, bool], Any] = {}  # the catalogue's oracle answers, computed once per case


def assert_same(root: Path, options: Options, tabulate: bool = True, remember: bool = False) -> Any:
    """Run with the options (twice with the cache: cold, then warm) and compare with the oracle; return the answer."""
    shutil.rmtree(root / WORK, ignore_errors=True)
    if not remember or (root, tabulate) not in _ORACLE:
        _ORACLE[root, tabulate] = outcome(root, STRICT, tabulate)
    expected = _ORACLE[root, tabulate]
    assert outcome(root, options, tabulate) == expected
    if options.cache:
        if expected[0] == "ok":
            assert any((root / WORK / FOLDER).iterdir())
        assert outcome(root, options, tabulate) == expected  # warm: from the cache
    return expected


@pytest.mark.parametrize("options", MATRIX, ids=label)
def test_real_records(options: Options, repo_copy: Path) -> None:
    """The curated records (links across statements, nulls with reasons, a press release)."""
    answer = assert_same(repo_copy, options)
    assert answer[0] == "ok" and answer[1]["claims"] == (REPO / "data" / "claims.csv").read_bytes()


@pytest.mark.parametrize("options", MATRIX, ids=label)
def test_generated_corpus(options: Options, generated: Path, tmp_path: Path) -> None:
    """A generated corpus of 300 claims."""
    root = tmp_path / "repo"
    shutil.copytree(generated, root)
    assert assert_same(root, options)[0] == "ok"


def break_corpus(root: Path) -> None:
    """Put several kinds of mistake into a generated corpus, in several files."""
    folders = sorted((root / "records" / "statements").iterdir())
    edits = [
        (folders[0] / "claims.yaml", "type: statistic", "type: statistc"),  # a vocabulary typo
        (folders[0] / "claims.yaml", "checkworthy: cfs", "checkworthy: true"),  # a wrong type
        (folders[1] / "statement.yaml", "language: en", "language: EN"),  # a pattern
        (folders[2] / "claims.yaml", "    quote: ", "    quote: Not in the text. "),  # a quote not in the text
        (next(f for f in folders[3:] if '{as: "' in (f / "claims.yaml").read_text(encoding="utf-8")) / "claims.yaml",
         '{as: "', '{as: 12, was: "'),  # an unquoted number where text is expected, and an unknown field
        (root / "records" / "entities.yaml", "kind: ", "kind: ~ # "),  # a null in a shared file
        (folders[-1] / "claims.yaml", "    topics: [", f"    links:\n      - to: {folders[0].name}-c999\n"
                                                   "        rel: repeats\n        note: Gone.\n    topics: ["),  # dangling
    ]
    for path, old, new in edits:
        text = path.read_text(encoding="utf-8")
        assert old in text, (path, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("options", MATRIX, ids=label)
def test_broken_generated_corpus(options: Options, generated: Path, tmp_path: Path) -> None:
    """Mistakes in many files at once: the same problems, with the same lines and columns, all in one run."""
    root = tmp_path / "repo"
    shutil.copytree(generated, root)
    break_corpus(root)
    answer = assert_same(root, options)
    assert answer[0] == "problems"
    files = {line.split(":", 1)[0] for line in answer[1]}
    assert len(files) >= 6, answer[1]  # every broken file reports its problem in this one run
    assert any("c999" in line for line in answer[1])  # the dangling link too


INVALID = [case for case in load_cases("invalid") if case.command == ("build",)]  # not the cases of `hrc-corpus new`
VALID = [case for case in load_cases("valid") if case.command == ("build",)]


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every case of the bad-input and valid catalogues, applied to its own copy of the records."""
    roots = {}
    for case in INVALID + VALID:
        where = tmp_path_factory.mktemp(case.name)
        root = copy_repo(where / "repo")
        apply_case(case, root, where / "outside")
        roots[case.name] = root
    return roots


@pytest.mark.parametrize("options", CATALOGUE_OPTIONS, ids=label)
def test_bad_input_catalogue(options: Options, catalogue: dict[str, Path]) -> None:
    """Every bad input: the oracle's problems, exactly; every tricky valid input: the oracle's tables."""
    for case in INVALID:
        answer = assert_same(catalogue[case.name], options, tabulate=False, remember=True)
        assert answer[0] == "problems", case.name
    for case in VALID:
        assert assert_same(catalogue[case.name], options, remember=True)[0] == "ok", case.name


def test_the_catalogue_holds_the_line_end_relatives() -> None:
    """U+0085 and its relatives, raw in quoted, plain and block values, are cases of the catalogue."""
    names = {case.name for case in INVALID}
    assert {"nel-in-single-quotes", "nel-in-double-quotes", "line-separator-in-block", "paragraph-separator-in-plain",
            "nel-in-shared-file"} <= names
    assert "nel-escaped-in-double-quotes" in {case.name for case in VALID}  # data, kept exactly


def test_options_are_checked() -> None:
    """A backend that does not exist is refused, not silently replaced."""
    with pytest.raises(ValueError, match="unknown backend"):
        Options("speedy")
    assert STRICT.strict and not Options().strict


# The cache: an optimisation that can never change an answer.

def entries(root: Path) -> list[Path]:
    """The cache's entry files."""
    return sorted(p for p in (root / WORK / FOLDER).glob("*.json") if len(p.stem) == 64)  # not the last build's record


def test_an_edit_recomputes_only_that_statement(generated: Path, tmp_path: Path) -> None:
    """After editing one statement, only it is checked again, and the tables follow the edit."""
    root = tmp_path / "repo"
    shutil.copytree(generated, root)
    cold = run(root, Options(workers=1))
    assert cold.cached == 0 and len(entries(root)) == cold.statements + 1  # one per statement, and the statements' index
    claims = sorted((root / "records" / "statements").iterdir())[2] / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace("    summary: ", "    summary: Edited ", 1), encoding="utf-8")
    warm = run(root, Options(workers=1))
    assert warm.cached == warm.statements - 1
    assert b"Edited " in warm.csv["claims"]
    assert len(entries(root)) == warm.statements + 1  # the entry of the old content is pruned
    assert outcome(root, Options(workers=1)) == outcome(root, STRICT)


def test_the_key_covers_schemas_and_vocabularies(repo_copy: Path) -> None:
    """A changed vocabulary (even only a description) makes every cached result stale."""
    assert run(repo_copy, Options(workers=1)).cached == 0
    assert run(repo_copy, Options(workers=1)).cached == 2
    vocab = repo_copy / "schema" / "vocab" / "unit.json"
    vocab.write_text(vocab.read_text(encoding="utf-8").replace('"description": "', '"description": "Changed. ', 1),
                     encoding="utf-8")
    assert run(repo_copy, Options(workers=1)).cached == 0


def test_entries_are_plain_json_that_name_their_own_key(repo_copy: Path) -> None:
    """No marshal, no pickle: each entry is a JSON header (its key and digest) and a JSON value."""
    run(repo_copy, Options(workers=1))
    found = entries(repo_copy)
    assert len(found) == 3  # the two statements' results, and the statements' index
    for path in found:
        head, body = path.read_bytes().split(b"\n", 1)
        assert json.loads(head) == {"key": path.stem, "sha256": hashlib.sha256(body).hexdigest()}
        assert isinstance(json.loads(body), dict)


def poison(root: Path, old: bytes, new: bytes, fix_digest: bool) -> None:
    """Edit the cache entries that hold `old`; with fix_digest, as an attacker would, so the entry still looks sound."""
    hit = False
    for path in entries(root):
        head, body = path.read_bytes().split(b"\n", 1)
        if old in body:
            body = body.replace(old, new)
            if fix_digest:
                head = json.dumps({"key": path.stem, "sha256": hashlib.sha256(body).hexdigest()}).encode()
            path.write_bytes(head + b"\n" + body)
            hit = True
    assert hit


def forget_index_and_outputs(root: Path) -> None:
    """Delete the cache's two entries that are no statement's: the statements' index and the record of the outputs."""
    for path in entries(root):
        if set(json.loads(path.read_bytes().split(b"\n", 1)[1])) in ({"statements"}, {"tables"}):
            path.unlink()


def test_a_damaged_entry_is_recomputed(repo_copy: Path) -> None:
    """An entry whose content is not what its digest says, or not JSON, is not used."""
    expected = outcome(repo_copy, STRICT)
    run(repo_copy, Options(workers=1))
    poison(repo_copy, b"9,281", b"9,999", fix_digest=False)
    entries(repo_copy)[0].write_bytes(b"\x80\x04garbage")
    assert outcome(repo_copy, Options(workers=1)) == expected


def test_a_poisoned_cache_cannot_pass_build_check(repo_copy: Path) -> None:
    """Cached rows edited to match edited data/ (digests fixed): `build --check`, what CI runs, still says stale."""
    assert run_cli("build", root=repo_copy).returncode == 0
    before = output_hashes(repo_copy)
    poison(repo_copy, b",9281,", b",9821,", fix_digest=True)  # a quantity's value, in the cached CSV lines
    (repo_copy / WORK / FOLDER / STAMP).unlink(missing_ok=True)  # so that the build does not find itself up to date
    forget_index_and_outputs(repo_copy)  # so that it takes the rows from the poisoned entries
    assert run_cli("build", root=repo_copy).returncode == 0  # a plain build trusts its own cache ...
    assert output_hashes(repo_copy) != before  # ... so the poisoned value reached data/, as a committed cache would
    check = run_cli("build", "--check", root=repo_copy)
    assert check.returncode == 1 and "data/quantities.csv: differs from what the records produce" in check.stderr
    assert run_cli("--strict", "build", "--check", root=repo_copy).returncode == 1


def test_a_cache_made_elsewhere_is_never_used(repo_copy: Path, tmp_path: Path) -> None:
    """A repository that arrives with a .hrc-build/cache (committed, or copied along) starts with a cold cache."""
    assert run(repo_copy, Options(workers=1)).cached == 0
    assert run(repo_copy, Options(workers=1)).cached == 2
    poison(repo_copy, b",9281,", b",9821,", fix_digest=True)
    elsewhere = tmp_path / "clone"
    shutil.copytree(repo_copy, elsewhere)
    result = run(elsewhere, Options(workers=1))
    assert result.cached == 0 and b",9281," in result.csv["quantities"]


def backdate(root: Path) -> None:
    """Make every record file an hour old (as files are between edits), so a build may record them."""
    for path in (root / "records").rglob("*"):
        if path.is_file():
            os.utime(path, (time.time() - 3600, time.time() - 3600))


def test_a_build_with_nothing_changed_does_nothing(repo_copy: Path) -> None:
    """Nothing read or written since the last build: `up to date`; any change to a record or an output: a build."""
    backdate(repo_copy)
    code, _, out = hrc_out(repo_copy, "build")
    assert code == 0 and out.startswith("built ")
    built = output_hashes(repo_copy)
    code, _, out = hrc_out(repo_copy, "build")
    assert code == 0 and out.startswith("up to date") and "claims 86" in out and output_hashes(repo_copy) == built
    data = repo_copy / "data" / "claims.csv"
    data.write_bytes(data.read_bytes() + b"x")  # an output edited by hand
    assert hrc_out(repo_copy, "build")[2].startswith("built ") and output_hashes(repo_copy) == built
    claims = repo_copy / "records" / "statements" / "khm-hrc53-2023-07-16-press-release" / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace("    summary: ", "    summary: Edited ", 1), encoding="utf-8")
    assert hrc_out(repo_copy, "build")[2].startswith("built ")  # a record edited just now ...
    assert hrc_out(repo_copy, "build")[2].startswith("built ")  # ... is not trusted to keep its identity
    assert b"Edited " in data.read_bytes()
    assert hrc_out(repo_copy, "build", "--check")[0] == 0  # --check always recomputes


def hrc_out(root: Path, *args: str) -> tuple[int, str, str]:
    """Run `hrc-corpus` in this process; its exit code, stderr and stdout."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(root), *args])
    return code, err.getvalue(), out.getvalue()
