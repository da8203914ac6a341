"""CSV output, written one way everywhere (reports, dismissals, training manifests).

:func:`write_csv` is the only CSV writer of the product. Each cell goes
through :func:`csv_cell`:

* counts stay integers (SQLite sums of integers can come back as ``4.0``);
* other numbers are rounded to 3 decimals (confidences, seconds, scores);
* ``None`` is an empty cell;
* text that a spreadsheet would run as a formula (starting with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return, as OWASP's CSV-injection guidance
  lists) is prefixed with ``'`` so it is shown, never run. Transcripts,
  manifests and inspectors' comments reach these files.

Lines end with CRLF (RFC 4180), so the writer quotes every cell holding a
carriage return or a line feed: a spreadsheet reads such a cell as one
cell, never as a new row whose first cell could be a formula
(``ok\r=1+1``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
DECIMALS = 3


def csv_cell(value: Any) -> str | int:
    """One value as a safe, readable CSV cell (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        return f"{round(value, DECIMALS):g}"
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], *,
              bom: bool = False, header: Sequence[str] | None = None) -> str:
    """Rows as CSV text with a header; keys outside ``columns`` are ignored.

    Args:
        columns: The keys of the columns, in order.
        rows: One mapping per line.
        bom: Start with a UTF-8 byte-order mark, so spreadsheet programs read 汉字.
        header: What the header row says (default: the keys), e.g. the
            columns' labels in the reader's language.
    """
    if header is not None and len(header) != len(columns):
        raise ValueError("a CSV header needs one label per column")
    buf = io.StringIO()
    if bom:
        buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")  # quotes CR and LF alike
    writer.writerow(header if header is not None else columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
    return buf.getvalue()
