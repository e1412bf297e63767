"""Step 4, write: the CSV and Parquet data packages, all replaced together or not at all.

Everything is first written to a staging folder and validated there. Then a journal listing
the renames is written (atomically), the renames are made, and the journal is removed. A build
killed at any moment leaves either the old outputs, or a journal that the next hrc-corpus
command completes (`recover`) before it does anything else. A lock keeps two builds apart.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from . import __version__
from .csvfile import CSV_DIALECT, csv_rows
from .files import JOURNAL, OUTPUTS, WORK, atomic_write
from .tableschema import Table

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
    """A table as CSV (csvfile.csv_rows), header first."""
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    types = [_table_schema_type(field.type) for field in table.schema]
    return csv_rows(zip(*columns), types, header=table.column_names)


def _table_schema_type(arrow_type: pa.DataType) -> str:
    """The Table Schema type an Arrow column holds (only "number" changes how a value is written)."""
    return "number" if pa.types.is_floating(arrow_type) else "other"


def parquet_bytes(table: pa.Table) -> bytes:
    """A table as Parquet, with fixed settings so the bytes depend only on the data."""
    sink = pa.BufferOutputStream()
    table = table.replace_schema_metadata(_pandas_metadata(table.schema))
    pq.write_table(table, sink, compression="zstd", version="2.6", use_dictionary=True, write_statistics=True)
    return sink.getvalue().to_pybytes()


def _pandas_metadata(schema: pa.Schema) -> dict[bytes, bytes]:
    """pandas metadata declaring integer columns as nullable Int64.

    pandas and fastparquet (which frictionless uses to read Parquet) then read a null
    integer as <NA> instead of turning the column into floats with NaN.
    """
    import pandas as pd

    empty = schema.empty_table().to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    return dict(pa.Table.from_pandas(empty, schema=schema, preserve_index=False).schema.metadata or {})


def descriptor(schema_tables: list[Table], files: dict[str, bytes], fmt: str, prefix: str) -> dict[str, Any]:
    """A Frictionless data package descriptor for one format, with each file's size and hash."""
    resources = []
    for table in schema_tables:
        path = f"{prefix}{table.name}.{fmt}"
        data = files[table.name]
        resource: dict[str, Any] = {"name": table.name, "title": table.title, "description": table.description,
                                    "profile": "tabular-data-resource", "path": path, "format": fmt}
        if fmt == "csv":
            # Size and hash let a reader detect a torn or edited file; frictionless checks them.
            resource |= {"mediatype": "text/csv", "encoding": "utf-8", "bytes": len(data),
                         "hash": f"sha256:{hashlib.sha256(data).hexdigest()}", "dialect": CSV_DIALECT}
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
          csv_files: dict[str, bytes] | None = None) -> None:
    """Write both packages into an empty staging folder (the CSV files given, or made from the tables)."""
    (staging / "data").mkdir(parents=True)
    (staging / "parquet").mkdir()
    csv_files = csv_files or {t.name: csv_bytes(arrow[t.name]) for t in schema_tables}
    parquet_files = {t.name: parquet_bytes(arrow[t.name]) for t in schema_tables}
    for name, data in csv_files.items():
        _write(staging / "data" / f"{name}.csv", data)
    for name, data in parquet_files.items():
        _write(staging / "parquet" / f"{name}.parquet", data)
    _write(staging / "datapackage.json", json_bytes(descriptor(schema_tables, csv_files, "csv", "data/")))
    _write(staging / "parquet" / "datapackage.json", json_bytes(descriptor(schema_tables, parquet_files, "parquet", "")))


def _write(path: Path, data: bytes) -> None:
    """Write a file into the staging folder and flush it to disk (the commit makes it visible, atomically)."""
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def verify_staged(staging: Path, arrow: dict[str, pa.Table], frictionless: bool = True,
                  schema_tables: list[Table] | None = None) -> list[str]:
    """Prove the CSV and Parquet files hold the tables (read back), and validate the CSV package with frictionless."""
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
    for name, table in arrow.items():
        back = pq.read_table(staging / "parquet" / f"{name}.parquet")
        if not back.equals(table):
            errors.append(f"{name}.parquet does not read back equal to the table it was written from")
    return errors


@contextmanager
def locked(root: Path) -> Iterator[Path]:
    """Hold the build lock (one build at a time per repository); yield the work folder."""
    work = root / WORK
    work.mkdir(exist_ok=True)
    with open(work / "lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            recover(root)
            yield work
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def recover_pending(root: Path) -> None:
    """Complete a commit a killed build left half done; for commands that do not build (check)."""
    if (root / WORK / JOURNAL).exists():  # no lock (and no work folder) otherwise: check stays read-only
        with locked(root):
            pass


def recover(root: Path) -> None:
    """Finish a commit a killed build left half done, and clear stale staging folders."""
    work = root / WORK
    journal = work / JOURNAL
    if journal.exists():
        plan = json.loads(journal.read_text(encoding="utf-8"))
        _apply(root, plan)
        journal.unlink()
    for stale in work.iterdir() if work.exists() else []:
        if stale.is_dir() and stale.name.startswith(("staging-", "trash-")):  # not the cache
            shutil.rmtree(stale)


def commit(root: Path, work: Path, staging: Path) -> None:
    """Replace the outputs with the staged ones, all together (see the module docstring)."""
    plan: dict[str, Any] = {"staging": staging.name, "trash": f"trash-{staging.name}",
            "moves": [[src, dst] for src, dst in OUTPUTS.items()]}
    atomic_write(work / JOURNAL, json_bytes(plan))  # the commit point
    _fsync_dir(work)
    _apply(root, plan)
    (work / JOURNAL).unlink()
    shutil.rmtree(work / plan["trash"], ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)


def _apply(root: Path, plan: dict[str, Any]) -> None:
    """Make the renames of a journal; safe to run again after being interrupted."""
    work = root / WORK
    staging, trash = work / plan["staging"], work / plan["trash"]
    trash.mkdir(exist_ok=True)
    for src, dst in plan["moves"]:
        new, old = staging / src, root / dst
        if not new.exists():  # already moved by an interrupted run
            continue
        old.parent.mkdir(parents=True, exist_ok=True)
        if old.exists():
            os.replace(old, trash / src)
        os.replace(new, old)
        _fsync_dir(old.parent)


def _fsync_dir(path: Path) -> None:
    """Flush a folder's entries, so a rename survives a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def differences(root: Path, staging: Path) -> list[str]:
    """Committed CSV-package files that differ from the staged ones (for build --check)."""
    differ = []
    staged = {"datapackage.json": staging / "datapackage.json"}
    staged |= {f"data/{p.name}": p for p in sorted((staging / "data").iterdir())}
    committed = {"datapackage.json"} | {f"data/{p.name}" for p in (root / "data").glob("*")}  # glob of a missing folder: nothing
    for rel in sorted(set(staged) | committed):
        mine, theirs = root / rel, staged.get(rel)
        if theirs is None:
            differ.append(f"{rel}: committed but no longer built")
        elif not mine.exists():
            differ.append(f"{rel}: built but not committed")
        elif mine.read_bytes() != theirs.read_bytes():
            differ.append(f"{rel}: differs from what the records produce")
    return differ
