"""The vocabularies table: every code in the data resolves to a label and a definition."""

from __future__ import annotations

import json
import re

from hrc_corpus.dataset import load

from .conftest import REPO


def test_every_code_of_every_vocabulary_column_resolves() -> None:
    tables = load(REPO)
    vocab = tables["vocabularies"]
    known = set(zip(vocab["vocabulary"].astype(str), vocab["term"].astype(str)))
    package = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    checked = 0
    for resource in package["resources"]:
        for field in resource["schema"]["fields"]:
            named = re.search(r"vocabularies where vocabulary = '([a-z_]+)'", field["description"])
            if "enum" not in field.get("constraints", {}) or resource["name"] == "null_reasons":
                assert named is None, f"{resource['name']}.{field['name']} names a vocabulary but has no enum"
                continue
            assert named, f"{resource['name']}.{field['name']}: the description does not say where its labels are"
            for code in tables[resource["name"]][field["name"]].dropna().astype(str):
                assert (named.group(1), code) in known, (resource["name"], field["name"], code)
                checked += 1
    assert checked > 300  # claims alone have 86 x 3 vocabulary codes


def test_vocabularies_table_is_the_vocabulary_files() -> None:
    rows = load(REPO)["vocabularies"]
    expected = []
    for path in sorted((REPO / "schema/vocab").glob("*.json")):
        for term in json.loads(path.read_text(encoding="utf-8"))["anyOf"]:
            expected.append((path.stem, term["const"], term["title"], term["description"]))
    got = [tuple(str(v) for v in row) for row in rows[["vocabulary", "term", "label", "definition"]].itertuples(index=False)]
    assert got == expected
    assert ("checkworthy", "cfs", "Check-worthy factual") in {g[:3] for g in got}


def test_field_descriptions_point_to_their_codebook_section() -> None:
    package = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    codebook = (REPO / "schema/CODEBOOK.md").read_text(encoding="utf-8")
    sections = set(re.findall(r"^## (\d+)\. ", codebook, re.MULTILINE))
    pointed = {}
    for resource in package["resources"]:
        for field in resource["schema"]["fields"]:
            for number in re.findall(r"codebook §(\d+)", field["description"]):
                assert number in sections, (resource["name"], field["name"], number)
                pointed[f"{resource['name']}.{field['name']}"] = number
    assert pointed["claims.claim_type"] == "3" and pointed["quantities.unit"] == "7"
    assert len(pointed) >= 30
