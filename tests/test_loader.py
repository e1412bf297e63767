"""load(): the version loaded, quiet downloads, HTTP status in errors, and the cached-file rule both ways."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hrc_corpus.dataset import CACHE_ENV, DatasetError, load

from .test_dataset import serving


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty download cache, set as the default."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def test_the_result_says_which_version_it_loaded(released: Path) -> None:
    tables = load(released)
    assert tables.version == tables.descriptor["version"] == released.name.rsplit("-", 1)[1]
    assert list(tables) == [r["name"] for r in tables.descriptor["resources"]]


def test_downloads_are_quiet_unless_asked(released: Path, cache: Path) -> None:
    # In a child process, as a user's script runs: pooch's log goes to the real stderr.
    script = "import sys; from hrc_corpus.dataset import load; load(sys.argv[1], verbose=sys.argv[2] == '1')"
    with serving(released) as base:
        quiet, told = (subprocess.run([sys.executable, "-c", script, base, flag], capture_output=True, text=True,
                                      env=os.environ | {CACHE_ENV: str(cache / flag)}, timeout=300) for flag in "01")
    assert quiet.returncode == told.returncode == 0, quiet.stderr + told.stderr
    assert quiet.stdout == quiet.stderr == ""
    assert "Downloading" in told.stderr and "claims.csv" in told.stderr


def test_an_http_error_names_its_status(released: Path, cache: Path, tmp_path: Path) -> None:
    folder = shutil.copytree(released, tmp_path / "incomplete")
    (folder / "claims.csv").unlink()  # listed in SHA256SUMS, but the server answers 404
    with serving(folder) as base, pytest.raises(DatasetError, match=r"claims\.csv \(HTTP 404 .*\) and it is not in the cache"):
        load(base)


def test_a_bad_cached_copy_is_downloaded_again_when_the_server_answers(released: Path, cache: Path) -> None:
    with serving(released) as base:
        good = load(base)
        (cached,) = cache.rglob("claims.csv")
        cached.write_bytes(cached.read_bytes().replace(b"statistic", b"STATISTIC", 1))
        again = load(base)
    assert cached.read_bytes() == (released / "claims.csv").read_bytes()  # replaced by a checked download
    assert again["claims"].equals(good["claims"])


def test_a_bad_cached_copy_is_refused_when_the_server_is_gone(released: Path, cache: Path) -> None:
    with serving(released) as base:
        load(base)
    (cached,) = cache.rglob("claims.csv")
    cached.write_bytes(cached.read_bytes().replace(b"statistic", b"STATISTIC", 1))
    with pytest.raises(DatasetError, match="claims.csv.*the cached copy does not match its checksum"):
        load(base)
