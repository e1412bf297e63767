"""The fast pipeline (fastbuild.py) gives the reference pipeline's tables and CSV bytes, or steps aside."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from hrc_corpus import fastbuild
from hrc_corpus.cli import run_check
from hrc_corpus.tables import build_tables
from hrc_corpus.tableschema import tables
from hrc_corpus.write import WORK, csv_bytes

from .conftest import REPO, copy_repo, run_cli

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate  # noqa: E402


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus of 300 claims (6 statements)."""
    return generate(tmp_path_factory.mktemp("gen") / "repo", 300, seed=11)


def _assert_same_as_reference(root: Path, result: fastbuild.FastResult) -> None:
    corpus = run_check(root)
    reference = build_tables(corpus)
    for table in tables(corpus.schemas):
        assert result.arrow[table.name].equals(reference[table.name]), table.name
        assert result.arrow[table.name].schema.equals(reference[table.name].schema, check_metadata=True), table.name
        assert result.csv[table.name] == csv_bytes(reference[table.name]), table.name
    assert result.claims == sum(len(s.claims) for s in corpus.statements)


@pytest.mark.parametrize("workers,pool_from", [(1, 64), (2, 1)])
def test_tables_and_csv_are_the_reference_ones(generated: Path, tmp_path: Path, workers: int, pool_from: int) -> None:
    """In one process or in a pool, cold and from the cache: the same tables and bytes as the reference."""
    root = tmp_path / "repo"
    shutil.copytree(generated, root)
    cold = fastbuild.run(root, workers=workers, pool_from=pool_from)
    assert cold is not None and cold.cached == 0
    _assert_same_as_reference(root, cold)
    warm = fastbuild.run(root, workers=workers, pool_from=pool_from)
    assert warm is not None and warm.cached == warm.statements
    _assert_same_as_reference(root, warm)


def test_the_real_records(tmp_path: Path) -> None:
    """The curated records too (links across statements, nulls with reasons, a press release)."""
    root = copy_repo(tmp_path / "repo")
    result = fastbuild.run(root)
    assert result is not None
    _assert_same_as_reference(root, result)


def test_an_edit_recomputes_only_that_statement(generated: Path, tmp_path: Path) -> None:
    """After editing one statement, only it is checked again, and the tables follow the edit."""
    root = tmp_path / "repo"
    shutil.copytree(generated, root)
    assert fastbuild.run(root) is not None
    claims = sorted((root / "records" / "statements").iterdir())[2] / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace("    summary: ", "    summary: Edited ", 1), encoding="utf-8")
    result = fastbuild.run(root)
    assert result is not None and result.cached == result.statements - 1
    _assert_same_as_reference(root, result)


BREAKS = [
    ("claims.yaml", "type: statistic", "type: statistc"),  # a schema problem
    ("claims.yaml", "    quote: ", "    quote: Not in the text. "),  # a quote not found
    ("claims.yaml", "topics: [", "topics: [SDG99, "),  # a vocabulary problem
    ("statement.yaml", "session: HRC", "session: HRC9"),  # an unknown session
    ("statement.yaml", "language: en", "language: en\nlanguage: fr"),  # a YAML problem
    ("source.md", "Mr. President", "Mister President"),  # the source changed
]


@pytest.mark.parametrize("file,old,new", BREAKS)
def test_any_problem_hands_over_to_the_reference(generated: Path, tmp_path: Path, file: str, old: str, new: str) -> None:
    """A problem anywhere, cached corpus or not, makes the fast pipeline step aside (the reference words it)."""
    root = tmp_path / "repo"
    shutil.copytree(generated, root)
    assert fastbuild.run(root) is not None  # warm the cache, so a stale entry could be tempting
    path = sorted((root / "records" / "statements").iterdir())[1] / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert fastbuild.run(root) is None
    result = run_cli("check", root=root)
    assert result.returncode == 1 and path.name in result.stderr


def test_a_dangling_link_hands_over(generated: Path, tmp_path: Path) -> None:
    """Links are checked across statements, as check._links does."""
    root = tmp_path / "repo"
    shutil.copytree(generated, root)
    folders = sorted((root / "records" / "statements").iterdir())
    claims = folders[-1] / "claims.yaml"
    text = claims.read_text(encoding="utf-8").replace(
        "    topics: [", f"    links:\n      - to: {folders[0].name}-c999\n        rel: repeats\n        note: Gone.\n    topics: [", 1)
    claims.write_text(text, encoding="utf-8")
    assert fastbuild.run(root) is None


def test_build_writes_the_cache_in_the_work_folder(generated: Path, tmp_path: Path) -> None:
    """The cache lives in the ignored work folder; a corrupt one is ignored and rewritten."""
    root = tmp_path / "repo"
    shutil.copytree(generated, root)
    assert fastbuild.run(root) is not None
    cache = root / WORK / fastbuild.RESULTS_FILE
    assert cache.is_file()
    cache.write_bytes(b"not a cache")
    result = fastbuild.run(root)
    assert result is not None and result.cached == 0
