"""The providers' timelines an as-of replay reads (position and time of each of their events), kept in the
process so a warm replay does not scan the `history` read model for them again.

`HistoryView.timeline(after, until)` must look at every event of the provider after `after` (a clock can
step back, so an event late in the log may be early in time): for a 100k-event provider replayed from a
snapshot in the middle of its history that scan was most of a warm read on PostgreSQL. The history read
model only grows at its end (its pages commit in log order, and the log's positions commit in order), so
a timeline read up to position P stays true up to P: each replay reads only the events after the last one
it holds (one index probe, usually nothing) and answers from memory, exactly as the query would: the
events after `after` recorded up to `until`, and where the first one recorded later is.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from projections.history import HistoryView

Timeline = tuple[list[tuple[int, datetime]], int | None]  # what HistoryView.timeline answers
KEPT = 16  # providers whose timelines are kept (least recently used dropped first): ~10 MB per 100k events


@dataclass
class KeptTimeline:
    positions: list[int] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)
    earliest_after: list[datetime] = field(default_factory=list)  # [i]: the earliest of times[i:]

    def extend(self, entries: Sequence[tuple[int, datetime]]) -> None:
        if not entries:
            return
        self.positions += [p for p, _ in entries]
        self.times += [t for _, t in entries]
        earliest = list(self.times)
        for i in range(len(earliest) - 2, -1, -1):
            if earliest[i + 1] < earliest[i]:
                earliest[i] = earliest[i + 1]
        self.earliest_after = earliest

    def between(self, after: int, until: datetime) -> Timeline:
        found: list[tuple[int, datetime]] = []
        left_out = None
        for i in range(bisect_right(self.positions, after), len(self.positions)):
            if self.earliest_after[i] > until:  # every later event too: the first of them is left out
                return found, left_out if left_out is not None else self.positions[i]
            if self.times[i] <= until:
                found.append((self.positions[i], self.times[i]))
            elif left_out is None:
                left_out = self.positions[i]
        return found, left_out


class Timelines:
    """`HistoryView.timeline` with what it read before kept. A provider not yet kept is answered by the
    query itself; from its second replay in this process on, while its whole timeline is read in the
    background for the next ones (a process that replays a provider once, as a cold read does, reads no more
    than the query)."""

    def __init__(self, history: HistoryView) -> None:
        self.history = history
        self._kept: OrderedDict[tuple[str, tuple[str, ...]], KeptTimeline] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: set[tuple[str, tuple[str, ...]]] = set()
        self._asked: set[tuple[str, tuple[str, ...]]] = set()  # replayed once: kept from the next replay on
        self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="as-of-timelines")

    def timeline(self, accme_id: str, aggregates: Sequence[str], after: int, until: datetime) -> Timeline:
        key = (accme_id, tuple(sorted(aggregates)))
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
            elif key not in self._asked:
                if len(self._asked) >= 4 * KEPT:
                    self._asked.clear()
                self._asked.add(key)
            elif key not in self._loading:
                self._loading.add(key)
                self._loader.submit(self._load, key)
        if kept is None:
            return self.history.timeline(accme_id, aggregates, after=after, until=until)
        with self._lock:  # one replay at a time brings a timeline forward
            newer, _ = self.history.timeline(accme_id, key[1], after=kept.positions[-1] if kept.positions else 0)
            kept.extend(newer)
            return kept.between(after, until)

    def wait(self) -> None:
        """Returns when the timelines being read in the background are kept (a test's replays then use them)."""
        self._loader.submit(lambda: None).result()

    def _load(self, key: tuple[str, tuple[str, ...]]) -> None:
        try:
            entries, _ = self.history.timeline(key[0], key[1])
            kept = KeptTimeline()
            kept.extend(entries)
            with self._lock:
                self._kept[key] = kept
                while len(self._kept) > KEPT:
                    self._kept.popitem(last=False)
        finally:
            with self._lock:
                self._loading.discard(key)
