"""The accreditor's REMS report as CSV (the API's `format=csv` and the page's download), one row per activity,
headed in PARS's words; written as the rows are read (every activity, never a page of them)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from adapters.formula_guard import guard
from adapters.http.csv_stream import csv_stream

#: (heading, key) of each column.
REMS_COLUMNS = (
    ("ACCME ID", "accme_id"),
    ("Provider", "provider"),
    ("ACCME Activity ID", "activity_id"),
    ("Activity Title", "title"),
    ("Activity Format", "format"),
    ("Start Date", "start_date"),
    ("End Date", "end_date"),
    ("REMS Type", "rems_type"),
    ("REMS Compliance", "compliance"),
    ("Blueprint Sections", "blueprint_sections"),
    ("RPC-assigned ID", "rpc_id"),
    ("Physician Learners", "physician_learners"),
    ("Other Learners", "other_learners"),
    ("Participants Reported", "reported"),
    ("Registered Prescribers", "registered_prescribers"),
    ("Professions", "by_profession"),
    ("Practice Types", "by_practice_type"),
    ("Practice Areas", "by_practice_area"),
)


def _cells(row: dict[str, Any]) -> list[Any]:
    cells = []
    for _, key in REMS_COLUMNS:
        value = row[key] if key in row else row["participants"][key]
        if isinstance(value, list):
            value = "; ".join(value)
        elif isinstance(value, dict):
            value = "; ".join(f"{k}: {n}" for k, n in value.items())
        cells.append(guard(value) if isinstance(value, str) else ("" if value is None else value))
    return cells


def rems_csv(rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    return csv_stream([h for h, _ in REMS_COLUMNS], (_cells(row) for row in rows))
