"""Tab-delimited activity files: a header row naming the columns, then one activity a row.

The columns are those of `adapters.batch.columns` (MM/DD/YYYY dates, Yes/No booleans, lists
joined with `;`). Cells holding a tab, a line break or a double quote are quoted as Excel's
"Text (Tab delimited)" does. Files are decoded by `text_encoding.decode_text` (UTF-8, UTF-16 with a
byte-order mark, or wholly Windows-1252; a file of mixed encodings is refused naming the line and byte).
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any, BinaryIO, TextIO

from adapters.batch import columns
from adapters.batch.records import BatchFormatError, ParsedRecord, RecordStream, Source, Unclosed, as_stream
from adapters.batch.text_encoding import decode_text, encoding_of
from adapters.formula_guard import guard, unguard


def decided(stream: BinaryIO) -> Callable[[], str]:
    """The file's encoding, decided by `text_encoding.encoding_of` (mixed encodings refused naming the line
    and byte) on first asking and remembered: a file read in two passes is scanned for it once."""
    return functools.cache(lambda: encoding_of(stream))


def text(stream: BinaryIO, encoding: str | None = None) -> TextIO:
    """The file as text in `encoding` (by default as `encoding_of` decides), read a chunk at a time."""
    return io.TextIOWrapper(Unclosed(stream), encoding=encoding or encoding_of(stream), newline="")  # type: ignore[type-var]  # typeshed's buffer protocol asks for a name and a bytes-only read, which TextIOWrapper needs of no raw view


decode = decode_text  # bytes already in memory, by the same rule


def records(stream: BinaryIO) -> RecordStream[ParsedRecord]:
    """The file's activities, one row at a time; the first pass checks the header and counts the rows."""
    encoding = decided(stream)
    return RecordStream(
        lambda: count_rows(rows(stream, encoding()), parse_rows), lambda: parse_rows(rows(stream, encoding()))
    )


def parse(data: Source) -> list[ParsedRecord]:
    return list(records(as_stream(data)))


def rows(stream: BinaryIO, encoding: str | None = None) -> Iterator[list[str]]:
    """The file's rows as lists of cells; BatchFormatError for a file that is not tab-delimited text."""
    reader = csv.reader(text(stream, encoding), dialect="excel-tab")
    try:
        first = next(reader, None)
        if first is not None and len(first) < 2:
            raise BatchFormatError(
                "the first line has no tab: a tab-delimited file starts with a header row of tab-separated column names"
            )
        if first is not None:
            yield [unguard(cell) for cell in first]
        for row in reader:
            yield [unguard(cell) for cell in row]
    except csv.Error as e:
        raise BatchFormatError(f"the tab-delimited file cannot be read: {e} (line {reader.line_num})") from None


def count_rows(rows: Iterator[list[Any]], parse_rows: Callable[[Iterator[list[Any]]], Iterator[Any]]) -> int:
    """The first pass of a row file: the header checked (by parsing it with no rows), the rows read and
    counted as `parse_rows` would yield them (blank rows skipped), nothing kept."""
    header = next(rows, None)
    for _ in parse_rows(iter([] if header is None else [header])):
        pass
    return sum(1 for cells in rows if not _blank(cells))


def _blank(cells: list[Any]) -> bool:
    return all(c is None or str(c).strip() == "" for c in cells)


def parse_rows(rows: Iterable[list[Any]], first_row: int = 1) -> Iterator[ParsedRecord]:
    """Records from a header row and data rows (cells as text or Excel values); shared with the Excel reader."""
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        raise BatchFormatError("the file is empty: expected a header row and one activity a row")
    names = [columns.canonical(name) for name in header]
    while names and not names[-1]:
        names.pop()
    if problems := columns.check_header(names):
        raise BatchFormatError(f"the header row has {len(problems)} unknown or repeated column(s)", problems)
    for offset, cells in enumerate(rows, start=1):
        ref = f"row {first_row + offset}"
        if _blank(cells):
            continue
        extra = [c for c in cells[len(names) :] if c is not None and str(c).strip() != ""]
        if extra:
            yield ParsedRecord(
                ref,
                errors=[
                    {
                        "loc": [ref],
                        "msg": f"the row has {len(names) + len(extra)} cells but the header names {len(names)} columns",
                    }
                ],
            )
            continue
        item, errors = columns.row_to_item(dict(zip(names, cells, strict=False)), ref)
        yield ParsedRecord(ref, errors=errors) if errors else ParsedRecord(ref, item=item)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return (
            value.strftime("%m/%d/%Y") if value.time() == datetime.min.time() else value.strftime("%m/%d/%Y %H:%M:%S")
        )
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
        writer.writerow(
            [guard(cell_text(value)) if isinstance(value := row.get(name), str) else cell_text(value) for name in names]
        )
    return out.getvalue().encode("utf-8")


def template() -> bytes:
    """The header row alone: a blank tab-delimited template."""
    return render([])
