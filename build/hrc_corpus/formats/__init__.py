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

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..dataset import load


class FormatError(ValueError):
    """The package cannot be written in a format (a value the format cannot hold); the message says which and why."""


@dataclass(frozen=True)
class Package:
    """A data package as published: its descriptor and its typed tables."""

    descriptor: dict[str, Any]
    tables: dict[str, pd.DataFrame]

    @property
    def stem(self) -> str:
        """<name>-<version>, the stem of every versioned file."""
        return f"{self.descriptor['name']}-{self.descriptor['version']}"

    def resource(self, name: str) -> dict[str, Any]:
        """The descriptor of one table."""
        return next(r for r in self.descriptor["resources"] if r["name"] == name)

    def fields(self, name: str) -> list[dict[str, Any]]:
        """The Table Schema fields of one table."""
        return self.resource(name)["schema"]["fields"]


def read_package(folder: str | Path) -> Package:
    """A CSV data package folder (or zip) read as a user would: descriptor and load()'s tables."""
    tables = load(Path(folder))
    return Package(tables.descriptor, dict(tables))


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
