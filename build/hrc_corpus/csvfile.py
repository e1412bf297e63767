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
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    if header is not None:
        writer.writerow(header)
    numbers = [i for i, kind in enumerate(types) if kind == "number"]
    for row in rows:
        values = list(row)
        for i in numbers:  # a whole number in a number column is held as a float64, and written as one
            if isinstance(values[i], int) and not isinstance(values[i], bool):
                values[i] = float(values[i])
        writer.writerow([csv_cell(v) for v in values])
    return out.getvalue().encode("utf-8")
