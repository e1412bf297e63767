"""The hrc-corpus command: check the records, build the data packages.

Exit codes: 0 success; 1 the records have problems (or, with build --check, the committed
outputs are stale); 2 the command was used wrongly.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from . import __version__
from .check import CheckedCorpus, check_corpus
from .load import load_corpus
from .parsecache import parse_cache, paused_gc
from .problems import RecordError
from .schema import Schemas
from .tableschema import tables
from .tables import build_tables
from .write import WORK, commit, differences, locked, stage, verify_staged


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


def cmd_check(root: Path) -> int:
    """hrc-corpus check."""
    corpus = run_check(root)
    claims = sum(len(s.claims) for s in corpus.statements)
    print(f"ok: {len(corpus.statements)} statements, {claims} claims")
    print("\n".join(coverage_lines(corpus)))
    return 0


def cmd_build(root: Path, check_only: bool) -> int:
    """hrc-corpus build [--check]."""
    corpus = run_check(root)
    schema_tables = tables(corpus.schemas)
    arrow = build_tables(corpus)
    with locked(root) as work:
        staging = Path(tempfile.mkdtemp(prefix="staging-", dir=work))
        stage(staging, schema_tables, arrow)
        if check_only:
            stale = differences(root, staging)
            for line in stale:
                print(f"stale: {line}", file=sys.stderr)
            if stale:
                print("The committed data package is not what the records produce: run `make build` and commit.", file=sys.stderr)
            return 1 if stale else 0
        errors = verify_staged(staging, arrow)
        if errors:
            print("The built packages failed validation; nothing was written:", file=sys.stderr)
            print("\n".join(f"  {e}" for e in errors), file=sys.stderr)
            return 3
        commit(root, work, staging)
    rows = {name: t.num_rows for name, t in arrow.items()}
    print("built datapackage.json + data/ (CSV) and dist/parquet/ (Parquet):")
    print("  " + ", ".join(f"{name} {n}" for name, n in rows.items()))
    print("\n".join(coverage_lines(corpus)))
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
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse arguments, run the command, turn record problems into messages."""
    args = parser().parse_args(argv)
    root = (args.root or default_root()).resolve()
    try:
        if args.command == "check":
            return cmd_check(root)
        return cmd_build(root, args.check)
    except RecordError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s); nothing was written.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
