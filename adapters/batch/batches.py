"""What the activity and the completion batch importers share: the report's shape and answer, and reading
the records of a file a chunk at a time with the rejected ones' errors kept in file order."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from adapters.batch.compact import Entries, report_json

CHUNK_SIZE = 1000
R = TypeVar("R")


@dataclass
class Report:
    """What a batch did: counts by outcome, the stored records (the subclass's `LISTED` field, compact) and
    every rejected record's errors, in file order."""

    LISTED: ClassVar[str]
    format: str
    total: int
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return self.counts["rejected"]

    @property
    def stored(self) -> Entries:
        return getattr(self, self.LISTED)

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "total": self.total,
            "counts": self.counts,
            self.LISTED: list(self.stored),
            "errors": self.errors,
        }

    def as_json(self, **extra: Any) -> bytes:
        """`as_dict()` (and `extra` keys) as compact JSON, written without a dict for every stored record."""
        head = {"format": self.format, "total": self.total, "counts": self.counts}
        return report_json(head, self.LISTED, self.stored, {"errors": self.errors, **extra})


class Refused:
    """The errors of rejected records, put in the report in file order as the batch goes: records refused
    while a chunk fills and those its submit refuses come after every earlier one, so they are sorted among
    themselves when the chunk is done (`flush`) rather than all held to be sorted at the end."""

    def __init__(self, report: Report) -> None:
        self._report = report
        self._pending: list[tuple[int, list[dict[str, Any]]]] = []

    def add(self, position: int, errors: list[dict[str, Any]]) -> None:
        self._pending.append((position, errors))

    def flush(self) -> None:
        self._report.errors.extend(e for _, errors in sorted(self._pending, key=lambda p: p[0]) for e in errors)
        self._pending.clear()


def chunks(records: Iterable[R], size: int, keep: Callable[[int, R], bool]) -> Iterator[list[tuple[int, R]]]:
    """The records `keep(position, record)` accepts, `size` at a time with their positions in the file (the
    last chunk may be smaller); a record it refuses is the caller's to report."""
    chunk: list[tuple[int, R]] = []
    for position, record in enumerate(records):
        if keep(position, record):
            chunk.append((position, record))
            if len(chunk) >= size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk
