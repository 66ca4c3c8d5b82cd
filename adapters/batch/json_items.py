"""The one long list of a JSON batch file read an item at a time, from text read 256 KiB at a time.

A batch file is `{"Root": {"Holder": {..., "Items": [item, item, ...]}}}`: parsing it whole holds the
text and every item's objects at once (4-5 times the file). `items` walks the keys down to the list with
the standard library's decoder and decodes one item at a time, so only the items the caller keeps take
memory. Anything it does not expect (another shape, a key given twice, a syntax error, bad encoding)
raises `Unstreamable`, and the caller parses the document whole as before: that parse is what names
what is wrong with a file, so both ways read the same files the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TextIO

CHUNK = 256 * 1024
_LOOKAHEAD = 64  # a longer number cut by a chunk's end leaves text no item is followed by: the whole parse reads it
_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")
_TRUNCATED = 64 * 1024  # an error this close to the end of the text read so far may be the chunk's end, not the file's


class Unstreamable(Exception):
    """Not read an item at a time: the caller parses the document whole."""


class _Reader:
    def __init__(self, text: TextIO) -> None:
        self.text, self.buf, self.pos, self.eof = text, "", 0, False

    def more(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = self.text.read(CHUNK)
        except UnicodeError:
            raise Unstreamable from None
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf) or not self.more():
                return self.buf[self.pos] if self.pos < len(self.buf) else ""

    def take(self, *chars: str) -> str:
        char = self.peek()
        if char not in chars or not char:
            raise Unstreamable
        self.pos += 1
        return char

    def value(self, flags: tuple[str, ...] = ()) -> tuple[Any, bool]:
        """The next value, and whether its text holds any of `flags`."""
        self.peek()
        while len(self.buf) - self.pos < _LOOKAHEAD and self.more():
            pass  # a number cut at the chunk's end would decode as its first digits ("1" of "1.5")
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as error:
                if (error.pos >= len(self.buf) - _TRUNCATED or error.msg.startswith("Unterminated")) and self.more():
                    continue
                raise Unstreamable from None
            if end == len(self.buf) and self.more():
                continue  # a number or literal may go on in the next chunk
            flagged = any(flag in self.buf[self.pos : end] for flag in flags) if flags else False
            self.pos = end
            return value, flagged


def items(text: TextIO, path: tuple[str, ...], flags: tuple[str, ...] = ()) -> Iterator[tuple[Any, bool]]:
    """Each item of the list at `path` (object keys from the root), with whether its text holds any of `flags`;
    Unstreamable (possibly after some items) if the document is not read this way."""
    reader = _Reader(text)
    yield from _members(reader, path, flags)
    if reader.peek():
        raise Unstreamable  # something after the document


def _members(reader: _Reader, path: tuple[str, ...], flags: tuple[str, ...]) -> Iterator[tuple[Any, bool]]:
    reader.take("{")
    found = False
    while True:
        key, _ = reader.value()
        if not isinstance(key, str):
            raise Unstreamable
        reader.take(":")
        if key == path[0]:
            if found:
                raise Unstreamable  # a key given twice: the whole parse keeps the last
            found = True
            yield from _members(reader, path[1:], flags) if len(path) > 1 else _elements(reader, flags)
        else:
            reader.value()
        if reader.take(",", "}") == "}":
            break
    if not found:
        raise Unstreamable


def _elements(reader: _Reader, flags: tuple[str, ...]) -> Iterator[tuple[Any, bool]]:
    reader.take("[")
    if reader.peek() == "]":
        reader.pos += 1
        return
    while True:
        yield reader.value(flags)
        if reader.take(",", "]") == "]":
            return
