"""Drafts: the guesses `hrc-corpus new` writes, marked `draft: true`, that a curator has still to decide.

A draft is a claim, quantity, entity mention or non-claim carrying `draft: true`, or a null
reason in statement.yaml left null. check reports each one where it is (a statement with a
draft left is never built), and `status` lists them; a statement marked complete while a
draft is left gets one more message, at its `curation` field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..load import Document, StatementFolder
from ..problems import Path_, Problem

DRAFT = "draft"
# What deciding each kind of draft means, as check and status say it.
TODO = {
    "claim": "draft claim {id}: decide it (type, attribution, checkworthy, summary, topics, themes; or move it to non_claims with a reason), then delete `draft: true`",
    "non_claim": "candidate non-claim ({reason} guessed): confirm the reason or make it a claim, then delete `draft: true`",
    "quantity": "draft quantity {as!r}: check the value, give unit, qualifier, measure (an indicator id) and period (or delete it if the number is not a quantity), then delete `draft: true`",
    "mention": "draft mention of {id!r} as {as!r}: confirm the entity (or delete the mention), then delete `draft: true`",
    "reason": "the reason why {field} is null is still to be written (why is it unknown, or why does it not apply?)",
}


@dataclass(frozen=True)
class Draft:
    """One thing still to decide, where it is."""

    where: Path_  # place inside the file
    kind: str  # a key of TODO
    message: str


def _is_draft(item: Any) -> bool:
    """Whether a record carries the draft mark."""
    return isinstance(item, dict) and item.get(DRAFT) is True


def _items(data: Any, key: str) -> list[Any]:
    """A list field of a mapping, or nothing when it is not a list."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def claims_drafts(data: Any) -> list[Draft]:
    """Every draft in a claims file's data, in file order."""
    found: list[Draft] = []
    for i, claim in enumerate(_items(data, "claims")):
        if not isinstance(claim, dict):
            continue
        if _is_draft(claim):
            found.append(Draft(("claims", i, DRAFT), "claim", TODO["claim"].format(id=claim.get("id"))))
        for kind, key in (("quantity", "quantities"), ("mention", "entities")):
            for j, item in enumerate(_items(claim, key)):
                if _is_draft(item):
                    found.append(Draft(("claims", i, key, j, DRAFT), kind,
                                       TODO[kind].format_map({"id": item.get("id"), "as": item.get("as")})))
    for i, item in enumerate(_items(data, "non_claims")):
        if _is_draft(item):
            found.append(Draft(("non_claims", i, DRAFT), "non_claim", TODO["non_claim"].format(reason=item.get("reason"))))
    return found


def statement_drafts(data: Any) -> list[Draft]:
    """Every null reason still to be written in a statement.yaml's data."""
    reasons = data.get("null_reasons") if isinstance(data, dict) else None
    if not isinstance(reasons, dict):
        return []
    return [Draft(("null_reasons", name), "reason", TODO["reason"].format(field=name))
            for name, reason in reasons.items() if reason is None]


def located(doc: Document, drafts: list[Draft]) -> list[Problem]:
    """Drafts as problems at their line and column (a draft mark's key; a reason's value)."""
    return [doc.problem(d.where, d.message, key=d.kind != "reason") for d in drafts]


def draft_problems(folder: StatementFolder) -> list[Problem]:
    """What check reports about a statement's drafts (its records already fit their schemas)."""
    in_meta, in_claims = statement_drafts(folder.meta.data), claims_drafts(folder.claims.data)
    problems = located(folder.meta, in_meta) + located(folder.claims, in_claims)
    if problems and folder.meta.data.get("curation") == "complete":
        problems.append(folder.meta.problem(("curation",), f"the statement is marked complete, but {len(problems)} draft(s) "
                                                           "are left; decide them first, or set curation: in_progress"))
    return problems


def _keep(claim: Any, key: str) -> list[int]:
    """Indexes of a claim's quantities or mentions that are not drafts."""
    items = _items(claim, key)
    return [j for j, item in enumerate(items) if not _is_draft(item)]


def decided_only(folder: StatementFolder) -> StatementFolder:
    """The statement with its draft quantities and mentions left out (they may lack fields the rules read).

    Draft claims and non-claims stay: they have their quotes, so order, overlap and coverage are
    judged with them. Positions are renumbered so every message keeps its line and column.
    """
    doc = folder.claims
    claims = _items(doc.data, "claims")
    if not any(_is_draft(item) for claim in claims for key in ("quantities", "entities") for item in _items(claim, key)):
        return folder
    moves: dict[tuple[int, str], dict[int, int]] = {}  # (claim, list) -> old index -> new index
    data = dict(doc.data)
    data["claims"] = []
    for i, claim in enumerate(claims):
        if not isinstance(claim, dict):
            data["claims"].append(claim)
            continue
        claim = dict(claim)
        for key in ("quantities", "entities"):
            if isinstance(claim.get(key), list):
                kept = _keep(claim, key)
                moves[(i, key)] = {old: new for new, old in enumerate(kept)}
                claim[key] = [claim[key][j] for j in kept]
        data["claims"].append(claim)

    def moved(table: dict[Path_, tuple[int, int]]) -> dict[Path_, tuple[int, int]]:
        out = {}
        for where, at in table.items():
            if len(where) >= 4 and where[0] == "claims" and (where[1], where[2]) in moves and isinstance(where[3], int):
                new = moves[(where[1], where[2])].get(where[3])  # type: ignore[index]
                if new is None:
                    continue
                where = where[:3] + (new,) + where[4:]
            out[where] = at
        return out

    view = Document(doc.path, data, moved(doc.positions), moved(doc.key_positions))
    return StatementFolder(folder.folder, folder.meta, view, folder.source, folder.source_path)
