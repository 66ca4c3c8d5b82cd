"""The accreditor's year-end table as CSV: the API's `format=csv` and the web page's download."""

from __future__ import annotations

import csv
import io
from typing import Any

from adapters.formula_guard import guard
from domain.annual_report import STEP_KEYS

CSV_COLUMNS = (
    "accme_id",
    "name",
    "accreditor",
    "deadline",
    "days_to_deadline",
    "status",
    "late",
    "late_count",
    "missing_count",
    *STEP_KEYS,
)


def year_end_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                *(
                    guard(v) if isinstance(v := r[c], str) else v for c in CSV_COLUMNS[:6]
                ),  # provider names are providers' text
                "yes" if r["late"] else "no",
                r["late_count"],
                r["missing_count"],
                *("done" if r["steps"][k] else "missing" for k in STEP_KEYS),
            ]
        )
    return out.getvalue()
