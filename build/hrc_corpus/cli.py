"""The hrc-corpus command: check the records, build the data packages.

Exit codes: 0 success; 1 the records have problems (or, with build --check, the committed
outputs are stale); 2 the command was used wrongly.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pyarrow as pa

from . import __version__, fastbuild
from .check import CheckedCorpus, check_corpus
from .load import load_corpus
from .parsecache import parse_cache, paused_gc
from .problems import RecordError
from .schema import Schemas
from .tableschema import Table, tables
from .tables import build_tables
from .write import WORK, commit, differences, locked, stage, verify_staged


# Up to this many claims the build also has frictionless validate the CSV package (about 2 s at
# 10,000 claims, 20 s at 100,000); above it, the build's own proofs stand: every value checked
# against the JSON Schemas from which the Table Schemas derive, and both packages read back.
FRICTIONLESS_UP_TO = 20_000


def default_root() -> Path:
    """The repository this package was installed from, else the current folder."""
    here = Path(__file__).resolve().parents[2]
    return here if (here / "records").is_dir() and (here / "schema").is_dir() else Path.cwd()


def run_check(root: Path) -> CheckedCorpus:
    """Load and check the records under root (raises RecordError)."""
    with paused_gc(), parse_cache(root / WORK):  # see parsecache.py
        return check_corpus(load_corpus(root), Schemas(root / "schema"))


def coverage_lines(corpus: CheckedCorpus) -> list[str]:
    """One line per statement: claims, non-claims and sentence coverage."""
    lines = []
    for s in corpus.statements:
        pct = 100 * s.sentences_covered / s.sentences_total if s.sentences_total else 100.0
        lines.append(f"  {s.id}: {len(s.claims)} claims, {len(s.non_claims)} non-claims, "
                     f"{s.sentences_covered}/{s.sentences_total} sentences accounted for ({pct:.0f}%), {s.meta['curation']}")
    return lines


def fast_or_reference(root: Path, tabulate: bool = True
                      ) -> tuple[list[Table], dict[str, pa.Table], dict[str, bytes] | None, list[str], int, int]:
    """Tables, CSV files (None: write from the tables), coverage lines and counts of a clean corpus.

    The fast pipeline (fastbuild.py) answers for a clean corpus; at any problem the reference
    one runs, and its RecordError carries the messages.
    """
    with paused_gc():  # see parsecache.py
        fast = fastbuild.run(root, tabulate=tabulate)
    if fast is not None:
        return tables(Schemas(root / "schema")), fast.arrow, fast.csv, fast.coverage, fast.statements, fast.claims
    corpus = run_check(root)
    claims = sum(len(s.claims) for s in corpus.statements)
    arrow = build_tables(corpus) if tabulate else {}
    return tables(corpus.schemas), arrow, None, coverage_lines(corpus), len(corpus.statements), claims


def cmd_check(root: Path) -> int:
    """hrc-corpus check."""
    _, _, _, coverage, statements, claims = fast_or_reference(root, tabulate=False)
    print(f"ok: {statements} statements, {claims} claims")
    print("\n".join(coverage))
    return 0


def cmd_build(root: Path, check_only: bool, validate: bool | None = None) -> int:
    """hrc-corpus build [--check] [--frictionless | --no-frictionless]."""
    schema_tables, arrow, csv_files, coverage, _, claims = fast_or_reference(root)
    if validate is None:  # frictionless takes ~20 s at 100,000 claims; the read-back proofs do not
        validate = claims <= FRICTIONLESS_UP_TO
    with locked(root) as work:
        staging = Path(tempfile.mkdtemp(prefix="staging-", dir=work))
        stage(staging, schema_tables, arrow, csv_files)
        if check_only:
            stale = differences(root, staging)
            for line in stale:
                print(f"stale: {line}", file=sys.stderr)
            if stale:
                print("The committed data package is not what the records produce: run `make build` and commit.", file=sys.stderr)
            return 1 if stale else 0
        # The fast pipeline's tables were read from these very CSV bytes; the reference's are read back here.
        errors = verify_staged(staging, arrow, frictionless=validate, schema_tables=None if csv_files else schema_tables)
        if errors:
            print("The built packages failed validation; nothing was written:", file=sys.stderr)
            print("\n".join(f"  {e}" for e in errors), file=sys.stderr)
            return 3
        commit(root, work, staging)
    rows = {name: t.num_rows for name, t in arrow.items()}
    print("built datapackage.json + data/ (CSV) and dist/parquet/ (Parquet):")
    print("  " + ", ".join(f"{name} {n}" for name, n in rows.items()))
    print("\n".join(coverage))
    return 0


def parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(prog="hrc-corpus", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("--root", type=Path, default=None, help="repository folder (default: this checkout)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("check", help="check every record; print every problem as path:line:column")
    b = sub.add_parser("build", help="check, then write the CSV and Parquet data packages")
    b.add_argument("--check", action="store_true", help="write nothing; exit 1 if the committed outputs are stale")
    b.add_argument("--frictionless", action=argparse.BooleanOptionalAction, default=None,
                   help=f"also validate the CSV package with frictionless (default: only up to {FRICTIONLESS_UP_TO:,} claims)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse arguments, run the command, turn record problems into messages."""
    args = parser().parse_args(argv)
    root = (args.root or default_root()).resolve()
    try:
        if args.command == "check":
            return cmd_check(root)
        return cmd_build(root, args.check, args.frictionless)
    except RecordError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s); nothing was written.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
