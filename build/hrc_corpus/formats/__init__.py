"""Formats for users' own tools, each built from the published data package as any user reads it.

Nothing here sees records/ or the pipeline: a package folder (datapackage.json + data/*.csv) is
read with hrc_corpus.dataset.load, and every file is a function of that package's bytes alone,
so the same package always gives byte-identical files.

    sqlite.py    <name>-<version>.sqlite and its Datasette metadata (sqlite-utils)
    workbook.py  <name>-<version>.xlsx: a sheet per table, README and data dictionary (openpyxl)
    card.py      README.md: the Hugging Face dataset card (configs per table)
    standoff.py  span annotations: JSON Lines (doccano, Prodigy, spaCy) and W3C Web Annotation JSON-LD
"""

from __future__ import annotations

from pathlib import Path

from .package import FormatError, Package, read_package

__all__ = ["FormatError", "Package", "build_all", "read_package"]


def build_all(folder: str | Path, card_body: str = "") -> dict[str, bytes]:
    """Every format's files for the package in folder, by release file name (card_body: the card's README text)."""
    from . import card, sqlite, standoff, workbook  # late: each pulls in its library

    package = read_package(folder)
    files = {f"{package.stem}.sqlite": sqlite.database(package),
             f"{package.stem}-datasette.json": sqlite.metadata(package),
             f"{package.stem}.xlsx": workbook.workbook(package),
             "README.md": card.card(package, card_body).encode()}
    files |= standoff.files(package)
    return files
