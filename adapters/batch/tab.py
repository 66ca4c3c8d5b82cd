"""Tab-delimited activity files: a header row naming the columns, then one activity a row.

The columns are those of `adapters.batch.columns` (MM/DD/YYYY dates, Yes/No booleans, lists
joined with `;`). Cells holding a tab, a line break or a double quote are quoted as Excel's
"Text (Tab delimited)" does. Files are decoded by `text_encoding.decode_text` (UTF-8, UTF-16 with a
byte-order mark, or wholly Windows-1252; a file of mixed encodings is refused naming the line and byte).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from adapters.batch import columns
from adapters.batch.records import BatchFormatError, ParsedRecord
from adapters.batch.text_encoding import decode_text


decode = decode_text


def parse(data: bytes) -> list[ParsedRecord]:
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    if "\t" not in first_line:
        raise BatchFormatError("the first line has no tab: a tab-delimited file starts with a header row of tab-separated column names")
    reader = csv.reader(io.StringIO(text, newline=""), dialect="excel-tab")
    try:
        rows = list(reader)
    except csv.Error as e:
        raise BatchFormatError(f"the tab-delimited file cannot be read: {e} (line {reader.line_num})") from None
    return parse_rows(rows)


def parse_rows(rows: list[list[Any]], first_row: int = 1) -> list[ParsedRecord]:
    """Records from a header row and data rows (cells as text or Excel values); shared with the Excel reader."""
    if not rows:
        raise BatchFormatError("the file is empty: expected a header row and one activity a row")
    names = [columns.canonical(name) for name in rows[0]]
    while names and not names[-1]:
        names.pop()
    if problems := columns.check_header(names):
        raise BatchFormatError(f"the header row has {len(problems)} unknown or repeated column(s)", problems)
    records = []
    for offset, cells in enumerate(rows[1:], start=1):
        ref = f"row {first_row + offset}"
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        extra = [c for c in cells[len(names):] if c is not None and str(c).strip() != ""]
        if extra:
            records.append(ParsedRecord(ref, errors=[{"loc": [ref], "msg": f"the row has {len(names) + len(extra)} cells but the header names {len(names)} columns"}]))
            continue
        item, errors = columns.row_to_item(dict(zip(names, cells, strict=False)), ref)
        records.append(ParsedRecord(ref, errors=errors) if errors else ParsedRecord(ref, item=item))
    return records


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.strftime("%m/%d/%Y") if value.time() == datetime.min.time() else value.strftime("%m/%d/%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%m/%d/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def render(items: list[dict[str, Any]]) -> bytes:
    rows = [columns.item_to_row(item) for item in items]
    names = columns.header(columns.group_counts(rows))
    out = io.StringIO(newline="")
    writer = csv.writer(out, dialect="excel-tab", lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([cell_text(row.get(name)) for name in names])
    return out.getvalue().encode("utf-8")


def template() -> bytes:
    """The header row alone: a blank tab-delimited template."""
    return render([])
