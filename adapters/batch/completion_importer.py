"""Importing a completion batch file: detect, read, submit in chunks, one report of every record.

Valid records are stored; invalid ones come back with their row, field (a column, or a JSON path)
and reason. Uploading the same file again changes nothing: each record names the same
completion (its credit ID, given or derived from the row) and the registry answers `unchanged`.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from adapters.batch.completion_files import REPORTS_PATH, open_completion_file
from adapters.batch.completion_rows import CompletionRecord, column_of
from adapters.batch.records import RecordStream, Source
from domain.base import Acting

CHUNK_SIZE = 1000
COUNTS = ("recorded", "unchanged", "deleted", "rejected")
ACTIONS = {"added": "recorded", "unchanged": "unchanged", "deleted": "deleted", "rejected": "rejected"}


class StoredCompletions(Sequence[dict[str, Any]]):  # noqa: PLW1641 - equal to a list and unhashable, as a list is
    """The stored records of a batch, in file order, as the answer's `{"row", "action", "credit_ids"}` entries.

    Held as a row number, an action code and credit-ID offsets in arrays (about 20 bytes a record, not the
    400 of a dict each), so a file of a million rows does not cost its report more than the file; the dicts
    are made only when an entry is read, and `json_chunks` writes the answer without making them all at once.
    """

    def __init__(self) -> None:
        self._rows = array("q")
        self._actions = bytearray()
        self._names: list[str] = []
        self._ends = array("q")  # the end of each record's credit IDs in `_ids`
        self._ids: list[str] = []

    def append(self, row: int, action: str, credit_ids: list[str]) -> None:
        if action not in self._names:
            self._names.append(action)
        self._rows.append(row)
        self._actions.append(self._names.index(action))
        self._ids.extend(credit_ids)
        self._ends.append(len(self._ids))

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, i: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, i: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, i: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(i, slice):
            return [self[n] for n in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        start = self._ends[i - 1] if i else 0
        return {
            "row": self._rows[i],
            "action": self._names[self._actions[i]],
            "credit_ids": self._ids[start : self._ends[i]],
        }

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, (list, StoredCompletions)) else NotImplemented

    def __repr__(self) -> str:
        return f"StoredCompletions({len(self)} records)"

    def json_chunks(self, size: int = 1000) -> Iterator[str]:
        """The entries as a JSON array, a few at a time."""
        yield "["
        for start in range(0, len(self), size):
            piece = json.dumps(self[start : start + size], ensure_ascii=False, separators=(",", ":"))[1:-1]
            yield piece if start == 0 else "," + piece
        yield "]"


@dataclass
class CompletionBatchReport:
    """What a completion batch did: counts by outcome, each stored record, and every rejected record's errors."""

    format: str
    total: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    completions: StoredCompletions = field(default_factory=StoredCompletions)
    errors: list[dict[str, Any]] = field(default_factory=list)
    position: int | None = None  # the last stored event's notification id (read-your-writes)

    @property
    def rejected(self) -> int:
        return self.counts["rejected"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "total": self.total,
            "counts": self.counts,
            "completions": list(self.completions),
            "errors": self.errors,
        }

    def as_json(self, **extra: Any) -> bytes:
        """`as_dict()` (and `extra` keys) as compact JSON, written without a dict for every stored record."""
        head = json.dumps(
            {"format": self.format, "total": self.total, "counts": self.counts},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        tail = json.dumps({"errors": self.errors, **extra}, ensure_ascii=False, separators=(",", ":"))
        return "".join([head[:-1], ',"completions":', *self.completions.json_chunks(), ",", tail[1:]]).encode("utf-8")


def import_completion_file(
    system: Any,
    accme_id: str,
    data: Source,
    filename: str | None,
    by: Acting,
    progress: Callable[[int, int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> CompletionBatchReport:
    """Imports a completion file (bytes, or an upload spooled to a file) for one provider; BatchFormatError
    if the file as a whole cannot be read, before anything is stored.

    `progress(done, total)` is called after each chunk; `system.completions` is the completion registry.
    """
    fmt, records = open_completion_file(data, filename, accme_id)
    return submit_completion_records(system.completions, accme_id, fmt, records, by, progress, chunk_size)


def submit_completion_records(
    registry: Any,
    accme_id: str,
    fmt: str,
    records: RecordStream[CompletionRecord] | list[CompletionRecord],
    by: Acting,
    progress: Callable[[int, int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> CompletionBatchReport:
    """Submits the valid records `chunk_size` at a time as they are read, so only one chunk is held."""
    total = len(records)  # a RecordStream's checking pass: a broken file stores nothing
    report = CompletionBatchReport(format=fmt, total=total)
    errors: list[tuple[int, dict[str, Any]]] = []
    chunk: list[tuple[int, CompletionRecord]] = []
    done = 0

    def advanced(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    def submit() -> None:
        results = registry.submit_parsed(
            accme_id, [r.report for _, r in chunk], by, chunk_size=chunk_size, progress=advanced
        )
        for result in sorted(results, key=lambda r: r.index):  # in file order: the stored records need no sorting
            n, record = chunk[result.index]
            outcome = ACTIONS.get(result.action, result.action)
            report.counts[outcome] = report.counts.get(outcome, 0) + 1
            if result.ok:
                report.completions.append(record.row, outcome, result.credit_ids)
                report.position = max(report.position or 0, result.position or 0) or None
            else:
                errors.extend(
                    (n, {"row": record.row, "loc": _loc(fmt, record, e), "msg": e["msg"]}) for e in result.errors
                )
        chunk.clear()

    for n, record in enumerate(records):
        if record.ok:
            chunk.append((n, record))
            if len(chunk) >= chunk_size:
                submit()
        else:
            report.counts["rejected"] += 1
            errors.extend((n, {"row": record.row, "loc": e["loc"], "msg": e["msg"]}) for e in record.errors)
            done += 1
    if chunk:
        submit()
    if progress:
        progress(done, total)
    report.errors = [e for _, e in sorted(errors, key=lambda e: e[0])]
    return report


def _loc(fmt: str, record: CompletionRecord, error: dict[str, Any]) -> list[Any]:
    """A registry error's place in the file: the column of a row, or the JSON path of a report."""
    loc = list(error.get("loc", []))
    if fmt == "json":
        return [*REPORTS_PATH, record.row - 1, *loc]
    return [column_of(loc, error.get("msg", ""))]
