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
from openpyxl import Workbook
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from adapters.batch import cells, columns, tab
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
        count = 0
        with sheet._get_source() as source:
            for n, row in enumerate(_row_elements(source)):
                is_header = n == 0 and row.get("r") in (None, "1")
                if not is_header and any(not _blank_cell(cell, shared) for cell in row.iterfind(f"{{{MAIN}}}c")):
                    count += 1
        return count
    finally:
        workbook.close()


def _row_elements(source: Any) -> Iterator[Any]:
    """The `<row>` elements of a sheet's XML, each let go of once the caller has it (the tree stays one row)."""
    try:
        for _, row in etree.iterparse(
            source,
            events=("end",),
            tag=f"{{{MAIN}}}row",
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        ):
            yield row
            row.clear()
            while row.getprevious() is not None:
                del row.getparent()[0]
    except etree.XMLSyntaxError as e:
        raise BatchFormatError(f"the workbook's sheet is not well-formed XML: {e.msg} (line {e.lineno})") from None


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


def sheet_rows(stream: BinaryIO, name: str) -> Generator[list[Any], None, None]:
    """The rows of the sheet `name` (else the first sheet that is not the instructions), as lists of values:
    what openpyxl's read-only `iter_rows(values_only=True)` gives once the sheet's stated used range is
    dropped (files from other tools may state a wrong one), read with openpyxl's own cell parser, but each
    row let go of once read: openpyxl's loop clears a row yet keeps it in the sheet's tree, a row's worth
    of memory for every row of the file."""
    workbook = _open(stream)
    try:
        sheet = _sheet(workbook, name)
        cells = WorkSheetParser(
            None,  # type: ignore[arg-type]  # no source of its own: only parse_row is used
            sheet._shared_strings,
            data_only=workbook.data_only,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        expected = 1  # the next row number; a row missing from the XML is an empty row
        with sheet._get_source() as source:
            for row in _row_elements(source):
                number, parsed = cells.parse_row(row)
                cells.row_dimensions.clear()  # row heights and styles, which a values-only read never asks for
                while expected < number:
                    expected += 1
                    yield []
                if expected == number:
                    expected += 1
                    yield _values(parsed)
    finally:
        workbook.close()


def _values(cells: list[dict[str, Any]]) -> list[Any]:
    """A parsed row's values by column from A to its last cell, None where a cell is missing."""
    if not cells:
        return []
    width = cells[-1]["column"]
    values: list[Any] = [None] * width
    for cell in cells:
        if 1 <= cell["column"] <= width:
            values[cell["column"] - 1] = cell["value"]
    return values


class _UnsizedSheet(ReadOnlyWorksheet):
    """openpyxl's read-only sheet without its size: when a file states none (`<dimension>`), openpyxl reads the
    whole sheet to find it, keeping every row it read until the end; PARS never asks a sheet its size."""

    def _get_size(self) -> None:
        pass


class _Reader(ExcelReader):
    """`load_workbook(read_only=True)` with its sheets unsized."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(sheet, rel)  # type: ignore[arg-type]  # as openpyxl's own read_worksheets does
                continue
            ws = _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
            ws.sheet_state = sheet.state  # type: ignore[assignment]  # as openpyxl's own read_worksheets does
            self.wb._sheets.append(ws)  # type: ignore[attr-defined]  # openpyxl's private list, as its reader does


def _open(stream: BinaryIO) -> Any:
    try:
        reader = _Reader(Unclosed(stream), read_only=True, data_only=True)
        reader.read()
        return reader.wb
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
    yes_no = {c.name for c in columns.COLUMNS if c.read is cells.read_yesno}
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
        cells.read_yesno: "Yes/No",
        cells.read_number: "number",
        cells.read_date: "date MM/DD/YYYY",
        cells.read_datetime: "date MM/DD/YYYY",
        cells.read_report_date: "YYYY or MM/DD/YYYY",
        cells.read_list: "list (;)",
        cells.read_int: "whole number",
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
