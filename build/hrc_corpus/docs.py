"""The data dictionary (docs/data-dictionary.md), generated from schema/ and never edited by hand.

Every table with its keys, every field with its type, pandas dtype, constraints and description,
and every vocabulary with each term's definition. `hrc-corpus docs` writes it; `--check` fails
when the committed file is not what schema/ gives.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable

from .dataset import dtype_label
from .schema import Schemas, Term
from .tableschema import Field, Table, tables

DICTIONARY = Path("docs") / "data-dictionary.md"
_CONSTRAINTS = {"minimum": "≥ {}", "maximum": "≤ {}", "minLength": "length ≥ {}", "maxLength": "length ≤ {}"}


def render(schemas: Schemas) -> str:
    """The whole data dictionary as Markdown."""
    schema_tables = tables(schemas)
    used: dict[str, list[str]] = {}
    for t in schema_tables:
        for f in t.fields:
            if f.vocabulary:
                used.setdefault(f.vocabulary, []).append(f"{t.name}.{f.name}")
    lines = [
        "# Data dictionary",
        "",
        "<!-- Generated from schema/ by `hrc-corpus docs`; do not edit. `hrc-corpus docs --check` fails when stale. -->",
        "",
        schemas.documents["tables.schema.json"]["description"],
        "",
        "Types are [Table Schema](https://specs.frictionlessdata.io/table-schema/) types. *pandas dtype* is what "
        "`hrc_corpus.dataset.load()` gives; a *category* column's categories are its vocabulary's terms, in the order "
        "listed below. An empty CSV cell is null. *Required* means never null.",
        "",
        "## Tables",
        "",
        "| Table | Contents | Primary key |",
        "| --- | --- | --- |",
    ]
    lines += [f"| [`{t.name}`](#table-{t.name}) | {_cell(t.description)} | {_codes(t.primary_key)} |" for t in schema_tables]
    for table in schema_tables:
        lines += _table(table)
    lines += ["", "## Vocabularies", ""]
    for name, terms in schemas.vocabularies.items():
        lines += _vocabulary(name, schemas.documents[f"vocab/{name}.json"], terms, used.get(name, []))
    return "\n".join(lines).rstrip("\n") + "\n"


def _table(table: Table) -> list[str]:
    """One table's section: description, keys, then one row per field."""
    lines = ["", f'<a id="table-{table.name}"></a>', "", f"## `{table.name}`: {table.title}", "", table.description, "",
             f"Primary key: {_codes(table.primary_key)}."]
    for fk in table.foreign_keys:
        target = fk["reference"]["resource"]
        refs = ", ".join(f"`{target}.{f}`" for f in fk["reference"]["fields"])
        lines.append(f"Foreign key: {_codes(fk['fields'])} → {refs}.")
    lines += ["", "| Field | Type | pandas dtype | Required | Constraints | Description |",
              "| --- | --- | --- | --- | --- | --- |"]
    for f in table.fields:
        lines.append(f"| `{f.name}` | {f.type} | {dtype_label(f.descriptor())} | {'yes' if f.required else 'no'} | "
                     f"{_constraints(f)} | {_cell(f.description)} |")
    return lines


def _constraints(field: Field) -> str:
    """A field's constraints in words (a vocabulary links to its terms)."""
    parts = []
    if field.vocabulary:
        parts.append(f"a term of [{field.vocabulary}](#vocabulary-{field.vocabulary})")
    elif "enum" in field.constraints:
        parts.append("one of " + ", ".join(f"`{v}`" for v in field.constraints["enum"]))
    if "pattern" in field.constraints:
        parts.append(f"matches `{field.constraints['pattern']}`")
    parts += [template.format(field.constraints[key]) for key, template in _CONSTRAINTS.items() if key in field.constraints]
    return _cell("; ".join(parts)) or "–"


def _vocabulary(name: str, doc: dict[str, Any], terms: list[Term], columns: list[str]) -> list[str]:
    """One vocabulary's section: its description, the columns that use it, then one row per term."""
    extras = sorted({key for t in terms for key in t.extra})
    lines = [f'<a id="vocabulary-{name}"></a>', "", f"### `{name}`: {doc.get('title', name)}", "",
             doc.get("description", ""), "",
             f"Used in: {_codes(columns)}." if columns else "Used in the records only (no table column).", ""]
    lines.append("| Term | Label | Definition |" + "".join(f" {k.removeprefix('x-')} |" for k in extras))
    lines.append("| --- | --- | --- |" + " --- |" * len(extras))
    for t in terms:
        lines.append(f"| `{t.id}` | {_cell(t.label)} | {_cell(t.definition)} |"
                     + "".join(f" {_value(t.extra.get(k))} |" for k in extras))
    return lines + [""]


def _value(value: Any) -> str:
    """An annotation value in a table cell."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"`{value}`"


def _codes(names: Iterable[str]) -> str:
    """Field names as code, comma-separated."""
    return ", ".join(f"`{n}`" for n in names)


def _cell(text: str) -> str:
    """Text made safe for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def write(root: Path) -> Path:
    """Write the data dictionary under root (atomically); return its path."""
    path = root / DICTIONARY
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(render(Schemas(root / "schema")), encoding="utf-8")
    os.replace(tmp, path)
    return path


def is_stale(root: Path) -> bool:
    """Whether the committed data dictionary differs from what schema/ gives."""
    path = root / DICTIONARY
    return not path.is_file() or path.read_text(encoding="utf-8") != render(Schemas(root / "schema"))
