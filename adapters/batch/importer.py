"""Importing an activity batch file: detect, parse, submit in chunks, one report of every row.

Valid records are stored and invalid ones come back with their row (or JSON / XML path), field
and reason, in one report. Re-uploading a file changes nothing because submitting the same
item again is a no-op in the activity registry (its result is `unchanged`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from adapters.batch import columns, open_file, render
from adapters.batch.records import ParsedRecord, RecordStream, Source
from adapters.batch.spec import provider_activity_id
from domain.base import Acting

CHUNK_SIZE = 1000
COUNTS = ("created", "updated", "unchanged", "closed", "deleted", "rejected")
ACTIONS = {
    "add": "created",
    "added": "created",
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "close": "closed",
}


class ActivitySubmitter(Protocol):
    """The two methods of the activity registry a batch needs."""

    def submit_accme_activities(self, accme_id: str, items: list[dict[str, Any]], by: Acting) -> list[Any]: ...

    def export_accme_activities(self, accme_id: str) -> list[dict[str, Any]]: ...


@dataclass
class BatchReport:
    """What a batch did: counts by outcome, the stored activities by row, and every rejected row's errors."""

    format: str
    total: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    activities: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return self.counts["rejected"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "total": self.total,
            "counts": self.counts,
            "activities": self.activities,
            "errors": self.errors,
        }


def import_activity_file(
    system: Any,
    accme_id: str,
    data: Source,
    filename: str | None,
    by: Acting,
    progress: Callable[[int, int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> BatchReport:
    """Imports a file (bytes, or an upload spooled to a file) for one provider; BatchFormatError if the
    file as a whole cannot be read, before anything is stored.

    `progress(done, total)` is called after each chunk; `system.activities` is the activity registry.
    """
    fmt, records = open_file(data, filename)
    return submit_records(system.activities, accme_id, fmt, records, by, progress, chunk_size)


def submit_records(
    registry: ActivitySubmitter,
    accme_id: str,
    fmt: str,
    records: RecordStream[ParsedRecord] | list[ParsedRecord],
    by: Acting,
    progress: Callable[[int, int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> BatchReport:
    """Submits the valid records `chunk_size` at a time as they are read, so only one chunk is held."""
    total = len(records)  # a RecordStream's checking pass: a broken file stores nothing
    report = BatchReport(format=fmt, total=total)
    rejected: list[tuple[int, list[dict[str, Any]]]] = []
    stored: list[tuple[int, dict[str, Any]]] = []
    chunk: list[tuple[int, ParsedRecord]] = []
    done = 0

    def submit() -> None:
        nonlocal done
        results = registry.submit_accme_activities(
            accme_id, [record.item for _, record in chunk if record.item is not None], by
        )
        for result in results:
            position, record = chunk[result.index]
            if result.ok:
                action = _action(result.action)
                report.counts[action] = report.counts.get(action, 0) + 1
                entry = {"row": record.ref, "activity_id": result.activity_id, "action": action}
                if getattr(result, "changed", None):
                    entry["changed"] = [_field_name(fmt, loc) for loc in result.changed]
                stored.append((position, entry))
            else:
                errors = result.errors or [{"loc": [], "msg": "rejected"}]
                rejected.append((position, [_submit_error(fmt, record, e) for e in errors]))
        done += len(chunk)
        chunk.clear()
        if progress:
            progress(done, total)

    first_row: dict[str, str] = {}  # Provider Activity ID -> the row that gave it first (small: IDs only)
    for position, record in enumerate(records):
        pid = (provider_activity_id(record.item) or "").strip() if record.ok and record.item is not None else ""
        if pid and first_row.setdefault(pid, record.ref) != record.ref:
            # Two rows for one activity: the later would silently replace the earlier (across chunks too).
            msg = f"the Provider Activity ID {pid} is already given in {first_row[pid]} of this file"
            rejected.append(
                (
                    position,
                    [
                        {
                            "row": record.ref,
                            "field": _id_field(fmt),
                            "reason": msg,
                            "loc": [record.ref, "Lom", "general", "identifier"],
                        }
                    ],
                )
            )
            done += 1
        elif record.ok:
            chunk.append((position, record))
            if len(chunk) >= chunk_size:
                submit()
        else:
            rejected.append((position, [_parse_error(record, e) for e in record.errors]))
            done += 1
    if chunk:
        submit()
    if progress:
        progress(done, total)
    report.counts["rejected"] = len(rejected)
    report.activities = [entry for _, entry in sorted(stored, key=lambda s: s[0])]
    report.errors = [e for _, errors in sorted(rejected, key=lambda r: r[0]) for e in errors]
    return report


def export_activities(system: Any, accme_id: str, fmt: str) -> bytes:
    """A provider's activities in one of the batch formats; importing it back changes nothing."""
    return render(fmt, system.activities.export_accme_activities(accme_id))


def _id_field(fmt: str) -> str:
    return {"tab": "Provider Activity ID", "xlsx": "Provider Activity ID", "xml": "Lom/general/identifier"}.get(
        fmt, "Lom.general.identifier"
    )


def _action(action: Any) -> str:
    text = str(getattr(action, "value", action)).lower()
    return ACTIONS.get(text, text)


def _parse_error(record: ParsedRecord, error: dict[str, Any]) -> dict[str, Any]:
    loc = [str(p) for p in error.get("loc", [])]
    fields = loc[1:] if loc[:1] == [record.ref] else loc
    return {
        "row": record.ref,
        "field": "/".join(fields) if fields else None,
        "reason": error.get("msg", ""),
        "loc": [record.ref, *fields],
    }


def _field_name(fmt: str, loc: list[Any]) -> str | None:
    """A field as the file's format names it: its column, XML element path or JSON path."""
    if fmt in ("tab", "xlsx"):
        return columns.column_for(loc) or (".".join(str(p) for p in loc) or None)
    if fmt == "xml":
        return "/".join(f"{p}" if not isinstance(p, int) else f"[{p + 1}]" for p in loc).replace("/[", "[") or None
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or None


def _submit_error(fmt: str, record: ParsedRecord, error: dict[str, Any]) -> dict[str, Any]:
    loc = list(error.get("loc", []))
    return {
        "row": record.ref,
        "field": _field_name(fmt, loc),
        "reason": error.get("msg", ""),
        "loc": [record.ref, *loc],
    }
