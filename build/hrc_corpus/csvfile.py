"""The one CSV writer: values as Table Schema's CSV form, RFC 4180 with LF line ends and minimal quoting.

It needs no Arrow, so that `hrc-corpus check` can render (and cache) each statement's rows
without loading it; write.csv_bytes writes whole tables with it.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any, Iterable, Sequence

# Stated, not left to readers to guess: frictionless sniffs what a descriptor leaves out, and a value
# holding ; or | or a leading space made it read the wrong delimiter or drop the space.
CSV_DIALECT = {"delimiter": ",", "doubleQuote": True, "lineTerminator": "\n", "quoteChar": "\"", "skipInitialSpace": False,
               "header": True}


def csv_cell(value: Any) -> str:
    """A value as Table Schema's CSV form: '' for null, ISO dates, integral numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):  # -0.0 as repr too: "0" would read back without its sign
        integral = value.is_integer() and abs(value) < 2**53 and (value != 0 or math.copysign(1.0, value) > 0)
        return str(int(value)) if integral else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def csv_rows(rows: Iterable[Sequence[Any]], types: Sequence[str], header: Sequence[str] | None = None) -> bytes:
    """Rows of values as CSV lines (a header first, if given); `types` are the columns' Table Schema types."""
    return csv_text(rows, types, header).encode("utf-8")


# Column types whose cells csv_cell writes as the csv module writes them, when they are of these classes only.
_AS_IS = {"string": {str, type(None)}, "integer": {int, type(None)}}


def _number_cell(value: Any) -> str:
    """A cell of a number column: a whole number is held as a float64, and written as one."""
    return csv_cell(float(value) if isinstance(value, int) and not isinstance(value, bool) else value)


def csv_text(rows: Iterable[Sequence[Any]], types: Sequence[str], header: Sequence[str] | None = None) -> str:
    """csv_rows as text. Column by column: a column of plain strings (or integers) and nulls goes to the csv
    module as it is (which writes None as ''), the others through csv_cell, instead of one call per cell."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    if header is not None:
        writer.writerow(header)
    rows = list(rows)
    if rows and set(map(len, rows)) == {len(types)} and types:
        columns: list[Sequence[Any]] = []
        for column, kind in zip(zip(*rows), types):
            if set(map(type, column)) <= _AS_IS.get(kind, set()):
                columns.append(column)
            else:
                columns.append(list(map(_number_cell if kind == "number" else csv_cell, column)))
        writer.writerows(zip(*columns))
    else:  # rows of another length than the types (or no columns): cell by cell
        for row in rows:
            values = list(row)
            writer.writerow([_number_cell(v) if i < len(types) and types[i] == "number" else csv_cell(v)
                             for i, v in enumerate(values)])
    return out.getvalue()
