"""The data dictionary: generated from schema/, complete, and checked for staleness."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hrc_corpus import docs
from hrc_corpus.schema import Schemas
from hrc_corpus.tableschema import tables

from .conftest import REPO, hrc, run_cli


def docs_copy(dest: Path) -> Path:
    """A copy of schema/ and docs/, enough for `hrc-corpus docs`."""
    shutil.copytree(REPO / "schema", dest / "schema")
    shutil.copytree(REPO / "docs", dest / "docs")
    return dest


def test_committed_dictionary_matches_the_schema() -> None:
    assert not docs.is_stale(REPO), "docs/data-dictionary.md is stale: run `hrc-corpus docs` and commit"
    result = run_cli("docs", "--check", root=REPO)
    assert result.returncode == 0, result.stderr


def test_check_fails_when_the_schema_changes_and_docs_fixes_it(tmp_path: Path) -> None:
    root = docs_copy(tmp_path)
    vocab = root / "schema" / "vocab" / "claim_type.json"
    doc = json.loads(vocab.read_text())
    doc["anyOf"][0]["description"] = "A figure about the world, reworded for this test."
    vocab.write_text(json.dumps(doc, indent=2))
    code, err = hrc(root, "docs", "--check")
    assert code == 1 and "docs/data-dictionary.md" in err
    assert hrc(root, "docs")[0] == 0
    assert "A figure about the world, reworded for this test." in (root / docs.DICTIONARY).read_text()
    assert hrc(root, "docs", "--check")[0] == 0


def test_check_fails_when_the_dictionary_is_edited(tmp_path: Path) -> None:
    root = docs_copy(tmp_path)
    path = root / docs.DICTIONARY
    path.write_text(path.read_text().replace("| `claim_id` |", "| `claim_key` |", 1))
    assert hrc(root, "docs", "--check")[0] == 1


def test_dictionary_has_every_table_field_constraint_and_term() -> None:
    schemas = Schemas(REPO / "schema")
    text = docs.render(schemas)
    for table in tables(schemas):
        section = text.split(f"## `{table.name}`: {table.title}\n", 1)[1].split("\n## ", 1)[0]
        assert table.description in section
        for field in table.fields:
            (row,) = [line for line in section.splitlines() if line.startswith(f"| `{field.name}` |")]
            cells = [c.strip() for c in row.strip("|").split(" | ")]
            assert cells[1] == field.type and cells[3] == ("yes" if field.required else "no")
            assert " ".join(field.description.split()) in row.replace("\\|", "|")
            if field.vocabulary:
                assert f"(#vocabulary-{field.vocabulary})" in cells[4]
            if "pattern" in field.constraints:
                assert f"`{field.constraints['pattern']}`" in row.replace("\\|", "|")
    for name, terms in schemas.vocabularies.items():
        section = text.split(f'<a id="vocabulary-{name}"></a>', 1)[1]
        for term in terms:
            assert f"| `{term.id}` | {term.label} | {' '.join(term.definition.split())} |" in section
