"""Check and build at scale: each statement checked once, on every core, and remembered by content hash.

The reference pipeline (cli.run_check, then tables.build_tables, then write.stage) works on the
whole corpus in one process, and redoes all of it after any edit. This module runs the same
rules, by calling the same functions of check.py and tables.py, one statement at a time:

- each statement folder is loaded, schema-checked (check._schema_problems), checked against
  the shared records (check._statement_meta) and on its own (check._statement_claims), and
  turned into table rows (tables._statements, tables._claim_rows) and their CSV lines
  (write.csv_cell), in worker processes;
- the result is kept in .hrc-build/statements.marshal under a hash of the statement's three
  files, the shared records, the schema and this package's code, so a rebuild after editing
  one statement redoes that statement only;
- what spans statements (claim links, the null-reason table) is assembled afterwards, and
  the tables are read back from the CSV lines, so the two formats hold the same values.

It only ever says yes. At the first problem of any kind it returns None, and the caller runs
the reference pipeline, whose messages (with line and column) are the ones a curator sees.
The differential tests prove the outputs are byte for byte the reference ones.
"""

from __future__ import annotations

import csv
import hashlib
import io
import marshal
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyarrow as pa

from . import __version__
from .check import CheckedCorpus, _schema_problems, _statement_claims, _statement_meta, check_corpus
from .context import ClaimIndex, check_references
from .fastyaml import load_fast
from .load import (ACTORS_FILE, CLAIMS_FILE, ENTITIES_FILE, MAX_BYTES, REFERENCES_FILE, SESSIONS_FILE, SOURCE_FILE,
                   SOURCES_FILE, STATEMENT_FILE, STATEMENTS, Corpus, Document, StatementFolder, _YamlProblem,
                   load_optional_yaml, load_yaml, parse_yaml, read_bytes, statement_folders)
from .problems import RecordError
from .readback import read_csv_table
from .schema import Schemas
from .tables import _claim_rows, _null_reasons, _statements, arrow_schema, build_tables
from .tableschema import Table, tables
from .write import WORK, csv_bytes, csv_cell

RESULTS_FILE = "statements.marshal"
# Tables whose rows come from one statement each, in statement order (claim_links is sorted
# across statements, so it is assembled from the links each statement returns).
PER_STATEMENT = ("statements", "claims", "claim_topics", "claim_themes", "quantities", "claim_entities", "non_claims")
_INT64 = 2**63
_workers_state: dict[str, Any] = {}  # what forked workers inherit: root, schemas, shared indexes


class _NotClean(Exception):
    """A problem, or a doubt: the reference pipeline must take over."""


@dataclass
class FastResult:
    """A clean corpus's tables, CSV files and summary, as the reference pipeline would give them."""

    arrow: dict[str, pa.Table]
    csv: dict[str, bytes]
    coverage: list[str]  # cli.coverage_lines
    statements: int
    claims: int
    cached: int  # statements taken from the cache


def _fingerprint(root: Path, shared: list[bytes]) -> bytes:
    """What every statement's result depends on besides its own files."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=20)
    here = Path(__file__).parent
    for path in sorted(here.glob("*.py")):
        digest.update(path.read_bytes())
    for path in sorted((root / "schema").rglob("*.json")):
        digest.update(path.as_posix().encode() + path.read_bytes())
    for blob in shared:
        digest.update(len(blob).to_bytes(8, "little") + blob)
    try:
        import jsonschema_rs
        import re2
        import ryml

        digest.update(f"{ryml.version} {getattr(jsonschema_rs, '__version__', '')} {getattr(re2, '__version__', '')}".encode())
    except ImportError:  # pragma: no cover - the fast paths are pinned
        pass
    return digest.digest()


def _csv_lines(rows: list[dict[str, Any]], table: Table) -> bytes:
    """Rows as the CSV lines write.csv_bytes writes for them (values as Arrow would hold them)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    names = [field.name for field in table.fields]
    # csv.writer already writes None, text, integers and dates as csv_cell does; numbers and
    # booleans it would write differently (9281.0, True), so those columns go through csv_cell.
    convert = [(i, field.type) for i, field in enumerate(table.fields)
               if field.type in ("number", "boolean") or (field.type == "integer" and field.record_field)]
    for row in rows:
        values = [row[name] for name in names]
        if "" in values:
            raise _NotClean  # CSV cannot tell "" from null: let the reference decide
        for i, kind in convert:
            value = values[i]
            if kind == "integer":
                if isinstance(value, float):
                    raise _NotClean  # 3.0 passes the JSON Schema but not Arrow's int64: let the reference fail as it does
                continue
            if kind == "number" and isinstance(value, int) and not isinstance(value, bool):
                if abs(value) >= _INT64:
                    raise _NotClean  # Arrow refuses it as a float64 column's value: let the reference fail as it does
                value = float(value)  # an integer in a number column is held as a float64
            values[i] = csv_cell(value)
        writer.writerow(values)
    return out.getvalue().encode("utf-8")


def _document(blob: bytes, rel: str) -> Document:
    """A record file's Document from its bytes, as load.load_yaml reads it; raise _NotClean where it has problems."""
    if blob.startswith(b"\xef\xbb\xbf") or b"\r" in blob:
        raise _NotClean  # load.read_text refuses a byte-order mark and CR line ends
    try:
        text = blob.decode("utf-8")
        return load_fast(text, rel) or parse_yaml(text, rel)
    except (UnicodeDecodeError, _YamlProblem):
        raise _NotClean from None


def _one_statement(name: str) -> dict[str, Any]:
    """Check one statement folder and render its rows; raise _NotClean at any problem."""
    state = _workers_state
    root: Path = state["root"]
    folder = f"{STATEMENTS}/{name}"
    if not (root / folder).is_dir() or (root / folder).is_symlink():
        raise _NotClean
    meta_bytes, claims_bytes, source = state["blobs"][name]  # read by the parent for the cache key
    meta = _document(meta_bytes, f"{folder}/{STATEMENT_FILE}")
    claims = _document(claims_bytes, f"{folder}/{CLAIMS_FILE}")
    statement = StatementFolder(name, meta, claims, source, f"{folder}/{SOURCE_FILE}")
    schemas: Schemas = state["schemas"]
    if _schema_problems(schemas, "statement", meta) or _schema_problems(schemas, "claims", claims):
        raise _NotClean
    if _statement_meta(statement, state["sessions"], state["actors"], state["in_session"], shape_ok=state["shape_ok"]):
        raise _NotClean
    checked, problems = _statement_claims(statement, state["entities"], check_entities=True)
    if problems or checked is None:
        raise _NotClean
    rows: dict[str, list[dict[str, Any]]] = {table: [] for table in PER_STATEMENT + ("claim_links",)}
    rows["statements"] = list(_statements(SimpleNamespace(statements=[checked])))  # type: ignore[arg-type]
    _claim_rows(checked, rows)
    by_name = state["tables"]
    links = [[r["claim_id"], r["target_claim_id"], r["relation"], r["note"]] for r in rows["claim_links"]]
    return {
        "id": checked.id,
        "csv": {table: _csv_lines(rows[table], by_name[table]) for table in PER_STATEMENT},
        "links": links,
        "claims": [f"{checked.id}-{c.record['id']}" for c in checked.claims],
        "qualifiers": [[f"{checked.id}-{c}", [q.record["qualifier"] for q in qs]] for c, qs in checked.quantities.items()],
        "link_sources": [[f"{checked.id}-{c['id']}", [link["to"] for link in c.get("links", [])]] for c in claims.data["claims"]],
        "null_reasons": meta.data.get("null_reasons", {}),
        "coverage": [len(checked.claims), len(checked.non_claims), checked.sentences_covered, checked.sentences_total,
                     meta.data["curation"]],
    }


def _chunk(names: list[str]) -> list[dict[str, Any]] | None:
    """Results for a list of statement folders, or None if any is not clean (in a worker)."""
    try:
        return [_one_statement(name) for name in names]
    except Exception:  # noqa: BLE001 - a problem, or anything unforeseen: the reference pipeline decides
        return None


def _shared_checked(root: Path, schemas: Schemas) -> tuple[CheckedCorpus, Document | None, Document | None]:
    """Sessions, actors, entities and sources, checked by the reference check (they are small), and
    the sources and references documents (references are checked once the claims are known); raise _NotClean."""
    docs = []
    for rel in (SESSIONS_FILE, ACTORS_FILE, ENTITIES_FILE):
        doc, found = load_yaml(root, rel)
        if found or doc is None:
            raise _NotClean
        docs.append(doc)
    optional = []
    for rel in (SOURCES_FILE, REFERENCES_FILE):
        doc, found = load_optional_yaml(root, rel)
        if found:
            raise _NotClean
        optional.append(doc)
    try:
        return check_corpus(Corpus(docs[0], docs[1], docs[2], [], optional[0], None), schemas), optional[0], optional[1]
    except RecordError:
        raise _NotClean from None


def _load_results(path: Path, fingerprint: bytes) -> dict[bytes, Any]:
    """The remembered statement results, if they were made by the same code from the same shared records."""
    try:
        with open(path, "rb") as f:
            stored = marshal.load(f)
        return stored["entries"] if stored.get("fingerprint") == fingerprint else {}
    except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _save_results(path: Path, fingerprint: bytes, entries: dict[bytes, Any]) -> None:
    """Remember this run's statement results (only these: the cache holds the current files), atomically."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            with open(temporary, "wb") as f:
                marshal.dump({"fingerprint": fingerprint, "entries": entries}, f)
            os.replace(temporary, path)
        except OSError:  # a full disk: leave no torn temporary file behind
            temporary.unlink(missing_ok=True)
            raise
    except OSError:  # a read-only checkout still builds; it just does not remember
        pass


def run(root: Path, workers: int | None = None, pool_from: int = 64, tabulate: bool = True) -> FastResult | None:
    """Check and tabulate a corpus the fast way; None means: use the reference pipeline.

    Statements are spread over `workers` processes (default: one per core) when at least
    `pool_from` of them need checking; fewer are checked in this process. Without `tabulate`
    (hrc-corpus check) the whole-corpus tables are not assembled; the statements' rows are
    still rendered and remembered, for the build that usually follows a check.
    """
    try:
        return _run(root, workers or os.cpu_count() or 1, pool_from, tabulate)
    except Exception:  # noqa: BLE001 - a problem, or anything unforeseen: the reference pipeline decides
        return None


def _run(root: Path, workers: int, pool_from: int, tabulate: bool) -> FastResult:
    schemas = Schemas(root / "schema")
    shared, sources, references = _shared_checked(root, schemas)
    shared_bytes = [(root / rel).read_bytes() for rel in (SESSIONS_FILE, ACTORS_FILE, ENTITIES_FILE)]
    fingerprint = _fingerprint(root, shared_bytes)
    base = root / STATEMENTS
    if not base.is_dir():
        raise _NotClean
    names, odd = statement_folders(root)  # as load.load_corpus lists them
    if odd:
        raise _NotClean
    sessions = {s["id"]: s for s in shared.sessions}
    actors = {a["id"]: a for a in shared.actors}
    by_name = {t.name: t for t in tables(schemas)}
    _workers_state.update(root=root, schemas=schemas, sessions=sessions, actors=actors,
                          entities={e["id"]: e for e in shared.entities}, tables=by_name,
                          shape_ok=bool(sessions) and bool(actors),
                          in_session={t.id: bool(t.extra.get("x-in-session")) for t in schemas.vocabularies["statement_type"]})
    # A statement's key: its three files' bytes, read with load.py's own refusals (links out, sizes).
    keys: dict[str, bytes] = {}
    blobs: dict[str, tuple[bytes, ...]] = {}
    inside = base.resolve().is_relative_to(root.resolve())
    for name in names:
        digest = hashlib.blake2b(fingerprint + name.encode(), digest_size=20)
        blobs[name] = tuple(_plain_file_bytes(root, f"{STATEMENTS}/{name}/{file}", inside)
                            for file in (STATEMENT_FILE, CLAIMS_FILE, SOURCE_FILE))
        for blob in blobs[name]:
            digest.update(len(blob).to_bytes(8, "little") + blob)
        keys[name] = digest.digest()
    _workers_state["blobs"] = blobs  # forked workers read the files from here, not again from disk
    cache_path = root / WORK / RESULTS_FILE
    remembered = _load_results(cache_path, fingerprint)
    results = {name: remembered[keys[name]] for name in names if keys[name] in remembered}
    todo = [name for name in names if name not in results]
    for name, result in zip(todo, _compute(todo, workers, pool_from)):
        results[name] = result
    _workers_state.clear()  # the files' bytes (90 MB at 100,000 claims) are no longer needed
    if todo or len(remembered) != len(results):
        _save_results(cache_path, fingerprint, {keys[name]: results[name] for name in names})
    _check_references(shared, schemas, sources, references, [results[name] for name in names], set(names))
    return _assemble(shared, schemas, [results[name] for name in names], len(names) - len(todo), tabulate)


def _check_references(shared: CheckedCorpus, schemas: Schemas, sources: Document | None, references: Document | None,
                      results: list[dict[str, Any]], folders: set[str]) -> None:
    """context.check_references on the statements' quantities, as a yes/no; the checked references join shared."""
    if references is None:
        return
    qualifiers = {claim: list(found) for r in results for claim, found in r["qualifiers"]}
    index = {s["id"]: s for s in shared.context.sources}
    claims = ClaimIndex(qualifiers, {r["id"] for r in results}, folders)
    if check_references(schemas, references, index, claims, has_sources=sources is not None):
        raise _NotClean
    shared.context.references = references.data


def _plain_file_bytes(root: Path, rel: str, inside: bool) -> bytes:
    """A statement file's bytes, refused exactly as load.read_bytes refuses (raise _NotClean).

    read_bytes resolves every path (a third of a rebuild's time at 100,000 claims); a regular
    file that is not a link, in a folder that is not a link, in a statements folder inside the
    repository, needs no resolving to be known to be inside it.
    """
    path = root / rel
    try:
        folder, info = os.lstat(path.parent), os.lstat(path)
    except OSError:
        raise _NotClean from None
    if inside and stat.S_ISDIR(folder.st_mode) and stat.S_ISREG(info.st_mode) and info.st_size <= MAX_BYTES:
        return path.read_bytes()
    blob, found = read_bytes(root, rel)  # a link, or something odd: ask the reference
    if found or blob is None:
        raise _NotClean
    return blob


def _compute(names: list[str], workers: int, pool_from: int) -> list[dict[str, Any]]:
    """Results for statement folders, in order, on up to `workers` processes; raise _NotClean."""
    if workers < 2 or len(names) < pool_from:  # a rebuild after a small edit: a pool would cost more than it saves
        found = _chunk(names)
    else:
        import multiprocessing

        size = max(8, len(names) // (workers * 8))
        chunks = [names[i : i + size] for i in range(0, len(names), size)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_chunk, chunks, chunksize=1)
        found = None if any(part is None for part in parts) else [r for part in parts for r in part]  # type: ignore[union-attr]
    if found is None:
        raise _NotClean
    return found


def _assemble(shared: CheckedCorpus, schemas: Schemas, results: list[dict[str, Any]], cached: int,
              tabulate: bool) -> FastResult:
    """The tables and CSV files of the whole corpus from its statements' results (no tables for a check)."""
    known = {claim for r in results for claim in r["claims"]}
    for r in results:  # check._links, as a yes/no
        for own, targets in r["link_sources"]:
            if any(t == own or t not in known for t in targets) or len(set(targets)) != len(targets):
                raise _NotClean
    coverage = []
    for r in results:
        n_claims, n_non_claims, covered, total, curation = r["coverage"]
        pct = 100 * covered / total if total else 100.0
        coverage.append(f"  {r['id']}: {n_claims} claims, {n_non_claims} non-claims, "
                        f"{covered}/{total} sentences accounted for ({pct:.0f}%), {curation}")
    claims = sum(r["coverage"][0] for r in results)
    if not tabulate:
        return FastResult({}, {}, coverage, len(results), claims, cached)
    schema_tables = tables(schemas)
    arrow = build_tables(shared)  # the shared tables; the statements' ones are replaced below
    csv_files: dict[str, bytes] = {}
    header = {t.name: csv_bytes(arrow_schema(t).empty_table()) for t in schema_tables}
    for table in schema_tables:
        if table.name in PER_STATEMENT:
            csv_files[table.name] = header[table.name] + b"".join(r["csv"][table.name] for r in results)
            arrow[table.name] = read_csv_table(csv_files[table.name], table)
    links = sorted(({"claim_id": c, "target_claim_id": t, "relation": rel, "note": note}
                    for r in results for c, t, rel, note in r["links"]), key=lambda row: (row["claim_id"], row["target_claim_id"]))
    by_name = {t.name: t for t in schema_tables}
    arrow["claim_links"] = pa.Table.from_pylist(links, schema=arrow_schema(by_name["claim_links"]))
    stand_ins = SimpleNamespace(statements=[SimpleNamespace(id=r["id"], meta={"null_reasons": r["null_reasons"]}) for r in results],
                                sessions=shared.sessions, actors=shared.actors, schemas=schemas)
    arrow["null_reasons"] = pa.Table.from_pylist(list(_null_reasons(stand_ins)),  # type: ignore[arg-type]
                                                 schema=arrow_schema(by_name["null_reasons"]))
    for table in schema_tables:
        if table.name not in csv_files:
            csv_files[table.name] = csv_bytes(arrow[table.name])
    return FastResult({t.name: arrow[t.name] for t in schema_tables}, csv_files, coverage, len(results), claims, cached)
