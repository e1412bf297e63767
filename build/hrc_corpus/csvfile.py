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
    """csv_rows as text, column by column instead of one call per cell: a column of plain strings (or integers) and
    nulls is taken as it is, the others go through csv_cell; then each column is quoted as the csv module quotes."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    if header is not None:
        writer.writerow(header)
    rows = list(rows)
    if rows and set(map(len, rows)) == {len(types)} and len(types) > 1:
        columns: list[Sequence[Any]] = []
        for column, kind in zip(zip(*rows), types):
            if set(map(type, column)) <= _AS_IS.get(kind, set()):
                columns.append(column)
            else:
                columns.append(list(map(_number_cell if kind == "number" else csv_cell, column)))
        fields = [_quoted(column) for column in columns]
        if all(f is not None for f in fields):
            out.write("".join(",".join(row) + "\n" for row in zip(*fields)))
        else:  # a value holding a carriage return: the csv module decides
            writer.writerows(zip(*columns))
    else:  # one column (a lone empty value is written ""), or rows of another length than the types: cell by cell
        for row in rows:
            values = list(row)
            writer.writerow([_number_cell(v) if i < len(types) and types[i] == "number" else csv_cell(v)
                             for i, v in enumerate(values)])
    return out.getvalue()


def _quoted(column: Sequence[Any]) -> list[str] | None:
    """A column's cells as the csv module writes them with minimal quoting: None as '', a value holding a comma,
    a quote or a line feed in quotes (its quotes doubled); None when a cell holds a carriage return, or is not text."""
    kinds = set(map(type, column))
    if kinds <= {int, type(None)}:
        return ["" if v is None else str(v) for v in column]
    if not kinds <= {str, type(None)}:
        return None
    values = ["" if v is None else v for v in column]
    blob = "\0".join(values)  # one scan of the column says whether any cell needs quoting
    if "\r" in blob:
        return None
    if "," not in blob and '"' not in blob and "\n" not in blob:
        return values
    return ['"' + v.replace('"', '""') + '"' if "," in v or '"' in v or "\n" in v else v for v in values]
