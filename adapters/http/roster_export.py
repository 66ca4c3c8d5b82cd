"""The learner summary by activity and the provider's records as CSV and Excel: the API's `format=csv|xlsx` and
the pages' downloads, answered alike by `roster_download`. One row per record: the learner, the completion, its
CME credit, and each board's points, status, reason and the date by which the board should have accepted it (with
"at risk" or "late" when it matters)."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from adapters.formula_guard import guard
from services.queries.records import RecordStatusQueries

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The API's roster routes answer JSON, or every record their filters keep as CSV or Excel.
DOWNLOADS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {}, XLSX: {}},
        "description": "JSON; CSV with ?format=csv, an Excel workbook with ?format=xlsx (every matching record)",
    }
}
FIXED = ("Last Name", "First Name", "Credit ID", "Completion Date", "CME Credits", "Late", "Consent to Share")


def _boards(records: list[dict[str, Any]]) -> list[str]:
    return sorted({b["board"] for r in records for b in r["boards"]})


def roster_table(records: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    boards = _boards(records)
    header = [*FIXED, *(f"{b} {what}" for b in boards for what in ("MOC Points", "Status", "Reason", "Due"))]
    rows = []
    for r in records:
        by_board = {b["board"]: b for b in r["boards"]}
        row: list[Any] = [
            r["learner"]["last_name"] or ("[erased]" if r["learner"]["erased"] else ""),
            r["learner"]["first_name"] or "",
            r["credit_id"],
            r["completion_date"],
            r["cme_credits"],
            "yes" if r["late"] else "no",
            "yes" if r["consent"] else "no",
        ]
        for b in boards:
            facts = by_board.get(b)
            if facts is None:
                row += ["", "", "", ""]
                continue
            reason = " ".join(p for p in (facts.get("reason_code", ""), facts.get("reason", "")) if p)
            due = facts.get("due") or ""
            if due and facts.get("standing"):
                due += " (" + ("late" if facts["standing"] == "late" else "at risk") + ")"
            row += [facts["points"], facts["status"], reason, due]
        rows.append(row)
    return header, rows


def roster_csv(records: list[dict[str, Any]]) -> str:
    header, rows = roster_table(records)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:  # names, credit IDs and boards' reasons are others' text: guarded against formulas
        writer.writerow([guard(v) if isinstance(v, str) else v for v in row])
    return out.getvalue()


def roster_xlsx(records: list[dict[str, Any]]) -> bytes:
    header, rows = roster_table(records)
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "Learners"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # text that starts with "=" must not become a formula
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def roster_download(
    records: RecordStatusQueries,
    accme_id: str,
    activity_id: str | None,
    filters: dict[str, Any],
    format: str,
    name: str,
) -> Response:
    """Every record the filters keep (one activity's, or across the provider's activities with `activity_id`
    None), as CSV or (any other `format`) an Excel workbook, a download named `name`."""
    every = records.roster(accme_id, activity_id, page_size=None, **filters)["data"]
    if format == "csv":
        disposition = {"Content-Disposition": f'attachment; filename="{name}.csv"'}
        return Response(roster_csv(every), media_type="text/csv; charset=utf-8", headers=disposition)
    disposition = {"Content-Disposition": f'attachment; filename="{name}.xlsx"'}
    return Response(roster_xlsx(every), media_type=XLSX, headers=disposition)
