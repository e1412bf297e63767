"""The hrc-corpus command: check the records, build the data packages.

The repository is the one you stand in (the nearest folder from the current one upward that
holds records/), or --root; the first line of the output (on stderr) names it.

Exit codes:
  0  success
  1  the records have problems (each printed as path:line:column: message); or, with --check,
     the committed outputs (or the data dictionary, or the agreement report) are stale; or a
     release was refused; or the outputs cannot be written; or the build would drop data the
     last build had (see --allow-drop)
  2  the command was used wrongly
  3  the built packages failed their own validation (a fault of the build, not of the records;
     please report it); nothing was written
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from . import __version__
from .curate import commands as curate_commands
from .files import JOURNAL, WORK
from .pipeline import STRICT, Options, check_records, forget_build, remember_build, remember_outputs, run, up_to_date
from .problems import RecordError, printable
from .write import OUTPUT_FOLDERS, WriteError, commit, differences, foreign_files, locked, losses, output_folder, plain, plain_errors, recover_pending, stage, staged_files, verify_staged, work_folder

# Up to this many claims the build also has frictionless validate the CSV package (about 2 s at
# 10,000 claims, 20 s at 100,000); above it, the build's own proofs stand: every value checked
# against the JSON Schemas from which the Table Schemas derive, and both packages read back.
FRICTIONLESS_UP_TO = 20_000


def find_root(start: Path) -> Path | None:
    """The repository you stand in: the nearest folder from start upward that holds records/."""
    for folder in (start, *start.parents):
        if (folder / "records").is_dir():
            return folder
    return None


def cmd_check(root: Path, options: Options) -> int:
    """hrc-corpus check."""
    recover_pending(root)  # so that what check reports on is never a half-replaced data package
    result = run(root, options, tabulate=False)
    print(f"ok: {result.statements} statements, {result.claims} claims")
    if not result.statements:
        print("note: records/statements/ holds no statement; a build would refuse to empty the tables the last one had")
    print("\n".join(c.line() for c in result.coverage))
    return 0


def cmd_build(root: Path, options: Options, check_only: bool, validate: bool | None = None, allow_drop: bool = False) -> int:
    """hrc-corpus build [--check] [--frictionless | --no-frictionless] [--allow-drop]."""
    if check_only:  # what CI runs: recomputed from the records alone, never from a cache the repository could hold
        options = Options(options.backend, options.workers, cache=False, pool_from=options.pool_from)
    targets = ["datapackage.json", *OUTPUT_FOLDERS]
    before, asked_frictionless = None, validate is True
    if not check_only and not asked_frictionless and not (root / WORK / JOURNAL).exists():
        last, before = up_to_date(root, options, targets)
        if last is not None:  # nothing the last build read or wrote has changed: its outputs are this build's
            print("up to date: datapackage.json + data/ (CSV) and dist/parquet/ (Parquet), as last built:")
            print("\n".join(last["lines"]))
            return 0
    # Tables the last build wrote as they are now are kept (pipeline.run's reuse); never for --check, which
    # compares everything it makes with what is committed, nor for frictionless, which reads every file staged.
    result = run(root, options, reuse=not check_only and validate is not True, seen=before)
    if validate is None:  # frictionless takes ~20 s at 100,000 claims; the read-back proofs do not
        validate = result.claims <= FRICTIONLESS_UP_TO
        if validate and result.kept:
            result = run(root, options)
    schema_tables, arrow, csv_files = result.schema_tables, result.arrow, result.csv
    with locked(root) as work:
        with plain_errors(root):
            staging = Path(tempfile.mkdtemp(prefix="staging-", dir=work))
        try:
            with plain_errors(root):
                staged = stage(staging, schema_tables, arrow, csv_files, result.kept)
            files = staged_files(staging)
            ours = files + [f for name in result.kept for f in (f"data/{name}.csv", f"parquet/{name}.parquet")]
            if check_only:
                _report_foreign(root, ours, "not part of the data package (not committed), left alone")
                return _report_stale(differences(root, staging))
            # Every table is read back from the CSV bytes staged and compared with the one it was written from.
            # (Not when the Arrow tables were read from those very bytes.)
            errors = verify_staged(staging, arrow, frictionless=validate,
                                   schema_tables=[] if result.from_csv else [t for t in schema_tables if t.name in arrow])
            if errors:
                print("The built packages failed validation; nothing was written:", file=sys.stderr)
                print("\n".join(f"  {e}" for e in errors), file=sys.stderr)
                return 3
            lost = [] if allow_drop else losses(root, arrow)
            if lost:
                print(f"hrc-corpus: this build would drop what the last build had: {'; '.join(lost)}. Nothing was written; "
                      "if that is what you mean, run `hrc-corpus build --allow-drop`.", file=sys.stderr)
                return 1
            forget_build(root)
            commit(root, work, staging)
            remember_outputs(root, options, result, staged)
        finally:
            if not (work / JOURNAL).exists():  # past the commit point, the staged files are the journal's to move
                shutil.rmtree(staging, ignore_errors=True)
    lines = ["  " + ", ".join(f"{name} {n}" for name, n in result.rows().items())] + [c.line() for c in result.coverage]
    if not asked_frictionless:  # a build asked to run frictionless is not one that need not run again
        remember_build(root, options, targets, before, {"lines": lines})
    print("built datapackage.json + data/ (CSV) and dist/parquet/ (Parquet):")
    print("\n".join(lines))
    _report_foreign(root, ours, "left in place, not made by the build")
    return 0


def _report_foreign(root: Path, files: list[str], what: str) -> None:
    """Name the files in the output folders that the build does not make (a user's own)."""
    foreign = foreign_files(root, files)
    if foreign:
        print(f"{what}: {', '.join(foreign)}")


def cmd_agreement(root: Path, check_only: bool) -> int:
    """hrc-corpus agreement [--check]: inter-coder agreement report under reliability/."""
    from . import agreement

    texts = agreement.texts_of(root)
    if not check_only:
        output_folder(root, "reliability", create=False)  # refused if it is a link out of the repository
    folder = root / "reliability"
    first = agreement.read_reading(folder / "first-reading", texts)
    second = agreement.read_reading(folder / "second-reading", texts)
    published = agreement.read_published(root, texts)
    main_report = agreement.compare(first, second)
    versus = {"first reading": agreement.compare(first, published), "second reading": agreement.compare(second, published)}
    third = agreement.read_id_reading(folder / "third-reading" / "THIRD-READING.yaml")
    package = agreement.read_package(root / "data")
    third_report = agreement.compare_by_id(third, package)
    outputs = {folder / "agreement.json": agreement.report_json({"first_vs_second": main_report, "versus_published": versus,
                                                                 "third_vs_published": third_report}),
               folder / "AGREEMENT.md": agreement.report_markdown(main_report, versus) + agreement.third_reading_markdown(third_report),
               folder / "third-reading" / "DISAGREEMENTS.md": agreement.disagreements_markdown(third, package)}
    if check_only:
        stale = [str(p.relative_to(root)) for p, text in outputs.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
        return _report_stale([f"{p}: differs from what the readings produce" for p in stale],
                             "The agreement report is not what the readings give: run `hrc-corpus agreement` and commit.")
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
    print(outputs[folder / "AGREEMENT.md"])
    return 0


def _report_stale(stale: list[str], remedy: str = "The committed data package is not what the records produce: "
                                                 "run `make build` and commit.") -> int:
    """Print what a --check found stale, and how to fix it; exit status 1 if anything is."""
    for line in stale:
        print(f"stale: {line}", file=sys.stderr)
    if stale:
        print(remedy, file=sys.stderr)
    return 1 if stale else 0


def cmd_docs(root: Path, check_only: bool) -> int:
    """hrc-corpus docs [--check]."""
    from . import docs

    if check_only:
        if docs.is_stale(root):
            print(f"stale: {docs.DICTIONARY.as_posix()} is not what schema/ gives: run `hrc-corpus docs` and commit.",
                  file=sys.stderr)
            return 1
        return 0
    output_folder(root, docs.DICTIONARY.parent.as_posix(), create=False)  # refused if it is a link out of the repository
    print(f"wrote {docs.write(root).relative_to(root).as_posix()}")
    return 0


def cmd_release(root: Path, frozen: bool) -> int:
    """hrc-corpus release [--frozen]."""
    from .release import ReleaseError, make_release

    output_folder(root, "dist", create=False)  # refused if it is a link out of the repository, or a file
    try:
        folder = make_release(root, check_records(root), frozen=frozen)
    except ReleaseError as exc:
        print(f"release refused: {exc}", file=sys.stderr)
        return 1
    print(f"released {folder.relative_to(root).as_posix()}/:")
    print("\n".join(f"  {p.name}" for p in sorted(folder.iterdir())))
    return 0


def cmd_site(root: Path, package: Path | None, out: Path | None) -> int:
    """hrc-corpus site [--package PATH] [--out DIR]: the reading site, from the CSV data package."""
    from .dataset import DatasetError
    from .site import SiteError, build_site

    target = out or output_folder(root, "dist", create=False) / "site"  # (a dist/ that links out of the repository is refused)
    try:
        files = build_site(package or root, target, root)
    except (SiteError, DatasetError) as exc:
        print(f"site not built: {exc}", file=sys.stderr)
        return 1
    pages = sum(1 for name in files if name.endswith(".html"))
    print(f"wrote {target}/: {pages} pages, {len(files)} files; open {target / 'index.html'}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    doc = __doc__ or ""
    p = argparse.ArgumentParser(prog="hrc-corpus", description=doc.splitlines()[0],
                                epilog=doc[doc.index("Exit codes:"):], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("--root", type=Path, default=None,
                   help="repository folder (default: the nearest folder from the current one upward that holds records/)")
    p.add_argument("--strict", action="store_true",
                   help="the reference backends only (PyYAML events, jsonschema), in one process, without any cache; "
                        "slower, same answer")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("check", help="check every record; print every problem as path:line:column")
    b = sub.add_parser("build", help="check, then write the CSV and Parquet data packages")
    b.add_argument("--check", action="store_true", help="write nothing; exit 1 if the committed outputs are stale")
    b.add_argument("--frictionless", action=argparse.BooleanOptionalAction, default=None,
                   help=f"also validate the CSV package with frictionless (default: only up to {FRICTIONLESS_UP_TO:,} claims)")
    b.add_argument("--allow-drop", action="store_true",
                   help="write even if the build drops a statement, or empties a table, that the last build had")
    a = sub.add_parser("agreement", help="inter-coder agreement of the readings under reliability/")
    a.add_argument("--check", action="store_true", help="write nothing; exit 1 if the committed report is stale")
    d = sub.add_parser("docs", help="write docs/data-dictionary.md from schema/")
    d.add_argument("--check", action="store_true", help="write nothing; exit 1 if docs/data-dictionary.md is stale")
    r = sub.add_parser("release", help="write dist/<name>-<version>/: zips, loose tables, notes, SHA256SUMS")
    r.add_argument("--frozen", action="store_true",
                   help="for CI: change nothing committed; refuse a version not already recorded in releases/")
    w = sub.add_parser("site", help="write the reading site (static HTML) to dist/site/ from the CSV data package")
    w.add_argument("--package", type=Path, default=None, help="the data package: a folder or its datapackage.json (default: this checkout's)")
    w.add_argument("--out", type=Path, default=None, help="the folder to write (default: dist/site/)")
    curate_commands.add_parsers(sub)  # new, status, text, fmt
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse arguments, run the command, turn record problems into messages."""
    args = parser().parse_args(argv)
    root = _root(args.root)
    if root is None:
        return 2
    print(f"repository: {printable(str(root))}", file=sys.stderr, flush=True)  # stderr: stdout stays the command's own output
    try:
        work_folder(root, create=False)  # before anything reads a cache from it, or a journal
        options = STRICT if args.strict else Options()
        if args.command == "check":
            return cmd_check(root, options)
        if args.command == "agreement":
            return cmd_agreement(root, args.check)
        if args.command == "docs":
            return cmd_docs(root, args.check)
        if args.command == "site":
            return cmd_site(root, args.package, args.out)
        if args.command == "release":
            return cmd_release(root, args.frozen)
        if args.command in curate_commands.COMMANDS:
            return curate_commands.run(args, root)
        return cmd_build(root, options, args.check, args.frictionless, args.allow_drop)
    except RecordError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s); nothing was written.", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head`: not an error of the records
        sys.stderr.close()
        return 0
    except WriteError as exc:
        print(f"hrc-corpus: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the system said no (a full disk, a read-only folder): one plain line, never a traceback
        print(f"hrc-corpus: {plain(exc, root, 'read or write')}", file=sys.stderr)
        return 1


def _root(given: Path | None) -> Path | None:
    """The repository: --root, or the one the current folder is in; None (after saying why) if there is none."""
    if given is not None:
        root = given.resolve()
        if not root.is_dir():
            why = "is a file, not a folder" if root.exists() else "does not exist"
            print(f"hrc-corpus: --root {printable(str(given))} {why}; give the repository's folder", file=sys.stderr)
            return None
        return root
    try:
        here = Path.cwd().resolve()
    except OSError:
        print("hrc-corpus: the current folder no longer exists; cd into a checkout, or give --root", file=sys.stderr)
        return None
    found = find_root(here)
    if found is None:
        print(f"hrc-corpus: no repository here: neither {printable(str(here))} nor a folder above it holds records/; "
              "cd into a checkout, or give --root", file=sys.stderr)
    return found


if __name__ == "__main__":
    sys.exit(main())
