"""How the bytes of an uploaded text file (tab-delimited, learner tab files) become text.

A file that is wholly valid UTF-8 is UTF-8 (with or without a byte-order mark); one with a UTF-16
byte-order mark is UTF-16 (Excel's "Unicode Text"). A file with no valid multi-byte UTF-8 sequence in
it may be Windows-1252 (older Excel "Text (Tab delimited)") and is read as such. Anything else mixes
encodings: guessing would store mojibake for good ("CafÃ©" for "Café") and break matching, so it is
refused, naming the line and byte of the first byte that is not UTF-8.
"""

from __future__ import annotations

import codecs
import io
import re
from typing import BinaryIO

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


CHUNK = 256 * 1024  # a few copies of one chunk are what reading costs, whatever the file's size
#: Bytes Windows-1252 leaves undefined: a file holding one is in neither encoding.
NOT_CP1252 = re.compile(rb"[\x81\x8D\x8F\x90\x9D]")


def _where_in(stream: BinaryIO, offset: int) -> tuple[int, int]:
    """`where` for a file read a chunk at a time (never held whole); leaves it at its start."""
    stream.seek(0)
    line, line_start, base = 1, 0, 0
    while base < offset and (chunk := stream.read(min(CHUNK, offset - base))):
        line += chunk.count(b"\n")
        if (last := chunk.rfind(b"\n")) >= 0:
            line_start = base + last + 1
        base += len(chunk)
    stream.seek(0)
    return line, offset - line_start + 1


def _refuse_at(stream: BinaryIO, offset: int, why: str) -> BatchFormatError:
    line, column = _where_in(stream, offset)
    stream.seek(offset)
    value = stream.read(1)
    stream.seek(0)
    message = (
        f"line {line}, byte {column} (byte offset {offset} of the file): byte 0x{value[0] if value else 0:02X} {why}; "
        'save the file as UTF-8 (in Excel: Save As, "Unicode Text" or "CSV UTF-8"; in other tools: encoding UTF-8) and upload it again'
    )
    return BatchFormatError(message, [{"loc": ["file", f"line {line}", f"byte {column}"], "msg": message}])


def encoding_of(stream: BinaryIO) -> str:
    """The codec a whole file is decoded with, decided by the rule above in one pass over it a chunk at a
    time (an upload is never held whole): `utf-16`, `utf-8-sig` or `cp1252`; BatchFormatError naming the
    line and byte where the encodings are mixed. Leaves the file at its start."""
    stream.seek(0)
    first = stream.read(2)
    stream.seek(0)
    utf16 = first in (b"\xff\xfe", b"\xfe\xff")
    decode = codecs.utf_16_decode if utf16 else codecs.utf_8_decode
    base, carry, tail = 0, b"", b""
    first_bad: int | None = None  # the first byte that is not UTF-8 (or UTF-16)
    not_cp1252: int | None = None
    multibyte = False
    try:
        while True:
            chunk = stream.read(CHUNK)
            final = not chunk
            if not utf16:
                # A multi-byte sequence may straddle two chunks: search each with the last 3 bytes before it.
                multibyte = multibyte or bool(UTF8_MULTIBYTE.search(tail + chunk[:3]) or UTF8_MULTIBYTE.search(chunk))
                if not_cp1252 is None and (m := NOT_CP1252.search(chunk)):
                    not_cp1252 = base + len(carry) + m.start()
                tail = (tail + chunk[-3:])[-3:]
            if first_bad is None:
                data = carry + chunk if carry else chunk
                try:
                    _, consumed = decode(data, "strict", final)
                except UnicodeDecodeError as e:
                    first_bad = base + e.start
                    if utf16:
                        break
                    consumed = len(data)
                carry = data[consumed:]
                base += consumed
            else:
                base += len(chunk)
            if final:
                break
        if utf16 and first_bad is not None:
            raise _refuse_at(stream, first_bad, "is not UTF-16, though the file starts as UTF-16")
        if first_bad is None:
            return "utf-16" if utf16 else "utf-8-sig"
        if multibyte:
            raise _refuse_at(
                stream, first_bad, "is not UTF-8, yet the file has UTF-8 text elsewhere: its encodings are mixed"
            )
        if not_cp1252 is not None:
            raise _refuse_at(stream, not_cp1252, "is a character neither in UTF-8 nor in Windows-1252")
        return "cp1252"
    finally:
        stream.seek(0)


def decode_text(data: bytes) -> str:
    """The text of an uploaded file already in memory, by `encoding_of`'s rule."""
    return data.decode(encoding_of(io.BytesIO(data)))


def sniff_text(head: bytes) -> str:
    """Text enough to tell a file's format from its first bytes (never refuses: a cut may split a character)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8-sig", errors="replace")
