"""Run one hostile case's command and fingerprint everything around it; with a fault, in a private mount namespace.

`python -m tests.faults` reads a JSON spec on standard input: `where` (a folder holding `repo/`,
the prepared repository copy, and `outside/`, the sentinel tree beside it), `command` (the
hrc-corpus arguments) and `fault` (optional). It prints JSON: the exit code, stdout, stderr, and
the SHA-256 of every file under `where` before and after the command (a link as its target).

A fault needs root and `unshare -m` (test_hostile.py starts this module that way); it is made
inside the namespace only, so the machine never sees it:

- `free: N`: `where` is copied onto a tmpfs of `size` bytes, filled until N bytes are left;
- `readonly: [paths]`: each path (relative to the repository, "." for its root) is bind-mounted read-only;
- `denied: [paths]`: each path is made mode 0555 (`unreadable`: 0000), and the command runs without
  the capabilities that let root write anyway (CAP_DAC_OVERRIDE and friends), so it gets "permission denied".
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

FILLER = "filler"  # on the tmpfs, beside the copy of `where`


def tree(where: Path) -> dict[str, str]:
    """SHA-256 of every file under where (a link as 'link:' and its target; a folder as 'folder'), by relative path."""
    found: dict[str, str] = {}
    for folder, dirs, files in os.walk(where):
        for name in dirs + files:
            path = Path(folder) / name
            rel = path.relative_to(where).as_posix()
            if path.is_symlink():
                found[rel] = "link:" + os.readlink(path)
            elif path.is_dir():
                found[rel] = "folder"
            elif path.is_file():
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[rel] = "special"
    return found


def run(where: Path, command: list[str], drop_capabilities: bool = False) -> dict[str, Any]:
    """Fingerprint where, run hrc-corpus on where/repo, fingerprint again."""
    before = tree(where)
    cmd = [sys.executable, "-m", "hrc_corpus.cli", "--root", str(where / "repo"), *command]
    if drop_capabilities:
        cmd = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", *cmd]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    return {"code": result.returncode, "stdout": result.stdout, "stderr": result.stderr, "before": before, "after": tree(where)}


def _fill(mount: Path, leave: int) -> None:
    """Write a filler file until only `leave` bytes are free on the file system at mount."""
    with open(mount / FILLER, "wb") as f:
        while True:
            space = os.statvfs(mount)
            free = space.f_bavail * space.f_frsize
            if free <= leave:
                break
            try:
                f.write(b"\0" * min(free - leave, 1 << 20))
                f.flush()
            except OSError:
                break


def faulty(spec: dict[str, Any]) -> dict[str, Any]:
    """Make the fault (we are in a private mount namespace), then run."""
    where, fault = Path(spec["where"]), spec["fault"]
    if "free" in fault:
        mount = where.with_name(where.name + "-tmpfs")
        mount.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={fault.get('size', 16 << 20)}", "tmpfs", str(mount)], check=True)
        shutil.copytree(where, mount / "w", symlinks=True)
        where = mount / "w"
        _fill(mount, fault["free"])
    for rel in fault.get("readonly", []):
        path = where / "repo" / rel
        subprocess.run(["mount", "--bind", str(path), str(path)], check=True)
        subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], check=True)
    modes = {rel: 0o555 for rel in fault.get("denied", [])} | {rel: 0o000 for rel in fault.get("unreadable", [])}
    before = {rel: os.stat(where / "repo" / rel).st_mode for rel in modes}
    for rel, mode in modes.items():
        os.chmod(where / "repo" / rel, mode)
    try:
        return run(where, spec["command"], drop_capabilities=bool(modes))
    finally:
        for rel, mode in before.items():
            os.chmod(where / "repo" / rel, mode)


def main() -> None:
    """Read the spec, run, print the result."""
    spec = json.load(sys.stdin)
    result = faulty(spec) if spec.get("fault") else run(Path(spec["where"]), spec["command"])
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
