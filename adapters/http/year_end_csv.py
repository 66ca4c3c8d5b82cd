"""The accreditor's year-end table as CSV: the API's `format=csv` and the web page's download, headed in PARS's
words (the JSON keys stay as they are)."""

from __future__ import annotations

import csv
import io
from typing import Any

from adapters.formula_guard import guard
from domain.annual_report import STEP_KEYS

#: Each step's column heading, in the words of the year-end instructions.
STEP_HEADINGS = {
    "agreement": "Annual agreement accepted",
    "activities_closed": "Activities entered and closed",
    "enduring_counts": "Enduring material learner counts updated",
    "program_summary": "Program summary submitted",
    "contacts_reviewed": "Contact information reviewed",
    "attestation": "Attested",
}

#: (heading, JSON key) of each column before the steps.
CSV_COLUMNS = (
    ("ACCME ID", "accme_id"),
    ("Provider", "name"),
    ("Accreditor", "accreditor"),
    ("Deadline", "deadline"),
    ("Days to deadline", "days_to_deadline"),
    ("Days past deadline", "days_past_deadline"),
    ("Status", "status"),
    ("Late", "late"),
    ("Steps done late", "late_count"),
    ("Steps missing", "missing_count"),
    ("Activities open", "activities_open"),
    ("Activities ready to close", "activities_ready_to_close"),
    ("Activities closed", "activities_closed"),
    ("Enduring materials without a learner count", "enduring_without_count"),
)
STATUS_WORDS = {"complete": "Complete", "incomplete": "Incomplete"}


def _text(value: Any) -> Any:
    return guard(value) if isinstance(value, str) else value  # provider names are providers' text


#: How each column's value is written, chosen once per column rather than per cell (1,600 rows × 20 cells).
_WRITE = {"late": lambda v: "Yes" if v else "No", "status": lambda v: STATUS_WORDS.get(v, v)}
_TEXT = {"accme_id", "name", "accreditor", "deadline"}  # the row's strings (YearEndRow); the other cells are numbers
_CELLS = tuple((k, _WRITE.get(k, _text if k in _TEXT else None)) for _, k in CSV_COLUMNS)
_MARKS = {True: "Done", False: "Missing"}


def year_end_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([h for h, _ in CSV_COLUMNS] + [STEP_HEADINGS[k] for k in STEP_KEYS])
    writer.writerows(
        [r[k] if write is None else write(r[k]) for k, write in _CELLS] + [_MARKS[r["steps"][k]] for k in STEP_KEYS]
        for r in rows
    )
    return out.getvalue()
