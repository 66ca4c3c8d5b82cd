"""The research extract written out as it is read: CSV (`format=csv`) or a zip of the CSV and a README.txt stating
the pseudonym scheme and the suppression rules (`format=zip`), a few hundred rows at a time (flat memory)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from adapters.formula_guard import guard
from adapters.http.csv_stream import csv_stream
from services.queries.research_extract import COLUMNS, HIDDEN, THRESHOLD

README = f"""PARS research extract, reporting year {{year}}
==============================================

research-extract-{{year}}.csv holds one row per accredited CME activity that ended in {{year}}, and a last row
"All activities" with the column totals. It holds no learner rows, no activity titles, descriptions or other free
text, no activity numbers and no provider names or ACCME IDs.

Columns: {", ".join(h for h, _ in COLUMNS)}.

Pseudonyms
----------
Each provider is named by a pseudonym, "P-" followed by the first 16 hexadecimal digits of
HMAC-SHA256(year key, the provider's 7-digit ACCME ID). The year key is HMAC-SHA256(the deployment's secret,
"pars research extract {{year}}"). So one provider has the same pseudonym on every row and in every extract of
{{year}}, and unrelated pseudonyms in other years' extracts; without the deployment's secret nobody can compute a
pseudonym, or check a guess of which provider it stands for. Rows are in no provider's or activity's order.

Suppression
-----------
Count cells are Physician Learners, Other Learners, Total Learners and the totals row's figures.
1. Primary: every count under {THRESHOLD} (0 included) is released as "{HIDDEN}".
2. Secondary, rows: an activity's Total Learners is "{HIDDEN}" whenever one of its parts is, so the total
   cannot give the hidden part away.
3. Secondary, columns: the totals row gives a column's true total only when at least two of its cells are hidden
   and their sum (the total minus the released cells) is neither 0 nor {THRESHOLD - 1} times their number (which
   would show every hidden cell is 0, or every one {THRESHOLD - 1}); otherwise, or when the total is under
   {THRESHOLD}, it is "{HIDDEN}". Total Learners' total is released only when both parts' totals are.
Dates are given as the year and quarter an activity ended; credits are the activity's AMA PRA Category 1 credits.
"""


KEYS = tuple(k for _, k in COLUMNS)


def _cells(row: dict[str, Any]) -> list[Any]:
    # Every cell but the format is a number or a word of the extract's own; the format is guarded like any text.
    return [guard(row[k]) if k == "format" else ("" if row[k] is None else row[k]) for k in KEYS]


def csv_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    return csv_stream([h for h, _ in COLUMNS], (_cells(row) for row in rows))


class _Pipe(io.RawIOBase):
    """A write-only, unseekable stream whose bytes are taken out as they come (zipfile then writes data
    descriptors instead of seeking back)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


def zip_chunks(rows: Iterable[dict[str, Any]], year: int) -> Iterator[bytes]:
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(f"research-extract-{year}.csv", "w") as member:
            for chunk in csv_chunks(rows):
                member.write(chunk)
                yield pipe.take()
        archive.writestr("README.txt", README.format(year=year))
    yield pipe.take()
