"""A data package as published, read as any user reads it (the input of every format)."""

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
