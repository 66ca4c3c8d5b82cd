"""What a batch keeps of every row until its report is answered, held in arrays rather than an object a row.

A million-row file must not cost its report more than the file: a dict a row is about 500 bytes, a
string about 60. Here a row's texts (its place in the file, an ACCME activity ID) are a shape and a
number (`row 7` is `row {}` and 7), a row's words (an action, a column name) an index into the few
there are, and a Provider Activity ID already seen is found again through a hash table of offsets.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Iterator, Sequence
from typing import Any, overload

NUMBERED = re.compile(r"(.*?)(0|[1-9][0-9]{0,17})(\D*)", re.DOTALL)  # the last number of a text (up to 18 digits)


class Texts:
    """Texts (or None) by index, as a shape (the text around its last number) and the number: `row 7` and
    `row 8` share a shape, so each costs about 12 bytes. A text without a number is its own shape."""

    def __init__(self) -> None:
        self._shapes: list[tuple[str, str] | None] = []
        self._shape_of: dict[tuple[str, str] | None, int] = {}
        self._shape = array("l")
        self._number = array("q")

    def append(self, text: str | None) -> None:
        match = NUMBERED.fullmatch(text) if text is not None else None
        shape = None if text is None else (match.group(1), match.group(3)) if match else (text, "")
        if (index := self._shape_of.get(shape)) is None:
            index = self._shape_of[shape] = len(self._shapes)
            self._shapes.append(shape)
        self._shape.append(index)
        self._number.append(int(match.group(2)) if match else -1)

    def __len__(self) -> int:
        return len(self._shape)

    def __getitem__(self, i: int) -> str | None:
        shape, number = self._shapes[self._shape[i]], self._number[i]
        if shape is None:
            return None
        return shape[0] if number < 0 else f"{shape[0]}{number}{shape[1]}"


class Words:
    """Lists of words (an action, a column name) by index: each word stored once, a row's list as offsets."""

    def __init__(self) -> None:
        self._words: list[Any] = []
        self._index: dict[Any, int] = {}
        self._codes = array("l")
        self._ends = array("q")  # the end of each entry's words in `_codes`

    def append(self, words: Sequence[Any]) -> None:
        for word in words:
            if (code := self._index.get(word)) is None:
                code = self._index[word] = len(self._words)
                self._words.append(word)
            self._codes.append(code)
        self._ends.append(len(self._codes))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i: int) -> list[Any]:
        start = self._ends[i - 1] if i else 0
        return [self._words[c] for c in self._codes[start : self._ends[i]]]


class FirstSeen:
    """Which row first gave each key (a Provider Activity ID), in about 50 bytes a key rather than a dict's
    150: the keys' UTF-8 bytes one after another, and an open-addressing table of offsets into them."""

    def __init__(self) -> None:
        self._bytes = bytearray()
        self._ends = array("q")
        self._refs = Texts()
        self._slots = array("q", [-1]) * 1024  # an entry's index, or -1 for a free slot

    def setdefault(self, key: str, ref: str) -> str:
        """The row that first gave `key`: `ref` if none did before."""
        data = key.encode("utf-8")
        slot = self._slot(data)
        if (entry := self._slots[slot]) >= 0:
            return self._refs[entry] or ""
        self._slots[slot] = len(self._ends)
        self._bytes += data
        self._ends.append(len(self._bytes))
        self._refs.append(ref)
        if 2 * len(self._ends) > len(self._slots):
            self._grow()
        return ref

    def _key(self, entry: int) -> bytes:
        return bytes(self._bytes[self._ends[entry - 1] if entry else 0 : self._ends[entry]])

    def _slot(self, data: bytes) -> int:
        """The slot holding `data`, or the free slot where it goes."""
        mask = len(self._slots) - 1
        slot = hash(data) & mask
        while (entry := self._slots[slot]) >= 0 and self._key(entry) != data:
            slot = (slot + 1) & mask
        return slot

    def _grow(self) -> None:
        self._slots = array("q", [-1]) * (2 * len(self._slots))
        for entry in range(len(self._ends)):
            self._slots[self._slot(self._key(entry))] = entry


class Entries(Sequence[dict[str, Any]]):  # noqa: PLW1641 - equal to the list it stands for, never hashed
    """A batch's stored records in file order, as the answer's entries: made from arrays when read, so the
    report holds a few bytes a record, and `json_chunks` writes the answer without making them all at once."""

    def entry(self, i: int) -> dict[str, Any]:
        raise NotImplementedError

    @overload
    def __getitem__(self, i: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, i: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, i: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(i, slice):
            return [self.entry(n) for n in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.entry(i)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self.entry(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, (list, Entries)) else NotImplemented

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} records)"

    def json_chunks(self, size: int = 1000) -> Iterator[str]:
        """The entries as a JSON array, a few at a time."""
        yield "["
        for start in range(0, len(self), size):
            piece = json.dumps(self[start : start + size], ensure_ascii=False, separators=(",", ":"))[1:-1]
            yield piece if start == 0 else "," + piece
        yield "]"


def report_json(head: dict[str, Any], name: str, entries: Entries, tail: dict[str, Any]) -> bytes:
    """`{**head, name: entries, **tail}` as compact JSON (as FastAPI writes a dict), the entries a few at a time."""
    first = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
    last = json.dumps(tail, ensure_ascii=False, separators=(",", ":"))
    return "".join([first[:-1], f',"{name}":', *entries.json_chunks(), ",", last[1:]]).encode("utf-8")
