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


#: A short name of each year-end step (a table's column; the checklist says each step in full).
STEP_COLUMNS = {
    "agreement": "Agreement",
    "activities_closed": "Activities closed",
    "enduring_counts": "Enduring counts",
    "program_summary": "Program summary",
    "contacts_reviewed": "Contacts reviewed",
    "attestation": "Attestation",
}
#: The header row, in PARS's words (the JSON answer keeps the names of CSV_COLUMNS).
CSV_HEADERS = (
    "ACCME ID",
    "Provider",
    "Accreditor",
    "Deadline",
    "Days to deadline",
    "Status",
    "Late",
    "Steps late",
    "Steps missing",
    *(STEP_COLUMNS[k] for k in STEP_KEYS),
)


def year_end_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
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
