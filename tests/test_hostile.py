"""The catalogue of hostile trees and faults (tests/fixtures/hostile/): nothing in a repository, and nothing
the system refuses, may turn the build against its user.

Each case is a built copy of the repository (`repo/`) beside a sentinel tree (`outside/`: a home
folder, a victim folder, a sibling project), with a user's own files planted in the output folders,
patched as its case.yaml says; then one hrc-corpus command runs (under a fault, in a private mount
namespace, where the case has one: tests/faults.py). Every case must:

- exit as expected, saying what it expects, in plain lines (no traceback);
- leave every file outside the repository, every record, every user file and every output byte for
  byte as it was (the outputs are rebuilt from the same records, so old and new are the same set),
  and leave nothing behind: the only files that may appear or change are the build's lock and caches
  in .hrc-build/, and those the case lists under `changed`.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from hrc_corpus.write import JOURNAL, WORK

from .conftest import REPO, copy_repo
from .faults import tree
from .patching import FIXTURES, Case, apply_case
from .test_bad_inputs import LOCATED

HOSTILE = FIXTURES / "hostile"
# A user's own files in the output folders, and the sentinel tree beside the repository.
USER_FILES = {"repo/data/notes.xlsx": b"PK\x03\x04 my spreadsheet", "repo/data/notes/readme.txt": b"my notes\n",
              "repo/dist/parquet/mine.txt": b"mine\n"}
SENTINELS = {"outside/home/.bashrc": b"export PATH=$HOME/bin:$PATH\n", "outside/victimdir/keep/a.txt": b"keep me\n",
             "outside/victimdir/sub/b.txt": b"and me\n", "outside/sibling/records/sessions.yaml": b"- id: HRC1\n"}
# What any command may make or change: the build's lock and caches in its working folder.
ALLOWED = ("repo/.hrc-build", "repo/.hrc-build/lock", "repo/.hrc-build/cache", "repo/.hrc-build/cache/*")


def load_hostile() -> list[tuple[Case, dict[str, Any]]]:
    """Every case under tests/fixtures/hostile/, with its command, fault and expectations."""
    cases = []
    for folder in sorted(p for p in HOSTILE.iterdir() if p.is_dir()):
        spec = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
        assert spec.get("about") and "expect" in spec, f"{folder.name}: case.yaml needs about and expect"
        cases.append((Case(folder.name, spec["about"], spec.get("steps", []), []), spec))
    return cases


CASES = load_hostile()


def namespaces_work() -> bool:
    """Whether this machine lets us make faults in a private mount namespace (root, and unshare allowed)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0


NAMESPACES = namespaces_work()


def prepare(case: Case, spec: dict[str, Any], built: Path, where: Path) -> None:
    """The built copy, the sentinels and user files, a git repository if asked, then the case's steps."""
    shutil.copytree(built, where / "repo", symlinks=True, ignore=shutil.ignore_patterns(WORK))
    if spec.get("git"):
        git = ["git", "-C", str(where / "repo"), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
        subprocess.run(git + ["init", "-q"], check=True)
        subprocess.run(git + ["add", "-A", "records", "schema", "data", "datapackage.json"], check=True)
        subprocess.run(git + ["commit", "-qm", "records"], check=True)
    for rel, data in (SENTINELS | USER_FILES).items():  # after the commit: the user's files are not committed
        (where / rel).parent.mkdir(parents=True, exist_ok=True)
        (where / rel).write_bytes(data)
    apply_case(case, where / "repo", where / "outside")


def run_case(spec: dict[str, Any], where: Path) -> dict[str, Any]:
    """Run the case's command through tests/faults.py (in a mount namespace if it has a fault)."""
    payload = {"where": str(where), "command": spec.get("command", ["build"]), "fault": spec.get("fault")}
    cmd = [sys.executable, "-m", "tests.faults"]
    if spec.get("fault"):
        cmd = ["unshare", "-m", *cmd]
    env = os.environ | {"PYTHONPATH": str(REPO)}
    done = subprocess.run(cmd, input=json.dumps(payload), capture_output=True, text=True, cwd=REPO, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def hostile_runs(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any] | str]:
    """Every case prepared and run, two at a time; a case that cannot run here says why (a string)."""
    ready: dict[str, tuple[dict[str, Any], Path]] = {}
    runs: dict[str, dict[str, Any] | str] = {}
    for case, spec in CASES:
        if spec.get("fault") and not NAMESPACES:
            runs[case.name] = "faults need root and unshare -m (CI runs as root)"
            continue
        where = tmp_path_factory.mktemp(case.name)
        prepare(case, spec, built, where)
        ready[case.name] = (spec, where)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda item: run_case(*item), ready.values())
        runs |= dict(zip(ready, results))
    return runs


def test_catalogue_size() -> None:
    """The catalogue covers each kind the issue names, with relatives."""
    assert len(CASES) >= 30
    kinds = {name.split("-", 1)[0] for name in (c.name for c, _ in CASES)}
    assert {"journal", "workdir", "committed", "target", "user", "drop", "disk", "readonly", "denied"} <= kinds


def allowed(path: str, spec: dict[str, Any]) -> bool:
    """Whether a path may differ after the command."""
    patterns = ALLOWED + tuple(spec["expect"].get("changed", []))
    return any(fnmatch.fnmatchcase(path, p) for p in patterns)


@pytest.mark.parametrize("case", [c for c, _ in CASES], ids=lambda c: c.name)
def test_hostile_case(case: Case, hostile_runs: dict[str, dict[str, Any] | str]) -> None:
    """Exit as expected with a plain message; nothing outside touched, no user file lost, no output changed, nothing left."""
    run = hostile_runs[case.name]
    if isinstance(run, str):
        pytest.skip(run)
    spec = next(s for c, s in CASES if c.name == case.name)
    expect = spec["expect"]
    shown = f"\n--- stdout\n{run['stdout']}\n--- stderr\n{run['stderr']}"
    assert run["code"] == expect.get("exit", 1), shown
    assert "Traceback" not in run["stdout"] + run["stderr"], shown
    assert run["stderr"].startswith("repository: "), shown  # the first line names the repository
    for fragment in expect.get("says", []):
        assert fragment in run["stdout"] + run["stderr"], f"expected {fragment!r}{shown}"
    for line in run["stderr"].splitlines()[1:]:  # every message one line: hrc-corpus: ..., a located problem, a stale file
        assert line.startswith(("hrc-corpus: ", "stale: ", "The committed data package")) or LOCATED.match(line) \
            or line.endswith("problem(s); nothing was written."), shown
    before, after = run["before"], run["after"]
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    assert [p for p in changed if not allowed(p, spec)] == [], f"changed or left behind{shown}"
    for rel in USER_FILES:
        if rel in before:  # (a case that replaced an output folder by a link removed them itself)
            assert after.get(rel) == before[rel], f"user file {rel} lost{shown}"
    assert not [p for p in after if p.startswith("outside/") and after[p] != before.get(p)]


def test_kill_during_commit_keeps_user_files(built: Path, tmp_path: Path) -> None:
    """8 builds killed at the commit point, with a user's files in data/: after the next command, the outputs are
    one whole set and every user file is there, byte for byte."""
    root = tmp_path / "repo"
    shutil.copytree(built, root, symlinks=True, ignore=shutil.ignore_patterns(WORK))
    user = {root / "data/notes.xlsx": b"mine", root / "dist/parquet/mine.txt": b"mine too"}
    for path, data in user.items():
        path.write_bytes(data)
    outputs = {p: tree(root)[p] for p in tree(root) if p.startswith(("data/", "dist/parquet/", "datapackage.json"))}
    claims = root / "records/statements/khm-hrc53-2023-07-16-press-release/claims.yaml"
    pristine = claims.read_bytes()
    landed = 0
    for i in range(8):
        claims.write_bytes(pristine.replace(b"    summary: ", b"    summary: (B) ", 1) if i % 2 == 0 else pristine)
        process = subprocess.Popen([sys.executable, "-m", "hrc_corpus.cli", "--root", str(root), "build"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline and not (root / WORK / JOURNAL).exists():
            time.sleep(0.0002)
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGKILL)
        landed += process.wait() == -signal.SIGKILL
        check = subprocess.run([sys.executable, "-m", "hrc_corpus.cli", "--root", str(root), "check"], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        assert not (root / WORK / JOURNAL).exists()
        for path, data in user.items():
            assert path.read_bytes() == data
    claims.write_bytes(pristine)
    final = subprocess.run([sys.executable, "-m", "hrc_corpus.cli", "--root", str(root), "build"], capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    assert {p: tree(root)[p] for p in outputs} == outputs
    assert landed >= 3, "kills must land while the build runs, or the test proves little"


def test_root_is_the_repository_you_stand_in(built: Path, tmp_path: Path) -> None:
    """From a folder inside a second clone, the CLI checks that clone (not the one it was installed from) and says so."""
    clone = copy_repo(tmp_path / "clone")
    (clone / "records/statements/khm-hrc53-2023-07-16-press-release/claims.yaml").write_text("claims: [\n", encoding="utf-8")
    inside = clone / "records" / "statements"
    result = subprocess.run([sys.executable, "-m", "hrc_corpus.cli", "check"], capture_output=True, text=True, cwd=inside)
    assert result.stderr.splitlines()[0] == f"repository: {clone}"
    assert result.returncode == 1 and "claims.yaml" in result.stderr  # the clone's broken file, not REPO's good one


@pytest.mark.parametrize("where, says", [("file", "is a file, not a folder"), ("missing", "does not exist"), ("nowhere", "no repository here")])
def test_root_that_is_not_a_repository(tmp_path: Path, where: str, says: str) -> None:
    """--root at a file or a missing folder, or no repository above the current folder: a usage error, exit 2."""
    (tmp_path / "file").write_text("x", encoding="utf-8")
    args = [] if where == "nowhere" else ["--root", str(tmp_path / where)]
    result = subprocess.run([sys.executable, "-m", "hrc_corpus.cli", *args, "check"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2 and says in result.stderr and "Traceback" not in result.stderr
