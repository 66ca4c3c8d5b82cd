"""What every PARS read model shares: batched, tracked, rebuildable views."""

from __future__ import annotations

import dataclasses
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, TypeVar
from uuid import UUID

from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.projection import Projection

#: Fields every event carries; the rest of its fields are its data.
ENVELOPE_FIELDS = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic", "accme_id", "actor", "channel"}
)


class ProjectionView(TrackingRecorder, ABC):
    """A tracked read model whose rows and position commit together."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Any]:
        """Opens (or joins) the transaction that a batch of events is applied in."""

    @abstractmethod
    def reset(self) -> None:
        """Deletes every row and the tracked position, ready for a rebuild from zero."""

    @abstractmethod
    def claim(self, application_name: str, *, wait: bool = True) -> int | None:
        """Inside the view's transaction: takes the read model's write lock (several processes may
        run it) and returns its position as committed now; None when `wait` is off and another
        process holds the lock."""

    def tracking_key(self) -> object:
        """Views with equal keys keep their positions in one table: `positions` and `skip_to` may take them
        together (one statement for many read models)."""
        return self

    def positions(self, names: Sequence[str], application_name: str) -> dict[str, int]:
        """The committed positions of the named read models of this view's tracking table, read at once."""
        return {name: self.max_tracking_id(application_name) or 0 for name in names}

    def skip_to(self, names: Sequence[str], application_name: str, after: int, last: int) -> set[str]:
        """Moves the named read models from `after` (or further, short of `last`) to `last` in one transaction,
        over a page of the log none of them has a handler for; returns those it moved. One that another
        process is applying a page of, or that is behind `after`, or has no position yet, is left alone (the
        runner's usual path takes it)."""
        return set()

    @abstractmethod
    def aside(self) -> AbstractContextManager[ProjectionView]:
        """An empty copy of this read model beside the live one, for a rebuild; dropped on exit."""

    @abstractmethod
    def replace_with(self, copy: ProjectionView, application_name: str, finish: Callable[[], object]) -> bool:
        """Replaces this read model's rows and position with `copy`'s in one transaction under the
        read model's lock, so readers see the old model or the new one, never a mix. `finish` brings
        the copy to the head while live writers wait, where the database allows it; False (nothing
        changed) when the copy is still behind the live read model: catch it up and try again."""


TView = TypeVar("TView", bound=ProjectionView)


class ParsProjection(Projection[TView], Generic[TView]):
    """A projection over the PARS log; unknown events only advance the position."""

    #: True when the events it has no handler for only advance its position (its fallback handler
    #: only inserts tracking): the runner then tracks them without decoding them, which is most of
    #: the work when a 100,000-completion batch passes a read model that ignores completions.
    skips_unhandled: bool = False

    #: True when it takes each page of the log whole (`process_page`): every event of the page
    #: decoded, beside the notification as stored (the event chain hashes the stored bytes; the feeds
    #: look up a page's learners and activities at once). Otherwise the runner calls `process_event`.
    processes_pages: bool = False

    #: False when `pars projections rebuild` without a name leaves it alone (feeds: consumers hold
    #: cursors into them; the event chain: a rebuild would bless a tampered row).
    rebuild_by_default: bool = True

    #: What its rebuild costs beside the others' (CPU time per event of the log, roughly, as rebuilding each
    #: alone on a store of completions measured; 1: a read model that skips most events), for sharing the
    #: read models out among a rebuild's worker processes.
    rebuild_weight: int = 1

    def process_page(self, page: Sequence[tuple[Any, Any, Tracking]]) -> None:
        """Applies a page of (stored notification, domain event, tracking) inside the view's
        transaction; the runner calls it when `processes_pages` is set. By default, each event in turn."""
        for _, domain_event, tracking in page:
            self.handle(domain_event, tracking)

    def handle(self, domain_event: Any, tracking: Tracking) -> None:
        """`process_event(domain_event, tracking)`, its handler looked up once per event class: the
        singledispatchmethod builds a new bound function (functools.update_wrapper) on every attribute
        access, which was a tenth of a rebuild's time. What the runner and `process_page` call."""
        handlers = self.__dict__.get("_handler_map")
        if handlers is None:
            handlers = self.__dict__["_handler_map"] = self._handlers
        cls = type(domain_event)
        handler = handlers.get(cls)
        if handler is None:
            handler = handlers[cls] = self._handler_for(cls)
        handler(self, domain_event, tracking)

    @property
    def _handlers(self) -> dict[type, Callable[..., None]]:
        cache = type(self).__dict__.get("_handler_cache")
        if cache is None:
            cache = {}
            type.__setattr__(type(self), "_handler_cache", cache)
        return cache

    def _handler_for(self, cls: type) -> Callable[..., None]:
        """The function `process_event` dispatches an event of `cls` to, called with (self, event, tracking)."""
        self.process_event  # noqa: B018 - the library registers handlers it deferred on first access
        dispatch = next(k.__dict__["process_event"] for k in type(self).__mro__ if "process_event" in k.__dict__)
        dispatcher = getattr(dispatch, "dispatcher", None)
        if dispatcher is None:  # a plain method
            return dispatch
        return dispatcher.dispatch(cls)

    def handled_types(self) -> tuple[type, ...]:
        """The event classes it registers handlers for (subclasses included)."""
        dispatch = next(
            (k.__dict__["process_event"] for k in type(self).__mro__ if "process_event" in k.__dict__), None
        )
        registry = getattr(getattr(dispatch, "dispatcher", None), "registry", None)
        if registry is None:  # not a singledispatchmethod: its handlers cannot be known
            raise TypeError(
                f"{type(self).__name__}.process_event is not a singledispatchmethod; leave skips_unhandled off"
            )
        return tuple(cls for cls in registry if cls is not object)

    @property
    def position(self) -> int:
        return self.view.max_tracking_id(APPLICATION_NAME) or 0


APPLICATION_NAME = "PARS"


def event_type(domain_event: Any) -> str:
    """`Provider.ContactAssigned`: aggregate and event, as auditors and feeds name it."""
    return type(domain_event).__qualname__


_DATA_FIELDS: dict[type, tuple[str, ...]] = {}


def event_data(domain_event: Any) -> dict[str, Any]:
    """The event's own fields as JSON-ready values (the envelope fields left out)."""
    cls = type(domain_event)
    names = _DATA_FIELDS.get(cls)
    if names is None:  # once per event class, not once per event
        names = _DATA_FIELDS[cls] = tuple(
            f.name for f in dataclasses.fields(domain_event) if f.name not in ENVELOPE_FIELDS
        )
    state = vars(domain_event)  # a frozen dataclass keeps its fields in its __dict__
    plain = _PLAIN
    try:
        return {name: v if type(v := state[name]) in plain else to_jsonable(v) for name in names}
    except KeyError:  # stored before a field with a default was added: the class gives the default
        return {name: to_jsonable(getattr(domain_event, name)) for name in names}


#: Values JSON takes as they are: answered before any isinstance test (most of an event's values)
_PLAIN = frozenset({str, int, float, bool, type(None)})


def to_jsonable(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    plain = _PLAIN
    # exact dicts and lists (the credits of every completion): their plain members taken without a call each
    if kind is dict:
        return {k if type(k) is str else str(k): v if type(v) in plain else to_jsonable(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in plain else to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def dumps(value: Any) -> str:
    return json.dumps(to_jsonable(value), separators=(",", ":"), sort_keys=True)


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
