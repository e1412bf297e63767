"""The reading site: every statement with its claims highlighted, the claims index, the figures, the about page.

`hrc-corpus site` writes dist/site/ from the published CSV data package, read as any user reads
it (hrc_corpus.dataset.load: the descriptor, data/*.csv, checksums verified), never from
records/ or the pipeline. Labels and definitions of vocabulary terms come from the package's
`vocabularies` table when it has one, else from schema/vocab/*.json; the codebook, agreement
report and citation are the project's documents beside the package.

Highlighting happens here, in Python, where spans are what they say (code-point offsets into
statements.text); each highlight is checked to be exactly its quote before anything is written.
The site is static (HTML, one CSS file, two small scripts), loads nothing from elsewhere, works
from file:// and any static host, and its bytes depend only on its inputs.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import multiprocessing
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import quote as urlquote

import jinja2
import pandas as pd
import yaml
from markupsafe import Markup, escape

from .dataset import DESCRIPTOR, load
from .files import fresh_folder

ASSETS = Path(__file__).with_name("site_assets")
PAGE_ROWS = 1000  # rows per page of the claims index (keeps every page well under 2 MB)
FIGURE_ROWS = 600  # quantities per page of the figures (their rows carry the claim's quote too)
SHOW_ROWS = 300  # most rows the claims filter shows at once (laying out more would slow each answer)
STATEMENTS_PER_TASK = 100  # statement pages per unit of work
PARALLEL_FROM = 5_000  # claims from which forked workers render the site
CHART_BARS = 60  # a measure with more values than this gets its table only
# The Content-Security-Policy of every page: nothing from elsewhere, no inline script or style.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'none'; "
       "connect-src 'none'; object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'")
# Vocabulary columns of the claims index, in the order of their filters.
FILTERS = [("claim_type", "Type"), ("checkworthy", "Check-worthiness"), ("attribution", "Attribution")]
# Background tints of claim types (dark text on each passes WCAG AA) and the underline style that
# tells them apart without colour, with the type's name shown before each claim.
TINTS = ["#cfe3ff", "#d6f0c8", "#ffe1b3", "#e6dcff", "#ffd6e2", "#cdeeea", "#eedfc8", "#e4e4e4"]
LINES = ["solid", "double", "dashed", "dotted", "wavy", "solid", "double", "dashed"]


class SiteError(Exception):
    """The package cannot be shown as published (a span that is not its quote, a missing file)."""


@dataclass(frozen=True)
class Term:
    """One vocabulary term: its code, label and definition."""

    code: str
    label: str
    definition: str


@dataclass
class Vocab:
    """A vocabulary: its name, title, description and terms in order."""

    name: str
    title: str
    description: str
    terms: dict[str, Term] = field(default_factory=dict)

    def label(self, code: Any) -> str:
        """The label of a code (the code itself when unknown)."""
        term = self.terms.get(str(code))
        return term.label if term else str(code)


def read_vocab_folder(folder: Path) -> dict[str, Vocab]:
    """The vocabularies of schema/vocab/*.json (each a JSON Schema whose anyOf lists const/title/description)."""
    vocabs = {}
    for path in sorted(folder.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        v = Vocab(path.stem, doc.get("title", path.stem), doc.get("description", ""))
        for t in doc.get("anyOf", []):
            if "const" in t:
                v.terms[str(t["const"])] = Term(str(t["const"]), t.get("title", str(t["const"])), t.get("description", ""))
        vocabs[v.name] = v
    return vocabs


def read_vocab_table(frame: pd.DataFrame) -> dict[str, Vocab]:
    """The vocabularies of a package's `vocabularies` table (vocabulary, term, label, definition)."""
    vocabs: dict[str, Vocab] = {}
    for row in frame.itertuples(index=False):
        name = str(row.vocabulary)
        v = vocabs.setdefault(name, Vocab(name, name.replace("_", " ").capitalize(), ""))
        v.terms[str(row.term)] = Term(str(row.term), str(row.label), "" if pd.isna(row.definition) else str(row.definition))
    return vocabs


def column_vocabs(descriptor: Mapping[str, Any], vocabs: Mapping[str, Vocab]) -> dict[tuple[str, str], Vocab]:
    """(table, field) -> the vocabulary its enum lists: the one with exactly those terms (same name first)."""
    found = {}
    for resource in descriptor["resources"]:
        for f in resource["schema"]["fields"]:
            enum = f.get("constraints", {}).get("enum")
            if not enum:
                continue
            matches = [v for v in vocabs.values() if set(v.terms) == set(map(str, enum))]
            matches.sort(key=lambda v: (v.name != f["name"], v.name))
            if matches:
                vocab = matches[0]
                if not vocab.description:
                    vocab.description = f.get("description", "")
                found[(resource["name"], f["name"])] = vocab
    return found


def lines_of(text: str) -> list[tuple[int, int, int]]:
    """The paragraphs of a normalized text as the package defines them: its non-empty lines, (index, start, end)."""
    found: list[tuple[int, int, int]] = []
    offset = 0
    for line in text.split("\n"):
        if line:
            found.append((len(found) + 1, offset, offset + len(line)))
        offset += len(line) + 1
    return found


def _e(value: Any) -> str:
    """A value escaped for HTML text or a quoted attribute."""
    return html.escape(str(value), quote=True)


def _text(value: str) -> str:
    """Escaped text for HTML whose DOM text is exactly value (a carriage return survives as a reference)."""
    return html.escape(value, quote=True).replace("\r", "&#13;")


class Row(dict):
    """A table row: a dict whose values are its attributes too (row.quote), which Jinja reads fastest."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.__dict__ = self  # attribute lookups find the values directly


def _column(values: pd.Series) -> list[Any]:
    """A column as plain Python values, None for nulls."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    plain = values.astype(object).where(values.notna(), None)
    return plain.tolist()


def records(frame: pd.DataFrame) -> list[Row]:
    """A DataFrame's rows as Rows of plain values (None for nulls)."""
    cols = list(frame.columns)
    columns = [_column(frame[c]) for c in cols]
    return [Row(zip(cols, values)) for values in zip(*columns)] if cols else []


def page_name(statement_id: str) -> str:
    """A statement page's file name."""
    return f"{statement_id}.html"


def href(statement_id: str, claim_id: str | None = None, base: str = "") -> str:
    """The link to a statement page, or to a claim's permalink on it."""
    url = f"{base}statements/{urlquote(page_name(statement_id))}"
    return url + (f"#{urlquote(claim_id, safe='')}" if claim_id else "")


@dataclass
class Site:
    """Everything the pages show, read from the package and its documents."""

    descriptor: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    vocabs: dict[tuple[str, str], Vocab]
    docs: Path
    package_files: dict[str, bytes]
    citation: str | None  # CITATION.cff

    def vocab(self, table: str, column: str) -> Vocab:
        """The vocabulary of table.column (an empty one when the package gives none)."""
        return self.vocabs.get((table, column)) or Vocab(column, column, "")


def read(package: Path, docs: Path, citation: bytes | None = None) -> Site:
    """Read the data package at package (folder or datapackage.json) and the vocabularies.

    docs: the folder with schema/ (vocabularies, codebook), reliability/AGREEMENT.md and CITATION.cff;
    citation: CITATION.cff's bytes when they differ from docs' (a release sets its version and date).
    """
    folder = package if package.is_dir() else package.parent
    if not (folder / DESCRIPTOR).is_file():
        raise SiteError(f"no {DESCRIPTOR} in {folder}: run `hrc-corpus build` first")
    tables = load(folder)
    descriptor = json.loads((folder / DESCRIPTOR).read_bytes())
    if "vocabularies" in tables and len(tables["vocabularies"]):
        vocabs = read_vocab_table(tables["vocabularies"])
    elif (docs / "schema" / "vocab").is_dir():
        vocabs = read_vocab_folder(docs / "schema" / "vocab")
    else:
        vocabs = {}
    files = {DESCRIPTOR: (folder / DESCRIPTOR).read_bytes()}
    files |= {r["path"]: (folder / r["path"]).read_bytes() for r in descriptor["resources"]}
    cff = citation if citation is not None else (docs / "CITATION.cff").read_bytes() if (docs / "CITATION.cff").is_file() else None
    return Site(descriptor, tables, column_vocabs(descriptor, vocabs), docs, files, cff.decode("utf-8") if cff else None)


def highlight(text: str, claims: list[dict[str, Any]], non_claims: list[dict[str, Any]],
              type_vocab: Vocab, reason_vocab: Vocab) -> list[tuple[int, Markup]]:
    """The text's paragraphs as HTML, each claim an <a id=claim_id> whose text is its quote, non-claims marked."""
    spans = sorted([(c["char_start"], c["char_end"], 0, c) for c in claims]
                   + [(n["char_start"], n["char_end"], 1, n) for n in non_claims], key=lambda s: (s[0], s[2], s[1]))
    for start, end, _kind, row in spans:
        if text[start:end] != row["quote"]:
            what = row.get("claim_id") or f"non-claim {row['seq']} of {row['statement_id']}"
            raise SiteError(f"{what}: the text at [{start}, {end}) is not its quote")
    out, i = [], 0
    for index, start, end in lines_of(text):
        parts, pos = [], start
        while i < len(spans) and spans[i][0] < end:
            s, e, kind, row = spans[i]
            if s < pos or e > end:
                raise SiteError(f"{row.get('claim_id') or 'a non-claim'}: its span overlaps another or crosses a line")
            parts.append(_text(text[pos:s]))
            if kind == 0:
                code = str(row["claim_type"])
                parts.append(f'<a class="claim t-{escape(code)}" id="{escape(row["claim_id"])}" '
                             f'href="#{escape(urlquote(row["claim_id"], safe=""))}" aria-describedby="legend-{escape(code)}" '
                             f'data-type="{escape(type_vocab.label(code))}">{_text(row["quote"])}</a>')
            else:
                reason = reason_vocab.label(row["reason"])
                parts.append(f'<span class="nonclaim"><span class="sr">(not a claim: {escape(reason)})</span>'
                             f'<span class="nc">{_text(row["quote"])}</span></span>')
            pos = e
            i += 1
        parts.append(_text(text[pos:end]))
        out.append((index, Markup("".join(parts))))
    if i < len(spans):
        raise SiteError(f"{spans[i][3].get('claim_id') or 'a non-claim'}: its span lies outside the text's paragraphs")
    return out


def _number(value: Any) -> str:
    """A number as a reader writes it (no trailing .0, thousands separated)."""
    if value is None:
        return ""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) >= 1e-4 else f"{value:g}"


class Builder:
    """Renders every page of the site from a Site."""

    def __init__(self, site: Site):
        self.site = site
        t = site.tables
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ASSETS / "templates")),
                                      autoescape=True, undefined=jinja2.StrictUndefined,
                                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        self.env.filters["num"] = _number
        self.env.filters["u"] = lambda v: urlquote(str(v), safe="")
        self.env.globals.update(csp=CSP, href=href, version=site.descriptor.get("version", ""),
                                title=site.descriptor.get("title", "Data package"), vocab=site.vocab)
        self.statements = records(t["statements"].sort_values(["date", "statement_id"], kind="stable"))
        for s in self.statements:
            s["day"] = _date(s["date"])
        self.by_statement = {s["statement_id"]: s for s in self.statements}
        self.claims = records(t["claims"].sort_values(["statement_id", "seq"], kind="stable"))
        self.claim = {c["claim_id"]: c for c in self.claims}
        self.topic_label = {r["topic_id"]: r["label"] for r in records(t["topics"])} if "topics" in t else {}
        self.env.globals.update(topic_label=self.topic_label, claim_rows=self.claim_rows, figure_rows=self.figure_rows)
        self.entity = {r["entity_id"]: r for r in records(t["entities"])} if "entities" in t else {}
        self.actor = {r["actor_id"]: r for r in records(t["actors"])} if "actors" in t else {}
        self.session = {r["session_id"]: r for r in records(t["sessions"])} if "sessions" in t else {}
        self.topics = _group(records(t["claim_topics"].sort_values(["claim_id", "rank"], kind="stable")))
        self.quantities = _group(records(t["quantities"].sort_values(["claim_id", "seq"], kind="stable")))
        # Reference figures beside claims, and their sources (codebook §15), when the package has them.
        self.references = _group(records(t["claim_references"].sort_values(["claim_id", "reference_id"], kind="stable"))) \
            if "claim_references" in t else {}
        self.source = {r["source_id"]: r for r in records(t["sources"])} if "sources" in t else {}
        self.entities = _group(records(t["claim_entities"].sort_values(["claim_id", "seq"], kind="stable")))
        links = records(t["claim_links"].sort_values(["claim_id", "target_claim_id"], kind="stable"))
        self.links_out = _group(links)
        self.links_in = _group(links, key="target_claim_id")
        self.non_claims = _group(records(t["non_claims"].sort_values(["statement_id", "seq"], kind="stable")),
                                 key="statement_id")
        self.claims_of = _group(self.claims, key="statement_id")

    def render(self, template: str, **context: Any) -> bytes:
        """One page's bytes."""
        return self.env.get_template(template).render(**context).encode("utf-8")

    def speaker(self, s: Mapping[str, Any]) -> str:
        """Who made a statement: the speaker (with title) or else the issuer, by name."""
        who = self.actor.get(s.get("speaker_id") or "") or self.actor.get(s.get("issuer_id") or "")
        name = who["name"] if who else (s.get("speaker_id") or s.get("issuer_id") or "")
        return f"{name}, {s['speaker_title']}" if s.get("speaker_id") and s.get("speaker_title") else name

    def coverage(self, s: Mapping[str, Any]) -> float:
        """Share of the text's non-space characters inside a claim or a non-claim (their spans do not overlap)."""
        text = s["text"]
        total = len("".join(text.split()))
        spans = self.claims_of.get(s["statement_id"], []) + self.non_claims.get(s["statement_id"], [])
        inside = sum(len("".join(text[r["char_start"]:r["char_end"]].split())) for r in spans)
        return min(1.0, inside / total) if total else 1.0

    def statement_rows(self) -> list[dict[str, Any]]:
        """The home page's table of statements."""
        rows : list[dict[str, Any]] = []
        for s in self.statements:
            session = self.session.get(s.get("session_id") or "")
            rows.append(Row(s=s, speaker=self.speaker(s), claims=len(self.claims_of.get(s["statement_id"], [])),
                            non_claims=len(self.non_claims.get(s["statement_id"], [])),
                            coverage=f"{100 * self.coverage(s):.0f}%", session=session))
        return rows

    def card(self, c: Mapping[str, Any]) -> dict[str, Any]:
        """What a claim's card shows."""
        def linked(link: Mapping[str, Any], other: str) -> dict[str, Any]:
            """A link with the claim at its other end, that claim's permalink and statement."""
            target = self.claim.get(link[other])
            return Row(link=link, target=target, id=link[other],
                       url=href(target["statement_id"], target["claim_id"], "../") if target else None,
                       statement=self.by_statement.get(target["statement_id"]) if target else None)
        cid = c["claim_id"]
        return Row(c=c, topics=self.topics.get(cid, []), quantities=self.quantities.get(cid, []),
                   references=[(r, self.source.get(r["source_id"] or "")) for r in self.references.get(cid, [])],
                   entities=[(e, self.entity.get(e["entity_id"])) for e in self.entities.get(cid, [])],
                   out=[linked(l, "target_claim_id") for l in self.links_out.get(cid, [])],
                   ins=[linked(l, "claim_id") for l in self.links_in.get(cid, [])])

    def claim_rows(self, rows: list[Mapping[str, Any]]) -> Markup:
        """The claims index's table rows (HTML written here: they are most of its bytes)."""
        v = self.site.vocab
        tv, cw, at = v("claims", "claim_type"), v("claims", "checkworthy"), v("claims", "attribution")
        return Markup("".join(
            f'<tr id="row-{_e(r["c"]["claim_id"])}"><td class="nowrap">{_e(r["s"]["day"])}</td><td>{_e(r["s"]["title"])}</td>'
            f'<td><span class="swatch t-{_e(r["c"]["claim_type"])}">{_e(tv.label(r["c"]["claim_type"]))}</span></td>'
            f'<td>{_e(cw.label(r["c"]["checkworthy"]))}</td><td>{_e(at.label(r["c"]["attribution"]))}</td>'
            f'<td>{_e(" ".join(r["topics"]))}</td><td><a href="{_e(r["url"])}">{_text(r["c"]["quote"])}</a></td></tr>\n'
            for r in rows))

    def figure_rows(self, rows: list[Mapping[str, Any]]) -> Markup:
        """One measure's table rows on the figures page."""
        unit, qual = self.site.vocab("quantities", "unit"), self.site.vocab("quantities", "qualifier")
        out = []
        for i in rows:
            q, value = i["q"], _number(i["q"]["value"]) if i["q"]["value"] is not None else "none stated"
            out.append(f'<tr><td class="nowrap">{_e(i["s"]["day"])}</td><td>{_e(i["s"]["title"])}</td><td>{_e(q["as_written"])}</td>'
                       f'<td class="n">{value}</td><td>{_e(unit.label(q["unit"]))}</td><td>{_e(qual.label(q["qualifier"]))}</td>'
                       f'<td>{_e(q["period"] or "")}</td><td><a href="{_e(i["url"])}">{_text(i["c"]["quote"])}</a></td></tr>\n')
        return Markup("".join(out))

    def references_html(self, c: Mapping[str, Any], references: list[tuple[Mapping[str, Any], Any]],
                        written: Mapping[Any, str]) -> str:
        """A claim's reference figures: what public sources state beside its quantities (context, not verdicts)."""
        v, e = self.site.vocab, _e
        relation, independence, unit = v("claim_references", "relation"), v("claim_references", "independence"), \
            v("claim_references", "unit")
        out = [f'<h4>Reference figures <span class="def">(what public sources state; context, not a verdict)</span></h4>\n'
               f'<div class="scroll" role="region" aria-label="Reference figures of claim {c["seq"]}" tabindex="0">\n'
               '<table class="references">\n<thead><tr><th scope="col">Quantity</th><th scope="col">Relation</th>'
               '<th scope="col">Source&#39;s figure</th><th scope="col">Measure</th><th scope="col">Reference time</th>'
               '<th scope="col">Whose figure</th><th scope="col">Source</th></tr></thead>\n<tbody>\n']
        for r, source in references:
            figure = e(r["as_stated"] or "none found")
            if r["unit"]:
                figure += f' <span class="kind">({e(unit.label(r["unit"]))})</span>'
            when = e(r["reference_time"] or (_date(r["date"]) if r["date"] is not None else ""))
            whose = e(independence.label(r["independence"])) if r["independence"] else ""
            if r["attributed_to"]:
                whose += f"; credited to {e(r['attributed_to'])}"
            if source:
                url = source["url"] or ""
                # Only a web address becomes a link (a javascript: or data: one shows as text).
                link = (f'<a href="{e(url)}">{e(source["publisher"])}</a>' if url.startswith(("https://", "http://"))
                        else f'{e(source["publisher"])} ({e(url)})')
                link += f', {e(_date(source["published"]))}' if source["published"] is not None else ""
            else:
                link = "none found"
            quantity = e(written.get(r["quantity_seq"], str(r["quantity_seq"]))) if r["quantity_seq"] is not None else "the claim"
            out.append(f'<tr><td>{quantity}</td><td>{e(relation.label(r["relation"]))}</td><td>{figure}</td>'
                       f'<td>{e(r["measure"] or "")}</td><td>{when}</td><td>{whose}</td><td>{link}</td></tr>\n')
        out.append("</tbody>\n</table>\n</div>\n")
        return "".join(out)

    def card_html(self, k: Mapping[str, Any]) -> str:
        """A claim's card as HTML: written here rather than in a template, being the bulk of a large site's bytes."""
        v = self.site.vocab
        tv, cw, at = v("claims", "claim_type"), v("claims", "checkworthy"), v("claims", "attribution")
        c = k["c"]
        cid, e = _e(c["claim_id"]), _e

        def term(vocab: Vocab, code: str) -> str:
            t = vocab.terms.get(code)
            return f'<strong>{e(t.label if t else code)}</strong> <span class="def">{e(t.definition if t else "")}</span>'

        printed = f" (printed {c['paragraph_number']}.)" if c["paragraph_number"] else ""
        topics = "; ".join(f'<span class="topic">{e(t["topic_id"])}</span> {e(self.topic_label.get(t["topic_id"], ""))}'
                           for t in k["topics"]) or "none"
        out = [f'<section class="card" id="card-{cid}" data-claim="{cid}" tabindex="-1" aria-labelledby="h-{cid}">\n'
               f'<h3 id="h-{cid}"><span class="swatch t-{e(c["claim_type"])}">{e(c["claim_type"])}</span> '
               f'Claim {c["seq"]}, ¶{c["paragraph"]}{printed}</h3>\n<button type="button" class="close">Close</button>\n'
               f'<blockquote class="quote">{_text(c["quote"])}</blockquote>\n'
               f'<p class="summary"><strong>Summary:</strong> {e(c["summary"] or "")}</p>\n<dl class="facts">\n'
               f'<div><dt>Type</dt><dd>{term(tv, c["claim_type"])}</dd></div>\n'
               f'<div><dt>Check-worthiness</dt><dd>{term(cw, c["checkworthy"])}</dd></div>\n'
               f'<div><dt>Attribution</dt><dd>{term(at, c["attribution"])}</dd></div>\n'
               f'<div><dt>Topics</dt><dd>{topics}</dd></div>\n'
               f'<div><dt>Span</dt><dd>characters {c["char_start"]} to {c["char_end"]} (code points, end exclusive)</dd></div>\n'
               f'<div><dt>Permalink</dt><dd><a href="#{e(urlquote(c["claim_id"], safe=""))}">{cid}</a></dd></div>\n</dl>\n']
        if c["note"]:
            out.append(f'<p class="note"><strong>Curator&#39;s note:</strong> {e(c["note"])}</p>\n')
        if k["quantities"]:
            unit, qual = v("quantities", "unit"), v("quantities", "qualifier")
            out.append(f'<h4>Quantities</h4>\n<div class="scroll" role="region" aria-label="Quantities of claim {c["seq"]}" '
                       'tabindex="0">\n<table class="quantities">\n<thead><tr><th scope="col">As written</th><th scope="col">'
                       'Value</th><th scope="col">Unit</th><th scope="col">Qualifier</th><th scope="col">Measure</th>'
                       '<th scope="col">Period</th></tr></thead>\n<tbody>\n')
            for q in k["quantities"]:
                value = _number(q["value"]) if q["value"] is not None else "none stated"
                out.append(f'<tr><td>{e(q["as_written"])}</td><td class="n">{value}</td><td>{e(unit.label(q["unit"]))}</td>'
                           f'<td>{e(qual.label(q["qualifier"]))}</td><td>{e(q["measure"])}</td><td>{e(q["period"] or "")}</td></tr>\n')
            out.append("</tbody>\n</table>\n</div>\n")
        if k["references"]:
            out.append(self.references_html(c, k["references"], {q["seq"]: q["as_written"] for q in k["quantities"]}))
        if k["entities"]:
            kinds = v("entities", "kind")
            out.append('<h4>Entities</h4>\n<ul class="entities">\n')
            for m, ent in k["entities"]:
                name = e(ent["name"] if ent else m["entity_id"])
                kind = f' <span class="kind">({e(kinds.label(ent["kind"]))})</span>' if ent else ""
                written = f", written “{e(m['as_written'])}”" if ent and m["as_written"] != ent["name"] else ""
                out.append(f"<li>{name}{kind}{written}</li>\n")
            out.append("</ul>\n")
        if k["out"] or k["ins"]:
            rel = v("claim_links", "relation")
            out.append('<h4>Links</h4>\n<ul class="links">\n')
            for l in k["out"]:
                target = f'<a href="{e(l["url"])}">{e(l["id"])}</a>' if l["target"] else e(l["id"])
                if l["target"] and l["statement"]:
                    target += f' ({e(l["statement"]["day"])}, {e(l["statement"]["title"])})'
                if l["target"]:
                    target += f': <q class="target">{_text(l["target"]["quote"])}</q>'
                out.append(f'<li><strong>{e(rel.label(l["link"]["relation"]))}</strong> {target}<br>'
                           f'<span class="def">{e(l["link"]["note"])}</span></li>\n')
            for l in k["ins"]:
                source = f'<a href="{e(l["url"])}">{e(l["id"])}</a>' if l["target"] else e(l["id"])
                quote = f': <q class="target">{_text(l["target"]["quote"])}</q>' if l["target"] else ""
                out.append(f'<li>Linked from {source} (<strong>{e(rel.label(l["link"]["relation"]))}</strong> this claim)'
                           f'{quote}<br><span class="def">{e(l["link"]["note"])}</span></li>\n')
            out.append("</ul>\n")
        out.append("</section>\n")
        return "".join(out)

    def statement_page(self, s: Mapping[str, Any]) -> bytes:
        """One statement's page."""
        sid = s["statement_id"]
        claims = self.claims_of.get(sid, [])
        paras = highlight(s["text"], claims, self.non_claims.get(sid, []), self.site.vocab("claims", "claim_type"),
                          self.site.vocab("non_claims", "reason"))
        return self.render("statement.html.j2", base="../", page="statement", s=s, speaker=self.speaker(s),
                           session=self.session.get(s.get("session_id") or ""), paragraphs=paras,
                           cards=Markup("".join(self.card_html(self.card(c)) for c in claims)), count=len(claims),
                           types=self.type_terms(),
                           non_claims=len(self.non_claims.get(sid, [])))

    def type_terms(self) -> list[Term]:
        """The claim types in vocabulary order."""
        return list(self.site.vocab("claims", "claim_type").terms.values())

    def index_rows(self) -> list[dict[str, Any]]:
        """One row per claim of the claims index, in date then document order."""
        rows : list[dict[str, Any]] = []
        for s in self.statements:
            for c in self.claims_of.get(s["statement_id"], []):
                rows.append(Row(c=c, s=s, topics=[t["topic_id"] for t in self.topics.get(c["claim_id"], [])],
                                url=href(s["statement_id"], c["claim_id"])))
        return rows

    def claims_data(self, rows: list[dict[str, Any]]) -> bytes:
        """assets/claims-data.js: the claims index as data, loaded only when a filter is used."""
        labels = {col: {t.code: t.label for t in self.site.vocab("claims", col).terms.values()} for col, _ in FILTERS}
        index = {s["statement_id"]: n for n, s in enumerate(self.statements)}
        data = {"statements": [[s["statement_id"], _date(s["date"]), s["title"]] for s in self.statements],
                "columns": ["claim_id", "statement", "claim_type", "checkworthy", "attribution", "topics", "quote", "summary"],
                "labels": labels,
                "rows": [[r["c"]["claim_id"], index[r["s"]["statement_id"]], r["c"]["claim_type"], r["c"]["checkworthy"],
                          r["c"]["attribution"], " ".join(r["topics"]), r["c"]["quote"], r["c"]["summary"] or ""] for r in rows]}
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
        return ("/* The claims index as data (generated by hrc-corpus site). */\nwindow.HRC_CLAIMS = " + body + ";\n").encode()

    def claims_pages(self) -> dict[str, bytes]:
        """claims.html (and claims-2.html ... for large corpora) and the index's data."""
        rows = self.index_rows()
        pages = max(1, math.ceil(len(rows) / PAGE_ROWS))
        names = ["claims.html"] + [f"claims-{n}.html" for n in range(2, pages + 1)]
        filters = [(col, label, list(self.site.vocab("claims", col).terms.values())) for col, label in FILTERS]
        used_topics = sorted({t for r in rows for t in r["topics"]}, key=_topic_order)
        topics = [(t, self.topic_label.get(t, t)) for t in used_topics]
        out = {}
        for n, name in enumerate(names):
            out[name] = self.render("claims.html.j2", base="", page="claims", rows=rows[n * PAGE_ROWS:(n + 1) * PAGE_ROWS],
                                    total=len(rows), number=n + 1, pages=names, filters=filters, topics=topics,
                                    show=SHOW_ROWS, first=n * PAGE_ROWS + 1)
        out["assets/claims-data.js"] = self.claims_data(rows)
        return out

    def figure_groups(self) -> list[dict[str, Any]]:
        """Quantities grouped by measure, each in date order, with a chart when several statements give values."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for c in self.claims:
            for q in self.quantities.get(c["claim_id"], []):
                groups.setdefault(q["measure"], []).append(Row(q=q, c=c, s=self.by_statement[c["statement_id"]],
                                                               url=href(c["statement_id"], c["claim_id"])))
        found : list[dict[str, Any]] = []
        for measure, items in groups.items():
            items.sort(key=lambda i: (i["s"]["day"], i["s"]["statement_id"], i["c"]["seq"], i["q"]["seq"]))
            ids = {i["c"]["claim_id"] for i in items}
            links = [l for cid in sorted(ids) for l in self.links_out.get(cid, [])
                     if l["target_claim_id"] in ids or l["relation"] in ("updates", "related_measure", "conflicts")]
            found.append(Row(measure=measure, rows=items, statements=len({i["s"]["statement_id"] for i in items}),
                             chart=chart(items, self.site.vocab("quantities", "unit"), self.site.vocab("quantities", "qualifier")),
                             links=[(l, self.claim.get(l["claim_id"]), self.claim.get(l["target_claim_id"])) for l in links]))
        found.sort(key=lambda g: (-g["statements"], g["rows"][0]["s"]["day"], g["measure"]))
        return found

    def figures_pages(self) -> dict[str, bytes]:
        """figures.html (and figures-2.html ... when there are more than FIGURE_ROWS quantities): whole groups per page."""
        parts = []
        for number, g in enumerate(self.figure_groups(), 1):
            rows = g["rows"]
            for at in range(0, max(1, len(rows)), FIGURE_ROWS):
                parts.append(Row(g, rows=rows[at:at + FIGURE_ROWS], anchor=f"m{number}" + (f"-{at // FIGURE_ROWS + 1}" if at else ""),
                                 continued=at > 0, chart=g["chart"] if at == 0 else None, total=len(rows)))
        pages: list[list[dict[str, Any]]] = [[]]
        filled = 0  # rows on the last page
        for part in parts:
            if pages[-1] and filled + len(part["rows"]) > FIGURE_ROWS:
                pages.append([])
                filled = 0
            pages[-1].append(part)
            filled += len(part["rows"])
        names = ["figures.html"] + [f"figures-{n}.html" for n in range(2, len(pages) + 1)]
        return {name: self.render("figures.html.j2", base="", page="figures", groups=groups, pages=names, number=n + 1,
                                  measures=len({p["measure"] for p in parts}))
                for n, (name, groups) in enumerate(zip(names, pages))}

    def about(self) -> bytes:
        """The about page: spans, vocabularies, agreement, codebook, version, checksums, citation."""
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark", {"html": False}).enable("table")  # raw HTML in the documents shows as text
        docs = self.site.docs
        codebook = docs / "schema" / "CODEBOOK.md"
        agreement = docs / "reliability" / "AGREEMENT.md"
        cff_text = self.site.citation
        sums = [(name, hashlib.sha256(data).hexdigest(), len(data)) for name, data in sorted(self.site.package_files.items())]
        vocabs = sorted({(v.name, id(v)): v for v in self.site.vocabs.values()}.values(), key=lambda v: v.name)
        return self.render("about.html.j2", base="", page="about", sums=sums, vocabs=vocabs,
                           codebook=_document(md, codebook), agreement=_document(md, agreement),
                           cff=cff_text, cite=citation_line(cff_text, self.site.descriptor))

    def home(self) -> bytes:
        """The home page."""
        d = self.site.descriptor
        counts = [(r["name"], len(self.site.tables[r["name"]])) for r in d["resources"]]
        return self.render("index.html.j2", base="", page="home", d=d, rows=self.statement_rows(), counts=counts,
                           downloads=[(name, len(data)) for name, data in sorted(self.site.package_files.items())],
                           licences=d.get("licenses", []), cite=citation_line(self.site.citation, d))

    def tasks(self) -> list[tuple[str, int]]:
        """The site's parts, each rendered on its own (in parallel when there are many): (kind, first statement)."""
        return ([("figures", 0), ("claims", 0), ("index", 0), ("rest", 0)]  # the longest first, for two workers
                + [("statements", n) for n in range(0, len(self.statements), STATEMENTS_PER_TASK)])

    def part(self, kind: str, first: int) -> dict[str, bytes]:
        """The files of one part of the site, by path."""
        if kind == "index":
            return {"index.html": self.home(), "about.html": self.about()}
        if kind == "claims":
            return self.claims_pages()
        if kind == "figures":
            return self.figures_pages()
        if kind == "statements":
            return {f"statements/{page_name(s['statement_id'])}": self.statement_page(s)
                    for s in self.statements[first:first + STATEMENTS_PER_TASK]}
        out = {"assets/site.css": self.render("site.css.j2", types=[
            (t.code, TINTS[i % len(TINTS)], LINES[i % len(LINES)]) for i, t in enumerate(self.type_terms())])}
        out |= {f"assets/{name}": (ASSETS / name).read_bytes() for name in ("site.js", "claims.js")}
        return out | {f"download/{name}": data for name, data in self.site.package_files.items()}

    def files(self) -> dict[str, bytes]:
        """Every file of the site, by path."""
        out: dict[str, bytes] = {}
        for kind, first in self.tasks():
            out |= self.part(kind, first)
        return out


def _document(md: Any, path: Path) -> Markup | None:
    """A Markdown document as HTML under the page's own headings (h1 becomes h3); None when absent."""
    if not path.is_file():
        return None
    html = md.render(path.read_text(encoding="utf-8"))
    return Markup(re.sub(r"<(/?)h([1-6])\b", lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + 2)}", html))


def _group(rows: Iterable[dict[str, Any]], key: str = "claim_id") -> dict[str, list[dict[str, Any]]]:
    """Rows grouped by one column, keeping their order."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row[key], []).append(row)
    return out


def _date(value: Any) -> str:
    """An ISO date (YYYY-MM-DD) from a date or timestamp; empty when null."""
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else str(value)[:10]


def _topic_order(topic: str) -> tuple[Any, ...]:
    """SDG1 < SDG2 < SDG10 < SDG10.1: numbers compared as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", topic))


def chart(items: list[dict[str, Any]], units: Vocab, qualifiers: Vocab) -> dict[str, Any] | None:
    """A horizontal bar chart (SVG geometry) of one measure's values, when several statements give one in one unit."""
    valued = [i for i in items if i["q"]["value"] is not None]
    if len({i["s"]["statement_id"] for i in valued}) < 2 or len({i["q"]["unit"] for i in valued}) != 1:
        return None
    if len(valued) > CHART_BARS:
        return {"omitted": len(valued)}
    top = max(abs(float(i["q"]["value"])) for i in valued) or 1.0
    row, label_w, bar_w = 34, 88, 210
    bars = []
    for n, i in enumerate(valued):
        width = max(2.0, bar_w * abs(float(i["q"]["value"])) / top)
        q = i["q"]
        shown = q["as_written"] if q["qualifier"] == "exact" else f"{q['as_written']} ({qualifiers.label(q['qualifier']).lower()})"
        bars.append({"y": 10 + n * row, "w": f"{width:.1f}", "date": _date(i["s"]["date"]), "text": shown,
                     "value": _number(q["value"]), "tx": f"{label_w + width + 6:.1f}"})
    return {"bars": bars, "height": 20 + len(valued) * row, "x": label_w, "unit": units.label(valued[0]["q"]["unit"])}


def citation_line(cff: str | None, descriptor: Mapping[str, Any]) -> str:
    """How to cite the dataset, in one line, from CITATION.cff (else the descriptor)."""
    meta: dict[str, Any] = {}
    if cff:
        try:
            meta = yaml.safe_load(cff) or {}
        except yaml.YAMLError:
            meta = {}
    authors = ", ".join(a.get("name") or " ".join(filter(None, [a.get("given-names"), a.get("family-names")]))
                        for a in meta.get("authors", []) if isinstance(a, dict))
    title = meta.get("title") or descriptor.get("title", "")
    version = descriptor.get("version") or meta.get("version", "")
    year = str(meta.get("date-released", ""))[:4]
    return f"{authors or 'The authors'}{f' ({year})' if year else ''}. {title}. Version {version}. Dataset."


def site_files(package: Path, docs: Path, citation: bytes | None = None) -> dict[str, bytes]:
    """Every file of the site of a package, by path (see read for docs and citation)."""
    return Builder(read(package, docs, citation)).files()


_forked: dict[str, Any] = {}  # what forked workers inherit: the builder and the folder to write into


def _write_part(task: tuple[str, int]) -> list[str]:
    """In a worker: render one part of the site and write its files; their names."""
    files = _forked["builder"].part(*task)
    _write_files(_forked["folder"], files)
    return list(files)


def _write_files(folder: Path, files: Mapping[str, bytes]) -> None:
    """Write files (path -> bytes) under folder, each readable by all."""
    for name in sorted(files):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])
        os.chmod(path, 0o644)


def build_site(package: Path, out: Path, docs: Path, workers: int | None = None) -> list[str]:
    """Build the site from the package and write it to out (swapped in whole); return its files' paths.

    A large site is rendered by forked workers (both cores here), each writing its own pages, so
    that no process holds the whole site in memory; the bytes are the same either way.
    """
    builder = Builder(read(package, docs))
    tasks = builder.tasks()
    if workers is None:  # forking pays only for a large site
        workers = (os.cpu_count() or 1) if len(builder.claims) >= PARALLEL_FROM else 1
    workers = min(workers, len(tasks))
    with fresh_folder(out) as folder:
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            _forked.update(builder=builder, folder=folder)
            try:
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    names = [n for part in pool.imap_unordered(_write_part, tasks) for n in part]
            finally:
                _forked.clear()
        else:
            names = []
            for task in tasks:
                files = builder.part(*task)
                _write_files(folder, files)
                names += files
    return sorted(names)
