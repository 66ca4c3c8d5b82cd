"""The accreditor's MIPS report as CSV (the API's `format=csv` and the page's download): one row per completion
of an activity registered as a MIPS improvement activity (the physician, the activity, the date, the credit), and
one row for each such activity nobody has completed yet; headed in PARS's words."""

from __future__ import annotations

import csv
import io
from typing import Any

from adapters.formula_guard import guard

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


def mips_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(MIPS_HEADINGS)
    activities = {a["activity_id"]: a for a in report["activities"]}
    done: set[str] = set()
    rows: list[tuple[Any, ...]] = []
    for p in report["physicians"]:
        last = "[erased]" if p["erased"] else p["last_name"]
        for c in p["completions"]:
            a = activities[c["activity_id"]]
            done.add(c["activity_id"])
            rows.append(
                (a["accme_id"], a["provider"], a["activity_id"], a["title"], a["format"], a["start_date"],
                 a["end_date"], last, p["first_name"], p["npi"], c["completion_date"], c["credits"])
            )  # fmt: skip
    for a in report["activities"]:
        if a["activity_id"] not in done:
            rows.append(
                (a["accme_id"], a["provider"], a["activity_id"], a["title"], a["format"], a["start_date"],
                 a["end_date"], None, None, None, None, None)
            )  # fmt: skip
    rows.sort(key=lambda r: (r[0], r[2], r[10] or "", r[7] or "", r[8] or ""))
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()
