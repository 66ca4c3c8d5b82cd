"""Importing a completion batch file: detect, read, submit in chunks, one report of every record.

Valid records are stored; invalid ones come back with their row, field (a column, or a JSON path)
and reason. Uploading the same file again changes nothing: each record names the same
completion (its credit ID, given or derived from the row) and the registry answers `unchanged`.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from adapters.batch.batches import CHUNK_SIZE, Refused, Report, chunks
from adapters.batch.compact import Entries
from adapters.batch.completion_files import REPORTS_PATH, open_completion_file
from adapters.batch.completion_rows import CompletionRecord, column_of
from adapters.batch.records import RecordStream, Source
from commands.completions import ReportCompletions
from domain.base import Acting
from services.gc_policy import batch_collection

COUNTS = ("recorded", "unchanged", "deleted", "rejected")
ACTIONS = {"added": "recorded", "unchanged": "unchanged", "deleted": "deleted", "rejected": "rejected"}


class StoredCompletions(Entries):
    """The stored records of a batch, in file order, as the answer's `{"row", "action", "credit_ids"}` entries.

    Held as a row number, an action code and credit-ID offsets in arrays (about 20 bytes a record, not the
    400 of a dict each), so a file of a million rows does not cost its report more than the file (`compact`).
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

    def entry(self, i: int) -> dict[str, Any]:
        start = self._ends[i - 1] if i else 0
        return {
            "row": self._rows[i],
            "action": self._names[self._actions[i]],
            "credit_ids": self._ids[start : self._ends[i]],
        }


class CompletionReporter(Protocol):
    """The method of the completion registry a batch needs (`CompletionRegistry.report`)."""

    def report(
        self,
        cmd: ReportCompletions,
        by: Acting,
        *,
        chunk_size: int,
        progress: Callable[[int], None] | None = None,
        activity_cache: dict[str, Any] | None = None,
        consent_cache: dict[str, bool] | None = None,
    ) -> list[Any]: ...


@dataclass
class CompletionBatchReport(Report):
    """What a completion batch did: counts by outcome, each stored record, and every rejected record's errors."""

    LISTED: ClassVar[str] = "completions"
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    completions: StoredCompletions = field(default_factory=StoredCompletions)
    position: int | None = None  # the last stored event's notification id (read-your-writes)


def import_completion_file(
    completions: CompletionReporter,
    accme_id: str,
    data: Source,
    filename: str | None,
    by: Acting,
    progress: Callable[[int, int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> CompletionBatchReport:
    """Imports a completion file (bytes, or an upload spooled to a file) for one provider; BatchFormatError
    if the file as a whole cannot be read, before anything is stored.

    `progress(done, total)` is called after each chunk; `completions` is the completion registry
    (`CompletionRegistry`, whose `report` handles each chunk's `ReportCompletions`).
    """
    fmt, records = open_completion_file(data, filename, accme_id)
    return submit_completion_records(completions, accme_id, fmt, records, by, progress, chunk_size)


@batch_collection()
def submit_completion_records(
    registry: CompletionReporter,
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
    refused = Refused(report)
    done = 0
    activities: dict[str, Any] = {}  # each activity loaded once for the whole file, not once per chunk
    consents: dict[str, bool] = {}  # and its consent attestation read once

    def advanced(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    def keep(n: int, record: CompletionRecord) -> bool:
        nonlocal done
        if record.ok:
            return True
        report.counts["rejected"] += 1
        refused.add(n, [{"row": record.row, "loc": e["loc"], "msg": e["msg"]} for e in record.errors])
        done += 1
        return False

    for chunk in chunks(records, chunk_size, keep):
        results = registry.report(
            ReportCompletions(accme_id=accme_id, reports=[r.report for _, r in chunk]),
            by,
            chunk_size=chunk_size,
            progress=advanced,
            activity_cache=activities,
            consent_cache=consents,
        )
        for result in sorted(results, key=lambda r: r.index):  # in file order: the stored records need no sorting
            n, record = chunk[result.index]
            outcome = ACTIONS.get(result.action, result.action)
            report.counts[outcome] = report.counts.get(outcome, 0) + 1
            if result.ok:
                report.completions.append(record.row, outcome, result.credit_ids)
                report.position = max(report.position or 0, result.position or 0) or None
            else:
                errors = [{"row": record.row, "loc": _loc(fmt, record, e), "msg": e["msg"]} for e in result.errors]
                refused.add(n, errors)
        refused.flush()
    refused.flush()
    if progress:
        progress(done, total)
    return report


def _loc(fmt: str, record: CompletionRecord, error: dict[str, Any]) -> list[Any]:
    """A registry error's place in the file: the column of a row, or the JSON path of a report."""
    loc = list(error.get("loc", []))
    if fmt == "json":
        return [*REPORTS_PATH, record.row - 1, *loc]
    return [column_of(loc, error.get("msg", ""))]
