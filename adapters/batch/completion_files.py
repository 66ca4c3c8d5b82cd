"""Completion batch files: ACCME learner-reports JSON, tab-delimited text and the Excel template.

`read_completion_file` finds the format from the content (checked against the name's claim),
and hands back one `CompletionRecord` per report or row; `render` writes records back in any
of the three formats (the round trip the tests check), `template` a blank file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from adapters.batch import claimed_format, detect_workbook, excel, tab
from adapters.batch.completion_rows import (
    ACTION,
    BIRTH_DAY,
    BIRTH_MONTH,
    BOARD,
    COLUMNS,
    COMPLETED,
    DESCRIPTIONS,
    CompletionRecord,
    canonical,
    check_header,
    record_to_row,
    row_to_record,
)
from adapters.batch.json_items import Unstreamable
from adapters.batch.json_items import items as json_items
from adapters.batch.records import BatchFormatError, RecordStream, Source, as_stream, head
from adapters.batch.text_encoding import sniff_text
from adapters.formats.accme.learner_reports import parse_provider_report
from adapters.formula_guard import guard
from commands.completions import ReportCompletion
from domain.learner import CERTIFYING_BOARDS
from domain.rems_learner import participant_of

FORMATS = ("json", "tab", "xlsx")
NAMES = {
    "json": "ACCME learner-reports JSON",
    "tab": "tab-delimited text",
    "xlsx": "an Excel workbook (.xlsx)",
    "xml": "XML",
    "csv": "comma-separated (CSV)",
    "xls": "an Excel 97-2003 workbook (.xls)",
}
REPORTS_PATH = ["ACCMELearnerReports", "ActivityReports", "ActivityReport"]
SHEET, INSTRUCTIONS = "Completions", "Instructions"


def detect(data: Source) -> str:
    """`json`, `tab` or `xlsx` from the first bytes; BatchFormatError naming what the file is instead."""
    if workbook := detect_workbook(data):
        return workbook
    text = sniff_text(head(as_stream(data))).lstrip()
    if text.startswith(("{", "[")):
        return "json"
    if text.startswith("<"):
        raise BatchFormatError(
            "the file is XML; completions are uploaded as ACCME learner-reports JSON, tab-delimited text or the Excel template"
        )
    first_line = text.split("\n", 1)[0]
    if "\t" in first_line:
        return "tab"
    if "," in first_line:
        raise BatchFormatError(
            "the file looks comma-separated (CSV); save it as tab-delimited text (.txt) or use the Excel template"
        )
    raise BatchFormatError(
        "the file is in no known format: expected ACCME learner-reports JSON, a tab-delimited file with a header row, or the Excel template (.xlsx)"
    )


def open_completion_file(
    data: Source, filename: str | None, accme_id: str
) -> tuple[str, RecordStream[CompletionRecord]]:
    """The format and records of a file, read as a stream (a checking pass, then a record at a time);
    BatchFormatError (never another exception) if it cannot be read."""
    stream = as_stream(data)
    fmt = detect(stream)
    claim = claimed_format(filename)
    if claim and claim != fmt:
        raise BatchFormatError(f"{filename} is named as {NAMES.get(claim, claim)} but its content is {NAMES[fmt]}")
    records = PARSERS[fmt](stream, accme_id)
    return fmt, records.unreadable_as(NAMES[fmt])


def read_completion_file(data: Source, filename: str | None, accme_id: str) -> tuple[str, list[CompletionRecord]]:
    """The format and all the records of a file (for files known to be small: tests, exports read back)."""
    fmt, records = open_completion_file(data, filename, accme_id)
    return fmt, list(records)


# --- ACCME learner-reports JSON -----------------------------------------------------------------


def parse_json(stream: BinaryIO, accme_id: str) -> RecordStream[CompletionRecord]:
    """`ACCMELearnerReports.ActivityReports.ActivityReport[]` read an item at a time, twice: the checking pass
    decodes and counts the reports, the second makes each record as it is handed out, so memory does not grow
    with the file. Any other shape (or a broken file) is parsed whole, which says what is wrong."""
    held: list[CompletionRecord] = []
    whole = False
    encoding = tab.decided(stream)  # both passes (and the whole parse) decode it alike, scanned once

    def count() -> int:
        nonlocal whole
        try:
            return sum(1 for _ in json_items(tab.text(stream, encoding()), tuple(REPORTS_PATH)))
        except Unstreamable:
            whole = True
            held.extend(_json_records(stream, accme_id, encoding()))
            return len(held)

    def produce() -> Iterator[CompletionRecord]:
        if whole:
            held.reverse()
            while held:
                yield held.pop()
            return
        for i, (item, _) in enumerate(json_items(tab.text(stream, encoding()), tuple(REPORTS_PATH))):
            yield _json_record(i, item, accme_id)

    return RecordStream(count, produce)


def _json_records(stream: BinaryIO, accme_id: str, encoding: str) -> list[CompletionRecord]:
    try:
        body = json.loads(tab.text(stream, encoding).read())
    except json.JSONDecodeError as e:
        raise BatchFormatError(f"the JSON is not well-formed: {e.msg} (line {e.lineno}, column {e.colno})") from None
    if isinstance(body, dict) and "ACCMEActivities" in body:
        raise BatchFormatError(
            "this is an ACCME activity file (ACCMEActivities); upload it as an activity batch, not as completions"
        )
    root = body.get("ACCMELearnerReports") if isinstance(body, dict) else None
    reports = root.get("ActivityReports") if isinstance(root, dict) else None
    items = reports.get("ActivityReport") if isinstance(reports, dict) else None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise BatchFormatError(
            "the JSON is not ACCME learner reports: expected ACCMELearnerReports.ActivityReports.ActivityReport[]",
            [{"loc": REPORTS_PATH, "msg": "required"}],
        )
    del body, root, reports  # each report is let go of once read, so the document and the records never both peak
    records = []
    items.reverse()
    for i in range(len(items)):
        records.append(_json_record(i, items.pop(), accme_id))
    return records


def _json_record(i: int, item: Any, accme_id: str) -> CompletionRecord:
    """The record of the report at index `i` of the file's list."""
    parsed = parse_provider_report(accme_id, item)
    if isinstance(parsed, ReportCompletion):
        name = ((item.get("Activity") or {}).get("Module") or {}).get("ModuleName") or {}
        value = name.get("value") if isinstance(name, dict) else None
        title = value if isinstance(value, str) else ""
        return CompletionRecord(i + 1, report=parsed, title=title)
    return CompletionRecord(i + 1, errors=[{"loc": [*REPORTS_PATH, i, *parsed.loc], "msg": parsed.msg}])


def report_item(report: ReportCompletion, accme_id: str, title: str = "") -> dict[str, Any]:
    """A report as an ACCME learner-reports `ActivityReport`."""
    q = report.query
    ids = ([{"value": q.npi, "domain": "NPI"}] if q.npi else []) + (
        [{"value": q.board_id, "domain": q.board}] if q.board else []
    )
    ids += [{"value": q.licence_number, "domain": q.state}] if q.state and q.licence_number else []
    certificates = [
        {
            "UniqueID": ids,
            "CreditReceived": {
                "activityCertification": c["type"],
                "creditUnit": "Point",
                "numberOfCredits": c["credits"],
            },
            "CreditID": credit_id,
        }
        for credit_id, (cme, moc) in report.credits.items()
        for c in [*cme, *moc]
    ]
    member: dict[str, Any] = {"Name": {"GivenName": q.first_name, "FamilyName": q.last_name}}
    if q.birth_date:
        member["PersonalInfo"] = {"BirthDate": q.birth_date}
    participant = participant_of(report.rems)
    return {
        "Member": member,
        **({"Participants": {"Participant": participant}} if participant else {}),
        "Activity": {
            "ProviderOrganization": accme_id,
            "Module": {
                "ModuleName": {"value": title or report.activity_id, "moduleID": report.activity_id},
                "Status": "Completed",
                "CompletedDateTime": f"{report.completion_date.isoformat()}T00:00:00",
                "CreditCertificate": certificates,
            },
        },
        "XtensibleInfo": {"ProviderID": accme_id, "LearnerRecordAction": report.action},
    }


def render_json(reports: list[ReportCompletion], accme_id: str) -> bytes:
    body = {
        "ACCMELearnerReports": {
            "ActivityReports": {
                "DateTimeCreated": date.today().isoformat() + "T00:00:00",
                "ActivityReport": [report_item(r, accme_id) for r in reports],
            }
        }
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


# --- rows: tab-delimited and Excel ----------------------------------------------------------------


def parse_rows(rows: Iterable[list[Any]], accme_id: str) -> list[CompletionRecord]:
    """Records from a header row and data rows (cells as text or Excel values)."""
    return list(row_records(rows, accme_id))


def row_records(rows: Iterable[list[Any]], accme_id: str) -> Iterator[CompletionRecord]:
    """Records from a header row and data rows, one at a time."""
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        raise BatchFormatError("the file is empty: expected a header row and one completion a row")
    names = [canonical(name) if name is not None else "" for name in header]
    while names and not names[-1]:
        names.pop()
    if problems := check_header(names):
        hint = (
            "; is this an activity file?"
            if any("Provider Activity ID" in p["msg"] or "Activity Title" in p["msg"] for p in problems)
            else ""
        )
        raise BatchFormatError(
            f"the header row has {len(problems)} unknown, repeated or missing column(s){hint}", problems
        )
    for number, cells in enumerate(rows, start=2):
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        extra = [c for c in cells[len(names) :] if c is not None and str(c).strip() != ""]
        if extra:
            yield CompletionRecord(
                number,
                errors=[
                    {
                        "loc": ["row"],
                        "msg": f"the row has {len(names) + len(extra)} cells but the header names {len(names)} columns",
                    }
                ],
            )
            continue
        yield row_to_record({n: c for n, c in zip(names, cells, strict=False) if n}, number, accme_id)


def parse_tab(stream: BinaryIO, accme_id: str) -> RecordStream[CompletionRecord]:
    parse = lambda rows: row_records(rows, accme_id)  # noqa: E731
    encoding = tab.decided(stream)
    return RecordStream(
        lambda: tab.count_rows(tab.rows(stream, encoding()), parse), lambda: parse(tab.rows(stream, encoding()))
    )


def render_tab(reports: list[ReportCompletion], accme_id: str = "") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, dialect="excel-tab", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for report in reports:
        row = record_to_row(report)
        writer.writerow(
            [
                guard(tab.cell_text(value)) if isinstance(value := row.get(name), str) else tab.cell_text(value)
                for name in COLUMNS
            ]
        )
    return out.getvalue().encode("utf-8")


def parse_xlsx(stream: BinaryIO, accme_id: str) -> RecordStream[CompletionRecord]:
    parse = lambda rows: row_records(rows, accme_id)  # noqa: E731
    return RecordStream(lambda: excel.count_rows(stream, SHEET, parse), lambda: parse(excel.sheet_rows(stream, SHEET)))


TEXT_COLUMNS = {"Activity ID", "NPI", "License Number", "Board ID", "Credit ID"}  # identifiers keep leading zeros


def render_xlsx(reports: list[ReportCompletion], accme_id: str = "") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook opens on its one worksheet
    sheet.title = SHEET
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for r, report in enumerate(reports, start=2):
        row = record_to_row(report)
        for c, name in enumerate(COLUMNS, start=1):
            value = row.get(name)
            if value is None:
                continue
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, date):
                cell.value = value
                cell.number_format = "mm/dd/yyyy"
            elif isinstance(value, (int, float)) and name not in TEXT_COLUMNS:
                cell.value = value
            else:
                cell.value = str(value)
                cell.data_type = "s"  # text that starts with "=" must not become a formula
    for c in range(1, len(COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(c)].width = 16
    last = max(len(reports) + 1, 1000)
    for name, options in ((ACTION, ("Add", "Delete")), (BOARD, CERTIFYING_BOARDS)):
        letter = get_column_letter(COLUMNS.index(name) + 1)
        validation = DataValidation(
            type="list", formula1='"' + ",".join(options) + '"', allow_blank=True, showErrorMessage=False
        )
        validation.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(validation)
    _instructions(workbook.create_sheet(INSTRUCTIONS))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _instructions(sheet: Any) -> None:
    sheet.append(["PARS learner completion upload template"])
    sheet["A1"].font = Font(bold=True, size=14)
    for line in (
        f"One completion a row on the sheet '{SHEET}'; keep the header row. Leave a cell blank when it does not apply.",
        f"Identify each learner by first and last name with {BIRTH_MONTH}, {BIRTH_DAY} and State of Licensure (the licence number helps),",
        "or by NPI, or by certifying board and board ID. Every identifier given must agree with the learner directory.",
        f"{COMPLETED} as MM/DD/YYYY. Credits and MOC points in steps of 0.25; MOC only for boards the activity is registered with.",
        "Records are never edited: to correct one, upload it with Action Delete, then the corrected row with Action Add.",
        "Uploading the same file again changes nothing.",
        "",
    ):
        sheet.append([line])
    sheet.append(["column", "what it holds"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for name in COLUMNS:
        sheet.append([name, DESCRIPTIONS[name]])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90


PARSERS = {"json": parse_json, "tab": parse_tab, "xlsx": parse_xlsx}
RENDERERS = {"json": render_json, "tab": render_tab, "xlsx": render_xlsx}


def render(fmt: str, reports: list[ReportCompletion], accme_id: str) -> bytes:
    return RENDERERS[fmt](reports, accme_id)


def template(fmt: str) -> bytes:
    """A blank file: the header row (and, for Excel, the instructions)."""
    return RENDERERS[fmt]([], "")
