"""Limits on what an uploaded workbook (a ZIP archive) may expand to, checked before it is parsed.

A workbook's parts are compressed; a hostile one (a "zip bomb") holds a part of gigabytes that
compresses to a few megabytes, and openpyxl reads `xl/sharedStrings.xml` into memory whole. Every
member's declared uncompressed size and compression ratio are checked against these limits first.
The declared sizes can be trusted for this: Python's zipfile never inflates a member past its
declared size (a member that would is cut short and fails its CRC check as a damaged file).
"""

from __future__ import annotations

import zipfile

from adapters.batch.records import BatchFormatError

MB = 1024 * 1024
MAX_MEMBER_BYTES = 1024 * MB  # a sheet is read as a stream, but a gigabyte of XML is no one's activity list
MAX_TOTAL_BYTES = 2048 * MB
MAX_SHARED_STRINGS_BYTES = 128 * MB  # held in memory whole by openpyxl
SHARED_STRINGS = "xl/sharedStrings.xml"
MAX_RATIO = 100  # real workbooks compress 3-30 times; a bomb, hundreds or thousands of times
RATIO_FROM_BYTES = 1 * MB  # tiny parts may compress very well without harm


def check_archive(archive: zipfile.ZipFile) -> None:
    """BatchFormatError naming the first part that expands beyond the limits."""
    total = 0
    for member in archive.infolist():
        size, packed = member.file_size, member.compress_size
        total += size
        limit = MAX_SHARED_STRINGS_BYTES if member.filename == SHARED_STRINGS else MAX_MEMBER_BYTES
        if size > limit:
            _refuse(member.filename, f"expands to {_mb(size)}, more than the {_mb(limit)} a workbook part may hold")
        if size > RATIO_FROM_BYTES and size > MAX_RATIO * max(packed, 1):
            _refuse(
                member.filename,
                f"expands to {_mb(size)} from {_mb(packed)} ({size // max(packed, 1)} times its compressed size; at most {MAX_RATIO})",
            )
        if total > MAX_TOTAL_BYTES:
            _refuse(
                member.filename, f"brings the workbook to {_mb(total)} uncompressed, more than {_mb(MAX_TOTAL_BYTES)}"
            )


def _refuse(name: str, why: str) -> None:
    message = f"the workbook is refused: its part {name} {why}; save the workbook again from Excel, or split it"
    raise BatchFormatError(message, [{"loc": ["file", name], "msg": message}])


def _mb(size: int) -> str:
    return f"{size / MB:,.1f} MB"
