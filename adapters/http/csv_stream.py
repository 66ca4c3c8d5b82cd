"""A CSV download written as its rows come: encoded a few hundred rows at a time, so a report of any size is
streamed at flat memory."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

ROWS_PER_CHUNK = 500


def csv_stream(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for n, row in enumerate(rows, 1):
        writer.writerow(row)
        if n % ROWS_PER_CHUNK == 0:
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode()
