"""The Excel activity template: sheet "Activities" with the tab-delimited file's columns, and "Instructions".

Dates are real date cells shown as MM/DD/YYYY, numbers are numbers, everything else is text
(a text starting with `=` stays text, never a formula). On upload, dates and numbers typed as
text are read as in the tab-delimited file.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Generator, Iterator
from datetime import date, datetime
from typing import Any, BinaryIO

from lxml import etree
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from adapters.batch import columns, tab
from adapters.batch.records import BatchFormatError, ParsedRecord, RecordStream, Source, Unclosed, as_stream

SHEET, INSTRUCTIONS = "Activities", "Instructions"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def records(stream: BinaryIO) -> RecordStream[ParsedRecord]:
    """The sheet's activities, a row at a time (openpyxl's read-only mode streams the sheet's XML)."""
    return RecordStream(
        lambda: count_rows(stream, SHEET, tab.parse_rows), lambda: tab.parse_rows(sheet_rows(stream, SHEET))
    )


def count_rows(stream: BinaryIO, name: str, parse_rows: Callable[[Iterator[list[Any]]], Iterator[Any]]) -> int:
    """The checking pass of a workbook: the header row checked by `parse_rows`, then the sheet's XML
    read through with lxml (not openpyxl's per-cell work, several times slower) counting the rows
    that hold a value, as `parse_rows` will yield them. Reading the part to its end also checks it."""
    rows = sheet_rows(stream, name)
    header = next(rows, None)
    rows.close()
    for _ in parse_rows(iter([] if header is None else [header])):
        pass
    workbook = _open(stream)
    try:
        sheet = _sheet(workbook, name)
        shared = sheet._shared_strings  # openpyxl's read-only sheet: its shared strings and its part in the archive
        with sheet._get_source() as source:
            return _data_rows(source, shared)
    except etree.XMLSyntaxError as e:
        raise BatchFormatError(f"the workbook's sheet is not well-formed XML: {e.msg} (line {e.lineno})") from None
    finally:
        workbook.close()


def _data_rows(source: Any, shared: list[Any]) -> int:
    count, first = 0, True
    for _, row in etree.iterparse(
        source, events=("end",), tag=f"{{{MAIN}}}row", resolve_entities=False, no_network=True, huge_tree=False
    ):
        header = first and row.get("r") in (None, "1")
        first = False
        if not header and any(not _blank_cell(cell, shared) for cell in row.iterfind(f"{{{MAIN}}}c")):
            count += 1
        row.clear()
        while row.getprevious() is not None:
            del row.getparent()[0]
    return count


def _blank_cell(cell: Any, shared: list[Any]) -> bool:
    if cell.get("t") == "inlineStr":
        return not "".join(cell.itertext()).strip()
    value = cell.findtext(f"{{{MAIN}}}v")
    if value is None or not value.strip():
        return True
    if cell.get("t") == "s":
        try:
            text = shared[int(value)]
        except (ValueError, IndexError):
            return False  # openpyxl will say what is wrong with it
        return text is None or not str(text).strip()
    return False


def parse(data: Source) -> list[ParsedRecord]:
    return list(records(as_stream(data)))


def sheet_rows(stream: BinaryIO, name: str) -> Generator[list[Any]]:
    """The rows of the sheet `name` (else the first sheet that is not the instructions), as lists of values."""
    workbook = _open(stream)
    try:
        sheet = _sheet(workbook, name)
        sheet.reset_dimensions()  # files from other tools may state a wrong used range; read every row
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def _open(stream: BinaryIO) -> Any:
    try:
        return load_workbook(Unclosed(stream), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as e:
        raise BatchFormatError(f"the file is not a readable Excel workbook (.xlsx): {e}") from None


def _sheet(workbook: Any, name: str) -> Any:
    if name in workbook.sheetnames:
        return workbook[name]
    others = [n for n in workbook.sheetnames if n != INSTRUCTIONS]
    if not others:
        raise BatchFormatError(f"the workbook has no sheet named {name!r}")
    return workbook[others[0]]


def render(items: list[dict[str, Any]]) -> bytes:
    rows = [columns.item_to_row(item) for item in items]
    names = columns.header(columns.group_counts(rows))
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook opens on its one worksheet
    sheet.title = SHEET
    sheet.append(names)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    for r, row in enumerate(rows, start=2):
        for c, name in enumerate(names, start=1):
            value = row.get(name)
            if value is None:
                continue
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, bool):
                cell.value = "Yes" if value else "No"
            elif isinstance(value, date):
                cell.value = value
                cell.number_format = (
                    "mm/dd/yyyy"
                    if not isinstance(value, datetime) or (value.hour, value.minute, value.second) == (0, 0, 0)
                    else "mm/dd/yyyy hh:mm:ss"
                )
            elif isinstance(value, (int, float)):
                cell.value = value
            else:
                cell.value = str(value)
                cell.data_type = "s"  # text that starts with "=" must not become a formula
    for c in range(1, len(names) + 1):
        sheet.column_dimensions[get_column_letter(c)].width = 18
    _choices(sheet, names, max(len(rows) + 1, 1000))
    _instructions(workbook.create_sheet(INSTRUCTIONS), names)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


CHOICES = {
    "Record Action": ("Add", "Update", "Delete"),
    "Providership": ("direct", "joint"),
    "Has Pharmacy Recertifications": ("true", "false", "not sure"),
    "Has Pharmacy Content Tags": ("true", "false", "not sure"),
}


def _choices(sheet: Any, names: list[str], last_row: int) -> None:
    """Drop-down lists for the Yes/No columns and the few with fixed answers (a hint: other text is still read)."""
    yes_no = {c.name for c in columns.COLUMNS if c.read is columns.read_yesno}
    for position, name in enumerate(names, start=1):
        options = ("Yes", "No") if name in yes_no else CHOICES.get(name)
        if not options:
            continue
        letter = sheet.cell(row=1, column=position).column_letter
        validation = DataValidation(
            type="list", formula1='"' + ",".join(options) + '"', allow_blank=True, showErrorMessage=False
        )
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(validation)


def template() -> bytes:
    """A blank template: the header row and the instructions."""
    return render([])


def _instructions(sheet: Any, names: list[str]) -> None:
    sheet.append(["PARS activity upload template"])
    sheet["A1"].font = Font(bold=True, size=14)
    for line in (
        "One activity a row on the sheet 'Activities'; keep the header row. Leave a cell blank when it does not apply.",
        "Dates as MM/DD/YYYY. Yes/No columns take Yes or No. Lists separate values with ';' (write \\; for a ';' inside a value).",
        "Give the Provider Activity ID on every row: it is how a re-upload updates the same activity instead of adding one.",
        "Record Action: Add, Update or Delete. Close Activity: Yes closes the activity once it is complete.",
        "Correction Reason: a row that changes a closed activity is a correction and needs its reason (a PARS extension).",
        "Repeated groups are numbered (Commercial Supporter 1, 2, ...; MOC Board 1, 2, ...): add columns with the next number when you need more.",
        "",
    ):
        sheet.append([line])
    sheet.append(["column", "field in the ACCME activity JSON (schema v0.1.2)", "kind"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for name in names:
        path, kind = _describe(name)
        if name in columns.EXTENSION_COLUMNS or name.startswith("MOC Practice Areas"):
            path += " (PARS extension, not in schema v0.1.2)"
        sheet.append([name, path, kind])
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 70
    sheet.column_dimensions["C"].width = 24


def _describe(name: str) -> tuple[str, str]:
    kinds: dict[Callable[[Any], Any], str] = {
        columns.read_yesno: "Yes/No",
        columns.read_number: "number",
        columns.read_date: "date MM/DD/YYYY",
        columns.read_datetime: "date MM/DD/YYYY",
        columns.read_report_date: "YYYY or MM/DD/YYYY",
        columns.read_list: "list (;)",
        columns.read_int: "whole number",
    }
    for column in columns.COLUMNS:
        if column.name == name:
            return ".".join(column.path), kinds.get(column.read, "text")
    if name in columns.IDENTIFIER_COLUMNS:
        return f"Lom.general.identifier[catalog={columns.IDENTIFIER_COLUMNS[name]}].entry", "text"
    for category, col in columns.PARTICIPANT_COLUMNS.items():
        if col == name:
            return (
                f"ParticipationMetrics.participantsByCategory[category={category}].numberOfParticipants",
                "whole number",
            )
    for outcome, col in columns.OUTCOME_COLUMNS.items():
        if col == name:
            return (
                f"XtensibleInfo.MeasuredOutcomes[MeasuredOutcome={outcome}].MeasurementType",
                "Objective; Subjective; or Yes",
            )
    if name in columns.PAIR_COLUMNS:
        path, a, b = columns.PAIR_COLUMNS[name]
        return ".".join(path), f"list of {a}={b}"
    if name == "In-Kind Supporters":
        return "XtensibleInfo.InKindSupports.InKindSupport[].source", "list (;)"
    numbered = columns.NUMBERED.match(name)
    if numbered and numbered.group(1) in columns.GROUP_PREFIXES:
        gname, key, read, _ = columns.GROUP_PREFIXES[numbered.group(1)]
        return f"{'.'.join(columns.GROUPS[gname].path)}[{int(numbered.group(2)) - 1}].{key}", kinds.get(read, "text")
    return "", "text"
