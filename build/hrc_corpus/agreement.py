"""Inter-coder agreement between two independent readings of the same statements.

A reading is a folder of `<statement_id>.yaml` files, each with `claims:` (quote, occurrence,
type, attribution, checkworthy, topics, quantities, entities) as in claims.yaml. Claims are
matched one to one by the overlap of their character spans (Jaccard >= MATCH_AT, best first);
agreement on labels is measured on matched pairs with Cohen's kappa.

A later reading of the published claims themselves (`reliability/third-reading/`), by claim id, is
compared with the published data package (`compare_by_id`): labels, themes, topics, indicators,
periods and links.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .load import SOURCE_FILE, STATEMENTS, parse_yaml
from .text import Span, normalize, occurrences

MATCH_AT = 0.5  # minimum Jaccard overlap of two spans for them to be the same claim
LABELS = ("type", "checkworthy", "attribution")


@dataclass
class Coded:
    """One coded claim, located in its text."""

    statement: str
    span: Span
    labels: dict[str, str]
    topics: list[str]
    quantities: list[tuple[Span, Any, str, str]]  # span, value, unit, qualifier
    mentions: list[Span] = field(default_factory=list)


def cohen_kappa(a: list[str], b: list[str]) -> float | None:
    """Cohen's kappa of two label sequences; None when undefined (no pairs, or chance agreement is 1)."""
    n = len(a)
    if n == 0 or n != len(b):
        return None
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in ca) / (n * n)
    return None if expected == 1 else (observed - expected) / (1 - expected)


def jaccard(x: Span, y: Span) -> float:
    """Overlap of two spans over their union."""
    inter = max(0, min(x.end, y.end) - max(x.start, y.start))
    union = max(x.end, y.end) - min(x.start, y.start)
    return inter / union if union else 0.0


def match(first: list[Any], second: list[Any], threshold: float = MATCH_AT) -> list[tuple[int, int]]:
    """One-to-one pairs (i, j) of items whose spans overlap most, best first, above a threshold."""
    candidates = sorted(
        ((jaccard(a.span if hasattr(a, "span") else a[0], b.span if hasattr(b, "span") else b[0]), i, j)
         for i, a in enumerate(first) for j, b in enumerate(second)),
        key=lambda c: (-c[0], c[1], c[2]))
    used_i: set[int] = set()
    used_j: set[int] = set()
    pairs = []
    for score, i, j in candidates:
        if score >= threshold and i not in used_i and j not in used_j:
            pairs.append((i, j))
            used_i.add(i)
            used_j.add(j)
    return sorted(pairs)


def read_reading(folder: Path, texts: dict[str, str]) -> list[Coded]:
    """Every coded claim of a reading folder (<statement_id>.yaml files), located in the texts."""
    # The readings were made when quotes matched as plain substrings ("20" inside "2023").
    return read_files({s: folder / f"{s}.yaml" for s in texts}, texts, whole_words=False)


def read_published(root: Path, texts: dict[str, str]) -> list[Coded]:
    """The published (reconciled) claims under records/, as a reading."""
    return read_files({s: root / STATEMENTS / s / "claims.yaml" for s in texts}, texts, whole_words=True)


def read_files(files: dict[str, Path], texts: dict[str, str], whole_words: bool) -> list[Coded]:
    """Every coded claim of the given claims files, located in the statements' texts."""
    coded: list[Coded] = []
    for statement, text in sorted(texts.items()):
        path = files[statement]
        data = parse_yaml(path.read_text(encoding="utf-8"), str(path)).data
        for claim in data["claims"]:
            span = _locate(text, claim["quote"], claim.get("occurrence"), whole_words)
            quantities = [(_locate(text, q["as"], q.get("occurrence"), whole_words, span), q["value"], q["unit"], q["qualifier"])
                          for q in claim.get("quantities") or []]
            mentions = [_locate(text, m["as"], m.get("occurrence"), whole_words, span) for m in claim.get("entities") or []]
            coded.append(Coded(statement, span, {k: claim[k] for k in LABELS}, list(claim["topics"]), quantities, mentions))
    return coded


def _locate(text: str, words: str, occurrence: int | None, whole_words: bool, within: Span | None = None) -> Span:
    """The span of words in text (or within a span), by occurrence number."""
    lo, hi = (within.start, within.end) if within else (0, len(text))
    found = occurrences(text, words, lo, hi, whole_words=whole_words)
    if not found:
        raise ValueError(f"{words!r} not found")
    at = found[(occurrence or 1) - 1]
    return Span(at, at + len(words))


def texts_of(root: Path) -> dict[str, str]:
    """Normalized text of every statement in the repository."""
    return {p.parent.name: normalize(p.read_text(encoding="utf-8")) for p in sorted((root / STATEMENTS).glob(f"*/{SOURCE_FILE}"))}


def _f1(matched: int, n1: int, n2: int) -> float | None:
    """F1 of matched items between two sets of sizes n1 and n2."""
    return 2 * matched / (n1 + n2) if n1 + n2 else None


def compare(first: list[Coded], second: list[Coded]) -> dict[str, Any]:
    """Agreement figures between two readings, overall and per statement."""
    report: dict[str, Any] = {"match_threshold": MATCH_AT, "statements": {}}
    pairs_all: list[tuple[Coded, Coded]] = []
    totals: Counter[str] = Counter()
    for statement in sorted({c.statement for c in first + second}):
        a = [c for c in first if c.statement == statement]
        b = [c for c in second if c.statement == statement]
        pairs = [(a[i], b[j]) for i, j in match(a, b)]
        pairs_all += pairs
        exact = sum(x.span == y.span for x, y in pairs)
        report["statements"][statement] = {"first": len(a), "second": len(b), "matched": len(pairs),
                                           "exact_span": exact, "span_f1": _round(_f1(len(pairs), len(a), len(b)))}
        totals.update(first=len(a), second=len(b), matched=len(pairs), exact_span=exact)
    report["claims"] = {**totals, "span_f1": _round(_f1(totals["matched"], totals["first"], totals["second"]))}
    report["labels"] = {
        label: {"kappa": _round(cohen_kappa([x.labels[label] for x, _ in pairs_all], [y.labels[label] for _, y in pairs_all])),
                "agreement": _round(sum(x.labels[label] == y.labels[label] for x, y in pairs_all) / len(pairs_all) if pairs_all else None),
                "confusions": _confusions(pairs_all, label)}
        for label in LABELS
    }
    report["topics"] = {
        "mean_jaccard": _round(sum(_set_jaccard(x.topics, y.topics) for x, y in pairs_all) / len(pairs_all) if pairs_all else None),
        "first_topic_agreement": _round(sum(x.topics[0] == y.topics[0] for x, y in pairs_all) / len(pairs_all) if pairs_all else None),
    }
    report["quantities"] = _quantities(pairs_all, first, second)
    report["entities"] = _mentions(pairs_all, first, second)
    return report


def _set_jaccard(x: Iterable[str], y: Iterable[str]) -> float:
    """Jaccard similarity of two sets of labels."""
    sx, sy = set(x), set(y)
    return len(sx & sy) / len(sx | sy) if sx | sy else 1.0


def _confusions(pairs: list[tuple[Coded, Coded]], label: str) -> dict[str, int]:
    """How often each (first, second) disagreement occurred, most frequent first."""
    counts = Counter(f"{x.labels[label]} / {y.labels[label]}" for x, y in pairs if x.labels[label] != y.labels[label])
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _quantities(pairs: list[tuple[Coded, Coded]], first: list[Coded], second: list[Coded]) -> dict[str, Any]:
    """Quantity identification F1 (by span) and agreement on value, unit and qualifier."""
    n1 = sum(len(c.quantities) for c in first)
    n2 = sum(len(c.quantities) for c in second)
    matched = same_value = same_unit = same_qualifier = same_all = 0
    for x, y in pairs:
        for i, j in match(x.quantities, y.quantities, threshold=1e-9):
            qa, qb = x.quantities[i], y.quantities[j]
            matched += 1
            same_value += qa[1] == qb[1]
            same_unit += qa[2] == qb[2]
            same_qualifier += qa[3] == qb[3]
            same_all += qa[1:] == qb[1:]
    share = lambda k: _round(k / matched if matched else None)  # noqa: E731
    return {"first": n1, "second": n2, "matched": matched, "f1": _round(_f1(matched, n1, n2)),
            "value_agreement": share(same_value), "unit_agreement": share(same_unit),
            "qualifier_agreement": share(same_qualifier), "all_three_agreement": share(same_all)}


def _mentions(pairs: list[tuple[Coded, Coded]], first: list[Coded], second: list[Coded]) -> dict[str, Any]:
    """Entity mention identification F1, by overlapping spans within matched claims."""
    n1 = sum(len(c.mentions) for c in first)
    n2 = sum(len(c.mentions) for c in second)
    matched = sum(len(match([(s,) for s in x.mentions], [(s,) for s in y.mentions], threshold=1e-9)) for x, y in pairs)
    return {"first": n1, "second": n2, "matched": matched, "f1": _round(_f1(matched, n1, n2))}


def _round(x: float | None) -> float | None:
    """Round a figure for the report."""
    return None if x is None else round(x, 3)


def report_json(report: dict[str, Any]) -> str:
    """The report as committed JSON."""
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def report_markdown(main: dict[str, Any], versus_published: dict[str, dict[str, Any]]) -> str:
    """The agreement report as Markdown (generated; do not edit by hand)."""
    c, q, e = main["claims"], main["quantities"], main["entities"]
    lines = [
        "# Inter-coder agreement",
        "",
        "Generated by `hrc-corpus agreement` from `reliability/first-reading/` and `reliability/second-reading/`;",
        "do not edit by hand. Two coders curated both statements independently from the codebook and",
        f"the texts. Claims are matched one to one when their spans overlap with Jaccard >= {main['match_threshold']}.",
        "",
        "## First reading vs second reading",
        "",
        "| measure | figure |",
        "|---|---|",
        f"| claims (first / second / matched) | {c['first']} / {c['second']} / {c['matched']} |",
        f"| span agreement, F1 of matched claims | {c['span_f1']} |",
        f"| identical spans among matched claims | {c['exact_span']} of {c['matched']} |",
    ]
    for label in LABELS:
        lab = main["labels"][label]
        lines.append(f"| {label}: Cohen's kappa (raw agreement) | {lab['kappa']} ({lab['agreement']}) |")
    lines += [
        f"| topics: mean Jaccard (first topic equal) | {main['topics']['mean_jaccard']} ({main['topics']['first_topic_agreement']}) |",
        f"| quantities (first / second / matched), F1 | {q['first']} / {q['second']} / {q['matched']}, {q['f1']} |",
        f"| quantities: value / unit / qualifier / all three agree | {q['value_agreement']} / {q['unit_agreement']} / {q['qualifier_agreement']} / {q['all_three_agreement']} |",
        f"| entity mentions (first / second / matched), F1 | {e['first']} / {e['second']} / {e['matched']}, {e['f1']} |",
        "",
        "Per statement:",
        "",
        "| statement | first | second | matched | span F1 |",
        "|---|---|---|---|---|",
    ]
    for name, st in main["statements"].items():
        lines.append(f"| {name} | {st['first']} | {st['second']} | {st['matched']} | {st['span_f1']} |")
    lines += ["", "Most frequent label disagreements (first / second):", ""]
    for label in LABELS:
        conf = main["labels"][label]["confusions"]
        shown = ", ".join(f"{k}: {v}" for k, v in list(conf.items())[:6]) or "none"
        lines.append(f"- {label}: {shown}")
    lines += ["", "## Each reading vs the published (reconciled) records", "",
              "| reading | span F1 | type kappa | checkworthy kappa | quantities F1 |", "|---|---|---|---|---|"]
    for name, rep in versus_published.items():
        lines.append(f"| {name} | {rep['claims']['span_f1']} | {rep['labels']['type']['kappa']} | "
                     f"{rep['labels']['checkworthy']['kappa']} | {rep['quantities']['f1']} |")
    return "\n".join(lines) + "\n"


# --- Readings by claim id -------------------------------------------------------------------
# A later reading codes the published claims themselves (the same ids, spans and quantities) and
# is compared with the published data package: labels, themes, topics, indicators, periods, links.

@dataclass
class ClaimCode:
    """What one reading says of one claim, by claim id."""

    labels: dict[str, str]
    themes: list[str]
    topics: list[str]
    quantities: dict[int, tuple[str, str | None]]  # seq -> (measure, period)


@dataclass
class IdReading:
    """A reading of the published claims: each claim's codes, and the links between claims."""

    claims: dict[str, ClaimCode]
    links: list[tuple[str, str, str]]  # source claim id, target claim id, relation


def read_id_reading(path: Path) -> IdReading:
    """A reading file: per statement, a list of {id, type, checkworthy, attribution, themes, topics, quantities, links}."""
    data = parse_yaml(path.read_text(encoding="utf-8"), str(path)).data
    claims: dict[str, ClaimCode] = {}
    links: list[tuple[str, str, str]] = []
    for statement in sorted(data):
        for claim in data[statement]:
            claims[claim["id"]] = ClaimCode({k: claim[k] for k in LABELS}, list(claim["themes"]), list(claim["topics"]),
                                            {int(q["seq"]): (q["measure"], q["period"]) for q in claim.get("quantities") or []})
            links += [(claim["id"], link["to"], link["relation"]) for link in claim.get("links") or []]
    return IdReading(claims, sorted(links))


def read_package(data: Path) -> IdReading:
    """The published claims as a reading, from the CSV tables of the data package (data/*.csv)."""
    rows = lambda name: list(csv.DictReader((data / f"{name}.csv").open(encoding="utf-8", newline="")))  # noqa: E731
    ranked = lambda name, column: {  # noqa: E731
        cid: [r[column] for r in sorted(group, key=lambda r: int(r["rank"]))]
        for cid, group in _group(rows(name), "claim_id").items()}
    themes, topics = ranked("claim_themes", "theme_id"), ranked("claim_topics", "topic_id")
    quantities = _group(rows("quantities"), "claim_id")
    claims = {r["claim_id"]: ClaimCode({"type": r["claim_type"], "checkworthy": r["checkworthy"], "attribution": r["attribution"]},
                                       themes.get(r["claim_id"], []), topics.get(r["claim_id"], []),
                                       {int(q["seq"]): (q["measure"], q["period"] or None) for q in quantities.get(r["claim_id"], [])})
              for r in rows("claims")}
    links = sorted((r["claim_id"], r["target_claim_id"], r["relation"]) for r in rows("claim_links"))
    return IdReading(claims, links)


def _group(rows: list[dict[str, str]], key: str) -> dict[str, list[dict[str, str]]]:
    """Rows grouped by one column's value, in their order."""
    groups: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return groups


def compare_by_id(reading: IdReading, published: IdReading) -> dict[str, Any]:
    """Agreement of a reading with the published records, on the claims both have."""
    ids = sorted(set(reading.claims) & set(published.claims))
    pairs = [(reading.claims[i], published.claims[i]) for i in ids]
    report: dict[str, Any] = {"claims": {"reading": len(reading.claims), "published": len(published.claims), "compared": len(ids)}}
    report["labels"] = {label: _label_agreement([a.labels[label] for a, _ in pairs], [b.labels[label] for _, b in pairs])
                        for label in LABELS}
    report["themes"] = multilabel_agreement([a.themes for a, _ in pairs], [b.themes for _, b in pairs])
    report["topics"] = multilabel_agreement([a.topics for a, _ in pairs], [b.topics for _, b in pairs])
    report["indicators"] = _indicator_agreement(reading, published, ids)
    report["links"] = link_agreement(reading.links, published.links)
    return report


def _label_agreement(a: list[str], b: list[str]) -> dict[str, Any]:
    """Kappa, raw agreement and confusions (reading / published) of one label."""
    confusions = Counter(f"{x} / {y}" for x, y in zip(a, b) if x != y)
    return {"kappa": _round(cohen_kappa(a, b)), "agreement": _round(sum(x == y for x, y in zip(a, b)) / len(a) if a else None),
            "confusions": dict(sorted(confusions.items(), key=lambda kv: (-kv[1], kv[0])))}


def multilabel_agreement(a: list[list[str]], b: list[list[str]]) -> dict[str, Any]:
    """Per-item Jaccard mean, micro-averaged F1 over all labels, and agreement on the first label."""
    n = len(a)
    common = sum(len(set(x) & set(y)) for x, y in zip(a, b))
    total = sum(len(set(x)) for x in a) + sum(len(set(y)) for y in b)
    return {"mean_jaccard": _round(sum(_set_jaccard(x, y) for x, y in zip(a, b)) / n if n else None),
            "micro_f1": _round(2 * common / total if total else None),
            "exact_set_agreement": _round(sum(set(x) == set(y) for x, y in zip(a, b)) / n if n else None),
            "first_label_agreement": _round(sum(x[:1] == y[:1] for x, y in zip(a, b)) / n if n else None)}


def same_group_pairs(groups: dict[Any, str]) -> set[frozenset[Any]]:
    """Every unordered pair of items that share a group (here: quantities sharing an indicator)."""
    items = sorted(groups, key=str)
    return {frozenset((x, y)) for k, x in enumerate(items) for y in items[k + 1:] if groups[x] == groups[y]}


def precision_recall_f1(found: set[Any], reference: set[Any]) -> dict[str, Any]:
    """Precision and recall of found items against the reference's, and their F1."""
    hit = len(found & reference)
    return {"reading": len(found), "published": len(reference), "matched": hit,
            "precision": _round(hit / len(found) if found else None),
            "recall": _round(hit / len(reference) if reference else None),
            "f1": _round(_f1(hit, len(found), len(reference)))}


def periods_compatible(x: str | None, y: str | None) -> bool:
    """Two periods name the same time at the coarser one's precision (`2023-06-19/2023-07-14` and `2023-06/2023-07`)."""
    if x is None or y is None:
        return x == y
    ends_x, ends_y = x.split("/"), y.split("/")
    return len(ends_x) == len(ends_y) and all(
        p[:min(len(p), len(q))] == q[:min(len(p), len(q))] for p, q in zip(ends_x, ends_y))


def _indicator_agreement(reading: IdReading, published: IdReading, ids: list[str]) -> dict[str, Any]:
    """Agreement on each quantity's indicator and period, and on which quantities share an indicator."""
    keys = [(i, seq) for i in ids for seq in sorted(set(reading.claims[i].quantities) & set(published.claims[i].quantities))]
    mine = {k: reading.claims[k[0]].quantities[k[1]] for k in keys}
    theirs = {k: published.claims[k[0]].quantities[k[1]] for k in keys}
    share = lambda n: _round(n / len(keys) if keys else None)  # noqa: E731
    return {"quantities": len(keys),
            "measure_agreement": share(sum(mine[k][0] == theirs[k][0] for k in keys)),
            "indicators": {"reading": len({m for m, _ in mine.values()}), "published": len({m for m, _ in theirs.values()})},
            "same_indicator_pairs": precision_recall_f1(same_group_pairs({k: v[0] for k, v in mine.items()}),
                                                        same_group_pairs({k: v[0] for k, v in theirs.items()})),
            "period_agreement": share(sum(mine[k][1] == theirs[k][1] for k in keys)),
            "period_compatible": share(sum(periods_compatible(mine[k][1], theirs[k][1]) for k in keys))}


def link_agreement(a: list[tuple[str, str, str]], b: list[tuple[str, str, str]]) -> dict[str, Any]:
    """Links matched as unordered claim pairs: F1, then relation and direction agreement on the matched pairs."""
    pa = {frozenset((s, t)): (s, t, r) for s, t, r in a}
    pb = {frozenset((s, t)): (s, t, r) for s, t, r in b}
    both = sorted(set(pa) & set(pb), key=sorted)
    share = lambda n: _round(n / len(both) if both else None)  # noqa: E731
    return {**precision_recall_f1(set(pa), set(pb)),
            "relation_agreement": share(sum(pa[k][2] == pb[k][2] for k in both)),
            "direction_agreement": share(sum(pa[k][:2] == pb[k][:2] for k in both)),
            "relation_confusions": dict(sorted(Counter(f"{pa[k][2]} / {pb[k][2]}" for k in both if pa[k][2] != pb[k][2]).items(),
                                               key=lambda kv: (-kv[1], kv[0])))}


def third_reading_markdown(report: dict[str, Any]) -> str:
    """The section of AGREEMENT.md comparing a reading by claim id with the published records."""
    c, ind, links = report["claims"], report["indicators"], report["links"]
    pairs = ind["same_indicator_pairs"]
    lines = [
        "",
        "## Third reading vs the published records",
        "",
        "A third coder, blind to the records, coded the published claims (their ids, quotes and quantities",
        "given, `reliability/third-reading/CLAIMS.md`) from the codebook and the texts alone",
        "(`reliability/third-reading/THIRD-READING.yaml`), and is compared here with the published data",
        "package (`data/*.csv`), which the records' reconciliation and audits produced. Themes and topics",
        "are sets per claim; same-indicator pairs are the pairs of quantities that share an indicator",
        "(precision: of the reading's pairs, recall: of the published pairs); a period is compatible when it",
        "names the same time at the coarser precision; links are matched as unordered claim pairs.",
        "",
        "| measure | figure |",
        "|---|---|",
        f"| claims (reading / published / compared) | {c['reading']} / {c['published']} / {c['compared']} |",
    ]
    for label in LABELS:
        lab = report["labels"][label]
        lines.append(f"| {label}: Cohen's kappa (raw agreement) | {lab['kappa']} ({lab['agreement']}) |")
    for name in ("themes", "topics"):
        m = report[name]
        lines.append(f"| {name}: mean Jaccard / micro F1 (same set; first equal) | {m['mean_jaccard']} / {m['micro_f1']} "
                     f"({m['exact_set_agreement']}; {m['first_label_agreement']}) |")
    lines += [
        f"| quantities compared; indicators used (reading / published) | {ind['quantities']}; {ind['indicators']['reading']} / {ind['indicators']['published']} |",
        f"| indicator (`measure`): raw agreement | {ind['measure_agreement']} |",
        f"| same-indicator pairs (reading / published / both): precision / recall / F1 | {pairs['reading']} / {pairs['published']} / "
        f"{pairs['matched']}: {pairs['precision']} / {pairs['recall']} / {pairs['f1']} |",
        f"| period: identical (compatible) | {ind['period_agreement']} ({ind['period_compatible']}) |",
        f"| links (reading / published / matched): precision / recall / F1 | {links['reading']} / {links['published']} / "
        f"{links['matched']}: {links['precision']} / {links['recall']} / {links['f1']} |",
        f"| links matched: same relation (same direction) | {links['relation_agreement']} ({links['direction_agreement']}) |",
        "",
        "Most frequent disagreements (reading / published):",
        "",
    ]
    for label in LABELS:
        shown = ", ".join(f"{k}: {v}" for k, v in list(report["labels"][label]["confusions"].items())[:6]) or "none"
        lines.append(f"- {label}: {shown}")
    shown = ", ".join(f"{k}: {v}" for k, v in list(links["relation_confusions"].items())[:6]) or "none"
    lines += [f"- link relation: {shown}", "",
              "Each disagreement is listed in `reliability/third-reading/DISAGREEMENTS.md`, for a future reconciliation;",
              "the published records were not changed. The same caveat holds as above: the third coder is an AI agent",
              "of the same model as the first two, working from the same codebook and its worked examples, which now",
              "include rules written after the first two readings were reconciled."]
    return "\n".join(lines) + "\n"


def disagreements_markdown(reading: IdReading, published: IdReading) -> str:
    """Every claim-level disagreement between a reading and the published records, as a Markdown list."""
    lines = ["# Third reading vs published: disagreements", "",
             "Generated by `hrc-corpus agreement` from `THIRD-READING.yaml` and the data package (`data/*.csv`);",
             "do not edit by hand. Each line gives the third reading first, the published record second; a claim",
             "is named by its statement's session and number (`hrc53 c007` is `khm-hrc53-…-c007`). Nothing here",
             "changed the records: it is the list a future reconciliation would go through, deciding each case",
             "by a rule of the codebook (§3 types, §5 check-worthiness, §6 themes and topics, §7 indicators and",
             "periods, §9 links).", ""]
    ids = sorted(set(reading.claims) & set(published.claims))
    short = short_id
    for title, rows in (
            ("Claim labels", [f"- {short(i)} {label}: {reading.claims[i].labels[label]} / {published.claims[i].labels[label]}"
                              for label in LABELS for i in ids if reading.claims[i].labels[label] != published.claims[i].labels[label]]),
            ("Themes", _set_differences(ids, reading, published, "themes", short)),
            ("Topics", _set_differences(ids, reading, published, "topics", short)),
            ("Quantities: indicator and period", _quantity_differences(ids, reading, published, short)),
            ("Links", _link_differences(reading.links, published.links, short))):
        lines += [f"## {title} ({len(rows)})", "", *(rows or ["none"]), ""]
    return "\n".join(lines)


def short_id(claim_id: str) -> str:
    """A claim id shortened to its statement's session and its number: `khm-hrc53-2023-07-16-press-release-c007` → `hrc53 c007`."""
    statement, number = claim_id.rsplit("-", 1)
    parts = statement.split("-")
    return f"{parts[1] if len(parts) > 1 else statement} {number}"


def _set_differences(ids: list[str], a: IdReading, b: IdReading, field_name: str, short: Any) -> list[str]:
    """One line per claim whose label sets differ: what only the reading has, what only the record has."""
    rows = []
    for i in ids:
        x, y = getattr(a.claims[i], field_name), getattr(b.claims[i], field_name)
        if set(x) != set(y):
            only_x = ", ".join(t for t in x if t not in y) or "—"
            only_y = ", ".join(t for t in y if t not in x) or "—"
            rows.append(f"- {short(i)}: only reading {only_x}; only published {only_y}")
    return rows


def _quantity_differences(ids: list[str], a: IdReading, b: IdReading, short: Any) -> list[str]:
    """One line per quantity whose indicator or period differs."""
    rows = []
    for i in ids:
        qa, qb = a.claims[i].quantities, b.claims[i].quantities
        for seq in sorted(set(qa) & set(qb)):
            (ma, pa), (mb, pb) = qa[seq], qb[seq]
            if ma != mb:
                rows.append(f"- {short(i)} q{seq} measure: {ma} / {mb}")
            if pa != pb:
                tag = " (compatible)" if periods_compatible(pa, pb) else ""
                rows.append(f"- {short(i)} q{seq} period: {pa} / {pb}{tag}")
    return rows


def _link_differences(a: list[tuple[str, str, str]], b: list[tuple[str, str, str]], short: Any) -> list[str]:
    """Links only one side has, and matched links whose relation or direction differs."""
    pa = {frozenset((s, t)): (s, t, r) for s, t, r in a}
    pb = {frozenset((s, t)): (s, t, r) for s, t, r in b}
    show = lambda link: f"{short(link[0])} → {short(link[1])} {link[2]}"  # noqa: E731
    rows = [f"- only reading: {show(pa[k])}" for k in sorted(set(pa) - set(pb), key=sorted)]
    rows += [f"- only published: {show(pb[k])}" for k in sorted(set(pb) - set(pa), key=sorted)]
    rows += [f"- differ: {show(pa[k])} / {show(pb[k])}" for k in sorted(set(pa) & set(pb), key=sorted) if pa[k] != pb[k]]
    return rows
