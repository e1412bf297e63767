"""Inter-coder agreement between two independent readings of the same statements.

A reading is a folder of `<statement_id>.yaml` files, each with `claims:` (quote, occurrence,
type, attribution, checkworthy, topics, quantities, entities) as in claims.yaml. Claims are
matched one to one by the overlap of their character spans (Jaccard >= MATCH_AT, best first);
agreement on labels is measured on matched pairs with Cohen's kappa.
"""

from __future__ import annotations

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
