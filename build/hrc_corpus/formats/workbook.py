"""A spreadsheet workbook (.xlsx) of the package, written with openpyxl.

A README sheet, a data-dictionary sheet, then one sheet per table. Text is stored as text
(never a formula, date or number: `9,281`, `2023-07` and `=x` stay as written), numbers as
numbers, dates as ISO text; the header row is frozen and has filters. The bytes depend only on
the package: the document's created and modified dates are fixed, and the zip's entries are
sorted and carry a fixed time.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from .package import FormatError, Package

EXCEL_CELL_LIMIT = 32767  # characters a cell holds; longer text would be cut by Excel
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_BOLD = Font(bold=True)
_WIDTHS = {"string": 40, "integer": 10, "number": 12, "boolean": 8, "date": 12}


def workbook(package: Package) -> bytes:
    """The .xlsx file of the package, as bytes."""
    book = Workbook()
    readme = book.active
    readme.title = "README"
    _readme(readme, package)
    _sheet(book.create_sheet("data_dictionary"), ["table", "field", "type", "required", "description"],
           ["string", "string", "string", "string", "string"], _dictionary(package))
    for resource in package.descriptor["resources"]:
        fields = resource["schema"]["fields"]
        frame = package.tables[resource["name"]]
        rows = [[_cell(v, f["type"]) for v, f in zip(row, fields)] for row in frame.astype(object).itertuples(index=False)]
        _sheet(book.create_sheet(resource["name"]), [f["name"] for f in fields], [f["type"] for f in fields], rows)
    stamp = _fixed_time(package)
    book.properties.created = book.properties.modified = stamp
    book.properties.creator = package.descriptor["name"]
    book.properties.title = package.descriptor["title"]
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()  # not save_workbook(): that stamps the current time
    return _normalized_zip(raw.getvalue())


def _fixed_time(package: Package) -> dt.datetime:
    """The document's date: the package's created date when it has one, else a fixed one."""
    created = str(package.descriptor.get("created") or "2000-01-01")
    return dt.datetime.fromisoformat(created[:10])


def _cell(value: Any, kind: str) -> Any:
    """A table value as a cell value: None for null, dates as ISO text, integers as int."""
    if value is None or pd.isna(value):
        return None
    if kind == "date":
        return pd.Timestamp(value).date().isoformat()
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        return bool(value)
    return str(value)


def _sheet(sheet: Worksheet, header: list[str], kinds: list[str], rows: list[list[Any]]) -> None:
    """Write a header and rows; text cells typed as text; header frozen and filtered."""
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = _BOLD
    for number, row in enumerate(rows, start=1):
        for name, value in zip(header, row):
            if isinstance(value, str):
                _check_text(value, f"{sheet.title}.{name}, row {number}")
        sheet.append(row)
    for col, kind in enumerate(kinds, start=1):
        letter = get_column_letter(col)
        sheet.column_dimensions[letter].width = _WIDTHS[kind]
        if kind != "string":
            continue
        for (cell,) in sheet.iter_rows(min_row=2, min_col=col, max_col=col):
            if cell.value is None:
                continue
            cell.data_type = "s"  # openpyxl reads a leading "=" as a formula; this is text
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"


def _check_text(value: str, where: str) -> None:
    """Refuse text a cell cannot hold as it is (the text is never altered to fit)."""
    if len(value) > EXCEL_CELL_LIMIT:
        raise FormatError(f"{where}: a value of {len(value)} characters is longer than a spreadsheet cell holds "
                          f"({EXCEL_CELL_LIMIT})")
    bad = ILLEGAL_CHARACTERS_RE.search(value)
    if bad:
        raise FormatError(f"{where}: holds the control character U+{ord(bad.group()):04X}, which a spreadsheet cannot "
                          "store")


def _dictionary(package: Package) -> list[list[Any]]:
    """One row per field: table, field, type, required, description."""
    return [[r["name"], f["name"], f["type"], "yes" if f.get("constraints", {}).get("required") else "no",
             f["description"]]
            for r in package.descriptor["resources"] for f in r["schema"]["fields"]]


def _readme(sheet: Worksheet, package: Package) -> None:
    """The README sheet: what the workbook is, how to read it, and its sheets."""
    d = package.descriptor
    lines = [d["title"], f"Version {d['version']} of the {d['name']} data package.", d["description"], "",
             "Licence: " + "; ".join(f"{lic['title']} ({lic['path']})" for lic in d["licenses"]), "",
             "Every cell of a text column is stored as text: numbers as written (9,281), months (2023-07) and "
             "values starting with = are kept exactly as in the data, not converted. Empty cells are nulls.",
             "Spans (char_start, char_end) count Unicode code points of statements.text, end exclusive.",
             "Codes (claim_type, checkworthy, unit ...) are explained in the vocabularies sheet; every field in "
             "data_dictionary.", ""]
    rows: list[list[Any]] = [[line] for line in lines]
    rows.append(["Sheet", "Rows", "Contents"])
    rows.append(["data_dictionary", sum(len(r["schema"]["fields"]) for r in d["resources"]),
                 "every table's fields, with type and description"])
    rows += [[r["name"], len(package.tables[r["name"]]), r.get("description", "")] for r in d["resources"]]
    for row in rows:
        sheet.append(row)
    for cell in sheet["A"]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
    sheet["A1"].font = _BOLD
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["C"].width = 100
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=False, vertical="top")


def _normalized_zip(data: bytes) -> bytes:
    """The same zip with its entries sorted ([Content_Types].xml first) and a fixed time on each."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            archive.writestr(info, entries[name], compresslevel=9)
    return out.getvalue()
