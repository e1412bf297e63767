"""The one CSV writer: column by column, it writes what csv_cell writes cell by cell."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from typing import Any

from hrc_corpus.csvfile import csv_cell, csv_rows


def _cell_by_cell(rows: list[list[Any]], types: list[str]) -> bytes:
    """The rule in its plain form: each cell through csv_cell (a whole number in a number column as a float)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([csv_cell(float(v) if kind == "number" and isinstance(v, int) and not isinstance(v, bool) else v)
                         for v, kind in zip(row, types)])
    return out.getvalue().encode("utf-8")


class _Text(str):
    """A str subclass (csv_cell writes str(value))."""

    def __str__(self) -> str:
        return "text"


VALUES = [None, "", "a", "a,b", 'say "no"', "line\nbreak", " lead", "ʼn", "cr\r", "crlf\r\n", '"', ",", "\n", "\0", 0, 1, -7,
          2**53, True, False, 0.0, -0.0, 1.5, 2.0, float(2**53), 1e300, dt.date(2023, 7, 16), _Text("x")]


def _text(rng: random.Random) -> str:
    """A random text of the characters the csv module treats specially, and others."""
    return "".join(rng.choice(',"\n\r ab;\t\u2028é\0') for _ in range(rng.randint(0, 6)))


def test_columns_are_written_as_cells_are() -> None:
    """Random tables of every column type, with plain columns and mixed ones: the same bytes as cell by cell."""
    rng = random.Random(7)
    kinds = ["string", "integer", "number", "boolean", "date"]
    for _ in range(2000):
        types = [rng.choice(kinds) for _ in range(rng.randint(1, 5))]
        plain = {"string": ["", "a", None, "b,c", _text(rng), _text(rng)], "integer": [0, 3, None, -1]}
        rows = [[rng.choice(plain.get(kind, VALUES)) if rng.random() < 0.8 else rng.choice(VALUES) for kind in types]
                for _ in range(rng.randint(0, 6))]
        assert csv_rows(rows, types) == _cell_by_cell(rows, types), (types, rows)
    assert csv_rows([["a", None]], ["string", "string"], header=["x", "y"]) == b"x,y\na,\n"
