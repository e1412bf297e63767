"""`hrc-corpus new SOURCE --id ID ...`: a new statement folder, from its source document.

Writes records/statements/<id>/: source.md (the document byte for byte; for a PDF, the text
pypdf extracts, with the PDF kept beside it as source.pdf), statement.yaml (every field; what
the curator did not give is null with its reason still to write) and claims.yaml (the drafts of
drafting.py). Refuses, writing nothing: an id that is not a statement id or disagrees with the
date and session given, a statement that exists, a source that is neither UTF-8 text nor a
PDF, and metadata that does not fit the schema or names an unknown session or actor.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..check import NULLABLE as CHECKED_NULLABLE
from ..check import field_value
from ..check.validate import Validators
from ..load import ACTORS_FILE, CLAIMS_FILE, ENTITIES_FILE, SESSIONS_FILE, SOURCE_FILE, STATEMENT_FILE, STATEMENTS, load_yaml, parse_yaml
from ..problems import Problem, RecordError, did_you_mean
from ..schema import BASE_URI, Schemas
from ..text import normalize, sentences
from . import pdf
from .drafting import draft_claims, entity_names
from .yamlstyle import Layout, canonical, dump

ORIGINAL_FILE = "source.pdf"
# statement.yaml's fields that may be null (with a reason), and the command-line flag of each field.
NULLABLE = CHECKED_NULLABLE["statement"]  # the fields check asks a null reason for
FLAGS = {"title": "--title", "type": "--type", "date": "--date", "place": "--place", "session": "--session",
         "segment": "--segment", "agenda_item": "--agenda-item", "delegation": "--delegation", "speaker": "--speaker",
         "speaker_title": "--speaker-title", "issuer": "--issuer", "language": "--language", "source.url": "--url",
         "source.file": "--file", "source.received": "--received"}
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass
class Source:
    """A source document as received, and the text this project keeps for it."""

    received: bytes  # the file's bytes
    text_bytes: bytes  # what goes into source.md
    original: bytes | None  # the PDF, kept as source.pdf; None for a text source


def read_source(path: Path, shown: str) -> Source:
    """Read a source document: UTF-8 text, or a PDF to extract the text of (RecordError otherwise)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RecordError([Problem(shown, 0, 0, "", f"cannot read the source document ({exc.strerror or exc})")]) from None
    if pdf.is_pdf(data):
        try:
            text = pdf.extract(data)
        except pdf.PdfError as exc:
            raise RecordError([Problem(shown, 0, 0, "", str(exc))]) from None
        return Source(data, text.encode("utf-8"), data)
    if data.startswith(b"\xef\xbb\xbf"):
        raise RecordError([Problem(shown, 1, 1, "", "the text starts with a byte-order mark (U+FEFF), which the text "
                                                    "normalization does not remove (codebook §1); save it as UTF-8 without BOM")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise RecordError([Problem(shown, line, column, "", f"byte 0x{data[exc.start]:02x} is not UTF-8, and the file is "
                                                            "not a PDF: a source must be UTF-8 text or a PDF")]) from None
    control = _CONTROL.search(text)
    if control:
        before = text[: control.start()]
        raise RecordError([Problem(shown, before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1, "",
                                   f"character U+{ord(control.group()):04X} is a control character: this is not a text "
                                   "document (a source must be UTF-8 text or a PDF)")])
    return Source(data, data, None)


def _shown(path: Path, root: Path) -> str:
    """A path as messages show it: relative to the repository when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def metadata(statement_id: str, given: dict[str, Any], source: Source, source_name: str) -> CommentedMap:
    """statement.yaml's data: every field in schema order, null where the curator gave nothing."""
    meta = CommentedMap()
    meta["id"] = statement_id
    for name in ("title", "type", "date", "place", "session", "segment", "agenda_item", "delegation", "speaker",
                 "speaker_title", "issuer", "language"):
        meta[name] = given.get(name)
    try:  # a date object is written plain, as the records write dates; a wrong date stays text for the schema to refuse
        meta["date"] = datetime.date.fromisoformat(meta["date"]) if _DATE.match(str(meta["date"])) else meta["date"]
    except ValueError:
        pass
    meta["curation"] = "in_progress"
    src = CommentedMap()
    src["file"] = given.get("source.file") or source_name
    src["sha256"] = hashlib.sha256(source.text_bytes).hexdigest()
    src["url"] = given.get("source.url")
    if source.original is not None:
        src["received"] = given.get("source.received") or "PDF as received (kept as source.pdf); source.md is its text layer, extracted by hrc-corpus new"
        original = CommentedMap()
        original["file"] = ORIGINAL_FILE
        original["sha256"] = hashlib.sha256(source.original).hexdigest()
        original["conversion"] = pdf.conversion()
        src["original"] = original
    else:
        src["received"] = given.get("source.received") or "UTF-8 text as received"
    meta["source"] = src
    missing = [name for name in NULLABLE if field_value(meta, name) is None]
    if missing:
        reasons = CommentedMap((name, None) for name in missing)
        meta["null_reasons"] = reasons
        meta.yaml_set_comment_before_after_key(
            "null_reasons", before="Each null field needs a reason: write why it is unknown or does not apply (check reports\n"
                                   "every reason left null).")
    return meta


def _flow(items: list[dict[str, Any]]) -> CommentedSeq:
    """A list of mappings written one mapping a line ({as: "38", value: 38}), as the records write them."""
    seq = CommentedSeq()
    for item in items:
        mapping = CommentedMap(item)
        mapping.fa.set_flow_style()
        seq.append(mapping)
    return seq


def claims_document(data: dict[str, Any]) -> CommentedMap:
    """claims.yaml's data with the records' layout: one claim a block, quantities and mentions one a line."""
    claims = CommentedSeq()
    for claim in data["claims"]:
        block = CommentedMap()
        for key, value in claim.items():
            block[key] = _flow(value) if key in ("quantities", "entities") else value
        claims.append(block)
    for i in range(len(claims) - 1):  # a blank line between claims, as in the curated records
        claims.yaml_set_comment_before_after_key(i + 1, before="\n", indent=2)
    doc = CommentedMap()
    doc["claims"] = claims
    doc["non_claims"] = _flow(data["non_claims"])
    doc.yaml_set_comment_before_after_key("non_claims", before="\n")
    doc.yaml_set_start_comment(
        "yaml-language-server: $schema=../../../schema/claims.schema.json\n"
        "Drafted by `hrc-corpus new`: every sentence of the normalized text (`hrc-corpus text ID`), in document\n"
        "order, as a draft claim or a candidate non-claim. Decide each draft, then delete its `draft: true`\n"
        "(docs/curating.md); `hrc-corpus status` lists what is left.")
    if not data["non_claims"]:
        doc["non_claims"] = CommentedSeq()
    return doc


def _problems_of_metadata(schemas: Schemas, meta: dict[str, Any], rel: str) -> list[Problem]:
    """The schema's objections to the metadata given, as problems naming the flag to fix."""
    missing = [name for name in FLAGS if "." not in name and name not in NULLABLE and meta.get(name) is None]
    problems = [Problem(rel, 0, 0, name, f"missing: give {FLAGS[name]}" + (f" ({about})" if (about := _description(schemas, name)) else ""))
                for name in missing]
    if (meta.get("speaker") is None) != (meta.get("speaker_title") is None):
        problems.append(Problem(rel, 0, 0, "speaker_title", "give --speaker and --speaker-title together, or neither"))
    plain = parse_yaml(dump(meta), rel).data  # as check will read it back
    for where, _, message in Validators(schemas, "reference").errors("statement", plain):
        name = ".".join(str(p) for p in where)
        if (where and where[0] == "null_reasons") or name in missing:
            continue
        flag = FLAGS.get(name)
        problems.append(Problem(rel, 0, 0, name, f"{flag}: {message}" if flag else message))
    return problems


def _description(schemas: Schemas, name: str) -> str:
    """A top-level statement field's description in the schema."""
    spec = schemas.documents["statement.schema.json"]["properties"].get(name, {})
    if "description" not in spec and "$ref" in spec:
        spec, _ = schemas.resolve(spec["$ref"], BASE_URI + "statement.schema.json")
    terms = [b["const"] for b in spec.get("anyOf", []) if "const" in b]
    if terms:  # a vocabulary: its terms say more than its description
        return "one of: " + ", ".join(terms)
    return str(spec.get("description") or spec.get("title") or "")


def _reference_problems(root: Path, meta: dict[str, Any], rel: str) -> list[Problem]:
    """The session and actors named must exist in the shared records."""
    problems = []
    for field, file, what in (("session", SESSIONS_FILE, "session"), ("issuer", ACTORS_FILE, "actor"),
                              ("speaker", ACTORS_FILE, "actor")):
        value = meta.get(field)
        if value is None:
            continue
        doc, found = load_yaml(root, file)
        if doc is None or not isinstance(doc.data, list):
            problems += found
            continue
        ids = [r.get("id") for r in doc.data if isinstance(r, dict)]
        if value not in ids:
            problems.append(Problem(rel, 0, 0, field, f"{FLAGS[field]}: unknown {what} {value!r} (expected an id from {file}"
                                                      f"{did_you_mean(value, [i for i in ids if isinstance(i, str)])}; add it there first)"))
    return problems


def _id_problems(schemas: Schemas, statement_id: str, meta: dict[str, Any], folder: str) -> list[Problem]:
    """The id must be a statement id, and agree with the delegation, session and date given."""
    spec = schemas.documents["common.schema.json"]["$defs"]["statement_id"]
    if len(statement_id) > spec["maxLength"] or not re.fullmatch(spec["pattern"].strip("^$"), statement_id):
        return [Problem(folder, 0, 0, "", f"{statement_id!r} is not a valid statement id: expected delegation-session-date-occasion "
                                          "in lower case, such as khm-hrc55-2024-02-26-high-level-segment")]
    expected = f"{str(meta.get('delegation') or '').lower()}-{str(meta.get('session') or '').lower()}-{meta.get('date')}-"
    if meta.get("session") and meta.get("date") and not statement_id.startswith(expected):
        return [Problem(folder, 0, 0, "", f"the id {statement_id!r} does not start with {expected!r}, which the delegation, "
                                          "--session and --date given make; the id names them")]
    return []


def printed_forms(root: Path) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The known entities, and how the curated claims print each one (the `as` of its mentions)."""
    doc, _ = load_yaml(root, ENTITIES_FILE)
    entities = [e for e in (doc.data if doc and isinstance(doc.data, list) else []) if isinstance(e, dict) and "id" in e]
    printed: dict[str, list[str]] = {}
    base = root / STATEMENTS
    for folder in sorted(p.name for p in base.iterdir()) if base.is_dir() else []:
        claims, _ = load_yaml(root, f"{STATEMENTS}/{folder}/{CLAIMS_FILE}") if (base / folder / CLAIMS_FILE).is_file() else (None, [])
        for claim in claims.data.get("claims", []) if claims and isinstance(claims.data, dict) else []:
            for mention in claim.get("entities", []) if isinstance(claim, dict) else []:
                if isinstance(mention, dict) and isinstance(mention.get("as"), str):
                    printed.setdefault(str(mention.get("id")), []).append(mention["as"])
    return entities, printed


def new_statement(root: Path, source_path: Path, statement_id: str, given: dict[str, Any]) -> tuple[Path, dict[str, int]]:
    """Create records/statements/<id>/ from a source document; RecordError (nothing written) on any refusal."""
    schemas = Schemas(root / "schema")
    folder_rel = f"{STATEMENTS}/{statement_id}"
    meta_rel = f"{folder_rel}/{STATEMENT_FILE}"
    given = {"delegation": "KHM", "language": "en", **{k: v for k, v in given.items() if v is not None}}
    problems = _id_problems(schemas, statement_id, given, folder_rel)
    if problems:
        raise RecordError(problems)
    final = root / STATEMENTS / statement_id
    if final.exists() or final.is_symlink():
        raise RecordError([Problem(folder_rel, 0, 0, "", "the statement exists already; new never overwrites a statement "
                                                         "(edit its files, or give another --id)")])
    source = read_source(source_path, _shown(source_path, root))
    text = normalize(source.text_bytes.decode("utf-8"))
    if not sentences(text):
        raise RecordError([Problem(_shown(source_path, root), 0, 0, "", "the document has no text to curate")])
    meta = metadata(statement_id, given, source, source_path.name)
    problems = _problems_of_metadata(schemas, meta, meta_rel) + _reference_problems(root, meta, meta_rel)
    if problems:
        raise RecordError(problems)
    entities, printed = printed_forms(root)
    drafts = draft_claims(text, entity_names(entities, printed))
    layout = Layout(schemas)
    meta.yaml_set_start_comment("yaml-language-server: $schema=../../../schema/statement.schema.json")
    files = {STATEMENT_FILE: canonical(dump(meta), meta_rel, layout).encode("utf-8"),
             CLAIMS_FILE: canonical(dump(claims_document(drafts)), f"{folder_rel}/{CLAIMS_FILE}", layout).encode("utf-8"),
             SOURCE_FILE: source.text_bytes}
    if source.original is not None:
        files[ORIGINAL_FILE] = source.original
    _write_folder(root / STATEMENTS, statement_id, files)
    counts = {"sentences": len(sentences(text)), "claims": len(drafts["claims"]), "non_claims": len(drafts["non_claims"]),
              "quantities": sum(len(c.get("quantities", [])) for c in drafts["claims"]),
              "mentions": sum(len(c.get("entities", [])) for c in drafts["claims"])}
    return final, counts


def _write_folder(parent: Path, name: str, files: dict[str, bytes]) -> None:
    """Write a statement folder whole or not at all: staged in records/ (hidden), then renamed into place."""
    parent.mkdir(parents=True, exist_ok=True)
    # Staged outside records/statements/, where a hidden folder is a problem for check; same file system.
    staging = Path(tempfile.mkdtemp(prefix=f".new-{name}-", dir=parent.parent))
    try:
        for file, data in files.items():
            with open(staging / file, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        os.rename(staging, parent / name)  # refuses (on every system) when a non-empty folder took the name meanwhile
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
