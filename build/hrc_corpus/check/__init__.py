"""Step 2, check: every record against its JSON Schema, then the rules on each statement and across statements.

The result of a clean check is a CheckedCorpus: the records plus what the build derives
(normalized texts, spans, paragraphs, coverage), so later steps never recompute or re-check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate
from typing import Any, Iterable

from ..context import ClaimIndex, Context, check_context
from ..curate.drafts import decided_only, draft_problems
from ..files import decode
from ..load import Corpus, Document, StatementFolder
from ..numbers import disagreements
from ..problems import Path_, Problem, RecordError, did_you_mean
from ..schema import Schemas
from ..text import Paragraph, Span, Spans, closest_passage, normalize, numbers, occurrences, paragraphs, sentences
from .validate import Validators

# Fields whose null needs a reason in null_reasons, per record kind ("a.b" is a nested field).
NULLABLE = {
    "statement": ("segment", "agenda_item", "speaker", "speaker_title", "source.url"),
    "sessions": ("start", "end", "place", "president", "high_level_segment_start", "high_level_segment_end", "resolutions_adopted"),
    "actors": (),
}


@dataclass
class Located:
    """A quote, quantity or mention found in a statement's text."""

    span: Span
    record: dict[str, Any]
    where: Path_


@dataclass
class CheckedStatement:
    """A statement whose records passed every check, with everything derived from them."""

    folder: StatementFolder
    meta: dict[str, Any]
    text: str
    paragraphs: list[Paragraph]
    claims: list[Located]
    quantities: dict[str, list[Located]]  # local claim id -> its quantities
    mentions: dict[str, list[Located]]  # local claim id -> its entity mentions
    non_claims: list[Located]
    sentences_total: int = 0
    sentences_covered: int = 0

    @property
    def id(self) -> str:
        """The statement id."""
        return str(self.meta["id"])

    def paragraph_of(self, offset: int) -> Paragraph:
        """The paragraph an offset falls in."""
        at = bisect_right(self._paragraph_starts, offset) - 1  # paragraphs are in text order
        if at < 0 or not offset < self.paragraphs[at].span.end:
            raise StopIteration(offset)  # (as the scan over every paragraph did: an offset between paragraphs)
        return self.paragraphs[at]

    @cached_property
    def _paragraph_starts(self) -> list[int]:
        """Where each paragraph starts."""
        return [p.span.start for p in self.paragraphs]


@dataclass
class CheckedCorpus:
    """All records, checked, with derived values; the input of the tables step."""

    sessions: list[dict[str, Any]]
    actors: list[dict[str, Any]]
    entities: list[dict[str, Any]]
    statements: list[CheckedStatement]
    schemas: Schemas
    problems: list[Problem] = field(default_factory=list)
    context: Context = field(default_factory=Context)  # sources and references (context.py)


@dataclass
class SharedRecords:
    """Sessions, actors and entities by id, as the statement rules need them (empty where a file is not right)."""

    sessions: dict[str, Any]
    actors: dict[str, Any]
    entities: dict[str, Any]
    in_session: dict[str, bool]  # statement type -> whether it is delivered during its session
    shape_ok: bool  # sessions and actors are both readable and of the right shape
    check_entities: bool  # entities are readable and of the right shape
    sessions_ok: bool = False  # sessions.yaml is readable and of the right shape (its facts can be checked)


@dataclass
class LinkFacts:
    """What the rule on links across statements needs of one statement (plain values, so results can be cached)."""

    folder: str
    judged: bool  # its claims file was read and is of the right shape: links into it can be judged
    statement_id: str | None = None  # its id, when statement.yaml is of the right shape
    ids: list[str] = field(default_factory=list)  # the full claim ids it holds (by folder, and by its id)
    links: list[tuple[int, str, list[str]]] = field(default_factory=list)  # (claim index, own full id, targets)


@dataclass
class StatementCheck:
    """One statement's check: the checked statement (when it has no problem), its problems, its link facts."""

    checked: CheckedStatement | None
    problems: list[Problem]
    facts: LinkFacts


def check_shared(corpus: Corpus, validators: Validators) -> tuple[SharedRecords, list[Problem]]:
    """Sessions, actors and entities: their schemas, ids, null reasons and dates."""
    problems: list[Problem] = []
    right: dict[str, Document] = {}
    for kind, doc in (("sessions", corpus.sessions), ("actors", corpus.actors), ("entities", corpus.entities)):
        if doc is not None:
            found = validators.problems(kind, doc)
            problems += found
            if not found:
                right[kind] = doc
    # Cross-record rules run on the records whose shape is right, so each message is about one mistake.
    index = {kind: _index(doc, problems) for kind, doc in right.items()}
    for kind in ("sessions", "actors"):
        if kind in right:
            for i, record in enumerate(right[kind].data):
                problems += _null_reasons(right[kind], (i,), record, NULLABLE[kind])
    if "sessions" in right:
        problems += _session_dates(right["sessions"])
    in_session = {t.id: bool(t.extra.get("x-in-session")) for t in validators.schemas.vocabularies["statement_type"]}
    shared = SharedRecords(index.get("sessions", {}), index.get("actors", {}), index.get("entities", {}), in_session,
                           shape_ok="sessions" in right and "actors" in right, check_entities="entities" in right,
                           sessions_ok="sessions" in right)
    return shared, problems


def check_statement(folder: StatementFolder, shared: SharedRecords, validators: Validators) -> StatementCheck:
    """Every rule on one statement folder: schemas, metadata, quotes, quantities, mentions, order, coverage."""
    meta_found = validators.problems("statement", folder.meta)
    claims_located = validators.located("claims", folder.claims)
    problems = meta_found + [problem for _, problem in claims_located]
    meta_ok = not meta_found
    # A schema problem inside one claim (or non-claim) sets aside what the rules cannot read; the rest is still checked.
    flaws = _Flaws()
    no_links: set[int] = set()  # claims whose id or links are not of the right shape (their links are not judged)
    whole_file = False
    for problem_where, _ in claims_located:
        if len(problem_where) >= 2 and problem_where[0] in ("claims", "non_claims") and isinstance(problem_where[1], int):
            flaws.add(folder.claims.data, problem_where)
            if problem_where[0] == "claims" and (len(problem_where) == 2 or problem_where[2] in ("id", "links")):
                no_links.add(problem_where[1])
        else:
            whole_file = True
    statement_id = folder.meta.data["id"] if meta_ok else folder.folder
    facts = LinkFacts(folder.folder, judged=not whole_file, statement_id=statement_id if meta_ok else None)
    if meta_ok:
        problems += _statement_meta(folder, shared.sessions, shared.actors, shared.in_session, shared.shape_ok)
    if whole_file:
        return StatementCheck(None, problems, facts)
    claims = folder.claims.data["claims"]
    for i, claim in enumerate(claims):
        local = claim.get("id") if isinstance(claim, dict) else None
        if isinstance(local, str):
            facts.ids += sorted({f"{folder.folder}-{local}", f"{statement_id}-{local}"})
        if i not in no_links and meta_ok:  # a claim with another mistake still has its links judged in this run
            facts.links.append((i, f"{statement_id}-{local}", [link["to"] for link in claim.get("links", [])]))
    complete = meta_ok and folder.meta.data["curation"] == "complete"
    checked, found = _statement_claims(folder, shared.entities, shared.check_entities, flaws, complete)
    problems += found
    return StatementCheck(checked if not problems else None, problems, facts)


def check_links(facts: list[LinkFacts]) -> list[tuple[str, Path_, str]]:
    """Every link points to an existing claim, not to itself, at most once: (folder, place, message) per problem."""
    # A claim's full id is its folder (= statement id, checked elsewhere) and its number; where
    # statement.yaml is valid, its id counts too, so a misnamed folder is reported once, at its id.
    # Links into a claims file that could not be read or is not of the right shape are not judged.
    known = {claim_id for f in facts for claim_id in f.ids}
    unjudged = {f.folder for f in facts if not f.judged}
    found = []
    for statement in facts:
        for i, own, targets in statement.links:
            linked: set[str] = set()
            for j, target in enumerate(targets):
                where: Path_ = ("claims", i, "links", j, "to")
                if target == own:
                    found.append((statement.folder, where, "a claim cannot link to itself"))
                elif target not in known and target.rsplit("-", 1)[0] not in unjudged:
                    found.append((statement.folder, where, f"unknown claim {target!r} (expected a claim id: "
                                                           f"<statement id>-c###){did_you_mean(target, known)}"))
                if target in linked:
                    found.append((statement.folder, where, f"links to {target!r} twice; one link per pair"))
                linked.add(target)
    return found


def duplicate_ids(ids: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(folder, the folder it repeats) for each statement whose id another folder's statement has already."""
    seen: dict[str, str] = {}
    repeats = []
    for folder, statement_id in ids:
        if statement_id in seen:
            repeats.append((folder, seen[statement_id]))
        seen.setdefault(statement_id, folder)
    return repeats


def check_corpus(corpus: Corpus, validators: Validators) -> CheckedCorpus:
    """Run every check on a loaded corpus; raise RecordError listing all problems (the load's too), else return it checked."""
    shared, problems = check_shared(corpus, validators)
    problems = corpus.problems + problems
    results = [check_statement(folder, shared, validators) for folder in corpus.statements]
    by_folder = {folder.folder: folder for folder in corpus.statements}
    for result in results:
        problems += result.problems
    facts = [r.facts for r in results] + [LinkFacts(name, judged=False) for name in corpus.unread]
    for name, where, message in check_links(facts):
        problems.append(by_folder[name].claims.problem(where, message))
    for name, first in duplicate_ids([(f.folder, f.statement_id) for f in facts if f.statement_id is not None]):
        meta = by_folder[name].meta
        problems.append(meta.problem(("id",), f"duplicate statement id {meta.data['id']!r} (also in {by_folder[first].meta.path})"))
    context = Context()
    names = statement_names([(f.folder, f.meta.data) for f in corpus.statements]) | set(corpus.unread)
    problems += check_context_across(corpus, shared, validators, claim_index([r.checked for r in results if r.checked], names),
                                     context)
    if problems:
        raise RecordError(problems)
    assert corpus.sessions and corpus.actors and corpus.entities
    return CheckedCorpus(corpus.sessions.data, corpus.actors.data, corpus.entities.data,
                         sorted((r.checked for r in results if r.checked), key=lambda s: s.id), validators.schemas,
                         context=context)


def statement_names(folders: list[tuple[str, Any]]) -> set[str]:
    """Folder names and the ids their statement.yaml gives (a renamed folder is reported once, at its id)."""
    ids = {meta.get("id") for _, meta in folders if isinstance(meta, dict)}
    return {folder for folder, _ in folders} | {i for i in ids if isinstance(i, str)}


def claim_index(statements: list[CheckedStatement], names: set[str]) -> ClaimIndex:
    """What the reference rules need of the checked statements: each claim's quantities' qualifiers."""
    return ClaimIndex({f"{s.id}-{c}": [q.record["qualifier"] for q in qs] for s in statements for c, qs in s.quantities.items()},
                      {s.id for s in statements}, names)


def check_context_across(corpus: Corpus, shared: SharedRecords, validators: Validators, claims: ClaimIndex,
                         context: Context) -> list[Problem]:
    """Sources, session facts and references (context.py), once the statements are checked; fills in context."""
    problems, found = check_context(validators, corpus.sessions if shared.sessions_ok else None,
                                    corpus.sources, corpus.references, claims)
    context.sources, context.references = found.sources, found.references
    return problems


def _index(doc: Document, problems: list[Problem]) -> dict[str, dict[str, Any]]:
    """Records of a list file by id; a duplicate id is a problem."""
    index: dict[str, dict[str, Any]] = {}
    for i, record in enumerate(doc.data):
        if record["id"] in index:
            first = next(j for j, r in enumerate(doc.data) if r["id"] == record["id"])
            line = doc.locate((first, "id"))[0]
            problems.append(doc.problem((i, "id"), f"duplicate id {record['id']!r} (first at line {line})"))
        index.setdefault(record["id"], record)
    return index


def field_value(record: dict[str, Any], dotted_field: str) -> Any:
    """A possibly nested field (source.url) of a record (None when absent)."""
    value: Any = record
    for part in dotted_field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _present(record: dict[str, Any], dotted_field: str) -> bool:
    """Whether a possibly nested field is in the record at all (null or not)."""
    head, _, rest = dotted_field.partition(".")
    return head in record and (not rest or (isinstance(record[head], dict) and _present(record[head], rest)))


def _null_reasons(doc: Document, base: Path_, record: dict[str, Any], nullable: Iterable[str]) -> list[Problem]:
    """A null field needs a reason; a reason needs a null field."""
    problems = []
    reasons = record.get("null_reasons", {})
    for name in nullable:
        # An optional field left out is not null (the schema says which fields must be there).
        if field_value(record, name) is None and name not in reasons and _present(record, name):
            where = base + tuple(name.split("."))
            problems.append(doc.problem(where, f"{name} is null but null_reasons gives no reason (add null_reasons: {{{name}: why it is unknown}})"))
    for name in reasons:
        if name not in nullable:
            problems.append(doc.problem(base + ("null_reasons", name), f"{name!r} cannot be null, so it needs no reason{did_you_mean(name, nullable)}", key=True))
        elif field_value(record, name) is not None:
            problems.append(doc.problem(base + ("null_reasons", name), f"{name} has a value, so it needs no null reason; remove this line", key=True))
    return problems


def _not_a_date(value: Any) -> bool:
    """Whether a value the schema takes as a date is one the standard library cannot hold (year 0, 2023-02-30)."""
    if not isinstance(value, str):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return True
    return False


def _date_problem(doc: Document, where: Path_, value: str) -> Problem:
    """The message for a date that is not one (as schema.py words a failed date format)."""
    return doc.problem(where, f"{value!r} is not a real calendar date (expected YYYY-MM-DD, years 1 to 9999)")


def _session_dates(doc: Document) -> list[Problem]:
    """Dates are real dates; a session starts before it ends."""
    problems = [_date_problem(doc, (i, name), s[name]) for i, s in enumerate(doc.data) for name in ("start", "end")
                if _not_a_date(s[name])]
    return problems + [
        doc.problem((i, "end"), f"the session ends ({s['end']}) before it starts ({s['start']})")
        for i, s in enumerate(doc.data)
        if s["start"] and s["end"] and not _not_a_date(s["start"]) and not _not_a_date(s["end"]) and s["end"] < s["start"]
    ]


def _statement_meta(folder: StatementFolder, sessions: dict[str, Any], actors: dict[str, Any],
                    in_session: dict[str, bool], shape_ok: bool) -> list[Problem]:
    """Rules on statement.yaml: folder name, source hash, references, dates, nulls."""
    doc, meta = folder.meta, folder.meta.data
    if _not_a_date(meta["date"]):  # (the comparisons with the session's dates below would mislead)
        return [_date_problem(doc, ("date",), meta["date"])]
    problems = []
    if meta["id"] != folder.folder:
        problems.append(doc.problem(("id",), f"the id {meta['id']!r} differs from its folder name {folder.folder!r}; they must be equal"))
    digest = hashlib.sha256(folder.source).hexdigest()
    if digest != meta["source"]["sha256"]:
        problems.append(doc.problem(("source", "sha256"), f"{folder.source_path} has SHA-256 {digest}, not the recorded one: the source document changed after it was recorded (restore it as received)"))
    problems += _null_reasons(doc, (), meta, NULLABLE["statement"])
    if (meta["speaker"] is None) != (meta["speaker_title"] is None):
        problems.append(doc.problem(("speaker_title",), "speaker and speaker_title are both set or both null"))
    if shape_ok:
        for name in ("speaker", "issuer"):
            if meta[name] is not None and meta[name] not in actors:
                problems.append(doc.problem((name,), f"unknown actor {meta[name]!r} (expected an id from records/actors.yaml){did_you_mean(meta[name], actors)}"))
        session = sessions.get(meta["session"])
        if session is None:
            problems.append(doc.problem(("session",), f"unknown session {meta['session']!r} (expected an id from records/sessions.yaml){did_you_mean(meta['session'], sessions)}"))
        else:
            problems += _within_session(doc, meta, session, in_session[meta["type"]])
    return problems


def _within_session(doc: Document, meta: dict[str, Any], session: dict[str, Any], strict: bool) -> list[Problem]:
    """A delivered statement falls within its session; a press release may follow it."""
    date, start, end = meta["date"], session["start"], session["end"]
    if _not_a_date(start) or _not_a_date(end):  # reported in sessions.yaml
        return []
    if start and date < start:
        return [doc.problem(("date",), f"{date} is before session {session['id']} starts ({start})")]
    if strict and end and date > end:
        return [doc.problem(("date",), f"{date} is after session {session['id']} ends ({end}); a {meta['type']} is delivered during its session")]
    return []


def _find(doc: Document, text: str, words: str, occurrence: int | None, where: Path_,
          within: Span | None = None, what: str = "the quote") -> tuple[Span | None, list[Problem]]:
    """Where words occur in text (or in a span of it), honouring an occurrence number."""
    lo, hi = (within.start, within.end) if within else (0, len(text))
    found = occurrences(text, words, lo, hi, whole_words=True)
    if not found:
        if within:
            return None, [doc.problem(where, f"{words!r} does not occur in the claim's quote (expected the words exactly as in the quote)")]
        return None, [doc.problem(where, f"{what} does not occur in the statement's text; {closest_passage(text, words)}")]
    if occurrence is None and len(found) > 1:
        return None, [doc.problem(where, f"{words!r} occurs {len(found)} times in {'the quote' if within else 'the text'}; add occurrence: 1 to {len(found)} to say which")]
    n = occurrence or 1
    if n > len(found):
        return None, [doc.problem(where[:-1] + ("occurrence",), f"occurrence {n} asked for, but the words occur {len(found)} time(s)")]
    return Span(found[n - 1], found[n - 1] + len(words)), []


@dataclass
class _Flaws:
    """Where a claims file's records are not of the right shape, as the statement rules need to know it.

    A claim whose id, quote or occurrence is wrong (or that is wrong as a whole) is set aside, and
    so is such a non-claim; a claim wrong elsewhere (a topic, one quantity) is still checked, less
    its quantities or mentions of the wrong shape, so that its other mistakes are reported in the
    same run, and none twice.
    """

    set_aside: set[tuple[str, int]] = field(default_factory=set)  # ("claims" or "non_claims", index)
    lists: set[tuple[int, str]] = field(default_factory=set)  # (claim index, "quantities" or "entities"): not a list of the right shape
    items: set[int] = field(default_factory=set)  # id() of quantities and mentions of the wrong shape (decided_only renumbers them)

    def add(self, data: Any, where: Path_) -> None:
        """Note a schema problem at `where` (inside claims[i] or non_claims[i]) of the claims file's data."""
        kind, i = str(where[0]), int(where[1])
        field_name = where[2] if len(where) > 2 else None
        if kind == "non_claims" and field_name != "reason" or kind == "claims" and field_name in (None, "id", "quote", "occurrence"):
            self.set_aside.add((kind, i))
        elif field_name in ("quantities", "entities"):
            if len(where) == 3 or not isinstance(where[3], int):
                self.lists.add((i, str(field_name)))
            else:
                self.items.add(id(data["claims"][i][field_name][where[3]]))

    def usable(self, claim: int, key: str, items: Any) -> Iterable[tuple[int, Any]]:
        """A claim's quantities or mentions (index, item) that are of the right shape."""
        if not self.items and not self.lists:
            return enumerate(items)
        if (claim, key) in self.lists:
            return []
        return [(j, item) for j, item in enumerate(items) if id(item) not in self.items]


def _statement_claims(folder: StatementFolder, entities: dict[str, Any], check_entities: bool,
                      flaws: _Flaws, complete: bool) -> tuple[CheckedStatement | None, list[Problem]]:
    """Find every quote, quantity and mention; check ids, order, overlaps and coverage.

    What `flaws` says is of the wrong shape is set aside. Coverage and the numbers rule are
    judged only when every quote was found: otherwise a quote that is not in the text would
    also make its sentences "not accounted for" (one mistake, one message).
    """
    drafts = draft_problems(folder)  # what `hrc-corpus new` left to decide (curate/drafts.py)
    folder = decided_only(folder) if drafts else folder  # the rules below judge what is decided
    doc, meta = folder.claims, folder.meta.data
    if folder.source.startswith(b"\xef\xbb\xbf"):  # else its first sentence would start with an invisible U+FEFF
        return None, [Problem(folder.source_path, 1, 1, "", "the source document starts with a byte-order mark (U+FEFF), "
                              "which is not part of its text: save it as UTF-8 without BOM (and record its new SHA-256)")]
    source, found_source = decode(folder.source, folder.source_path, record=False)
    if source is None:
        return None, found_source
    text = normalize(source)
    problems: list[Problem] = []
    checked = CheckedStatement(folder, meta, text, paragraphs(text), [], {}, {}, [])
    seen: dict[str, int] = {}
    whole = not flaws.set_aside  # every quote found so far
    for i, claim in enumerate(doc.data["claims"]):
        where: Path_ = ("claims", i)
        if ("claims", i) in flaws.set_aside:
            continue
        if claim["id"] in seen:
            first = doc.locate(("claims", seen[claim["id"]], "id"))[0]
            problems.append(doc.problem(where + ("id",), f"duplicate claim id {claim['id']!r} (first at line {first})"))
        seen.setdefault(claim["id"], i)
        span, found = _find(doc, text, claim["quote"], claim.get("occurrence"), where + ("quote",))
        problems += found
        if span is None:
            whole = False
            continue
        checked.claims.append(Located(span, claim, where))
        if "\n" in claim["quote"]:
            problems.append(doc.problem(where + ("quote",), "the quote crosses a paragraph boundary; a claim sits in one paragraph"))
        for kind, store, key in (("quantities", checked.quantities, "as"), ("entities", checked.mentions, "as")):
            located: list[Located] = []
            for j, item in flaws.usable(i, kind, claim.get(kind, [])):
                item_span, found = _find(doc, text, item[key], item.get("occurrence"), where + (kind, j, key), within=span)
                problems += found
                if item_span:
                    if located and item_span.start < located[-1].span.start:
                        problems.append(doc.problem(where + (kind, j), f"{kind} are listed in the order they appear in the quote; this one comes before {located[-1].record[key]!r}"))
                    located.append(Located(item_span, item, where + (kind, j)))
            store[claim["id"]] = located
        for j, quantity in flaws.usable(i, "quantities", claim.get("quantities", [])):
            if (quantity["value"] is None) != (quantity["qualifier"] == "indefinite"):
                problems.append(doc.problem(where + ("quantities", j, "value"),
                                            "value is null exactly when the qualifier is indefinite (a number the text states needs its value)"))
            elif quantity["as"] in claim["quote"]:  # words not in the quote are reported already
                problems += [doc.problem(where + ("quantities", j, name), message) for name, message in disagreements(quantity)]
        if check_entities:
            for j, mention in flaws.usable(i, "entities", claim.get("entities", [])):
                if mention["id"] not in entities:
                    problems.append(doc.problem(where + ("entities", j, "id"), f"unknown entity {mention['id']!r} (expected an id from records/entities.yaml){did_you_mean(mention['id'], entities)}"))
    for i, item in enumerate(doc.data["non_claims"]):
        if ("non_claims", i) in flaws.set_aside:
            continue
        span, found = _find(doc, text, item["quote"], item.get("occurrence"), ("non_claims", i, "quote"), what="the non-claim")
        problems += found
        if span:
            checked.non_claims.append(Located(span, item, ("non_claims", i)))
        else:
            whole = False
    problems += _order_and_overlap(doc, checked)
    problems += _coverage(doc, checked, complete=complete and whole)
    # A quantity that was not found, or was set aside for its shape, would be reported twice.
    if complete and whole and not flaws.items and not flaws.lists and not problems:
        problems += _numbers_recorded(doc, checked)
    problems += drafts
    return (None if problems else checked), problems


def _order_and_overlap(doc: Document, checked: CheckedStatement) -> list[Problem]:
    """Claims are listed in document order, and no two quotes (claims or non-claims) overlap."""
    problems = []
    for before, after in zip(checked.claims, checked.claims[1:]):
        if after.span.start < before.span.start:
            problems.append(doc.problem(after.where, f"claims are listed in document order, but this one comes before {before.record['id']} in the text"))
    spans = sorted(checked.claims + checked.non_claims, key=lambda x: (x.span.start, x.span.end))
    for a, b in zip(spans, spans[1:]):
        if b.span.start < a.span.end:
            problems.append(doc.problem(b.where, f"overlaps {_label(a)} (characters {b.span.start}-{min(a.span.end, b.span.end)}); quotes must not overlap"))
    return problems


def _label(item: Located) -> str:
    """How a claim or non-claim is named in a message."""
    return f"claim {item.record['id']}" if "id" in item.record else f"non-claim {item.where[1]}"


def _coverage(doc: Document, checked: CheckedStatement, complete: bool) -> list[Problem]:
    """Count the sentences inside a claim or non-claim; in a complete statement, all must be."""
    # Spans by start, with the furthest end reached so far: a sentence is covered when some span
    # starting before its end reaches past its start (one bisection, not a scan of every span).
    spans = sorted((x.span.start, x.span.end) for x in checked.claims + checked.non_claims)
    starts = [start for start, _ in spans]
    reach = list(accumulate((end for _, end in spans), max))
    problems = []
    all_sentences = sentences(checked.text, checked.paragraphs)
    checked.sentences_total = len(all_sentences)
    for sentence in all_sentences:
        before = bisect_left(starts, sentence.end)
        if before and reach[before - 1] > sentence.start:
            checked.sentences_covered += 1
        elif complete:
            para = checked.paragraph_of(sentence.start)
            words = checked.text[sentence.start : sentence.end]
            problems.append(Problem(doc.path, 1, 1, "",
                                    f"sentence not accounted for (paragraph {para.index}): {words[:100]!r}; "
                                    "quote it in a claim or list it under non_claims with a reason"))
    return problems


def _numbers_recorded(doc: Document, checked: CheckedStatement) -> list[Problem]:
    """Every number a claim states is inside one of its quantities (codebook: Quantities)."""
    recorded = Spans([(q.span.start, q.span.end) for qs in checked.quantities.values() for q in qs]
                     + [(n.span.start, n.span.end) for n in checked.non_claims])
    problems = []
    for number in numbers(checked.text):
        if recorded.covers(number.start, number.end):
            continue
        words = checked.text[number.start : number.end]
        claim = next((c for c in checked.claims if c.span.start <= number.start < c.span.end), None)
        if claim:
            problems.append(doc.problem(claim.where + ("quantities",) if "quantities" in claim.record else claim.where,
                                        f"the quote states the number {words!r}, which no quantity records (add it to quantities, codebook §7)"))
        else:
            para = checked.paragraph_of(number.start)
            problems.append(Problem(doc.path, 1, 1, "", f"the number {words!r} (paragraph {para.index}) is in no claim and no non-claim"))
    return problems
