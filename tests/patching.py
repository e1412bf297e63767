"""Fixture cases (tests/fixtures/<kind>/<case>/): a copy of the repository, patched as case.yaml says.

Each case folder holds:

- case.yaml: `about` (one line: the mistake) and `steps`, each naming a `file` of the repository
  (relative to its root) and one operation on it (see OPERATIONS); optionally `command`, the
  hrc-corpus command to run instead of `build` (a list of arguments; `{root}` is the copy's folder);
- expected.txt: pairs of lines. For an invalid case, a `path:line:column:` prefix and a fragment of
  the message the problem must have. For a valid case, an output file and a fragment it must hold.

Patches search for stable text (the seed claims c001, statement.yaml fields), never for line numbers,
so cases stay valid while the records grow. A location may be written `{at:TEXT}`: the line and column
where TEXT first occurs in the patched file, at the `|` inside TEXT if there is one; `{line:TEXT}` is
the line alone (for messages that name a line).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures"
_AT = re.compile(r"\{(at|line):([^}]*)\}")


@dataclass(frozen=True)
class Case:
    """One fixture case: what it breaks (or keeps valid), how, and what must come out."""

    name: str
    about: str
    steps: list[dict[str, Any]]
    expected: list[tuple[str, str]]  # (location or output file, fragment)
    command: tuple[str, ...] = ("build",)  # the hrc-corpus command run on the patched copy; {root} is its folder


def load_cases(kind: str) -> list[Case]:
    """Every case under tests/fixtures/<kind>/, sorted by name."""
    cases = []
    for folder in sorted(p for p in (FIXTURES / kind).iterdir() if p.is_dir()):
        spec = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
        lines = [line for line in (folder / "expected.txt").read_text(encoding="utf-8").split("\n") if line.strip()]
        assert spec.get("about") and spec.get("steps"), f"{folder.name}: case.yaml needs about and steps"
        assert lines and len(lines) % 2 == 0, f"{folder.name}: expected.txt holds pairs of lines"
        command = tuple(str(arg) for arg in spec.get("command", ["build"]))
        cases.append(Case(folder.name, spec["about"], spec["steps"], list(zip(lines[::2], lines[1::2])), command))
    return cases


def apply_case(case: Case, root: Path, outside: Path) -> None:
    """Patch the repository copy at root; `outside` is a folder beside it for links that lead out."""
    for step in case.steps:
        ops = [key for key in step if key in OPERATIONS]
        assert len(ops) == 1 and "file" in step, f"{case.name}: each step has a file and one of {sorted(OPERATIONS)}"
        unknown = set(step) - {"file", ops[0], *EXTRA_KEYS[ops[0]]}
        assert not unknown, f"{case.name}: unknown keys {sorted(unknown)}"
        OPERATIONS[ops[0]](root / step["file"], step, outside, case.name)


def locate(spec: str, root: Path, file: str | None = None) -> str:
    """Expected text with its {at:TEXT} placeholders replaced by line:column in the file it names
    (a location's own path, or the given file for a message fragment)."""
    file = file or spec.split(":", 1)[0]
    text = (root / file).read_bytes().decode("utf-8", "replace") if _AT.search(spec) else ""

    def line_column(match: re.Match[str]) -> str:
        kind, needle = match.groups()
        at = text.find(needle.replace("|", ""))
        assert at >= 0, f"{needle!r} is not in {file}"
        at += max(needle.find("|"), 0)
        line, column = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
        return f"{line}:{column}" if kind == "at" else str(line)

    return _AT.sub(line_column, spec)


def _replace(path: Path, step: dict[str, Any], outside: Path, name: str) -> None:
    """Replace the first occurrence of text (all, with all: true); `with_bytes` is Latin-1 for raw bytes."""
    data, old = path.read_bytes(), step["replace"].encode("utf-8")
    new = step["with"].encode("utf-8") if "with" in step else step["with_bytes"].encode("latin-1")
    assert old in data, f"{name}: {path.name} no longer contains {step['replace']!r}; update the case"
    path.write_bytes(data.replace(old, new, -1 if step.get("all") else 1))


def _delete_line(path: Path, step: dict[str, Any], outside: Path, name: str) -> None:
    """Remove the first line that starts with the given text."""
    lines = path.read_bytes().split(b"\n")
    prefix = step["delete_line"].encode("utf-8")
    hits = [i for i, line in enumerate(lines) if line.startswith(prefix)]
    assert hits, f"{name}: no line of {path.name} starts with {step['delete_line']!r}; update the case"
    del lines[hits[0]]
    path.write_bytes(b"\n".join(lines))


def _write(path: Path, step: dict[str, Any], outside: Path, name: str) -> None:
    """Write the whole file (UTF-8)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(step["write"].encode("utf-8"))


def _prepend(path: Path, step: dict[str, Any], outside: Path, name: str) -> None:
    """Put text before the file's content."""
    path.write_bytes(step["prepend"].encode("utf-8") + path.read_bytes())


def _append(path: Path, step: dict[str, Any], outside: Path, name: str) -> None:
    """Put text after the file's content, `times` times."""
    path.write_bytes(path.read_bytes() + step["append"].encode("utf-8") * step.get("times", 1))


def _pad_to(path: Path, step: dict[str, Any], outside: Path, name: str) -> None:
    """Grow the file with comment lines to at least the given number of bytes."""
    data = path.read_bytes()
    line = b"# " + b"padding " * 12 + b"\n"
    path.write_bytes(data + line * (-(-(step["pad_to"] - len(data)) // len(line))))


def _line_ends(path: Path, step: dict[str, Any], outside: Path, name: str) -> None:
    """Convert every LF to CRLF."""
    assert step["line_ends"] == "crlf"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


def _delete(path: Path, step: dict[str, Any], outside: Path, name: str) -> None:
    """Remove a file or folder."""
    shutil.rmtree(path) if path.is_dir() else path.unlink()


def _symlink_outside(path: Path, step: dict[str, Any], outside: Path, name: str) -> None:
    """Move a file or folder out of the repository and leave a symbolic link to it."""
    target = outside / path.name
    outside.mkdir(parents=True, exist_ok=True)
    shutil.move(path, target)
    path.symlink_to(target, target_is_directory=target.is_dir())


def _symlink_to(path: Path, step: dict[str, Any], outside: Path, name: str) -> None:
    """Replace a file by a symbolic link with the given (relative) target."""
    if path.exists() or path.is_symlink():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(step["symlink_to"])


def _copy_to(path: Path, step: dict[str, Any], outside: Path, name: str) -> None:
    """Copy a file or folder to another place in the repository."""
    dest = path.parents[len(Path(step["file"]).parts) - 1] / step["copy_to"]
    shutil.copytree(path, dest) if path.is_dir() else shutil.copy2(path, dest)


def _rename_to(path: Path, step: dict[str, Any], outside: Path, name: str) -> None:
    """Move a file or folder to another place in the repository."""
    path.rename(path.parents[len(Path(step["file"]).parts) - 1] / step["rename_to"])


def _git_add(path: Path, step: dict[str, Any], outside: Path, name: str) -> None:
    """Add a file to the index of the repository it is in, even if ignored (git add -f): as if committed."""
    assert step["git_add"] is True
    subprocess.run(["git", "-C", str(path.parent), "add", "-f", path.name], check=True, capture_output=True)


OPERATIONS: dict[str, Callable[[Path, dict[str, Any], Path, str], None]] = {
    "replace": _replace, "delete_line": _delete_line, "write": _write, "prepend": _prepend, "append": _append,
    "pad_to": _pad_to, "line_ends": _line_ends, "delete": _delete, "symlink_outside": _symlink_outside,
    "symlink_to": _symlink_to, "copy_to": _copy_to, "rename_to": _rename_to, "git_add": _git_add,
}
EXTRA_KEYS = {"replace": ("with", "with_bytes", "all"), "append": ("times",)}
EXTRA_KEYS = {op: EXTRA_KEYS.get(op, ()) for op in OPERATIONS}
