"""Determinism: the same records give byte-identical outputs whatever the machine's settings.

Each variant builds a fresh copy of the repository in a subprocess under another time zone,
locale and hash seed, with folder listings shuffled or files created in reverse order, in
another folder; every output file's SHA-256 must equal the reference build's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .conftest import COPIED, REPO, output_hashes

SHUFFLED = str(Path(__file__).resolve().parent / "shuffled_listing.py")
VARIANTS = {
    "utc+14-C-hashseed1-shuffled": {"TZ": "Pacific/Kiritimati", "LC_ALL": "C", "PYTHONHASHSEED": "1", "HRC_LISTING_SEED": "1"},
    "utc-3:30-turkish-hashseed4242-reversed": {"TZ": "America/St_Johns", "LC_ALL": "tr_TR.UTF-8", "LANG": "tr_TR.UTF-8",
                                               "PYTHONHASHSEED": "4242", "HRC_LISTING_SEED": "2", "REVERSED": "1"},
    "utc-12-posix-hashseed987654321": {"TZ": "Etc/GMT+12", "LC_ALL": "POSIX", "PYTHONHASHSEED": "987654321"},
}




def copy_in_order(dest: Path, reverse: bool) -> None:
    """Copy the records, schema and outputs, creating entries in sorted or reverse-sorted order
    (on many file systems, creation order is listing order)."""
    for name in sorted(COPIED, reverse=reverse):
        src = REPO / name
        if src.is_file():
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
            continue
        for path in sorted(src.rglob("*"), reverse=reverse):
            target = dest / path.relative_to(REPO)
            if path.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)


def build_variant(root: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Build under the variant's environment (through the shuffling wrapper when it has a listing seed)."""
    full = {k: v for k, v in os.environ.items() if k not in ("TZ", "LANG", "LC_ALL", "PYTHONHASHSEED")} | env
    entry = [SHUFFLED] if "HRC_LISTING_SEED" in env else ["-m", "hrc_corpus.cli"]
    return subprocess.run([sys.executable, *entry, "--root", str(root), "build"], env=full,
                          capture_output=True, text=True, timeout=300)


def test_outputs_are_byte_identical_across_machines_settings(built: Path, tmp_path: Path) -> None:
    """Every variant's outputs equal the reference build's, file by file."""
    reference = output_hashes(built)
    roots = {}
    for name, env in VARIANTS.items():
        roots[name] = tmp_path / name / "repo"
        copy_in_order(roots[name], reverse="REVERSED" in env)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(VARIANTS, pool.map(lambda n: build_variant(roots[n], VARIANTS[n]), VARIANTS)))
    for name, result in results.items():
        assert result.returncode == 0, f"{name}: {result.stderr}"
        found = output_hashes(roots[name])
        differ = sorted(path for path in reference.keys() | found.keys() if reference.get(path) != found.get(path))
        assert not differ, f"{name}: these outputs differ from the reference build: {differ}"


def test_shuffled_listing_really_shuffles(tmp_path: Path) -> None:
    """The wrapper changes listing order (else the test above would prove nothing about it)."""
    for i in range(20):
        (tmp_path / f"f{i:02d}").touch()
    code = ("import os, sys; sys.path.insert(0, sys.argv[1]); import shuffled_listing as s; "
            "print(s.listdir(sys.argv[2]) == sorted(os.listdir(sys.argv[2])), "
            "[e.name for e in s.scandir(sys.argv[2])] == sorted(os.listdir(sys.argv[2])))")
    out = subprocess.run([sys.executable, "-c", code, str(Path(SHUFFLED).parent), str(tmp_path)],
                         env=os.environ | {"HRC_LISTING_SEED": "7"}, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


@pytest.mark.parametrize("tz", ["Pacific/Kiritimati", "Etc/GMT+12"])
def test_time_zone_is_honoured_by_the_child(tz: str) -> None:
    """The time zone really reaches the build's process (so the variants above differ from the reference)."""
    code = "import time; print(time.strftime('%z'))"
    out = subprocess.run([sys.executable, "-c", code], env=os.environ | {"TZ": tz}, capture_output=True, text=True, check=True).stdout
    assert out.strip() in ("+1400", "-1200")
