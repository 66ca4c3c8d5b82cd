"""What every batch-format parser hands back: one record per activity, or why the file is unreadable."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Generic, TypeVar

R = TypeVar("R")


@dataclass(frozen=True)
class ParsedRecord:
    """One activity read from a file: where it was (`ref`), and either its item dict or its errors.

    `ref` is what a person finds the record by: a JSON path (`ACCMEActivities.MedicalEducationMetrics[3]`,
    counted from 0), an XML element path (`/ACCMEActivities/MedicalEducationMetrics[4]`, counted from 1)
    or a spreadsheet row (`row 7`, the header being row 1). Each error is `{"loc": [...], "msg": ...}`
    with the ref first, then the field (JSON key path, XML element path or column name).
    """

    ref: str
    item: dict[str, Any] | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.item is not None and not self.errors


class BatchFormatError(Exception):
    """Raised when a file as a whole cannot be read: not the format it claims, no known format, broken syntax."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or [{"loc": ["file"], "msg": message}]


def error(ref: str, field_name: str | None, msg: str) -> dict[str, Any]:
    return {"loc": [ref, field_name] if field_name else [ref], "msg": msg}


Source = bytes | BinaryIO  # a whole file in memory, or a seekable binary file (an upload spooled to disk)


def as_stream(data: Source) -> BinaryIO:
    """A seekable binary file at its start, for bytes or a file alike."""
    if isinstance(data, (bytes, bytearray)):
        return io.BytesIO(data)
    data.seek(0)
    return data


def head(stream: BinaryIO, size: int = 65536) -> bytes:
    """The first `size` bytes of a file, leaving it at its start."""
    stream.seek(0)
    data = stream.read(size)
    stream.seek(0)
    return data


class RecordStream(Generic[R]):
    """The records of a file, read in two passes so that memory does not grow with the file.

    `total` runs the first pass: it reads the whole file without keeping it (counting records)
    and raises BatchFormatError for anything wrong with the file as a whole (syntax, encoding,
    header) — before a single record is stored. Iterating runs the second pass, yielding one
    record at a time. A format that needs the whole document (JSON) counts what it parsed.
    """

    def __init__(self, count: Callable[[], int], produce: Callable[[], Iterator[R]]) -> None:
        self._count = count
        self._produce = produce
        self._total: int | None = None

    @property
    def total(self) -> int:
        if self._total is None:
            self._total = self._count()
        return self._total

    def __len__(self) -> int:
        return self.total

    def __iter__(self) -> Iterator[R]:
        self.total  # noqa: B018 -- the checking pass first
        yield from self._produce()

    def unreadable_as(self, what: str) -> RecordStream[R]:
        """The same records, with a parser bug in either pass reported as an unreadable `what` file
        (BatchFormatError, a 4xx) rather than a 5xx."""

        def count() -> int:
            try:
                return self.total
            except Exception as e:
                raise _unreadable(what, e) from e

        def produce() -> Iterator[R]:
            try:
                yield from self
            except Exception as e:
                raise _unreadable(what, e) from e

        return RecordStream(count, produce)


def _unreadable(what: str, error: Exception) -> BatchFormatError:
    if isinstance(error, BatchFormatError):
        return error
    return BatchFormatError(f"the {what} file could not be read: {type(error).__name__}: {error}")


class Unclosed(io.RawIOBase):
    """A view of an upload from its start that a reader (TextIOWrapper, ZipFile) may close without closing
    the upload itself, which is read more than once (detection, the checking pass, the records)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        stream.seek(0)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._stream.seek(offset, whence)

    def tell(self) -> int:
        return self._stream.tell()

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
