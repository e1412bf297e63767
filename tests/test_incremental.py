"""A build after an edit rewrites only the tables the edit changed, and writes what a full build writes.

Each test builds a generated corpus, changes it as a user would, builds again, and compares
every output file (both packages, byte for byte) with a `--strict` build of the same records in
a fresh copy, which has no cache and no earlier outputs to reuse.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from hrc_corpus.cache import FOLDER
from hrc_corpus.files import WORK

from .conftest import hrc, output_hashes

BUILD = ("build", "--no-frictionless")  # frictionless reads every file, so a build that runs it rewrites them all


def backdate(root: Path) -> None:
    """Make every record file an hour old, as files are between edits (a just-written file is not trusted by its identity)."""
    for path in (root / "records").rglob("*"):
        if path.is_file():
            os.utime(path, (time.time() - 3600, time.time() - 3600))


def built_copy(generated: Path, dest: Path) -> Path:
    """A copy of the generated corpus, built once."""
    shutil.copytree(generated, dest)
    backdate(dest)
    assert hrc(dest, *BUILD)[0] == 0
    return dest


def fresh_build(root: Path, dest: Path) -> dict[str, str]:
    """The outputs of a --strict build of root's records in a new folder."""
    dest.mkdir()
    for name in ("records", "schema"):
        shutil.copytree(root / name, dest / name)
    code, err = hrc(dest, "--strict", *BUILD)
    assert code == 0, err
    return output_hashes(dest)


def identities(root: Path) -> dict[str, tuple[int, int]]:
    """Each output file's inode and modification time: what changes when it is rewritten."""
    files = [root / "datapackage.json", *sorted((root / "data").iterdir()), *sorted((root / "dist" / "parquet").iterdir())]
    return {p.relative_to(root).as_posix(): (os.stat(p).st_ino, os.stat(p).st_mtime_ns) for p in files}


def statement_files(root: Path) -> list[Path]:
    """The claims files of the statements, in folder order."""
    return sorted((root / "records" / "statements").glob("*/claims.yaml"))


def edit_summary(claims: Path, words: str) -> None:
    """Change the first claim's summary, as a curator would."""
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text.replace("    summary: ", f"    summary: {words} ", 1), encoding="utf-8")


def test_an_edit_rewrites_only_the_tables_it_changes(generated: Path, tmp_path: Path) -> None:
    """A summary changed: claims.csv and claims.parquet are rewritten, the other tables' files are left as they were."""
    root = built_copy(generated, tmp_path / "repo")
    before = identities(root)
    edit_summary(statement_files(root)[2], "Edited")
    assert hrc(root, *BUILD)[0] == 0
    after = identities(root)
    changed = sorted(name for name in before if after[name] != before[name])
    assert changed == ["data/claims.csv", "datapackage.json", "dist/parquet/claims.parquet", "dist/parquet/datapackage.json"]
    assert b"Edited " in (root / "data" / "claims.csv").read_bytes()
    assert output_hashes(root) == fresh_build(root, tmp_path / "fresh")
    assert hrc(root, "build", "--check")[0] == 0


def test_a_series_of_edits_gives_what_a_full_build_gives(generated: Path, tmp_path: Path) -> None:
    """Edits, an edit undone (its rows come back from the cache), a statement removed: each build equals a full one."""
    root = built_copy(generated, tmp_path / "repo")
    files = statement_files(root)
    unlinked = [f for f in files if not any(f.parent.name.encode() in g.read_bytes() for g in files if g != f)]
    last = unlinked[0]  # a statement no other one links to, so that it can go
    first = next(f for f in files if f != last)
    original = first.read_bytes()
    steps = [
        lambda: edit_summary(first, "Once"),
        lambda: edit_summary(last, "Twice"),
        lambda: first.write_bytes(original),  # undone: its parts are not in the old file, but are in the cache
        lambda: shutil.rmtree(last.parent),
    ]
    for n, step in enumerate(steps):
        step()
        code, err = hrc(root, *BUILD, "--allow-drop")
        assert code == 0, err
        assert output_hashes(root) == fresh_build(root, tmp_path / f"fresh-{n}"), f"step {n}"


def test_outputs_changed_by_hand_are_made_again(generated: Path, tmp_path: Path) -> None:
    """A CSV file edited and a Parquet file deleted since the last build: both tables are made again, whole."""
    root = built_copy(generated, tmp_path / "repo")
    with open(root / "data" / "quantities.csv", "ab") as f:
        f.write(b"x,1,2\n")
    (root / "dist" / "parquet" / "statements.parquet").unlink()
    edit_summary(statement_files(root)[1], "Edited")
    assert hrc(root, *BUILD)[0] == 0
    assert output_hashes(root) == fresh_build(root, tmp_path / "fresh")


def damage_in_place(path: Path, old: bytes, new: bytes) -> None:
    """Change bytes of a file without changing its size, inode or modification time (what no editor does)."""
    assert len(old) == len(new)
    info = os.stat(path)
    data = path.read_bytes()
    assert old in data
    with open(path, "r+b") as f:
        f.write(data.replace(old, new, 1))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert os.stat(path).st_ino == info.st_ino and os.stat(path).st_size == info.st_size


def test_a_damaged_part_of_the_old_file_is_never_copied(generated: Path, tmp_path: Path) -> None:
    """Old bytes are reused only when their SHA-256 is the recorded one; damaged ones come from the cache or the records."""
    root = built_copy(generated, tmp_path / "repo")
    claims = root / "data" / "claims.csv"
    first_id = statement_files(root)[0].parent.name
    damage_in_place(claims, f"{first_id}-c001".encode(), f"{first_id}-c00X".encode())  # in the first statement's part
    edit_summary(statement_files(root)[3], "Edited")  # another statement: the claims table is made again
    assert hrc(root, *BUILD)[0] == 0
    assert f"{first_id}-c00X".encode() not in claims.read_bytes()
    assert output_hashes(root) == fresh_build(root, tmp_path / "fresh")
    # Again with the cache's entries gone too: the damaged part is made again from the records.
    damage_in_place(claims, f"{first_id}-c001".encode(), f"{first_id}-c00X".encode())
    for entry in (root / WORK / FOLDER).glob("*.json"):
        if len(entry.stem) == 64 and set(json.loads(entry.read_bytes().split(b"\n", 1)[1])) not in ({"statements"}, {"tables"}):
            entry.unlink()  # a statement's result (not the statements' index, nor the record of the outputs)
    edit_summary(statement_files(root)[4], "Edited")
    assert hrc(root, *BUILD)[0] == 0
    assert output_hashes(root) == fresh_build(root, tmp_path / "fresh-2")
