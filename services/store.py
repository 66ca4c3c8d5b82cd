"""The one event-sourced application that stores every PARS aggregate in one ordered log.

One log (not one application per bounded context) because a provider's history spans
its contacts, activities, completions and annual reports and must read back in one order,
and because SQLite gives each file exactly one event table.
"""

from __future__ import annotations

import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from eventsourcing.application import Application, ProcessingEvent, project_aggregate
from eventsourcing.domain import BaseAggregate
from eventsourcing.persistence import JSONTranscoder, Mapper, Notification, Recording, StoredEvent, Transcoding

from domain.account import Account
from domain.activity import Activity, ActivityCatalog
from domain.provider import Provider
from services.personal_data import PersonalDataMapper, PersonalKeys


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class _Collected(ProcessingEvent[Any]):
    """The library's collection of pending events, without its runtime-protocol checks for our aggregates:
    `isinstance(obj, DomainEventProtocol)` then `CollectEventsProtocol` walk every attribute a protocol
    names, about a tenth of a batched append's CPU (issue 16, goal 3). An aggregate is collected as the
    library would; anything else goes the library's way."""

    def collect_events(self, *objs: Any, **kwargs: Any) -> None:
        for obj in objs:
            if isinstance(obj, BaseAggregate):
                self.events.extend(obj.collect_events())
                self.aggregates[obj.id] = obj
            elif obj is not None:
                super().collect_events(obj)
        self.saved_kwargs.update(kwargs)


class LogReads(ABC):
    """Reads of the stored log that the library's recorder does not offer, in the database's own SQL."""

    @abstractmethod
    def existing(self, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these aggregates are stored (have a first event)."""

    @abstractmethod
    def notifications_at(self, positions: Iterable[int]) -> list[Notification]:
        """The stored events at these log positions, in position order."""

    @abstractmethod
    def events_of(self, ids: Iterable[uuid.UUID]) -> list[StoredEvent]:
        """Every stored event of these aggregates, each aggregate's in version order."""


class ParsStore(Application[Any]):
    """The event store: aggregates in, ordered notifications out."""

    name = "PARS"
    # Accounts gain an event per sign-in and are loaded on every page request.
    snapshotting_intervals = {Provider: 100, Activity: 100, ActivityCatalog: 50, Account: 50}

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        self._appended = threading.Condition()
        self._log_reads: LogReads | None = None

    def construct_mapper(self) -> Mapper[Any]:
        # Seals learners' personal fields with per-learner keys (services/personal_data.py).
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=PersonalDataMapper)

    def use_personal_keys(self, keys: PersonalKeys) -> None:
        """Gives the mapper the key table that seals and erases learners' personal data."""
        mapper = self.mapper
        assert isinstance(mapper, PersonalDataMapper)
        mapper.keys = keys

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[Any]]:
        """The library's `Application.save` (record, snapshots, notify), collecting with `_Collected`."""
        processing_event = _Collected()
        processing_event.collect_events(*objs, **kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # the library's deprecated hook, still called as it calls it
        return recordings

    def _notify(self, recordings: Any) -> None:
        super()._notify(recordings)
        self.wake_waiters()

    def wait_for_append(self, timeout: float) -> None:
        """Wakes in-process projection runners as soon as something is saved here."""
        with self._appended:
            self._appended.wait(timeout)

    def wake_waiters(self) -> None:
        """Wakes whoever waits in `wait_for_append` now: an append, or a runner being stopped."""
        with self._appended:
            self._appended.notify_all()

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def use_log_reads(self, reads: LogReads) -> None:
        """Gives the store the reads of its log that need the database's own SQL (adapters/db/log_reads.py)."""
        self._log_reads = reads

    def existing(self, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these aggregates are stored (have a first event): one query per 500 ids, not one per id."""
        return self._reads().existing(ids)

    def notifications_at(self, positions: Iterable[int]) -> list[Notification]:
        """The stored events at these log positions, in position order: one query per 500 positions
        (an as-of replay reads one provider's events scattered through a large log)."""
        return self._reads().notifications_at(positions)

    def get_many(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Any]:
        """These aggregates, loaded with one query per 500 instead of two each (`repository.get` also looks for a
        snapshot): for aggregates that are never snapshotted (completions: a board's answers load a thousand at
        a time). An id with no events is left out."""
        events: dict[uuid.UUID, list[Any]] = {}
        for stored in self._reads().events_of(ids):
            key = (
                stored.originator_id if isinstance(stored.originator_id, uuid.UUID) else uuid.UUID(stored.originator_id)
            )
            events.setdefault(key, []).append(self.mapper.to_domain_event(stored))
        out: dict[uuid.UUID, Any] = {}
        for key, stream in events.items():
            aggregate = project_aggregate(None, stream)
            if aggregate is not None:
                out[key] = aggregate
        return out

    def _reads(self) -> LogReads:
        if self._log_reads is None:
            raise RuntimeError("ParsStore needs use_log_reads() to read stored rows directly (adapters/bootstrap.py)")
        return self._log_reads
