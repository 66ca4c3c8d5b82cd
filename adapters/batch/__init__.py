"""Activity batch files: ACCME JSON, MEMS XML, tab-delimited and the Excel template.

Each format module has `parse(data: bytes) -> list[ParsedRecord]` and
`render(items: list[dict]) -> bytes` over ACCME activity items (`MedicalEducationMetrics`).
`read_file` finds the format from the content (and checks it against the file name's claim).
"""

from __future__ import annotations

import io
import zipfile
from types import ModuleType
from typing import Any

from adapters.batch import accme_json, excel, mems_xml, tab
from adapters.batch.records import BatchFormatError, ParsedRecord
from adapters.batch.text_encoding import sniff_text

FORMATS: dict[str, ModuleType] = {"json": accme_json, "xml": mems_xml, "tab": tab, "xlsx": excel}
MEDIA_TYPES = {
    "json": "application/json",
    "xml": "application/xml",
    "tab": "text/tab-separated-values; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"json": "json", "xml": "xml", "tab": "txt", "xlsx": "xlsx"}
CLAIMS = {"json": "json", "xml": "xml", "txt": "tab", "tsv": "tab", "tab": "tab", "xlsx": "xlsx", "xlsm": "xlsx", "csv": "csv", "xls": "xls"}
NAMES = {"json": "ACCME JSON", "xml": "MEMS XML", "tab": "tab-delimited text", "xlsx": "an Excel workbook (.xlsx)", "csv": "comma-separated (CSV)", "xls": "an Excel 97-2003 workbook (.xls)"}

__all__ = ["FORMATS", "BatchFormatError", "ParsedRecord", "detect", "detect_workbook", "read_file", "render"]


def detect_workbook(data: bytes) -> str | None:
    """`xlsx` for an Excel workbook, None for a text file; BatchFormatError for an empty file, another
    ZIP archive or an Excel 97-2003 workbook (the checks every batch format detection starts with)."""
    if not data.strip():
        raise BatchFormatError("the file is empty")
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "xl/workbook.xml" in archive.namelist():
                    return "xlsx"
        except zipfile.BadZipFile:
            raise BatchFormatError("the file starts like a ZIP archive (as .xlsx files do) but is damaged or cut short") from None
        raise BatchFormatError("the file is a ZIP archive but not an Excel workbook (.xlsx)")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise BatchFormatError("the file is an Excel 97-2003 workbook (.xls); save it as .xlsx (Excel Workbook) and upload that")
    return None


def detect(data: bytes) -> str:
    """The format of a file from its first bytes: `json`, `xml`, `tab` or `xlsx`; BatchFormatError if none."""
    if workbook := detect_workbook(data):
        return workbook
    text = sniff_text(data[:65536]).lstrip()
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


def read_file(data: bytes, filename: str | None = None) -> tuple[str, list[ParsedRecord]]:
    """The format and the records of a file; BatchFormatError (never another exception) if it cannot be read."""
    fmt = detect(data)
    claim = claimed_format(filename)
    if claim and claim != fmt:
        raise BatchFormatError(f"{filename} is named as {NAMES[claim]} but its content is {NAMES[fmt]}")
    try:
        return fmt, FORMATS[fmt].parse(data)
    except BatchFormatError:
        raise
    except Exception as e:  # a parser bug must not become a 5xx: report it as an unreadable file
        raise BatchFormatError(f"the {NAMES[fmt]} file could not be read: {type(e).__name__}: {e}") from e


def render(fmt: str, items: list[dict[str, Any]]) -> bytes:
    return FORMATS[fmt].render(items)
