"""Activity batch files: ACCME JSON, MEMS XML, tab-delimited and the Excel template.

Each format module has `records(stream) -> RecordStream[ParsedRecord]` (the file read in two passes,
a record at a time), `parse(data) -> list[ParsedRecord]` and `render(items: list[dict]) -> bytes`
over ACCME activity items (`MedicalEducationMetrics`). `open_file` finds the format from the content
(and checks it against the file name's claim); uploads are files spooled to disk, never held whole.
"""

from __future__ import annotations

import zipfile
from types import ModuleType
from typing import Any, BinaryIO

from adapters.batch import accme_json, excel, mems_xml, tab
from adapters.batch.archives import check_archive
from adapters.batch.records import BatchFormatError, ParsedRecord, RecordStream, Source, Unclosed, as_stream, head
from adapters.batch.text_encoding import sniff_text

FORMATS: dict[str, ModuleType] = {"json": accme_json, "xml": mems_xml, "tab": tab, "xlsx": excel}
MEDIA_TYPES = {
    "json": "application/json",
    "xml": "application/xml",
    "tab": "text/tab-separated-values; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"json": "json", "xml": "xml", "tab": "txt", "xlsx": "xlsx"}
CLAIMS = {
    "json": "json",
    "xml": "xml",
    "txt": "tab",
    "tsv": "tab",
    "tab": "tab",
    "xlsx": "xlsx",
    "xlsm": "xlsx",
    "csv": "csv",
    "xls": "xls",
}
NAMES = {
    "json": "ACCME JSON",
    "xml": "MEMS XML",
    "tab": "tab-delimited text",
    "xlsx": "an Excel workbook (.xlsx)",
    "csv": "comma-separated (CSV)",
    "xls": "an Excel 97-2003 workbook (.xls)",
}

__all__ = [
    "FORMATS",
    "BatchFormatError",
    "ParsedRecord",
    "detect",
    "detect_workbook",
    "open_file",
    "read_file",
    "render",
]


def detect_workbook(data: Source) -> str | None:
    """`xlsx` for an Excel workbook, None for a text file; BatchFormatError for an empty file, another
    ZIP archive, a workbook that expands beyond the limits (`archives.check_archive`) or an Excel
    97-2003 workbook (the checks every batch format detection starts with)."""
    stream = as_stream(data)
    start = head(stream)
    if not start.strip() and not _has_content(stream):
        raise BatchFormatError("the file is empty")
    if start.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(Unclosed(stream)) as archive:
                check_archive(archive)
                if "xl/workbook.xml" in archive.namelist():
                    return "xlsx"
        except zipfile.BadZipFile:
            raise BatchFormatError(
                "the file starts like a ZIP archive (as .xlsx files do) but is damaged or cut short"
            ) from None
        finally:
            stream.seek(0)
        raise BatchFormatError("the file is a ZIP archive but not an Excel workbook (.xlsx)")
    if start.startswith(b"\xd0\xcf\x11\xe0"):
        raise BatchFormatError(
            "the file is an Excel 97-2003 workbook (.xls); save it as .xlsx (Excel Workbook) and upload that"
        )
    return None


def _has_content(stream: BinaryIO) -> bool:
    """Whether a file whose first bytes are blank has anything else (read a chunk at a time)."""
    try:
        while chunk := stream.read(1024 * 1024):
            if chunk.strip():
                return True
        return False
    finally:
        stream.seek(0)


def detect(data: Source) -> str:
    """The format of a file from its first bytes: `json`, `xml`, `tab` or `xlsx`; BatchFormatError if none."""
    if workbook := detect_workbook(data):
        return workbook
    text = sniff_text(head(as_stream(data))).lstrip()
    if text.startswith("<"):
        return "xml"
    if text.startswith(("{", "[")):
        return "json"
    if "\t" in text.split("\n", 1)[0]:
        return "tab"
    raise BatchFormatError(
        "the file is in no known format: expected ACCME JSON, MEMS XML, a tab-delimited file with a header row, or the Excel template (.xlsx)"
    )


def claimed_format(filename: str | None) -> str | None:
    if not filename or "." not in filename:
        return None
    return CLAIMS.get(filename.rsplit(".", 1)[1].lower())


def open_file(data: Source, filename: str | None = None) -> tuple[str, RecordStream[ParsedRecord]]:
    """The format and the records of a file, read as a stream (`RecordStream`: a checking pass, then
    one record at a time); BatchFormatError (never another exception) if it cannot be read."""
    stream = as_stream(data)
    fmt = detect(stream)
    claim = claimed_format(filename)
    if claim and claim != fmt:
        raise BatchFormatError(f"{filename} is named as {NAMES[claim]} but its content is {NAMES[fmt]}")
    records = FORMATS[fmt].records(stream)
    return fmt, records.unreadable_as(NAMES[fmt])


def read_file(data: Source, filename: str | None = None) -> tuple[str, list[ParsedRecord]]:
    """The format and all the records of a file (for files known to be small: tests, exports read back)."""
    fmt, records = open_file(data, filename)
    return fmt, list(records)


def render(fmt: str, items: list[dict[str, Any]]) -> bytes:
    return FORMATS[fmt].render(items)
