"""Step 4, write: the CSV and Parquet data packages, all replaced together or not at all.

Everything is first written to a staging folder in the build's working folder (.hrc-build/)
and validated there. Before the commit point every target folder is checked: a real folder
inside the repository, writable, on the same file system, with space for the journal. Then a
journal naming the staged files is written (atomically: the commit point), each file is
renamed over its target, and the journal is removed. A build killed at any moment leaves
either the old outputs, or a journal that the next hrc-corpus command completes (`recover`)
before it does anything else. A lock keeps two builds apart.

Nothing in a repository can steer this: the working folder must be a plain folder, not
committed and with no link inside (`work_folder`), and a journal is applied only if it names
a staging folder and output files of the kinds the build writes (`read_journal`). Only the
build's own files are replaced; anything else in data/ or dist/parquet/ is left where it is.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from contextlib import contextmanager, suppress
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from . import __version__
from .csvfile import CSV_DIALECT, csv_rows
from .files import JOURNAL, WORK, atomic_write
from .problems import printable
from .tableschema import Table

if TYPE_CHECKING:  # Arrow is imported where tables are written: `hrc-corpus check` does not need it
    import pyarrow as pa
JOURNAL_FORMAT = 1
MAX_JOURNAL = 1 << 20  # bytes; the build's journals are a few hundred
# What a journal may name: a staging folder the build makes, and output files of the kinds it writes
# (table names are lowercase words). Staged parquet/x goes to dist/parquet/x; the rest keep their path.
_STAGING_NAME = re.compile(r"staging-[A-Za-z0-9_]{1,64}")
_STAGED_FILE = re.compile(r"datapackage\.json|data/[a-z][a-z0-9_]{0,63}\.csv|parquet/(?:[a-z][a-z0-9_]{0,63}\.parquet|datapackage\.json)")
OUTPUT_FOLDERS = ("data", "dist/parquet")  # besides datapackage.json; other files in them are the user's
FREE_SPACE_NEEDED = 1 << 20  # bytes free for the journal and new folder entries, checked before the commit point
PACKAGE = {
    "name": "cambodia-hrc-statements",
    "title": "Cambodia at the UN Human Rights Council: statements and claims",
    "description": ("What the Kingdom of Cambodia says at the UN Human Rights Council, statement by statement and claim by "
                    "claim: each claim's verbatim quote and character span, type, topics, the numbers it states, the "
                    "entities it names, and links between claims across sessions. Hand-curated from the source "
                    "documents; see README.md and schema/CODEBOOK.md."),
    "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0 International",
                  "path": "https://creativecommons.org/licenses/by/4.0/"}],
    "keywords": ["Cambodia", "Human Rights Council", "United Nations", "claims", "statements", "fact-checking"],
}


def csv_bytes(table: pa.Table) -> bytes:
    """A table as CSV (csvfile.csv_rows, the one CSV writer), header first."""
    import pyarrow as pa

    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    types = ["number" if pa.types.is_floating(field.type) else "other" for field in table.schema]
    return csv_rows(zip(*columns), types, header=table.column_names)


def parquet_bytes(table: pa.Table) -> bytes:
    """A table as Parquet, with fixed settings so the bytes depend only on the data."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    table = table.replace_schema_metadata(pandas_metadata(table.schema))
    pq.write_table(table, sink, compression="zstd", version="2.6", use_dictionary=True, write_statistics=True)
    return sink.getvalue().to_pybytes()


# What pandas' metadata says of each Arrow type the tables use: (pandas_type, numpy_type). Integers are nullable Int64.
_PANDAS_TYPES = {"string": ("unicode", "str"), "int64": ("int64", "Int64"), "double": ("float64", "float64"),
                 "bool": ("bool", "bool"), "date32[day]": ("date", "object")}


def pandas_metadata(schema: pa.Schema) -> dict[bytes, bytes]:
    """pandas metadata declaring integer columns as nullable Int64.

    pandas and fastparquet (which frictionless uses to read Parquet) then read a null integer
    as <NA> instead of turning the column into floats with NaN. It is what pyarrow writes for
    the table pandas would give (tests/test_packages.py compares the two for every table),
    written here because importing pandas took a quarter of a one-edit rebuild.
    """
    import pyarrow as pa

    columns = [{"name": f.name, "field_name": f.name, "pandas_type": _PANDAS_TYPES[str(f.type)][0],
                "numpy_type": _PANDAS_TYPES[str(f.type)][1], "metadata": None} for f in schema]
    doc = {"index_columns": [], "column_indexes": [], "columns": columns, "attributes": {},
           "creator": {"library": "pyarrow", "version": pa.__version__}, "pandas_version": metadata.version("pandas")}
    return {b"pandas": json.dumps(doc).encode("utf-8")}


def descriptor(schema_tables: list[Table], files: dict[str, bytes], fmt: str, prefix: str,
               known: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """A Frictionless data package descriptor for one format, with each file's size and hash.

    For a table in `known` its CSV's size and SHA-256 are given ("bytes", "sha256"): worked out
    already, or recorded by the last build for a table kept as it was (outputs.py).
    """
    resources = []
    for table in schema_tables:
        path = f"{prefix}{table.name}.{fmt}"
        resource: dict[str, Any] = {"name": table.name, "title": table.title, "description": table.description,
                                    "profile": "tabular-data-resource", "path": path, "format": fmt}
        if fmt == "csv":
            if known and table.name in known:
                size, digest = known[table.name]["bytes"], known[table.name]["sha256"]
            else:
                size, digest = len(files[table.name]), hashlib.sha256(files[table.name]).hexdigest()
            # Size and hash let a reader detect a torn or edited file; frictionless checks them.
            resource |= {"mediatype": "text/csv", "encoding": "utf-8", "bytes": size,
                         "hash": f"sha256:{digest}", "dialect": CSV_DIALECT}
        else:
            # frictionless cannot measure Parquet files (it reports their size as None); SHA256SUMS covers them.
            resource |= {"mediatype": "application/vnd.apache.parquet"}
        resource["schema"] = table.descriptor()
        resources.append(resource)
    return {"profile": "tabular-data-package", **PACKAGE, "version": __version__, "resources": resources}


def json_bytes(doc: dict[str, Any]) -> bytes:
    """JSON as committed: two-space indent, UTF-8, final newline."""
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def stage(staging: Path, schema_tables: list[Table], arrow: dict[str, pa.Table],
          csv_files: dict[str, bytes] | None = None, kept: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Write both packages into an empty staging folder (the CSV files given, or made from the tables); return the
    size and SHA-256 of each CSV file staged.

    Tables in `kept` (outputs.py) are not staged: their files stay as the last build wrote them;
    both descriptors still describe every table.
    """
    (staging / "data").mkdir(parents=True)
    (staging / "parquet").mkdir()
    made = [t.name for t in schema_tables if not (kept and t.name in kept)]
    csv_files = csv_files or {name: csv_bytes(arrow[name]) for name in made}

    staged: dict[str, dict[str, Any]] = {}

    def write_csv(name: str) -> None:
        _write(staging / "data" / f"{name}.csv", csv_files[name])
        staged[name] = {"bytes": len(csv_files[name]), "sha256": hashlib.sha256(csv_files[name]).hexdigest()}

    def write_parquet(name: str) -> None:
        _write(staging / "parquet" / f"{name}.parquet", parquet_bytes(arrow[name]))

    # Writing the CSV files (I/O) and encoding the Parquet ones (Arrow, without the GIL) overlap; largest first.
    work = sorted([(len(csv_files[n]), write_csv, n) for n in made] + [(len(csv_files[n]), write_parquet, n) for n in made],
                  key=lambda w: -w[0])
    in_threads(lambda w: w[1](w[2]), work)
    _write(staging / "datapackage.json", json_bytes(descriptor(schema_tables, csv_files, "csv", "data/", {**staged, **(kept or {})})))
    _write(staging / "parquet" / "datapackage.json", json_bytes(descriptor(schema_tables, {}, "parquet", "")))
    return staged


def _write(path: Path, data: bytes) -> None:
    """Write a file and flush it to disk (an OS error names the file: a full disk's does not by itself)."""
    try:
        with open(path, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None


def verify_staged(staging: Path, arrow: dict[str, pa.Table], frictionless: bool = True,
                  schema_tables: list[Table] | None = None) -> list[str]:
    """Prove the CSV and Parquet files hold the tables (read back), and validate the CSV package with frictionless."""
    import pyarrow.parquet as pq

    errors: list[str] = []
    if frictionless:
        from frictionless import Package, system  # imported here: it is slow to import

        with system.use_context(trusted=True):
            report = Package(str(staging / "datapackage.json")).validate()
        if not report.valid:
            for task in report.tasks:
                errors += [f"{task.name}: {e.message}" for e in task.errors[:5]]
            errors += [e.message for e in report.errors[:5]]
    for table_schema in schema_tables or []:
        from .readback import read_csv_table  # imported here: readback builds on tables, which builds on check

        back = read_csv_table((staging / "data" / f"{table_schema.name}.csv").read_bytes(), table_schema)
        if not back.equals(arrow[table_schema.name]):
            errors.append(f"{table_schema.name}.csv does not read back equal to the table it was written from")
    def parquet_differs(name: str) -> bool:
        back = pq.ParquetFile(staging / "parquet" / f"{name}.parquet").read()  # (read_table would import pandas)
        return not back.equals(arrow[name])

    names = list(arrow)
    errors += [f"{name}.parquet does not read back equal to the table it was written from"
               for name, differs in zip(names, in_threads(parquet_differs, names)) if differs]
    return errors


def in_threads(work: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """work(item) for each item, in order, on one thread per core (Arrow's CSV readers, Parquet encoders and readers
    let go of the GIL)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, min(len(items), os.cpu_count() or 1))) as pool:
        return list(pool.map(work, items))


class WriteError(Exception):
    """The build cannot (or, to protect the repository and its user, will not) write: one plain line; nothing changed."""


class JournalError(Exception):
    """A journal that is not one this build wrote: refused, never applied."""


def target(staged: str) -> str:
    """Where a staged file goes in the repository (parquet/x goes to dist/parquet/x)."""
    return "dist/" + staged if staged.startswith("parquet/") else staged


def plain(exc: OSError, root: Path, verb: str = "write") -> str:
    """An OS error as one plain line, with the path as the user knows it: cannot write data/: permission denied."""
    reason = (exc.strerror or str(exc)).lower()
    name = exc.filename
    if name is None:
        return f"cannot {verb}: {reason}"
    path = Path(os.fsdecode(name))
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        return f"cannot {verb} {path}: {reason}"
    if rel == WORK or rel.startswith(WORK + "/"):
        rel = WORK + "/"  # the staged file's name is no help to the user; its folder is
    return f"cannot {verb} {rel}: {reason}"


@contextmanager
def plain_errors(root: Path, verb: str = "write") -> Iterator[None]:
    """Turn an OS error inside the block into a WriteError of one plain line."""
    try:
        yield
    except OSError as exc:
        raise WriteError(plain(exc, root, verb)) from None


def tracked(root: Path, rel: str) -> list[str] | None:
    """The files under rel that git tracks in the repository at root; None when git cannot say (no git, no repository)."""
    if not os.path.lexists(root / ".git"):
        return None
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}  # this repository's index, not $GIT_DIR's
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", rel], capture_output=True, timeout=60, env=env)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return [p for p in os.fsdecode(out.stdout).split("\0") if p]


def work_folder(root: Path, create: bool) -> Path | None:
    """The build's working folder, refused (WriteError) if the repository could have put it there; None if absent.

    Whatever is in .hrc-build/ steers the build (its journal says which files to move where), so
    it must be the build's own: a plain folder, not committed, with no link inside.
    """
    work = root / WORK
    try:
        info = os.lstat(work)
    except FileNotFoundError:
        if not create:
            return None
        with plain_errors(root):
            work.mkdir()
        return work
    except OSError as exc:
        raise WriteError(plain(exc, root, "read")) from None
    if stat.S_ISLNK(info.st_mode):
        raise WriteError(f"{WORK} is a symbolic link (to {os.readlink(work)}), not the build's working folder: nothing was read "
                         f"or written through it. Remove the link (rm {WORK}) and run again.")
    if not stat.S_ISDIR(info.st_mode):
        raise WriteError(f"{WORK} is a file, not the build's working folder: move it away or delete it, then run again.")
    committed = tracked(root, WORK)
    if committed:
        more = f" and {len(committed) - 1} more" if len(committed) > 1 else ""
        raise WriteError(f"{WORK}/ is committed to the repository ({printable(committed[0])}{more}); the build's working state "
                         f"never comes from a repository, so nothing was read from it. Remove it from git "
                         f"(git rm -r --cached {WORK}), delete the folder, and run again.")
    _refuse_links(root, work)
    return work


def _refuse_links(root: Path, folder: Path) -> None:
    """Refuse a working folder holding a link or a special file, at any depth (WriteError)."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:  # a staging folder another build just removed
        return
    except OSError as exc:
        raise WriteError(plain(exc, root, "read")) from None
    for entry in entries:
        if entry.is_file(follow_symlinks=False):  # (most entries: the cache's; named only when refused)
            continue
        rel = printable(Path(entry.path).relative_to(root).as_posix())
        if entry.is_symlink():
            raise WriteError(f"{rel} is a symbolic link inside the build's working folder, which the build never makes: "
                             f"nothing was read or written through it. Delete {WORK}/ and run again.")
        if entry.is_dir(follow_symlinks=False):
            _refuse_links(root, Path(entry.path))
        elif not entry.is_file(follow_symlinks=False):
            raise WriteError(f"{rel} is a special file (a pipe, socket or device) inside the build's working folder: "
                             f"delete {WORK}/ and run again.")


@contextmanager
def locked(root: Path) -> Iterator[Path]:
    """Hold the build lock (one build at a time per repository); yield the work folder."""
    work = work_folder(root, create=True)
    assert work is not None
    with plain_errors(root):
        handle = open(work / "lock", "a")
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            recover(root, work)
            yield work
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def recover_pending(root: Path) -> None:
    """Complete a commit a killed build left half done; for commands that do not build (check)."""
    work = work_folder(root, create=False)
    if work is not None and os.path.lexists(work / JOURNAL):  # no lock otherwise: check stays read-only
        with locked(root):
            pass


def recover(root: Path, work: Path) -> None:
    """Finish a commit a killed build left half done (or refuse its journal), and clear stale staging folders."""
    journal = work / JOURNAL
    if os.path.lexists(journal):
        if not journal.is_file():
            raise WriteError(f"{WORK}/{JOURNAL} is not a file the build wrote: delete {WORK}/ and run `hrc-corpus build`.")
        try:
            plan = read_journal(journal)
        except JournalError as exc:
            # Reported once: the journal goes, so later commands run; the outputs are rebuilt by the next build.
            print(f"hrc-corpus: {WORK}/{JOURNAL} was not applied: {exc}. It was removed; if a build was interrupted, "
                  "run `hrc-corpus build` to write the outputs again.", file=sys.stderr)
            with plain_errors(root):
                journal.unlink()
        else:
            try:
                _apply(root, work, plan)
                journal.unlink()
            except OSError as exc:
                raise WriteError(f"{plain(exc, root)}: a build was interrupted after its commit point and cannot be "
                                 "completed until that is fixed; then run any hrc-corpus command") from None
    with plain_errors(root):
        for entry in list(os.scandir(work)):
            if _STAGING_NAME.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
        for entry in list(os.scandir(work)):  # a journal a killed build was writing (files.atomic_write's temporary)
            if entry.name.startswith(f".{JOURNAL}.") and entry.name.endswith(".tmp") and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)


def read_journal(path: Path) -> dict[str, Any]:
    """A journal's plan, if it is one this build writes; else JournalError saying why not."""
    try:
        if os.lstat(path).st_size > MAX_JOURNAL:
            raise JournalError(f"it is larger than any journal the build writes ({MAX_JOURNAL:,} bytes)")
        plan = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise JournalError(f"it cannot be read ({(exc.strerror or str(exc)).lower()})") from None
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise JournalError(f"it is damaged: not a complete JSON document ({exc})") from None
    if not isinstance(plan, dict) or set(plan) != {"format", "staging", "files"} or plan["format"] != JOURNAL_FORMAT:
        raise JournalError("it is not in the form this build writes")
    staging, files = plan["staging"], plan["files"]
    if not isinstance(staging, str) or not _STAGING_NAME.fullmatch(staging):
        raise JournalError(f"it names {printable(str(staging))!r} as its staging folder, which is not one the build makes")
    if not isinstance(files, list) or len({str(f) for f in files}) != len(files):
        raise JournalError("its list of files is not in the form this build writes")
    for name in files:
        if not isinstance(name, str) or not _STAGED_FILE.fullmatch(name):
            raise JournalError(f"it names {printable(str(name))!r}, which is not one of the files the build writes")
    return plan


def staged_files(staging: Path) -> list[str]:
    """The staged files, as a journal names them: datapackage.json first (so an interrupted commit shows as one)."""
    found = [p.relative_to(staging).as_posix() for p in sorted(staging.rglob("*")) if p.is_file()]
    return sorted(found, key=lambda rel: (rel != "datapackage.json", rel))


def output_folder(root: Path, rel: str, created: list[Path] | None = None, create: bool = True) -> Path:
    """An output folder (., data, dist/parquet): each part a real folder inside the repository, made if missing (and create)."""
    path = root
    for part in Path(rel).parts if rel != "." else ():
        path = path / part
        shown = path.relative_to(root).as_posix()
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            if not create:
                return root / rel
            with plain_errors(root):
                path.mkdir()
            if created is not None:
                created.append(path)
            continue
        if stat.S_ISLNK(info.st_mode):
            raise WriteError(f"cannot write {rel}/: {shown} is a symbolic link, and the build writes only inside the "
                             f"repository. Replace it by a folder and run again.")
        if not stat.S_ISDIR(info.st_mode):
            raise WriteError(f"cannot write {rel}/: {shown} is a file, not a folder. Move it away and run again.")
    return path


def preflight(root: Path, work: Path, staging: Path, files: list[str]) -> None:
    """Refuse, before the commit point, all that would stop a commit half way (WriteError; nothing left behind).

    Every target folder is a real folder inside the repository, writable (a file is made and
    removed there), on the staging folder's file system (a rename cannot cross one); no target
    is a folder; and there is space for the journal and the new folder entries.
    """
    created: list[Path] = []
    try:
        device = os.stat(staging).st_dev
        for rel in sorted({os.path.dirname(target(f)) or "." for f in files}):
            folder = output_folder(root, rel, created)
            shown = "the repository folder" if rel == "." else f"{rel}/"
            try:
                handle, probe = tempfile.mkstemp(prefix=".hrc-probe-", dir=folder)
                os.close(handle)
                os.unlink(probe)
            except OSError as exc:
                raise WriteError(f"cannot write {shown}: {(exc.strerror or str(exc)).lower()}") from None
            if os.stat(folder).st_dev != device:
                raise WriteError(f"cannot write {shown}: it is on another file system than {WORK}/, so its files cannot "
                                 "be replaced all at once")
        for name in files:
            dest = root / target(name)
            if dest.is_dir() and not dest.is_symlink():
                raise WriteError(f"cannot write {target(name)}: a folder is in its place. Move it away and run again.")
        space = os.statvfs(work)
        if space.f_bavail * space.f_frsize < FREE_SPACE_NEEDED:
            raise WriteError(f"cannot write {WORK}/: no space left on device (the commit needs {FREE_SPACE_NEEDED // 1024} KiB)")
    except OSError as exc:
        _remove_folders(created)
        raise WriteError(plain(exc, root)) from None
    except BaseException:
        _remove_folders(created)
        raise


def _remove_folders(folders: list[Path]) -> None:
    """Remove the (empty) folders a refused commit made."""
    for folder in reversed(folders):
        with suppress(OSError):
            folder.rmdir()


def commit(root: Path, work: Path, staging: Path) -> None:
    """Replace the outputs with the staged ones, all together (see the module docstring)."""
    files = staged_files(staging)
    preflight(root, work, staging, files)
    plan = {"format": JOURNAL_FORMAT, "staging": staging.name, "files": files}
    try:
        atomic_write(work / JOURNAL, json_bytes(plan))  # the commit point: the journal is there whole, or not at all
    except OSError as exc:
        raise WriteError(plain(exc, root)) from None
    try:
        _fsync_dir(work)
        _apply(root, work, plan)
        (work / JOURNAL).unlink()
    except OSError as exc:
        raise WriteError(f"{plain(exc, root)}: the build stopped after its commit point; the next hrc-corpus command "
                         "completes it once that is fixed") from None
    shutil.rmtree(staging, ignore_errors=True)


def _apply(root: Path, work: Path, plan: dict[str, Any]) -> None:
    """Move a journal's staged files into place, one by one; safe to run again after being interrupted."""
    staging = work / plan["staging"]
    touched: dict[str, Path] = {}
    for name in plan["files"]:
        source = staging / name
        try:
            info = os.lstat(source)
        except FileNotFoundError:  # already moved by an interrupted run
            continue
        if not stat.S_ISREG(info.st_mode):
            raise WriteError(f"{WORK}/{plan['staging']}/{name} is not a file the build staged: delete {WORK}/ and run "
                             "`hrc-corpus build`")
        rel = os.path.dirname(target(name)) or "."
        folder = touched.get(rel) or output_folder(root, rel)
        touched[rel] = folder
        os.replace(source, root / target(name))
    for folder in touched.values():
        _fsync_dir(folder)


def _fsync_dir(path: Path) -> None:
    """Flush a folder's entries, so a rename survives a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def foreign_files(root: Path, files: list[str]) -> list[str]:
    """What sits in the output folders that the build does not make: a user's files, left where they are."""
    ours = {target(f) for f in files}
    found = []
    for rel in OUTPUT_FOLDERS:
        folder = root / rel
        if folder.is_dir() and not folder.is_symlink():
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                name = f"{rel}/{entry.name}"
                if name not in ours:
                    found.append(printable(name) + ("/" if entry.is_dir(follow_symlinks=False) else ""))
    return found


def losses(root: Path, arrow: dict[str, pa.Table]) -> list[str]:
    """What the last build's data package had that this build would drop: statements, and every row of a table."""
    import pyarrow as pa

    lost = []
    old = root / "data" / "statements.csv"
    if "statements" in arrow and old.is_file():
        try:
            from pyarrow import csv as pa_csv

            options = pa_csv.ConvertOptions(include_columns=["statement_id"], column_types={"statement_id": pa.string()})
            before = set(pa_csv.read_csv(old, convert_options=options).column(0).to_pylist())
        except (OSError, pa.ArrowException):
            before = set()  # not a table the build wrote: nothing to compare with
        gone = sorted(str(s) for s in before - set(arrow["statements"].column("statement_id").to_pylist()) if s)
        if gone:
            shown = ", ".join(printable(s) for s in gone[:5]) + (f" and {len(gone) - 5} more" if len(gone) > 5 else "")
            lost.append(f"{len(gone)} statement(s) ({shown})")
    emptied = [name for name, table in sorted(arrow.items()) if table.num_rows == 0 and _had_rows(root / "data" / f"{name}.csv")]
    if emptied:
        lost.append("every row of " + ", ".join(emptied))
    return lost


def _had_rows(path: Path) -> bool:
    """Whether a CSV the last build wrote has a row after its header (a header holds no line break)."""
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 20)
    except OSError:
        return False
    return b"\n" in head and bool(head.split(b"\n", 1)[1].strip())


def differences(root: Path, staging: Path) -> list[str]:
    """Committed CSV-package files that differ from the staged ones (for build --check).

    A file in data/ the build does not make is stale only if it is committed (git tracks it):
    a user's own file there is not part of the package. Without git, a stray CSV counts.
    """
    differ = []
    staged = {"datapackage.json": staging / "datapackage.json"}
    staged |= {f"data/{p.name}": p for p in sorted((staging / "data").iterdir())}
    present = {f"data/{p.name}" for p in (root / "data").glob("*")}  # glob of a missing folder: nothing
    known = tracked(root, "data")
    committed = {"datapackage.json"} | {rel for rel in present
                                       if rel in staged or (rel in known if known is not None else rel.endswith(".csv"))}
    for rel in sorted(set(staged) | committed):
        mine, theirs = root / rel, staged.get(rel)
        if theirs is None:
            differ.append(f"{printable(rel)}: committed but no longer built")
        elif not mine.is_file():
            differ.append(f"{rel}: built but not committed")
        elif mine.read_bytes() != theirs.read_bytes():
            differ.append(f"{rel}: differs from what the records produce")
    return differ
