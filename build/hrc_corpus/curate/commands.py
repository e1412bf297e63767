"""The curator subcommands of `hrc-corpus`: new, status, text, fmt (cli.py adds them)."""

from __future__ import annotations

import argparse
from pathlib import Path

COMMANDS = ("new", "status", "text", "fmt")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add the curator subcommands to the hrc-corpus parser."""
    n = sub.add_parser("new", help="scaffold records/statements/ID/ from a source document (UTF-8 text or PDF), every sentence a draft")
    n.add_argument("source", type=Path, metavar="SOURCE", help="the document as received: UTF-8 text, or a PDF")
    n.add_argument("--id", required=True, dest="statement_id", help="statement id: delegation-session-date-occasion")
    n.add_argument("--title", help="title as printed")
    n.add_argument("--type", dest="statement_type", help="speech, written_statement, right_of_reply or press_release")
    n.add_argument("--date", help="date of delivery or issue, YYYY-MM-DD")
    n.add_argument("--place", help="city where it was delivered or issued")
    n.add_argument("--session", help="session id from records/sessions.yaml (HRC55)")
    n.add_argument("--segment", help="segment or debate of the session, as printed")
    n.add_argument("--agenda-item", type=int, help="agenda item number (1-10)")
    n.add_argument("--speaker", help="actor id of who delivered it (records/actors.yaml)")
    n.add_argument("--speaker-title", help="the speaker's title as printed")
    n.add_argument("--issuer", help="actor id of who issued it (records/actors.yaml)")
    n.add_argument("--delegation", default="KHM", help="ISO 3166-1 alpha-3 (default: KHM)")
    n.add_argument("--language", default="en", help="BCP 47 language tag (default: en)")
    n.add_argument("--url", help="public address of the document (never guessed)")
    n.add_argument("--file", dest="source_file", help="name of the file as received (default: SOURCE's name)")
    n.add_argument("--received", help="how the document was received (default: said from its format)")
    s = sub.add_parser("status", help="per statement: curation state, sentences accounted for, drafts left (file:line)")
    s.add_argument("statement_ids", nargs="*", metavar="ID", help="only these statements")
    t = sub.add_parser("text", help="a statement's normalized text, with paragraph numbers and character offsets")
    t.add_argument("statement_id", metavar="ID")
    t.add_argument("--sentences", action="store_true", help="one line per sentence, with its offsets")
    f = sub.add_parser("fmt", help="give every record file its canonical form (key order, quoting, LF)")
    f.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file is not in canonical form")


def run(args: argparse.Namespace, root: Path) -> int:
    """Run a curator subcommand (RecordError propagates to cli.main, which prints it)."""
    if args.command == "new":
        return _new(args, root)
    if args.command == "status":
        from .status import all_statuses, report, statement_status

        _known_statements(root, args.statement_ids)
        statuses = [statement_status(root, i) for i in args.statement_ids] if args.statement_ids else all_statuses(root)
        print(report(statuses), end="")
        return 0
    if args.command == "text":
        from .textview import render, statement_text

        _known_statements(root, [args.statement_id])
        print(render(statement_text(root, args.statement_id), by_sentence=args.sentences), end="")
        return 0
    from .fmt import run_fmt

    return run_fmt(root, args.check)


def _known_statements(root: Path, ids: list[str]) -> None:
    """Refuse (RecordError) an id that is not a statement folder of the one listing: `../x` reads nothing."""
    from ..files import STATEMENTS, statement_folders
    from ..problems import Problem, RecordError, did_you_mean

    known = statement_folders(root).names
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise RecordError([Problem(f"{STATEMENTS}/{i}", 0, 0, "", f"no such statement{did_you_mean(i, known)} "
                                   f"(known: {', '.join(known) or 'none'})") for i in unknown])


def _new(args: argparse.Namespace, root: Path) -> int:
    """hrc-corpus new SOURCE --id ID [metadata flags]."""
    from .scaffold import new_statement

    given = {"title": args.title, "type": args.statement_type, "date": args.date, "place": args.place,
             "session": args.session, "segment": args.segment, "agenda_item": args.agenda_item, "speaker": args.speaker,
             "speaker_title": args.speaker_title, "issuer": args.issuer, "delegation": args.delegation,
             "language": args.language, "source.url": args.url, "source.file": args.source_file,
             "source.received": args.received}
    folder, counts = new_statement(root, args.source, args.statement_id, given)
    rel = folder.relative_to(root).as_posix()
    print(f"created {rel}/: source.md, statement.yaml, claims.yaml" + (", source.pdf" if (folder / "source.pdf").exists() else ""))
    print(f"  {counts['sentences']} sentences: {counts['claims']} draft claims, {counts['non_claims']} candidate non-claims; "
          f"{counts['quantities']} draft quantities, {counts['mentions']} draft entity mentions")
    print("next: `hrc-corpus text ID` shows the text; decide every draft; `hrc-corpus status` shows what is left")
    return 0
