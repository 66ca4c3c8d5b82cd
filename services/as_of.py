"""As-of reads: a provider's read models as they stood at an instant, rebuilt by replaying its events.

The projection classes that keep the live read models (projections/*.py) run over the provider's
events recorded up to the instant, into fresh scratch views (adapters/db/scratch.py: the same SQL
views on an in-memory database), and the routes answer from those through the query objects they use
for live reads (services/queries/). No rule exists twice, so an as-of answer is what the live read
model said at that instant (tests/audit/test_as_of.py checks exactly that).

Replay snapshots: while replaying, the scratch database is snapshotted every `SNAPSHOT_EVERY` events:
every `FULL_EVERY`th snapshot of a chain (and the first) is an image of the in-memory database, those
between are deltas (the rows that moved since the snapshot before: `ScratchViews.changes`), so a replay to
any instant restores an image and at most FULL_EVERY - 1 deltas and applies fewer than SNAPSHOT_EVERY
events, while the snapshots of a provider weigh about one image per FULL_EVERY * SNAPSHOT_EVERY events.
They are kept in the database (`ReplaySnapshots`, adapters/db/as_of_snapshots.py, so every process and
every later start finds them) and in this process (within `SNAPSHOT_BUDGET_BYTES`); the state a replay
ends at is kept in this process too, whole, so the next read at that instant (another page of the same
provider) replays nothing. A later replay of the same provider and read models to any instant after a
snapshot's last event starts from the latest such snapshot (this process's or the database's) and reads
and applies only the events after it, so a long history is replayed in full once. Snapshots are a cache:
without them every answer is the same (tests/audit/test_as_of_snapshots.py). Which events come after the
snapshot and up to the instant is read from the provider's timeline kept in the process
(services/as_of_timeline.py) once it has been replayed twice here, from the `history` query before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import Tracking

from domain.deadlines import ReportingDeadline
from projections.activity_summary import ActivitySummaryProjection, ActivitySummaryView
from projections.base import APPLICATION_NAME, ParsProjection
from projections.checklist import ChecklistProjection, ChecklistView
from projections.history import HistoryView
from projections.provider_profile import ProviderProfileProjection, ProviderProfileView
from projections.record_status import RecordStatusProjection, RecordStatusView
from projections.transcripts import TranscriptProjection, TranscriptView
from services.as_of_timeline import Timelines
from services.queries.activities import ActivityQueries
from services.queries.annual import AnnualQueries
from services.queries.completions import CompletionQueries
from services.queries.providers import ProviderQueries
from services.queries.read_models import ReadModels
from services.queries.records import RecordStatusQueries
from services.store import ParsStore

#: The aggregates whose events each read model is built from (the provider's own streams).
#: The checklist also reads the accreditor's reporting deadlines, which belong to no provider.
SOURCES: dict[str, tuple[str, ...]] = {
    ProviderProfileProjection.name: ("Provider",),
    ActivitySummaryProjection.name: ("Activity",),
    TranscriptProjection.name: ("Completion",),
    ChecklistProjection.name: ("AnnualReport", "Activity"),
    RecordStatusProjection.name: ("Completion",),
}
# Events between replay snapshots (and events read and applied per transaction): a replay applies at most 249.
SNAPSHOT_EVERY = 250
# Every 40th snapshot of a chain (one per 10,000 events) is a whole image; those between are deltas from the one before.
FULL_EVERY = 40
SNAPSHOT_BUDGET_BYTES = (
    512 * 1024 * 1024
)  # replay snapshots kept in memory (least recently used dropped first): a 100k-event provider's take ~300 MB


@dataclass
class ScratchViews:
    """Views of the same kinds as the live ones, private to one replay: empty, or restored from an image."""

    profiles: ProviderProfileView
    activities: ActivitySummaryView
    transcripts: TranscriptView
    checklist: ChecklistView
    records: RecordStatusView
    close: Callable[[], None]
    image: Callable[[], bytes]  # a copy of everything in them, to restore later
    changes: Callable[[], bytes]  # what moved in them since they were made or restored, or since the last call


@dataclass(frozen=True)
class ReplaySnapshot:
    position: int  # the provider's events up to this log position are applied, and no other
    last_recorded: datetime  # the latest time among them: the snapshot serves instants from here on
    image: bytes  # the scratch database's image; a delta (`ScratchViews.changes`) when `previous` is not 0
    previous: int = 0  # a delta's: the position of the snapshot it moves forward (0: a whole image)
    stored: bool = field(default=False, compare=False)  # read from or written to the database


Chain = list[ReplaySnapshot]  # a whole image, then the deltas that move it forward, in order


class ReplaySnapshots(Protocol):
    """Replay snapshots kept outside the process, keyed by (accme_id, *read model names) and position."""

    def latest(self, key: tuple[str, ...], as_of: datetime, after: int = 0) -> Chain | None:
        """The chain to the snapshot of `key` with the highest position above `after` that serves `as_of`
        (or to the last snapshot of that chain that is whole), if any."""

    def keep(self, key: tuple[str, ...], snapshot: ReplaySnapshot) -> None: ...


class AsOfReplayer:
    def __init__(
        self,
        store: ParsStore,
        history: HistoryView,
        scratch: Callable[[bytes | None, Sequence[bytes], bool], ScratchViews],
        kept: ReplaySnapshots | None = None,
    ) -> None:
        self.store = store
        self.history = history
        self.timelines = Timelines(history)  # the history's timelines, kept: a warm replay scans none
        self.scratch = scratch
        self.kept = kept
        # Compressing and writing a snapshot to the database (zlib and the driver leave the GIL) overlaps
        # the replay's next events; the replay waits for its snapshots' writes before it answers.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="as-of-snapshots")
        self._snapshots: OrderedDict[tuple[Any, ...], ReplaySnapshot] = OrderedDict()
        self._snapshot_bytes = 0
        self._lock = threading.Lock()

    @staticmethod
    def past(as_of: datetime | None) -> datetime | None:
        """The instant to replay to (UTC when it names no zone); None when the live read models answer:
        no instant, or one not yet past (the future looks like now)."""
        if as_of is None:
            return None
        as_of = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
        return as_of if as_of < datetime.now(UTC) else None

    def replay(
        self,
        accme_id: str,
        as_of: datetime,
        needs: Collection[str],
        accreditor: str | None = None,
        years: Iterable[int] = (),
    ) -> ReadModels:
        """The read models in `needs` (projection names; the provider profile always) rebuilt from the
        provider's events recorded up to `as_of`; `accreditor` and `years` say which reporting deadlines
        the checklist reads. Close the answer when done with it."""
        names = [
            ProviderProfileProjection.name,
            *sorted(n for n in set(needs) if n in SOURCES and n != ProviderProfileProjection.name),
        ]
        key = (accme_id, *names)
        chain = self._latest_chain(key, as_of) or []
        start = chain[-1] if chain else None
        timeline, left_out = self.timelines.timeline(
            accme_id, sorted({a for n in names for a in SOURCES[n]}), after=start.position if start else 0, until=as_of
        )
        # Changes are tracked only when a snapshot may be taken (a full chunk of events to apply).
        track = len(timeline) >= SNAPSHOT_EVERY
        views = self.scratch(chain[0].image if chain else None, [link.image for link in chain[1:]], track)
        try:
            projections = self._projections(views, names)
            # a chain to add deltas to: one this process keeps alone, or one in the database
            depth = len(chain) - 1 if start and (self.kept is None or start.stored) else None
            applied = self._apply_provider_events(key, views, projections, timeline, left_out, chain, depth)
            if ChecklistProjection.name in names and accreditor:
                deadlines = self._deadline_events(accreditor, years, as_of)
                # Deadlines belong to no provider and are never in a snapshot: applied last, numbered after
                # the provider's events (only order matters to the tracking of a scratch view).
                after = max([timeline[-1][0] if timeline else 0, start.position if start else 0])
                self._apply(projections, [(after + i, e) for i, e in enumerate(deadlines, start=1)])
                applied += len(deadlines)
        except BaseException:
            views.close()
            raise
        today = as_of.astimezone().date()  # as `date.today()` would have said then
        profiles = ProviderQueries(views.profiles)
        return ReadModels(
            profiles=profiles,
            activities=ActivityQueries(views.activities, profiles, lambda: today),
            completions=CompletionQueries(views.transcripts, profiles, views.activities),
            annual=AnnualQueries(views.profiles, views.checklist, views.checklist, clock=lambda: as_of),
            today=lambda: today,
            records=RecordStatusQueries(views.records, lambda: today),
            as_of=as_of,
            events=applied,
            close=views.close,
        )

    def _projections(self, views: ScratchViews, names: Sequence[str]) -> list[ParsProjection[Any]]:
        build: dict[str, Callable[[], ParsProjection[Any]]] = {
            ProviderProfileProjection.name: lambda: ProviderProfileProjection(views.profiles),
            ActivitySummaryProjection.name: lambda: ActivitySummaryProjection(views.activities),
            TranscriptProjection.name: lambda: TranscriptProjection(views.transcripts),
            ChecklistProjection.name: lambda: ChecklistProjection(views.checklist),
            RecordStatusProjection.name: lambda: RecordStatusProjection(views.records),
        }
        return [build[n]() for n in names]

    def _apply_provider_events(
        self,
        key: tuple[str, ...],
        views: ScratchViews,
        projections: list[ParsProjection[Any]],
        timeline: list[tuple[int, datetime]],
        left_out: int | None,
        chain: Chain,
        depth: int | None,
    ) -> int:
        """Applies the provider's events after the snapshot (if any) recorded up to the instant (`timeline`),
        in chunks; snapshots the scratch views after each full chunk while every event so far was applied,
        and where it ends when no event before its last was left out. `left_out` is the first event recorded
        after the instant: a clock can step back, so an event later in the log may be earlier in time and
        applied after it: no snapshot is taken past a left-out event. `chain` is what the views were restored
        from. A snapshot is a delta from the one before while its chain (`depth` deltas so far; None: no
        chain to add to) is shorter than FULL_EVERY."""
        start = chain[-1] if chain else None
        position = start.position if start else 0
        last_recorded = start.last_recorded if start else datetime.min.replace(tzinfo=UTC)
        in_database = start is not None and start.stored  # the snapshot at `position` (the latest so far)
        pending: list[tuple[int, datetime]] = []
        applied = 0
        last_applied = position
        writes: list[Future[None]] = []
        try:
            for entry in timeline:
                if entry[0] <= position:
                    continue
                pending.append(entry)
                if len(pending) == SNAPSHOT_EVERY:
                    applied += self._load_and_apply(projections, pending)
                    last_recorded = max(last_recorded, *(t for _, t in pending))
                    last_applied = pending[-1][0]
                    delta = views.changes()  # what this chunk moved, whether kept or not
                    if left_out is None or left_out > last_applied:
                        stored = self.kept is not None
                        if depth is None or depth + 1 >= FULL_EVERY:
                            snapshot = ReplaySnapshot(last_applied, last_recorded, views.image(), stored=stored)
                            depth = 0
                        else:
                            snapshot = ReplaySnapshot(last_applied, last_recorded, delta, position, stored)
                            depth += 1
                        position, in_database = last_applied, stored
                        self._keep_snapshot(key, snapshot)
                        if self.kept is not None:
                            writes.append(self._writer.submit(self.kept.keep, key, snapshot))
                    pending = []
        finally:
            for write in writes:
                write.result()
        if pending:
            applied += self._load_and_apply(projections, pending)
            last_recorded = max(last_recorded, *(t for _, t in pending))
            last_applied = pending[-1][0]
        moved = last_applied > (start.position if start else 0) or len(chain) > 1
        if moved and (left_out is None or left_out > last_applied):
            # Where this replay ends, whole: the next read at this instant (or later) starts here, in this
            # process, restoring one image (it takes the place of a delta kept at the same position).
            stored = position == last_applied and in_database  # a chain to here is in the database
            self._keep_snapshot(key, ReplaySnapshot(last_applied, last_recorded, views.image(), stored=stored))
        return applied

    def _load_and_apply(self, projections: list[ParsProjection[Any]], entries: list[tuple[int, datetime]]) -> int:
        notifications = self.store.notifications_at(p for p, _ in entries)
        events = [(n.id, self.store.mapper.to_domain_event(n)) for n in notifications]
        self._apply(projections, events)
        return len(events)

    @staticmethod
    def _apply(projections: list[ParsProjection[Any]], events: list[tuple[int, Any]]) -> None:
        if not events:
            return
        for projection in projections:
            wanted = SOURCES[projection.name]
            with projection.view.transaction():
                for position, event in events:
                    if type(event).__qualname__.split(".")[0] in wanted or isinstance(event, ReportingDeadline.Event):
                        projection.process_event(event, Tracking(APPLICATION_NAME, position))

    def _latest_chain(self, key: tuple[str, ...], as_of: datetime) -> Chain | None:
        """This process's chain to its latest snapshot serving `as_of`, or the database's when that one is later."""
        with self._lock:
            usable = [s for k, s in self._snapshots.items() if k[:-1] == key and s.last_recorded <= as_of]
            best: Chain | None = None
            for snapshot in sorted(usable, key=lambda s: s.position, reverse=True):
                best = self._chain_in_memory(key, snapshot)
                if best is not None:
                    break
            for link in best or ():
                self._snapshots.move_to_end((*key, link.position))
        if self.kept is not None:
            stored = self.kept.latest(key, as_of, after=best[-1].position if best else 0)
            if stored is not None:
                for link in stored:
                    self._keep_snapshot(key, link)
                return stored
        return best

    def _chain_in_memory(self, key: tuple[str, ...], snapshot: ReplaySnapshot) -> Chain | None:
        """The whole image and deltas leading to `snapshot` in this process; None when a link was dropped."""
        chain = [snapshot]
        while chain[-1].previous:
            link = self._snapshots.get((*key, chain[-1].previous))
            if link is None:
                return None
            chain.append(link)
        return chain[::-1]

    def _keep_snapshot(self, key: tuple[str, ...], snapshot: ReplaySnapshot) -> None:
        """Keeps it in this process (the database's copy is written by the replay that takes it); a whole
        image takes the place of a delta to the same state."""
        with self._lock:
            slot = (*key, snapshot.position)
            had = self._snapshots.get(slot)
            if had is not None and (snapshot.previous or not had.previous):
                return
            if had is not None:
                self._snapshot_bytes -= len(had.image)
            self._snapshots[slot] = snapshot
            self._snapshot_bytes += len(snapshot.image)
            while self._snapshot_bytes > SNAPSHOT_BUDGET_BYTES and self._snapshots:
                _, dropped = self._snapshots.popitem(last=False)
                self._snapshot_bytes -= len(dropped.image)

    def _deadline_events(self, accreditor: str, years: Iterable[int], as_of: datetime) -> list[Any]:
        found = []
        for year in sorted(set(years)):
            stream = ReportingDeadline.create_id(accreditor, year)
            # The event store is typed with the library's event protocol; PARS's events are its DomainEvents.
            events = cast(Iterable[DomainEvent], self.store.events.get(stream))
            found += [e for e in events if e.timestamp <= as_of]
        return found
