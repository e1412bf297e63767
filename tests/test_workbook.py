"""The release's spreadsheet workbook, read back with openpyxl: every sheet equals its table, text stays text."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd

from hrc_corpus.dataset import load
from hrc_corpus.formats import Package, workbook


def expected_rows(frame: pd.DataFrame, fields: list[dict]) -> list[list]:
    """A table's rows as the workbook must hold them: text as text, dates as ISO text, null empty."""
    out = []
    for row in frame.astype(object).itertuples(index=False):
        cells = []
        for value, f in zip(row, fields):
            if pd.isna(value):
                cells.append(None)
            elif f["type"] == "date":
                cells.append(pd.Timestamp(value).date().isoformat())
            elif f["type"] in ("integer", "number"):
                cells.append(value)
            else:
                cells.append(str(value))
        out.append(cells)
    return out


def test_every_sheet_is_its_table(released: Path) -> None:
    (path,) = released.glob("*.xlsx")
    book = openpyxl.load_workbook(path)
    tables = load(released)
    descriptor = tables.descriptor
    assert book.sheetnames == ["README", "data_dictionary"] + [r["name"] for r in descriptor["resources"]]
    for resource in descriptor["resources"]:
        sheet = book[resource["name"]]
        fields = resource["schema"]["fields"]
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        assert rows[0] == [f["name"] for f in fields]
        assert rows[1:] == expected_rows(tables[resource["name"]], fields), resource["name"]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(fields))}{len(rows)}"
        for f_index, f in enumerate(fields):
            if f["type"] == "string":
                assert all(row[f_index].data_type == "s" for row in sheet.iter_rows(min_row=2) if row[f_index].value is not None)


def test_figures_and_months_stay_as_written(released: Path) -> None:
    book = openpyxl.load_workbook(next(released.glob("*.xlsx")))
    sheet = book["quantities"]
    header = [c.value for c in sheet[1]]
    written = [row[header.index("as_written")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    periods = [row[header.index("period")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "9,281" in written and "9,000" in written
    assert "2023-07" in periods
    assert all(isinstance(v, str) for v in written) and all(v is None or isinstance(v, str) for v in periods)


def test_readme_and_data_dictionary_sheets(released: Path) -> None:
    book = openpyxl.load_workbook(next(released.glob("*.xlsx")))
    descriptor = load(released).descriptor
    readme = [row[0] for row in book["README"].iter_rows(values_only=True)]
    assert readme[0] == descriptor["title"] and any("UTF" in str(v) or "as text" in str(v) for v in readme)
    dictionary = list(book["data_dictionary"].iter_rows(values_only=True))
    assert dictionary[0] == ("table", "field", "type", "required", "description")
    assert [(r[0], r[1], r[4]) for r in dictionary[1:]] == [
        (res["name"], f["name"], f["description"]) for res in descriptor["resources"] for f in res["schema"]["fields"]]


def test_values_a_spreadsheet_would_convert_are_kept_as_text() -> None:
    awkward = ["=1+1", "+12", "-3", "@SUM(A1)", "2023-07", "9,281", "0012", "1e3", "TRUE", "12:30", "𝕏 non-BMP"]
    descriptor = {"name": "t", "version": "0", "title": "T", "description": "D",
                  "licenses": [{"name": "CC0", "title": "CC0", "path": "x"}], "created": "2026-01-02",
                  "resources": [{"name": "things", "description": "d", "schema": {"fields": [
                      {"name": "text", "type": "string", "description": "d"},
                      {"name": "n", "type": "integer", "description": "d"}], "primaryKey": ["text"]}}]}
    frame = pd.DataFrame({"text": pd.array(awkward, dtype="string"), "n": pd.array(range(len(awkward)), dtype="Int64")})
    data = workbook.workbook(Package(descriptor, {"things": frame}))
    assert data == workbook.workbook(Package(descriptor, {"things": frame}))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert [r[0] for r in book["things"].iter_rows(min_row=2, values_only=True)] == awkward
    assert [c.data_type for (c,) in book["things"].iter_rows(min_row=2, max_col=1)] == ["s"] * len(awkward)
    assert book.properties.created == book.properties.modified == pd.Timestamp("2026-01-02").to_pydatetime()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == sorted(names) and names[0] == "[Content_Types].xml"
        assert {i.date_time for i in archive.infolist()} == {workbook.ZIP_TIME}


def test_a_control_character_is_refused_with_its_place() -> None:
    import pytest

    from hrc_corpus.formats import FormatError

    descriptor = {"name": "t", "version": "0", "title": "T", "description": "D",
                  "licenses": [{"name": "CC0", "title": "CC0", "path": "x"}],
                  "resources": [{"name": "things", "description": "d", "schema": {"fields": [
                      {"name": "text", "type": "string", "description": "d"}], "primaryKey": ["text"]}}]}
    frame = pd.DataFrame({"text": pd.array(["fine", "bell\x07"], dtype="string")})
    with pytest.raises(FormatError, match=r"things\.text, row 2: holds the control character U\+0007"):
        workbook.workbook(Package(descriptor, {"things": frame}))


def test_release_refuses_a_value_the_workbook_cannot_hold(tmp_path: Path) -> None:
    from .conftest import copy_for_release, run_cli

    root = copy_for_release(tmp_path / "repo")
    path = root / "records" / "entities.yaml"
    text = path.read_text(encoding="utf-8")
    first = text.index("name: ")
    end = text.index("\n", first)
    # A YAML escape gives an ESC character: valid YAML, but no spreadsheet cell can hold it.
    path.write_text(text[:first] + 'name: "Escape \\e here"' + text[end:], encoding="utf-8")
    assert run_cli("build", root=root).returncode == 0
    result = run_cli("release", root=root)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "entities.name, row " in result.stderr and "U+001B" in result.stderr
    assert not (root / "dist" / "cambodia-hrc-statements-0.1.0").exists()  # nothing written
