"""Crash safety: a build killed at any moment leaves the complete old outputs or the complete new ones.

The test alternates the records between two versions (A and B), starts `hrc-corpus build` and
kills it with SIGKILL: at a random moment of the whole run, while it stages, or just after its
journal (the commit point) appears. After the next hrc-corpus command (`check`, which completes
a half-done commit), the SHA-256 of every output file must equal the A set or the B set exactly.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import shutil
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import pytest

from hrc_corpus.cli import main
from hrc_corpus.write import JOURNAL, WORK

from .conftest import cli_command, copy_repo, output_hashes

KILLS = 30  # bounded: about half a minute
CLAIMS = "records/statements/khm-hrc53-2023-07-16-press-release/claims.yaml"
SUMMARY = "    summary: "  # version B marks the first claim's summary (whatever curation makes it say)
MARK = "(B) "




def set_records(root: Path, version: str) -> None:
    """Switch the records to version A or B (they differ in one claim's summary)."""
    path = root / CLAIMS
    text = path.read_text(encoding="utf-8").replace(SUMMARY + MARK, SUMMARY, 1)
    path.write_text(text if version == "A" else text.replace(SUMMARY, SUMMARY + MARK, 1), encoding="utf-8")


def start_build(root: Path, *args: str) -> subprocess.Popen[bytes]:
    """`hrc-corpus build` as a subprocess."""
    return subprocess.Popen(cli_command("build", *args, root=root),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for(holds: Callable[[], bool], process: subprocess.Popen[bytes], limit: float, every: float) -> bool:
    """Poll every `every` seconds (the commit takes milliseconds) until `holds` or the process ends."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and process.poll() is None:
        if holds():
            return True
        time.sleep(every)
    return False


_OUTPUT = threading.Lock()  # redirect_stdout swaps sys.stdout for the whole process: one thread at a time


def next_command(root: Path) -> None:
    """Run `hrc-corpus check` in-process: the next command, which recovers a half-done commit."""
    with _OUTPUT, contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["--root", str(root), "check"]) == 0


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, str]], float]:
    """A repository built from records A (kept pristine: tests copy it); the output sets of A and B;
    how long a build takes."""
    root = copy_repo(tmp_path_factory.mktemp("crash") / "repo")
    sets = {}
    for version in ("B", "A"):
        set_records(root, version)
        started = time.monotonic()
        result = subprocess.run(cli_command("build", root=root), capture_output=True, text=True)
        duration = time.monotonic() - started
        assert result.returncode == 0, result.stderr
        sets[version] = output_hashes(root)
    assert sets["A"] != sets["B"] and sets["A"].keys() == sets["B"].keys()
    return root, sets, duration


def fresh(root: Path, where: Path) -> Path:
    """A private copy of the pristine repository (records A, outputs A)."""
    shutil.copytree(root, where / "repo", ignore=shutil.ignore_patterns(WORK))
    return where / "repo"


def kill_loop(root: Path, sets: dict[str, dict[str, str]], duration: float, kills: int, seed: int,
              build_args: tuple[str, ...] = ()) -> dict[str, int]:
    """Kill `kills` builds in root; after each, check the outputs are one whole set. Count the kills that landed."""
    rng = random.Random(seed)
    work = root / WORK
    current = "A"
    landed = {"anywhere": 0, "staging": 0, "commit": 0, "left a journal": 0}
    for i in range(kills):
        set_records(root, "B" if current == "A" else "A")
        moment = ("anywhere", "staging", "commit")[i % 3]
        process = start_build(root, *build_args)
        if moment == "anywhere":
            time.sleep(rng.uniform(0, duration))
        elif moment == "staging":
            wait_for(lambda: work.is_dir() and any(p.name.startswith("staging-") for p in work.iterdir()), process, 60, 0.005)
            time.sleep(rng.uniform(0, 0.3))
        else:
            wait_for(lambda: (work / JOURNAL).exists(), process, 60, 0.0002)
            time.sleep(rng.uniform(0, 0.004))
        process.send_signal(signal.SIGKILL)
        landed[moment] += process.wait() == -signal.SIGKILL
        landed["left a journal"] += (work / JOURNAL).exists()
        next_command(root)
        found = output_hashes(root)
        assert found in (sets["A"], sets["B"]), f"seed {seed}, kill {i} ({moment}): outputs are neither the old nor the new set"
        assert not (work / JOURNAL).exists()
        current = "A" if found == sets["A"] else "B"
    # And the repository is not left unable to build.
    set_records(root, "B" if current == "A" else "A")
    result = subprocess.run(cli_command("build", *build_args, root=root), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert output_hashes(root) == sets["B" if current == "A" else "A"]
    assert not [p for p in work.iterdir() if p.is_dir() and p.name.startswith(("staging-", "trash-"))], \
        "staging and trash folders are cleaned up"
    return landed


def test_sigkill_at_random_moments_leaves_old_or_new_outputs(versions: tuple[Path, dict[str, dict[str, str]], float],
                                                            tmp_path: Path) -> None:
    """KILLS builds killed (in two repositories at once, to halve the time); after each, the outputs
    are all-A or all-B, never a mix or a gap."""
    pristine, sets, duration = versions
    seed = int(os.environ.get("HRC_KILL_SEED", time.time_ns() % 2**32))
    roots = [fresh(pristine, tmp_path / str(n)) for n in range(2)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(lambda n: kill_loop(roots[n], sets, duration * 1.5, KILLS // 2, seed + n), range(2)))
    landed = {key: sum(c[key] for c in counts) for key in counts[0]}
    survived = landed["anywhere"] + landed["staging"] + landed["commit"]
    print(f"\nseed {seed}: {survived} of {KILLS} kills interrupted a running build ({landed})")
    assert survived >= KILLS * 2 // 3, "most kills must land while the build runs, or the test proves little"


def test_sigkill_during_builds_that_rewrite_only_what_changed(versions: tuple[Path, dict[str, dict[str, str]], float],
                                                            tmp_path: Path) -> None:
    """The same with --no-frictionless, where a build stages and replaces only the tables an edit changed
    (outputs.py): after each kill, the outputs are still all-A or all-B."""
    pristine, sets, _ = versions
    seed = int(os.environ.get("HRC_KILL_SEED", time.time_ns() % 2**32))
    root = fresh(pristine, tmp_path)
    set_records(root, "B")
    started = time.monotonic()  # a first build (whole: nothing recorded yet), timed; the next ones reuse what it wrote
    assert subprocess.run(cli_command("build", "--no-frictionless", root=root), capture_output=True).returncode == 0
    set_records(root, "A")
    assert subprocess.run(cli_command("build", "--no-frictionless", root=root), capture_output=True).returncode == 0
    landed = kill_loop(root, sets, (time.monotonic() - started) / 2, 18, seed, ("--no-frictionless",))
    print(f"\nseed {seed}: {landed}")
    assert landed["anywhere"] + landed["staging"] + landed["commit"] >= 6, "most kills must land while the build runs"


def test_concurrent_builds_do_not_corrupt_each_other(versions: tuple[Path, dict[str, dict[str, str]], float],
                                                     tmp_path: Path) -> None:
    """Two builds started at once both succeed (the lock queues them) and leave one complete set."""
    pristine, sets, _ = versions
    root = fresh(pristine, tmp_path)
    set_records(root, "B")
    processes = [start_build(root) for _ in range(2)]
    results = [(p.wait(), p.stderr.read().decode() if p.stderr else "") for p in processes]
    assert all(code == 0 for code, _ in results), results
    assert output_hashes(root) == sets["B"]
    assert not [p for p in (root / WORK).iterdir() if p.is_dir() and p.name.startswith(("staging-", "trash-"))]


def test_journal_left_by_a_kill_is_completed_by_check(versions: tuple[Path, dict[str, dict[str, str]], float], tmp_path: Path) -> None:
    """A commit stopped between two renames (the worst moment) by an exception, as Ctrl-C raises,
    keeps its staged files and is finished by the next command."""
    pristine, sets, _ = versions
    copy = fresh(pristine, tmp_path)
    set_records(copy, "B")
    from hrc_corpus import write

    calls = {"n": 0}
    real_replace = os.replace

    def dies_on_second_output(src: "os.PathLike[str] | str", dst: "os.PathLike[str] | str") -> None:
        """os.replace that 'crashes' after the journal and the first output's two renames."""
        if Path(dst).name == JOURNAL:  # the commit point; the renames counted come after it
            calls["n"] = 1
        elif calls["n"]:
            calls["n"] += 1
            if calls["n"] == 4:  # 2-3: datapackage.json to trash and into place; 4: data/ to trash
                raise KeyboardInterrupt("simulated kill")
        real_replace(src, dst)

    write.os.replace = dies_on_second_output  # type: ignore[assignment]
    try:
        with pytest.raises(KeyboardInterrupt), contextlib.redirect_stdout(io.StringIO()):
            main(["--root", str(copy), "build"])
    finally:
        write.os.replace = real_replace  # type: ignore[assignment]
    assert (copy / WORK / JOURNAL).exists()
    assert output_hashes(copy) not in (sets["A"], sets["B"])  # the half-done state the journal exists for
    next_command(copy)
    assert output_hashes(copy) == sets["B"]


def test_a_journal_half_written_by_a_kill_is_removed(tmp_path: Path) -> None:
    """A build killed while writing its journal (before the commit point) leaves only the journal's temporary file,
    which the next build removes without applying anything (check, which writes nothing, leaves it)."""
    root = copy_repo(tmp_path / "repo")
    before = output_hashes(root)
    (root / WORK).mkdir()
    leftover = root / WORK / f".{JOURNAL}.12345.tmp"
    leftover.write_text('{"format": 1, "staging": "staging-x", "fi', encoding="utf-8")
    with _OUTPUT, contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["--root", str(root), "build"]) == 0
    assert not leftover.exists() and not (root / WORK / JOURNAL).exists()
    after = output_hashes(root)
    assert {name: after[name] for name in before} == before  # (the copy had no dist/: the build made it)
