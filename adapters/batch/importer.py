"""Importing an activity batch file: detect, parse, submit in chunks, one report of every row.

Valid records are stored and invalid ones come back with their row (or JSON / XML path), field
and reason, in one report. Re-uploading a file changes nothing because submitting the same
item again is a no-op in the activity registry (its result is `unchanged`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from adapters.batch import columns, open_file, render
from adapters.batch.batches import CHUNK_SIZE, Refused, Report, chunks
from adapters.batch.compact import Entries, FirstSeen, Texts, Words
from adapters.batch.records import ParsedRecord, RecordStream, Source
from adapters.batch.spec import provider_activity_id
from domain.base import Acting
from services.gc_policy import batch_collection

if TYPE_CHECKING:
    from adapters.formats.accme.activities import AccmeActivities

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


class StoredActivities(Entries):
    """The stored activities of a batch, in file order, as the answer's `{"row", "activity_id", "action"}` entries
    (with `"changed"`, the columns an update changed, when it changed any), held in arrays (`compact`)."""

    def __init__(self) -> None:
        self._rows = Texts()
        self._ids = Texts()
        self._actions = bytearray()
        self._names: list[str] = []
        self._changed = Words()

    def append(self, row: str, activity_id: str | None, action: str, changed: Sequence[str | None] = ()) -> None:
        if action not in self._names:
            self._names.append(action)
        self._rows.append(row)
        self._ids.append(activity_id)
        self._actions.append(self._names.index(action))
        self._changed.append(changed)

    def __len__(self) -> int:
        return len(self._rows)

    def entry(self, i: int) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "row": self._rows[i],
            "activity_id": self._ids[i],
            "action": self._names[self._actions[i]],
        }
        if changed := self._changed[i]:
            entry["changed"] = changed
        return entry


@dataclass
class BatchReport(Report):
    """What an activity batch did: counts by outcome, the stored activities by row, and every rejected row's errors."""

    LISTED: ClassVar[str] = "activities"
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    activities: StoredActivities = field(default_factory=StoredActivities)


@batch_collection()
def import_activity_file(
    activities: ActivitySubmitter,
    accme_id: str,
    data: Source,
    filename: str | None,
    by: Acting,
    progress: Callable[[int, int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> BatchReport:
    """Imports a file (bytes, or an upload spooled to a file) for one provider; BatchFormatError if the
    file as a whole cannot be read, before anything is stored.

    `progress(done, total)` is called after each chunk; `activities` is the activity registry as ACCME JSON
    items (`AccmeActivities`, `adapters/formats/accme/activities.py`).
    """
    fmt, records = open_file(data, filename)
    return submit_records(activities, accme_id, fmt, records, by, progress, chunk_size)


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
    refused = Refused(report)
    first_row = FirstSeen()  # Provider Activity ID -> the row that gave it first (a few bytes an ID)
    done = 0

    def reject(position: int, errors: list[dict[str, Any]]) -> None:
        report.counts["rejected"] += 1
        refused.add(position, errors)

    def keep(position: int, record: ParsedRecord) -> bool:
        nonlocal done
        pid = (provider_activity_id(record.item) or "").strip() if record.ok and record.item is not None else ""
        if pid and (first := first_row.setdefault(pid, record.ref)) != record.ref:
            # Two rows for one activity: the later would silently replace the earlier (across chunks too).
            msg = f"the Provider Activity ID {pid} is already given in {first} of this file"
            loc = [record.ref, "Lom", "general", "identifier"]
            reject(position, [{"row": record.ref, "field": _id_field(fmt), "reason": msg, "loc": loc}])
        elif not record.ok:
            reject(position, [_parse_error(record, e) for e in record.errors])
        else:
            return True
        done += 1
        return False

    for chunk in chunks(records, chunk_size, keep):
        results = registry.submit_accme_activities(
            accme_id, [record.item for _, record in chunk if record.item is not None], by
        )
        for result in sorted(results, key=lambda r: r.index):  # in file order: the stored ones need no sorting
            position, record = chunk[result.index]
            if result.ok:
                action = _action(result.action)
                report.counts[action] = report.counts.get(action, 0) + 1
                changed = [_field_name(fmt, loc) for loc in getattr(result, "changed", None) or ()]
                report.activities.append(record.ref, result.activity_id, action, changed)
            else:
                errors = result.errors or [{"loc": [], "msg": "rejected"}]
                reject(position, [_submit_error(fmt, record, e) for e in errors])
        refused.flush()
        done += len(chunk)
        if progress:
            progress(done, total)
    refused.flush()
    if progress:
        progress(done, total)
    return report


def export_activities(activities: AccmeActivities, accme_id: str, fmt: str) -> bytes:
    """A provider's activities in one of the batch formats; importing it back changes nothing."""
    return render(fmt, activities.export_accme_activities(accme_id))


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
