"""How the bytes of an uploaded text file (tab-delimited, learner tab files) become text.

A file that is wholly valid UTF-8 is UTF-8 (with or without a byte-order mark); one with a UTF-16
byte-order mark is UTF-16 (Excel's "Unicode Text"). A file with no valid multi-byte UTF-8 sequence in
it may be Windows-1252 (older Excel "Text (Tab delimited)") and is read as such. Anything else mixes
encodings: guessing would store mojibake for good ("CafÃ©" for "Café") and break matching, so it is
refused, naming the line and byte of the first byte that is not UTF-8.
"""

from __future__ import annotations

import re

from adapters.batch.records import BatchFormatError

#: One well-formed multi-byte UTF-8 sequence (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
UTF8_MULTIBYTE = re.compile(
    rb"[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}|\xED[\x80-\x9F][\x80-\xBF]"
    rb"|\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}|\xF4[\x80-\x8F][\x80-\xBF]{2}"
)


def where(data: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line of a byte offset and the byte's 1-based position in that line."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def _refuse(data: bytes, offset: int, why: str) -> BatchFormatError:
    line, column = where(data, offset)
    message = (
        f"line {line}, byte {column} (byte offset {offset} of the file): {why}; "
        "save the file as UTF-8 (in Excel: Save As, \"Unicode Text\" or \"CSV UTF-8\"; in other tools: encoding UTF-8) and upload it again"
    )
    return BatchFormatError(message, [{"loc": ["file", f"line {line}", f"byte {column}"], "msg": message}])


def decode_text(data: bytes) -> str:
    """The text of an uploaded file; BatchFormatError naming the line and byte offset if its encoding is mixed."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise _refuse(data, e.start, "the file starts as UTF-16 but this byte is not UTF-16") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        first_bad = e.start
    if UTF8_MULTIBYTE.search(data) is None:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as e:
            raise _refuse(data, e.start, f"byte 0x{data[e.start]:02X} is a character neither in UTF-8 nor in Windows-1252") from None
    raise _refuse(
        data, first_bad,
        f"byte 0x{data[first_bad]:02X} is not UTF-8, yet the file has UTF-8 text elsewhere: its encodings are mixed",
    )


def sniff_text(head: bytes) -> str:
    """Text enough to tell a file's format from its first bytes (never refuses: a cut may split a character)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8-sig", errors="replace")
