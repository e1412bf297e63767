"""The pipeline: load → check → tables (→ write, in cli.py), with one switch for how it runs.

Options choose the backends (the YAML backend of load, the validator of check), the number
of worker processes and whether the cache is used. Every combination runs the same rules
(check.check_statement, tables.statement_rows, csvfile.csv_rows) and gives the same answer;
the differential tests prove it against STRICT:

- STRICT (`hrc-corpus --strict`): the reference backends, one process, no cache, the whole
  corpus at once (load.load_corpus, check.check_corpus, tables.build_tables, write.csv_bytes).
  It is the oracle.
- any other Options: the same steps one statement at a time, spread over worker processes,
  each statement's result (its problems, or its rows already written as CSV lines) kept in
  the cache under the hash of its files, the shared records, the schemas and the code; what
  spans statements (links, duplicate ids, the null-reason table) is done afterwards. A
  rebuild after editing one statement redoes that statement only: an index in the cache
  knows the others by their files' identities (neither read nor hashed) and holds their
  results; with `reuse`, only the tables the edit changed are made (outputs.py).

A problem anywhere is reported (every problem, in one run) by raising RecordError.
"""

from __future__ import annotations

import gc
import json
import os
import stat
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from .cache import FOLDER, Cache, fingerprint, sha256_of
from .check import CheckedCorpus, LinkFacts, SharedRecords, check_context_across, check_corpus, check_links, check_shared, check_statement, duplicate_ids
from .check.validate import Validators
from .context import ClaimIndex, Context
from .csvfile import csv_rows, csv_text
from .files import OPTIONAL_FILES, SHARED_FILES, STATEMENT_FILES, STATEMENTS, WORK, atomic_write, read_bytes, statement_folders
from .load import BACKENDS, Corpus, load_corpus, load_optional_yaml, load_statement, read_document
from .outputs import Layout, Part, identity, part_of, record
from .problems import Problem, RecordError
from .schema import Schemas
from .tableschema import Table, tables

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class Options:
    """How the pipeline runs; the answer is the same for every choice."""

    backend: str = "fast"  # "fast" or "reference": the YAML backend of load and the validator of check
    workers: int = 0  # worker processes; 0: one per core
    cache: bool = True  # read and write results in .hrc-build/cache/
    pool_from: int = 64  # statements to check before worker processes are worth starting

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r} (expected one of {BACKENDS})")

    @property
    def strict(self) -> bool:
        """Whether these are the oracle's options: reference backends, one process, no cache."""
        return self.backend == "reference" and self.workers == 1 and not self.cache


STRICT = Options(backend="reference", workers=1, cache=False)


@dataclass
class Coverage:
    """One statement's counts, for the summary a command prints."""

    statement_id: str
    claims: int
    non_claims: int
    covered: int
    sentences: int
    curation: str

    def line(self) -> str:
        """The summary line: claims, non-claims and sentence coverage."""
        pct = 100 * self.covered / self.sentences if self.sentences else 100.0
        return (f"  {self.statement_id}: {self.claims} claims, {self.non_claims} non-claims, "
                f"{self.covered}/{self.sentences} sentences accounted for ({pct:.0f}%), {self.curation}")


@dataclass
class Result:
    """A clean corpus: its tables and CSV files (when tabulated) and its summary.

    With `reuse`, a table the last build wrote as it is now is not made again: it is in `kept`
    (what the last build recorded of it), not in `arrow` and `csv`.
    """

    schema_tables: list[Table]
    arrow: dict[str, pa.Table]
    csv: dict[str, bytes]
    coverage: list[Coverage]
    cached: int = 0  # statements whose result came from the cache
    kept: dict[str, dict[str, Any]] = field(default_factory=dict)
    parts: dict[str, list[Part]] = field(default_factory=dict)  # each per-statement table's parts (outputs.py)
    from_csv: bool = False  # the Arrow tables were read from the CSV bytes (so reading those back proves nothing)
    statements: int = field(init=False)
    claims: int = field(init=False)

    def __post_init__(self) -> None:
        self.statements = len(self.coverage)
        self.claims = sum(c.claims for c in self.coverage)

    def rows(self) -> dict[str, int]:
        """Rows per table, in the schema's order."""
        return {t.name: self.arrow[t.name].num_rows if t.name in self.arrow else self.kept[t.name]["rows"]
                for t in self.schema_tables}


def run(root: Path, options: Options = Options(), tabulate: bool = True, reuse: bool = False,
        seen: dict[str, Any] | None = None) -> Result:
    """Load, check and (with tabulate) make the tables of the records under root; raise RecordError.

    With reuse (and the cache), tables the last build wrote as they are now are kept, not made
    (Result.kept), and a changed one is made from its statements' parts in the old file where
    they are unchanged (outputs.py). `seen`: the record files' identities as up_to_date took them
    just before (so that they are not taken twice).
    """
    with paused_gc():
        if options.strict:
            return _run_strict(root, tabulate)
        return _Run(root, options).result(tabulate, reuse, seen)


def check_records(root: Path, backend: str = "reference") -> CheckedCorpus:
    """The whole corpus loaded and checked in this process (for release.py, which needs the checked records)."""
    with paused_gc():
        return check_corpus(load_corpus(root, backend), Validators(Schemas(root / "schema"), backend))


def _run_strict(root: Path, tabulate: bool) -> Result:
    """The oracle: whole corpus, reference backends, one process, no cache."""
    corpus = check_records(root, "reference")
    coverage = [Coverage(s.id, len(s.claims), len(s.non_claims), s.sentences_covered, s.sentences_total, s.meta["curation"])
                for s in corpus.statements]
    schema_tables = tables(corpus.schemas)
    if not tabulate:
        return Result(schema_tables, {}, {}, coverage)
    from .tables import build_tables
    from .write import csv_bytes

    arrow = build_tables(corpus)
    return Result(schema_tables, arrow, {t.name: csv_bytes(arrow[t.name]) for t in schema_tables}, coverage)


# What forked workers inherit (set by _Run before the pool starts).
_state: dict[str, Any] = {}


class _Run:
    """One run of the per-statement pipeline."""

    def __init__(self, root: Path, options: Options):
        self.root, self.options = root, options
        self.schemas = Schemas(root / "schema")
        self.validators = Validators(self.schemas, options.backend)
        self.problems: list[Problem] = []
        shared_docs, shared_bytes = [], []
        for rel in SHARED_FILES:
            data, found = read_bytes(root, rel)
            doc = None
            if data is not None:
                doc, found = read_document(data, rel, options.backend)
            self.problems += found
            shared_docs.append(doc)
            shared_bytes.append(b"-" if data is None else b"+" + data)
        optional = []
        for rel in OPTIONAL_FILES:
            doc, found = load_optional_yaml(root, rel, options.backend)
            self.problems += found
            optional.append(doc)
        self.corpus = Corpus(shared_docs[0], shared_docs[1], shared_docs[2], [], optional[0], optional[1])
        self.context = Context()
        self.shared, found = check_shared(self.corpus, self.validators)
        self.problems += found
        self.cache = Cache.open(root / WORK, fingerprint(root, options.backend)) if options.cache else None
        # (Hashed once: hashing the shared records into every statement's key was a tenth of a second at 2,000 statements.)
        self.shared_key = sha256_of(*shared_bytes)
        self.blobs: dict[str, tuple[bytes | None, ...]] = {}  # the statements' files read in this run
        self.keys: dict[str, str] = {}
        self.index_read: dict[str, Any] = {}  # the index as read from the cache (see _index)
        self.unreadable: set[str] = set()  # statements the gate refused a file of (never indexed: see _index)

    def result(self, tabulate: bool, reuse: bool = False, seen: dict[str, Any] | None = None) -> Result:
        """Every statement's result (from the cache, or computed), the rules across statements, the tables."""
        listing = statement_folders(self.root)
        names = listing.names
        self.problems += listing.problems
        index = self._index()
        taken = time.time() if seen is None else seen["taken"]
        base = os.path.join(self.root, STATEMENTS)
        seen_files = seen["inputs"] if seen is not None else {}
        files = {name: [seen_files.get(f"{STATEMENTS}/{name}/{file}") if seen is not None else identity(os.path.join(base, name, file))
                        for file in STATEMENT_FILES] for name in names}
        digests: dict[str, str] = {}
        for name in names:
            known = index.get(name)
            if known is not None and None not in files[name] and known["files"] == files[name]:
                digests[name] = known["digest"]  # the same files as when last read (see _index): no need to read them
        results: dict[str, dict[str, Any]] = {}
        if self.cache is not None:
            for name, digest in digests.items():
                self.keys[name] = self.cache.key(self.shared_key, name.encode(), digest.encode())
                known = index[name]
                if known["key"] == self.keys[name] and _sound(known["result"]):
                    results[name] = known["result"]  # without its CSV lines, which are read only if needed
                    self.cache.keep(self.keys[name])
        cached = len(results)
        todo = [name for name in names if name not in results]
        # The others are read, looked up in the cache and, if need be, computed where they are read: on the workers.
        for name, job in zip(todo, self._compute(todo, digests)):
            results[name], digests[name] = job["result"], job["digest"]
            cached += job["cached"]
            if self.cache is not None:
                self.keys[name] = job["key"]
                self.cache.keep(job["key"])
            if job["read"]:
                self.unreadable.add(name)
                self.problems += [Problem(*p) for p in job["read"]]
        ordered = [results[name] for name in names]
        if self.cache is not None:
            self._remember_index(names, files, digests, results, taken, todo)
            self.cache.keep(self.cache.key(_LAYOUT))
            self.cache.prune()
        self._across(names, ordered, listing.refused)
        names_seen = set(names) | set(listing.refused) | {r["meta_id"] for r in ordered if r.get("meta_id")}
        qualifiers = ({f"{r['coverage'][0]}-{c}": q for r in ordered if r["coverage"] for c, q in r["qualifiers"]}
                      if self.corpus.references is not None else {})  # (only the references' rules read it)
        claims = ClaimIndex(qualifiers, {r["coverage"][0] for r in ordered if r["coverage"]}, names_seen)
        self.problems += check_context_across(self.corpus, self.shared, self.validators, claims, self.context)
        if self.problems:
            raise RecordError(self.problems)
        layout = self._layout() if reuse else None
        return self._tables(names, ordered, cached, tabulate, layout)

    def _blobs(self, name: str) -> tuple[bytes | None, ...]:
        """A statement folder's files, read (once) through the gate; their problems are this run's."""
        if name not in self.blobs:
            self.blobs[name], found = _read_statement(self.root, name)
            if found:
                self.unreadable.add(name)
            self.problems += found
        return self.blobs[name]

    def _index(self) -> dict[str, dict[str, Any]]:
        """The last run's statements: their files' identities, content digest, cache key and result (without CSV lines).

        A statement whose files have the identities recorded is not read again: the index
        records an identity only for a file unchanged for _RACY seconds when it was read (as the
        stamp of a build with nothing changed does), and only where records/ and its statements
        folder are real folders, so that no link can stand in for them.
        """
        if self.cache is None or not all(_real_folder(self.root / rel) for rel in ("records", STATEMENTS)):
            return {}
        value = self.cache.get(self.cache.key(_INDEX))
        statements = value.get("statements") if isinstance(value, dict) else None
        if not isinstance(statements, dict):
            return {}
        self.index_read = statements  # (to tell whether this run's index is the same)
        return {name: entry for name, entry in statements.items()
                if isinstance(entry, dict) and isinstance(entry.get("files"), list) and isinstance(entry.get("digest"), str)
                and isinstance(entry.get("key"), str) and isinstance(entry.get("result"), dict)}

    def _remember_index(self, names: list[str], files: dict[str, list[list[int] | None]], digests: dict[str, str],
                        results: dict[str, dict[str, Any]], taken: float, todo: list[str]) -> None:
        """Store this run's index (see _index), unless it is the one read."""
        assert self.cache is not None
        statements = {}
        for name in names:
            clean = name not in self.unreadable and results[name].get("coverage") is not None and not results[name]["problems"]
            # Only a clean statement's files are known by their identity: a problem is found again by reading them.
            settled = [f if clean and f is not None and taken - f[1] / 1e9 >= _RACY else None for f in files[name]]
            small = {k: v for k, v in results[name].items() if k != "csv"}
            statements[name] = {"files": settled, "digest": digests[name], "key": self.keys[name], "result": small}
        if not todo and statements == self.index_read:
            self.cache.keep(self.cache.key(_INDEX))
            return
        self.cache.put(self.cache.key(_INDEX), {"statements": statements})

    def _layout(self) -> Layout | None:
        """What the last build recorded of its outputs (outputs.py), if it is in the cache."""
        if self.cache is None:
            return None
        return Layout.from_value(self.root, self.cache.get(self.cache.key(_LAYOUT)))

    def _compute(self, names: list[str], digests: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Each statement folder's job (_statement_job), in order, in this process or on worker processes."""
        _state.update(root=self.root, backend=self.options.backend, shared=self.shared, validators=self.validators,
                      blobs=self.blobs, tables={t.name: t for t in tables(self.schemas)},  # Table Schemas: made once, not per statement
                      cache=self.cache, shared_key=self.shared_key, digests=digests or {})
        try:
            workers = self.options.workers or os.cpu_count() or 1
            if workers < 2 or len(names) < self.options.pool_from:  # a pool would cost more than it saves
                return _chunk(names)
            import multiprocessing

            size = max(8, len(names) // (workers * 8))
            chunks = [names[i : i + size] for i in range(0, len(names), size)]
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                return [r for part in pool.map(_chunk, chunks, chunksize=1) for r in part]
        finally:
            _state.clear()

    def _across(self, names: list[str], results: list[dict[str, Any]], refused: list[str]) -> None:
        """The statements' own problems, then the rules across statements: links and duplicate ids."""
        for r in results:
            self.problems += [Problem(*p) for p in r["problems"]]
        facts = [LinkFacts(r["facts"]["folder"], r["facts"]["judged"], r["facts"]["statement_id"], _full_ids(r["facts"]["ids"]),
                           [(i, own, targets) for i, own, targets in r["facts"]["links"]]) for r in results]
        found = check_links(facts + [LinkFacts(name, judged=False) for name in refused])
        repeats = duplicate_ids([(f.folder, f.statement_id) for f in facts if f.statement_id is not None])
        if not found and not repeats:
            return
        # Rare: locate the messages with the reference backend, which knows every line and column.
        by_name = dict(zip(names, facts))
        for name, where, message in found:
            folder, _ = load_statement(self.root, name, "reference", self._blobs(name))
            assert folder is not None
            self.problems.append(folder.claims.problem(where, message))
        for name, first in repeats:
            folder, _ = load_statement(self.root, name, "reference", self._blobs(name))
            assert folder is not None
            other = f"{STATEMENTS}/{by_name[first].folder}/{STATEMENT_FILES[0]}"
            self.problems.append(folder.meta.problem(("id",), f"duplicate statement id {folder.meta.data['id']!r} (also in {other})"))

    def _tables(self, names: list[str], results: list[dict[str, Any]], cached: int, tabulate: bool,
                layout: Layout | None) -> Result:
        """The tables and CSV files of the whole corpus from its statements' rows (none for a check)."""
        coverage = [Coverage(*r["coverage"]) for r in results]
        if not tabulate:  # (the Table Schemas resolve $refs with `referencing`, which a check need not load)
            return Result([], {}, {}, coverage, cached)
        schema_tables = tables(self.schemas)
        from .readback import read_csv_table
        from .tables import PER_STATEMENT, link_order, null_reason_rows, table_rows
        from .write import in_threads

        assert self.corpus.sessions and self.corpus.actors and self.corpus.entities
        shared = CheckedCorpus(self.corpus.sessions.data, self.corpus.actors.data, self.corpus.entities.data, [], self.schemas,
                               context=self.context)
        rows = table_rows(shared)  # the rows of the shared records' tables; the statements' ones are made below
        link_fields = [f.name for t in schema_tables if t.name == "claim_links" for f in t.fields]
        rows["claim_links"] = sorted((dict(zip(link_fields, row)) for r in results for row in r["links"]), key=link_order)
        rows["null_reasons"] = null_reason_rows([(r["coverage"][0], r["null_reasons"]) for r in results], shared.sessions,
                                                shared.actors, self.schemas)
        # Every table is made as CSV first and read into Arrow from those bytes (pyarrow imports pandas, a quarter of a
        # one-edit rebuild, to make an array from Python values; not to read CSV). The oracle's tables, made from the
        # values (tables.build_tables), are the same: the differential tests compare them.
        csv_files: dict[str, bytes] = {}
        kept: dict[str, dict[str, Any]] = {}
        all_parts: dict[str, list[Part]] = {}
        for table in schema_tables:
            header = csv_rows([], [], header=[f.name for f in table.fields])
            if table.name in PER_STATEMENT:
                parts = [_part_of(r, table.name) for r in results]
                all_parts[table.name] = parts
                if layout is not None and layout.unchanged(table.name, parts):
                    kept[table.name] = layout.entry(table.name)
                    continue
                lines = [self._part(table.name, i, name, r, layout) for i, (name, r) in enumerate(zip(names, results))]
                csv_files[table.name] = header + b"".join(lines)
            else:
                fields = table.fields
                csv_files[table.name] = header + csv_rows(([row[f.name] for f in fields] for row in rows[table.name]),
                                                          [f.type for f in fields])
                if layout is not None and layout.same_file(table.name, csv_files[table.name]):
                    kept[table.name] = layout.entry(table.name)
                    del csv_files[table.name]
        made = [t for t in schema_tables if t.name in csv_files]
        arrow = dict(zip([t.name for t in made], in_threads(lambda t: read_csv_table(csv_files[t.name], t), made)))
        return Result(schema_tables, arrow, csv_files, coverage, cached, kept, all_parts, from_csv=True)

    def _part(self, table: str, index: int, name: str, result: dict[str, Any], layout: Layout | None) -> bytes | memoryview:
        """A statement's CSV lines of a table: computed in this run, else from the old file, else from the cache."""
        if "csv" in result:
            return str(result["csv"][table]).encode("utf-8")
        part = _part_of(result, table)
        if layout is not None:
            old = layout.part_bytes(table, index, part)
            if old is not None:
                return old
        value = self.cache.get(self.keys[name]) if self.cache is not None else None
        if not isinstance(value, dict) or not _sound(value) or "csv" not in value:  # (removed since the index was written)
            self._blobs(name)
            value = self._compute([name])[0]["result"]
        result["csv"] = value["csv"]
        data = str(value["csv"][table]).encode("utf-8")
        assert part_of(data) == part, f"{name}: its {table} rows are not the ones indexed"
        return data


_INDEX, _LAYOUT = b"statement index", b"outputs"  # the names of the two cache entries that are not one statement's


def _part_of(result: dict[str, Any], table: str) -> Part:
    """A statement's part of a table, as its result records it."""
    digest, size = result["parts"][table]
    return str(digest), int(size)


def _digest(blobs: tuple[bytes | None, ...]) -> str:
    """The SHA-256 of a statement folder's files (a missing one marked as the shared records' are)."""
    return sha256_of(*(b"-" if data is None else b"+" + data for data in blobs)).hex()


def _real_folder(path: Path) -> bool:
    """Whether a path is a folder itself, not a link to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _chunk(names: list[str]) -> list[dict[str, Any]]:
    """The jobs of a list of statement folders (in this process, or in a worker)."""
    return [_statement_job(name) for name in names]


def _statement_job(name: str) -> dict[str, Any]:
    """One statement folder read through the gate (unless its digest is known), its result from the cache or computed
    (and then put in the cache, here: writing 90 MB of entries is spread over the workers); plain values."""
    state = _state
    cache: Cache | None = state["cache"]
    blobs, read = state["blobs"].get(name), []
    digest = state["digests"].get(name)
    if digest is None:
        if blobs is None:
            blobs, found = _read_statement(state["root"], name)
            read = [_plain(p) for p in found]
        digest = _digest(blobs)
    key = cache.key(state["shared_key"], name.encode(), digest.encode()) if cache is not None else None
    value = cache.get(key) if cache is not None and key is not None else None
    if _sound(value):
        return {"result": value, "digest": digest, "key": key, "read": read, "cached": 1}
    if blobs is None:  # known by its digest, but not in the cache: read it now
        blobs, found = _read_statement(state["root"], name)
        read = [_plain(p) for p in found]
    result = _statement_result(name, blobs)
    if cache is not None and key is not None:
        cache.put(key, result)
    return {"result": result, "digest": digest, "key": key, "read": read, "cached": 0}


def _read_statement(root: Path, name: str) -> tuple[tuple[bytes | None, ...], list[Problem]]:
    """A statement folder's three files, each through the gate (None where refused), and the gate's problems."""
    read = [read_bytes(root, f"{STATEMENTS}/{name}/{file}") for file in STATEMENT_FILES]
    return tuple(data for data, _ in read), [p for _, found in read for p in found]


def _statement_result(name: str, blobs: tuple[bytes | None, ...]) -> dict[str, Any]:
    """One statement folder loaded, checked and, when it has no problem, rendered as CSV lines: plain JSON values."""
    state = _state
    shared: SharedRecords = state["shared"]
    folder, problems = load_statement(state["root"], name, state["backend"], blobs)
    if folder is None:
        facts = LinkFacts(name, judged=False)
        return {"problems": [_plain(p) for p in problems], "facts": _plain_facts(facts), "coverage": None}
    checked = check_statement(folder, shared, state["validators"])
    meta_id = folder.meta.data.get("id") if isinstance(folder.meta.data, dict) else None
    result: dict[str, Any] = {"problems": [_plain(p) for p in problems + checked.problems], "facts": _plain_facts(checked.facts),
                              "coverage": None, "meta_id": meta_id if isinstance(meta_id, str) else None}
    if checked.checked is None:
        return result
    from .tables import PER_STATEMENT, statement_rows

    s = checked.checked
    rows = statement_rows(s)
    by_name = state["tables"]
    csv, parts = {}, {}
    for table in PER_STATEMENT:
        fields = by_name[table].fields
        cells = itemgetter(*(f.name for f in fields)) if len(fields) > 1 else lambda row, name=fields[0].name: (row[name],)
        csv[table] = csv_text(map(cells, rows[table]), [f.type for f in fields])
        parts[table] = list(part_of(csv[table].encode("utf-8")))
    link_fields = [f.name for f in by_name["claim_links"].fields]
    result.update(csv=csv, parts=parts, links=[[row[f] for f in link_fields] for row in rows["claim_links"]],
                  qualifiers=[[c, [q.record["qualifier"] for q in qs]] for c, qs in s.quantities.items()],
                  null_reasons=s.meta.get("null_reasons", {}),
                  coverage=[s.id, len(s.claims), len(s.non_claims), s.sentences_covered, s.sentences_total, s.meta["curation"]])
    return result


def _plain_facts(facts: LinkFacts) -> dict[str, Any]:
    """Link facts as plain values (dataclasses.asdict deep-copies, a measurable cost at 2,000 statements).

    Only the claims that link somewhere: the rule on links has nothing to say of the others, which
    were a third of the statements' index (and of each run's reading of it).
    """
    ids: dict[str, list[str]] = {}  # claim ids by what comes before their number (the statement's id): half the size
    for claim_id in facts.ids:
        before, dash, number = claim_id.rpartition("-")
        ids.setdefault(before + dash, []).append(number)
    return {"folder": facts.folder, "judged": facts.judged, "statement_id": facts.statement_id, "ids": ids,
            "links": [[i, own, targets] for i, own, targets in facts.links if targets]}


def _full_ids(ids: dict[str, list[str]]) -> list[str]:
    """The claim ids _plain_facts grouped, whole again."""
    return [before + number for before, numbers in ids.items() for number in numbers]


def _plain(problem: Problem) -> list[Any]:
    """A problem as plain values (for the cache and for worker processes)."""
    return [problem.file, problem.line, problem.column, problem.where, problem.message]


def _sound(value: Any) -> bool:
    """Whether a cached value has the shape _statement_result gives (else it is recomputed)."""
    if not isinstance(value, dict) or not isinstance(value.get("problems"), list) or not isinstance(value.get("facts"), dict):
        return False
    facts = value["facts"]
    if not (isinstance(facts.get("folder"), str) and isinstance(facts.get("judged"), bool)
            and isinstance(facts.get("ids"), dict) and all(isinstance(v, list) for v in facts["ids"].values())
            and isinstance(facts.get("links"), list)):
        return False
    if not all(isinstance(p, list) and len(p) == 5 for p in value["problems"]):
        return False
    if value.get("coverage") is None:
        return bool(value["problems"]) or not facts["judged"]
    csv, parts = value.get("csv", {}), value.get("parts")  # (an index's results hold no CSV lines: see _Run._index)
    return (isinstance(csv, dict) and all(isinstance(v, str) for v in csv.values())
            and isinstance(parts, dict) and all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], str)
                                                and isinstance(p[1], int) for p in parts.values())
            and isinstance(value.get("qualifiers"), list)
            and isinstance(value.get("links"), list) and isinstance(value.get("null_reasons"), dict)
            and isinstance(value["coverage"], list) and len(value["coverage"]) == 6)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of small acyclic values are built.

    Each pass scans every container alive; loading 100,000 claims triggered enough passes to
    double the load time. Record values hold no cycles, so nothing is lost by waiting.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# A build with nothing changed: the last build's inputs and outputs, by their identity on disk.
STAMP = "last-build.json"  # in the cache folder
_RACY = 2.0  # seconds: a file changed this close to the stamp may change again within one timestamp tick


def _inputs(root: Path) -> list[str]:
    """Every record file a build reads, as the one listing gives them."""
    listing = statement_folders(root)
    return (list(SHARED_FILES) + [f"{STATEMENTS}/{name}/{file}" for name in listing.names for file in STATEMENT_FILES]
            + [f"{STATEMENTS}/{name}" for name in listing.refused])


def _files_under(root: Path, targets: list[str]) -> list[str]:
    """The files of the output targets (a file, or every file in a folder)."""
    found = []
    for target in targets:
        path = root / target
        if path.is_dir() and not path.is_symlink():
            found += sorted(p.relative_to(root).as_posix() for p in path.rglob("*") if not p.is_dir())
        else:
            found.append(target)
    return found


def _build_state(root: Path, options: Options, targets: list[str]) -> dict[str, Any] | None:
    """The identity of everything a build depends on and produces, or None if it cannot be known."""
    cache = Cache.open(root / WORK, fingerprint(root, options.backend)) if options.cache else None
    if cache is None:
        return None
    taken = time.time()
    base = str(root)  # (joined as strings: pathlib cost a tenth of a second here at 100,000 claims)
    inputs = {rel: identity(os.path.join(base, rel)) for rel in _inputs(root)}
    outputs = {rel: identity(os.path.join(base, rel)) for rel in _files_under(root, targets)}
    return {"fingerprint": cache.fingerprint.hex(), "inputs": inputs, "outputs": outputs, "taken": taken}


def up_to_date(root: Path, options: Options, targets: list[str]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The last build's summary if nothing it read or wrote has changed since (else None), and the state now."""
    state = _build_state(root, options, targets)
    if state is None:
        return None, None
    try:
        last = json.loads((root / WORK / FOLDER / STAMP).read_bytes())
        if any(last[key] != state[key] for key in ("fingerprint", "inputs", "outputs")):
            return None, state
        summary: dict[str, Any] = last["summary"]
    except (OSError, ValueError, KeyError, TypeError):
        return None, state
    return summary, state


def remember_build(root: Path, options: Options, targets: list[str], before: dict[str, Any] | None,
                   summary: dict[str, Any]) -> None:
    """Record what a build read (as it was when the build started) and wrote, so that the next build can tell
    nothing changed; not when an input changed during the build, or so shortly before it that a later change
    could keep the same size, time and inode."""
    after = _build_state(root, options, targets)
    stamp = root / WORK / FOLDER / STAMP
    try:
        if before is None or after is None or after["inputs"] != before["inputs"]:
            stamp.unlink(missing_ok=True)
            return
        identities = [i for i in before["inputs"].values()]
        newest = max((i[1] for i in identities if i), default=0)
        if any(i is None for i in identities) or before["taken"] - newest / 1e9 < _RACY:
            stamp.unlink(missing_ok=True)
            return
        atomic_write(stamp, json.dumps({**after, "summary": summary}).encode(), durable=False)
    except OSError:  # a read-only checkout still builds; it only does not remember
        pass


def forget_build(root: Path) -> None:
    """Forget the last build (before outputs are replaced, so that a build stopped half way is never 'up to date')."""
    try:
        (root / WORK / FOLDER / STAMP).unlink(missing_ok=True)
    except OSError:
        pass


def remember_outputs(root: Path, options: Options, result: Result, staged: dict[str, dict[str, Any]]) -> None:
    """Record what this build wrote (after its commit; `staged`: each CSV file's size and SHA-256), so that the next
    one rewrites only what changes (outputs.py)."""
    cache = Cache.open(root / WORK, fingerprint(root, options.backend)) if options.cache else None
    if cache is None:
        return
    entries: dict[str, dict[str, Any]] = {}
    for table in result.schema_tables:
        if table.name in result.kept:
            entries[table.name] = result.kept[table.name]
            continue
        entries[table.name] = {**staged[table.name], "rows": result.arrow[table.name].num_rows}
        if table.name in result.parts:
            entries[table.name]["parts"] = [list(p) for p in result.parts[table.name]]
    cache.put(cache.key(_LAYOUT), record(root, entries))
