"""A release's descriptors: sources (the documents), contributors (CITATION.cff), created (the release date)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import yaml
from frictionless import Package, system


def descriptors(released: Path) -> dict[str, dict]:
    """The loose descriptor and those in both zips."""
    out = {"loose": json.loads((released / "datapackage.json").read_text(encoding="utf-8"))}
    for fmt in ("csv", "parquet"):
        (archive,) = released.glob(f"*-{fmt}.zip")
        with zipfile.ZipFile(archive) as z:
            (name,) = [n for n in z.namelist() if n.endswith("/datapackage.json")]
            out[fmt] = json.loads(z.read(name))
    return out


def test_sources_contributors_and_created(released: Path) -> None:
    cff = yaml.safe_load((released.parents[1] / "CITATION.cff").read_text(encoding="utf-8"))
    statements = pd.read_csv(released / "statements.csv", dtype=str, keep_default_na=False)
    found = descriptors(released)
    assert set(found) == {"loose", "csv", "parquet"}
    for name, doc in found.items():
        assert doc["created"] == f"{cff['date-released']}T00:00:00Z", name
        assert doc["contributors"] == [{"title": a["name"], "role": "author"} for a in cff["authors"]], name
        assert len(doc["sources"]) == len(statements)
        for source, row in zip(doc["sources"], statements.itertuples()):
            assert row.title in source["title"] and row.source_sha256 in source["title"]
            assert "path" not in source or source["path"] == row.source_url  # no address is invented


def test_the_descriptor_with_provenance_is_valid(released: Path) -> None:
    with system.use_context(trusted=True):
        report = Package(str(released / "datapackage.json")).validate()
    assert report.valid, report.flatten(["title", "message"])[:5]


def test_the_workbook_is_dated_by_the_release(released: Path) -> None:
    import datetime as dt

    import openpyxl

    cff = yaml.safe_load((released.parents[1] / "CITATION.cff").read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(next(released.glob("*.xlsx")))
    day = dt.datetime.fromisoformat(str(cff["date-released"]))
    assert book.properties.created == book.properties.modified == day
