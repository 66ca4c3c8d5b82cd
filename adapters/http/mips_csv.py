"""The accreditor's MIPS report as CSV (the API's `format=csv` and the page's download): one row per completion
of an activity registered as a MIPS improvement activity (the physician, the activity, the date, the credit), and
one row for each such activity nobody has completed yet; headed in PARS's words. Written as the activities are
read, in the report's order (provider, activity), each activity's completions by date and physician."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from adapters.formula_guard import guard
from adapters.http.csv_stream import csv_stream

#: The headings, in order.
MIPS_HEADINGS = (
    "ACCME ID",
    "Provider",
    "ACCME Activity ID",
    "Activity Title",
    "Activity Format",
    "Start Date",
    "End Date",
    "Physician Last Name",
    "Physician First Name",
    "NPI",
    "Completion Date",
    "Credits",
)


def _cell(value: Any) -> Any:
    return guard(value) if isinstance(value, str) else ("" if value is None else value)


def _rows(activities: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    for a in activities:
        head = (a["accme_id"], a["provider"], a["activity_id"], a["title"], a["format"], a["start_date"], a["end_date"])
        if not a["lines"]:
            yield [_cell(v) for v in (*head, None, None, None, None, None)]
            continue
        lines = [
            (
                "[erased]" if c["erased"] else c["last_name"],
                c["first_name"],
                c["npi"],
                c["completion_date"],
                c["credits"],
            )
            for c in a["lines"]
        ]
        lines.sort(key=lambda r: (r[3] or "", r[0] or "", r[1] or ""))
        for last, first, npi, day, credits in lines:
            yield [_cell(v) for v in (*head, last, first, npi, day, credits)]


def mips_csv(activities: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """`activities` as `OversightQueries.mips_rows` gives them: each with its completions (`lines`)."""
    return csv_stream(MIPS_HEADINGS, _rows(activities))
