"""Runs projections over the PARS log in batches: each batch's rows and position commit together.

The library's ProjectionRunner commits once per event (~2,000 events/s); committing a batch of
up to 1,000 events at once is ~50x faster and keeps exactly-once, since the position
commits with the rows (see ENGINE-NOTES.md).
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from typing import Any, TypeVar

from eventsourcing.persistence import Tracking
from eventsourcing.utils import resolve_topic

from projections.base import ParsProjection
from services.gc_policy import batch_collection
from services.store import ParsStore

log = logging.getLogger(__name__)

P = TypeVar("P", bound=ParsProjection[Any])

BATCH_SIZE = 1000
#: A rebuild's copies take larger pages: nobody reads them until the swap, so a page's transaction may be
#: long, and each page costs a commit and a few statements per read model whatever its size.
REBUILD_BATCH_SIZE = 5000
IDLE_POLL_SECONDS = 0.05  # other processes' appends are noticed this fast
SWAP_TRIES = 100  # a rebuild's copy chasing a live read model that other processes keep moving


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    head: int

    @property
    def lag(self) -> int:
        return max(self.head - self.position, 0)


class BatchProjectionRunner:
    """Feeds one projection from its stored position to the head of the log."""

    def __init__(self, store: ParsStore, projection: ParsProjection[Any], batch_size: int = BATCH_SIZE) -> None:
        self.store = store
        self.projection = projection
        self.batch_size = batch_size
        self._topics: dict[str, bool] = {}

    @property
    def name(self) -> str:
        return self.projection.name

    def run_batch(self, *, wait: bool = True) -> int:
        """Applies the next batch of events; returns how many the read model moved past (0: caught up)."""
        after = self.projection.position
        notifications = self.store.recorder.select_notifications(start=after + 1, limit=self.batch_size)
        if not notifications:
            return 0
        return self.apply(notifications, self.store.mapper.to_domain_event, after=after, wait=wait)

    def apply(
        self, notifications: Sequence[Any], decode: Callable[[Any], Any], *, after: int, wait: bool = True
    ) -> int:
        """Applies a page of stored events read after position `after`, decoding only those the
        projection wants. Returns how many of the page the read model is now past, whoever applied them.

        Other processes may run this read model too (`pars serve`, workers, CLI commands, a rebuild's
        swap): the page's transaction first takes the read model's lock and reads the position again.
        Events another process applied meanwhile are dropped from the page, so nothing is applied
        twice and losing a race is not an error; the compare-and-set on the position stays as the
        last guard. With `wait` off, a read model another process is busy with is left to it (0)."""
        view = self.projection.view
        with view.transaction():
            position = view.claim(self.store.name, wait=wait)
            if position is None:  # another process is applying a page of it right now
                return 0
            if position < after:  # the read model went back (reset) since the page was read: read again
                return 0
            page = [n for n in notifications if n.id > position]
            if not page:
                return len(notifications)
            if self.projection.processes_pages:
                self.projection.process_page([(n, decode(n), Tracking(self.store.name, n.id)) for n in page])
                return len(notifications)
            last = len(page) - 1
            wanted, handle, application = self._topics, self.projection.handle, self.store.name
            for i, notification in enumerate(page):
                wants = wanted.get(notification.topic)
                if wants is None:
                    wants = self._wants(notification.topic)
                if not wants:
                    # The position is written once, at the page's end, from the first and last positions
                    # tracked (SqlView._track): the events in between that the read model skips need no call.
                    if i == 0 or i == last:
                        view.insert_tracking(Tracking(application, notification.id))
                    continue
                handle(decode(notification), Tracking(application, notification.id))
        return len(notifications)

    def skips_whole(self, notifications: Sequence[Any]) -> bool:
        """Whether the read model has no handler for any event of this page (it only moves past them)."""
        return (
            self.projection.skips_unhandled
            and not self.projection.processes_pages
            and not any(self._wants(topic) for topic in {n.topic for n in notifications})
        )

    def _wants(self, topic: str) -> bool:
        """Whether an event of this topic must be decoded for the projection (see ParsProjection.skips_unhandled)."""
        wanted = self._topics.get(topic)
        if wanted is None:
            if not self.projection.skips_unhandled:
                wanted = True
            else:
                try:
                    wanted = issubclass(resolve_topic(topic), self.projection.handled_types())
                except Exception:  # noqa: BLE001 - an unknown topic: decode it, so its error surfaces as before
                    wanted = True
            self._topics[topic] = wanted
        return wanted

    @batch_collection()
    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Applies every event up to the head (as it is when called); returns how many it moved past."""
        target = self.store.head()
        total = 0
        while self.projection.position < target:
            applied = self.run_batch()
            total += applied
            if progress and applied:
                progress(applied)
        return total

    def status(self) -> ProjectionStatus:
        return ProjectionStatus(self.name, self.projection.position, self.store.head())


class ProjectionSupervisor:
    """Keeps a set of projections current: in threads (serve, worker) or on demand (CLI)."""

    def __init__(
        self,
        store: ParsStore,
        projections: Sequence[ParsProjection[Any]],
        batch_size: int = BATCH_SIZE,
        reopen: Callable[[], AbstractContextManager[ProjectionSupervisor]] | None = None,
    ) -> None:
        self.store = store
        self.batch_size = batch_size
        #: Opens the same read models on the same store afresh (its own connections): what a rebuild's worker
        #: process runs its share of the read models on (`rebuild(processes=…)`). None: one process only.
        self.reopen = reopen
        self.runners = {p.name: BatchProjectionRunner(store, p, batch_size) for p in projections}
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._listeners: list[Callable[[], None]] = []
        self.errors: dict[str, BaseException] = {}

    def __getitem__(self, name: str) -> BatchProjectionRunner:
        return self.runners[name]

    def get(self, kind: type[P]) -> P:
        """The read model of this class (by its name), for what works on a projection itself — the feed
        relay following the feeds, rebuild and storage tests. Reads go through the queries
        (services/queries/), never a projection's view."""
        projection = self.runners[kind.name].projection
        if not isinstance(projection, kind):
            raise TypeError(f"{kind.name} is a {type(projection).__name__}, not a {kind.__name__}")
        return projection

    def position(self, name: str) -> int:
        """How far the named read model has applied the log."""
        return self.runners[name].projection.position

    def positions(self, names: Sequence[str] | None = None) -> dict[str, int]:
        """How far the named (or all) read models have applied the log: one query per tracking table, not one
        per read model (a round of the serving loop asked each of fifteen read models in turn)."""
        return self._positions([self.runners[name] for name in names or list(self.runners)])

    def _positions(self, runners: Sequence[BatchProjectionRunner]) -> dict[str, int]:
        by_table: dict[object, list[BatchProjectionRunner]] = {}
        for runner in runners:
            by_table.setdefault(runner.projection.view.tracking_key(), []).append(runner)
        found: dict[str, int] = {}
        for group in by_table.values():
            found |= group[0].projection.view.positions([r.name for r in group], self.store.name)
        return found

    def add_listener(self, listener: Callable[[], None]) -> None:
        """`listener()` is called after each round of the serving loop that moved a read model (the webhook
        sender, which follows the read models, wakes at once instead of polling)."""
        self._listeners.append(listener)

    def start(self) -> None:
        """Keeps every read model current in one background thread. One thread, not one per read
        model: under the GIL threads would not run Python in parallel anyway, and one loop lets read
        models at the same position share each page (read once, each event decoded once)."""
        self._stopping.clear()
        thread = threading.Thread(target=self._loop, name="projections", daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self.store.wake_waiters()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def _loop(self) -> None:
        runners = list(self.runners.values())
        paused: dict[str, float] = {}  # a failing read model retries after a pause; the others go on
        while not self._stopping.is_set():
            now = time.monotonic()
            active = [r for r in runners if paused.get(r.name, 0.0) <= now]
            if self._round(active, paused, wait=False):
                for listener in self._listeners:
                    listener()
                continue
            self.store.wait_for_append(IDLE_POLL_SECONDS)

    @batch_collection()
    def _round(
        self, runners: Sequence[BatchProjectionRunner], paused: dict[str, float] | None = None, *, wait: bool = True
    ) -> int:
        """Applies the next page to every runner, reading and decoding each page once per position.
        With `paused`, a runner that fails is logged, kept in `errors` and paused for a second;
        without, its error propagates. Without `wait`, a read model another process is applying a
        page of is skipped this round (the loop comes back to it)."""
        groups: dict[int, list[BatchProjectionRunner]] = {}
        positions = self._positions(runners)
        for runner in runners:
            groups.setdefault(positions[runner.name] + 1, []).append(runner)
        applied = 0
        for start, group in groups.items():
            notifications = self.store.recorder.select_notifications(start=start, limit=self.batch_size)
            if not notifications:
                for runner in group:
                    self.errors.pop(runner.name, None)
                continue
            group, skipped = self._skip(group, notifications, after=start - 1)
            applied += skipped
            decoded: dict[int, Any] = {}

            def decode(notification: Any, decoded: dict[int, Any] = decoded) -> Any:
                if notification.id not in decoded:
                    decoded[notification.id] = self.store.mapper.to_domain_event(notification)
                return decoded[notification.id]

            for runner in group:
                if paused is None:
                    applied += runner.apply(notifications, decode, after=start - 1, wait=wait)
                    continue
                try:
                    applied += runner.apply(notifications, decode, after=start - 1, wait=wait)
                except Exception as error:  # surfaced in status and logs; retried after a pause
                    self.errors[runner.name] = error
                    paused[runner.name] = time.monotonic() + 1.0
                    log.exception("projection %s failed; retrying", runner.name)
                else:
                    self.errors.pop(runner.name, None)
        return applied

    def _skip(
        self, group: list[BatchProjectionRunner], notifications: Sequence[Any], *, after: int
    ) -> tuple[list[BatchProjectionRunner], int]:
        """Moves the read models that have no handler for any event of the page past it together, one
        statement per tracking table (a board's answers concern three read models of fifteen, and each page
        was a transaction of its own in every one); returns the rest, and how many events were moved past."""
        idle = [r for r in group if r.skips_whole(notifications)]
        if not idle:
            return group, 0
        by_table: dict[object, list[BatchProjectionRunner]] = {}
        for runner in idle:
            by_table.setdefault(runner.projection.view.tracking_key(), []).append(runner)
        moved: set[str] = set()
        for together in by_table.values():
            try:
                moved |= together[0].projection.view.skip_to(
                    [r.name for r in together], self.store.name, after, notifications[-1].id
                )
            except Exception:  # a busy database: each goes its usual way, whose errors pause only that read model
                log.warning("moving read models past a page failed; applying it to each", exc_info=True)
        for name in moved:
            self.errors.pop(name, None)
        return [r for r in group if r.name not in moved], len(notifications) * len(moved)

    @batch_collection()
    def catch_up(self, names: Sequence[str] | None = None, progress: Callable[[int], None] | None = None) -> int:
        """Brings the named (or all) read models to the head (as it is when called). Read models at the
        same position share each page: it is read once and each event decoded at most once, not once
        per read model (with ten read models, most of the cost of catching up on a large batch).
        Pages another process applied first are skipped, not applied again (see apply). Returns how
        far the slowest read model moved; `progress(n)` hears of each step."""
        runners = [self.runners[name] for name in names or list(self.runners)]
        target = self.store.head()
        positions = self._positions(runners)
        start = low = min(positions.values())
        while low < target:
            self._round([r for r in runners if positions[r.name] < target])
            positions = self._positions(runners)
            moved = min(positions.values())
            if progress and moved > low:
                progress(moved - low)
            low = moved
        return max(low - start, 0)

    def wait(self, position: int | None, timeout: float = 5.0, names: Sequence[str] | None = None) -> None:
        """Read-your-writes: blocks until the named (or all) projections reached `position`."""
        if position is None:
            return
        for name in names or list(self.runners):
            view = self.runners[name].projection.view
            view.wait(self.store.name, position, timeout=timeout)

    def rebuild(
        self,
        names: str | Sequence[str],
        progress: Callable[[int], None] | None = None,
        *,
        processes: int = 1,
        on_cpu: Callable[[list[float]], None] | None = None,
    ) -> int:
        """Rebuilds the named read models (`rebuild_here`), in up to `processes` worker processes: each
        takes a share of the read models, weighed by `ParsProjection.rebuild_weight`, reads the log itself
        and swaps its copies in (one transaction per read model under its lock, as in one process). The
        rebuild is CPU-bound Python: one process uses one core. Returns the lowest position swapped in."""
        names = [names] if isinstance(names, str) else list(names)
        shares = self._shares(names, processes) if self.reopen is not None else [names]
        if len(shares) < 2:
            return self.rebuild_here(names, progress)
        assert self.reopen is not None
        return rebuild_in_processes(self.reopen, shares, progress, on_cpu)

    def _shares(self, names: Sequence[str], processes: int) -> list[list[str]]:
        """The read models split into at most `processes` shares of about equal weight (heaviest first,
        each to the lightest share so far); no empty share."""
        shares: list[tuple[int, list[str]]] = [(0, []) for _ in range(max(1, min(processes, len(names))))]
        by_weight = sorted(names, key=lambda n: -self.runners[n].projection.rebuild_weight)
        for name in by_weight:
            i = min(range(len(shares)), key=lambda k: shares[k][0])
            weight, share = shares[i]
            shares[i] = (weight + self.runners[name].projection.rebuild_weight, [*share, name])
        return [share for _, share in shares if share]

    @batch_collection()
    def rebuild_here(self, names: str | Sequence[str], progress: Callable[[int], None] | None = None) -> int:
        """Replays the log into an empty copy of each named read model beside the live one (which the
        API and the workers go on reading and updating), then swaps each copy in at once under its read
        model's lock. The copies share each page (read once, each event decoded once), as in catch_up.
        `progress(n)`: the slowest copy moved n events on. Returns the position the copies were swapped in at."""
        names = [names] if isinstance(names, str) else list(names)
        lives = {name: self.runners[name].projection for name in names}
        with ExitStack() as scratch:
            copies = ProjectionSupervisor(
                self.store,
                [type(p)(scratch.enter_context(p.view.aside())) for p in lives.values()],
                REBUILD_BATCH_SIZE,
            )
            copies.catch_up(progress=progress)
            for name, live in lives.items():
                copy = copies[name]

                def finish(copy: BatchProjectionRunner = copy) -> None:
                    copy.catch_up()

                for _ in range(SWAP_TRIES):
                    if live.view.replace_with(copy.projection.view, self.store.name, finish):
                        break
                    finish()  # the live read model moved past the copy meanwhile: follow it and try again
                else:
                    raise RuntimeError(
                        f"{name}: the rebuilt copy never caught up with the live read model in {SWAP_TRIES} tries"
                    )
            return min(copy.projection.position for copy in copies.runners.values())

    def statuses(self) -> list[ProjectionStatus]:
        head = self.store.head()  # one head for all, so the lags compare
        positions = self.positions()
        return [ProjectionStatus(name, positions[name], head) for name in self.runners]

    def report(self) -> list[dict[str, Any]]:
        """What `GET /api/v1/health` and `pars projections status` print: position, head, lag, last error.

        The error is named by its type only: its message could quote a provider's data."""
        return [
            {
                "projection": s.name,
                "position": s.position,
                "head": s.head,
                "lag": s.lag,
                "last_error": type(self.errors[s.name]).__name__ if s.name in self.errors else None,
            }
            for s in self.statuses()
        ]


def rebuild_in_processes(
    reopen: Callable[[], AbstractContextManager[ProjectionSupervisor]],
    shares: Sequence[Sequence[str]],
    progress: Callable[[int], None] | None = None,
    on_cpu: Callable[[list[float]], None] | None = None,
) -> int:
    """Rebuilds each share of read models in a worker process of its own (forked: nothing to import again;
    each opens its own connections with `reopen`, never the parent's). Progress is the slowest worker's;
    a worker's failure is raised here once all have ended (the others' swaps stand: each read model is
    swapped whole or not at all). `on_cpu` hears each worker's CPU seconds (the benchmark's longest path,
    which a loaded machine's wall time hides). Returns the lowest position swapped in."""
    context = multiprocessing.get_context("fork")
    reports: Any = context.Queue()
    workers = [
        context.Process(target=_rebuild_share, args=(reopen, list(share), i, reports), name=f"rebuild-{i}", daemon=True)
        for i, share in enumerate(shares)
    ]
    for worker in workers:
        worker.start()
    moved = [0] * len(workers)
    positions: dict[int, int] = {}
    cpu: dict[int, float] = {}
    failures: list[str] = []
    try:
        while len(positions) + len(failures) < len(workers):
            try:
                kind, i, value = reports.get(timeout=1.0)
            except queue.Empty:
                dead = [w for w in workers if w.exitcode not in (None, 0)]
                if dead and reports.empty():
                    failures.append(f"{dead[0].name} died (exit code {dead[0].exitcode})")
                    break
                continue
            if kind == "progress":
                slowest = min(moved)
                moved[i] += value
                if progress and min(moved) > slowest:
                    progress(min(moved) - slowest)
            elif kind == "done":
                positions[i], cpu[i] = value
            else:
                failures.append(value)
    finally:
        for worker in workers:
            worker.join(None if not failures else 5.0)
            if worker.is_alive():
                worker.kill()
                worker.join()
    if failures:
        raise RuntimeError(f"a rebuild worker failed: {failures[0]}")
    log.info("rebuild workers' CPU seconds: %s", ", ".join(f"{cpu[i]:.2f} ({', '.join(shares[i])})" for i in cpu))
    if on_cpu is not None:
        on_cpu([cpu[i] for i in sorted(cpu)])
    return min(positions.values())


def _rebuild_share(
    reopen: Callable[[], AbstractContextManager[ProjectionSupervisor]], names: list[str], index: int, reports: Any
) -> None:
    """A rebuild worker (a forked child): its share of the read models rebuilt and swapped in on its own
    connections; progress, the position or the error's traceback go back on `reports`."""
    try:
        with reopen() as supervisor:
            position = supervisor.rebuild_here(names, lambda n: reports.put(("progress", index, n)))
        reports.put(("done", index, (position, time.process_time())))
    except BaseException:  # noqa: BLE001 - sent to the parent, which raises it
        reports.put(("error", index, traceback.format_exc()))
