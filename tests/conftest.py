"""Shared fixtures and helpers: the real repository, throwaway copies of it to break, one generated
corpus, one way to run the CLI, one hash of the outputs."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# What a copy of the repository needs for check and build (never ../shared: the project keeps its own copies).
COPIED = ("records", "schema", "data", "datapackage.json")


def copy_repo(dest: Path) -> Path:
    """Copy the records, schema and committed outputs of the repository into dest."""
    for name in COPIED:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A private copy of the repository's records, schema and outputs."""
    return copy_repo(tmp_path / "repo")


def cli_command(*args: str, root: Path | None = None) -> list[str]:
    """The command line of `hrc-corpus` with these arguments (for a subprocess)."""
    cmd = [sys.executable, "-m", "hrc_corpus.cli"]
    if root is not None:
        cmd += ["--root", str(root)]
    return cmd + list(args)


def run_cli(*args: str, root: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `hrc-corpus` as a user would, in a subprocess; capture its output."""
    return subprocess.run(cli_command(*args, root=root), capture_output=True, text=True, timeout=600, env=env)


def output_hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every output file (datapackage.json, data/, dist/), by path relative to root."""
    files = [root / "datapackage.json"] if (root / "datapackage.json").exists() else []
    files += [p for d in ("data", "dist") for p in sorted((root / d).rglob("*")) if p.is_file()]
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def generate_corpus(dest: Path, claims: int, seed: int) -> Path:
    """A synthetic corpus shaped like the curated records (benchmarks/generate.py)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    root: Path = generate(dest, claims, seed=seed)
    return root


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus of 300 claims (6 statements), shared by the session: copy it before changing it."""
    return generate_corpus(tmp_path_factory.mktemp("generated") / "repo", 300, seed=11)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository with both packages freshly built (once per test session)."""
    root = copy_repo(tmp_path_factory.mktemp("built") / "repo")
    result = run_cli("build", root=root)
    assert result.returncode == 0, result.stderr
    return root


# Besides COPIED, what `hrc-corpus release` reads. Not CHANGELOG.md or releases/: a copy releases
# the current version afresh, whatever the repository has recorded.
RELEASE_INPUTS = ("CITATION.cff", ".zenodo.json")


def copy_for_release(dest: Path) -> Path:
    """A copy of the repository that can be released: records, outputs and citation metadata."""
    copy_repo(dest)
    for name in RELEASE_INPUTS:
        shutil.copy2(REPO / name, dest / name)
    return dest


def hrc(root: Path, *args: str) -> tuple[int, str]:
    """Run `hrc-corpus` in this process (much faster than a subprocess); return its exit code and stderr."""
    from hrc_corpus.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), *args])
    return code, err.getvalue()


@pytest.fixture(scope="session")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release folder of a repository copy built and released once per session (do not modify it)."""
    root = copy_for_release(tmp_path_factory.mktemp("released") / "repo")
    for command in ("build", "release"):  # build too, so the copy also has dist/parquet/ as a checkout would
        code, err = hrc(root, command)
        assert code == 0, err
    (folder,) = (root / "dist").glob("cambodia-hrc-statements-*")
    return folder
