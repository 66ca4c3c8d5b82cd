"""The relay: publishes every event and every feed item from a durable position in the event store.

Its position is the last notification id it has delivered, stored in the database beside the
projections' positions (`projection_tracking`, name `kafka_relay`). One round: read the events
after the position (never past the feeds projection's position, so their feed items exist), send
each event to `pars.events` and each of its feed items to its feed's topic, wait until the broker
acknowledged every message (acks=all), and only then move the position. A crash or an outage
between sending and moving the position sends the round again: at least once, never lost, and
each message carries a stable id (the event's stream id:version) so consumers drop repeats.

Order: messages go out in log order, one request in flight per connection, so each key's
messages arrive in order. Keys: `pars.events` by the provider's ACCME ID (a provider's events stay
in order; events of no provider, such as learners', by their stream id); a feed's topic by the
feed, so the whole feed is one ordered partition.

Personal data: `pars.events` carries no learner personal field (those are sealed in the store and
erasable; they are left out of the message). Feed items carry the learner fields the board needs,
read from the learner directory when sent, as the HTTP feed does.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from projections.base import event_data, event_type, to_jsonable
from projections.feeds import FeedProjection, item_id, with_learners
from services.store import ParsStore

log = logging.getLogger(__name__)

EVENTS_TOPIC = "pars.events"
RELAY_NAME = "kafka_relay"
BATCH_SIZE = 1000
IDLE_POLL_SECONDS = 0.05  # appends of other processes are noticed this fast
BEHIND_POLL_SECONDS = 0.01  # events stored, their feed items not yet: check again soon


def feed_topic(feed: str) -> str:
    """`board:ABIM` -> `pars.feed.board.ABIM`."""
    return "pars.feed." + feed.replace(":", ".")


@dataclass(frozen=True)
class Message:
    topic: str
    key: str
    id: str
    value: dict[str, Any]

    def encoded(self) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
        """Key, JSON value and headers as bytes; the id is a header too, so consumers need not parse."""
        value = json.dumps(self.value, separators=(",", ":"), ensure_ascii=False).encode()
        return self.key.encode(), value, [("id", self.id.encode())]


class Publisher(Protocol):
    """A connection to the broker (adapters/kafka/publisher.py)."""

    def send(self, message: Message) -> None:
        """Queues one message; may raise when the broker cannot be reached."""

    def flush(self) -> None:
        """Returns once every queued message is acknowledged by the broker; raises if any was not."""

    def close(self) -> None:
        """Drops the connection (and whatever it had not sent)."""


class RelayPosition(Protocol):
    def get(self) -> int:
        """The last notification id delivered (0: none)."""

    def advance(self, expected: int, to: int) -> None:
        """Moves the position from `expected` to `to`; raises PositionMovedError if it is not at `expected`."""


class PositionMovedError(Exception):
    """Raised when another relay moved the stored position first (it delivered that round)."""


def event_message(domain_event: Any, position: int) -> Message:
    """An event as `pars.events` carries it: its envelope and data, without personal fields."""
    personal = getattr(type(domain_event), "personal_fields", None) or {}
    data = {k: v for k, v in event_data(domain_event).items() if k not in personal}
    accme_id = getattr(domain_event, "accme_id", None)
    ident = item_id(domain_event)
    value = {
        "id": ident,
        "position": position,
        "type": event_type(domain_event),
        "stream_id": str(domain_event.originator_id),
        "version": domain_event.originator_version,
        "time": to_jsonable(domain_event.timestamp),
        "accme_id": accme_id,
        "actor": getattr(domain_event, "actor", None),
        "channel": getattr(domain_event, "channel", None),
        "data": data,
    }
    return Message(EVENTS_TOPIC, accme_id or str(domain_event.originator_id), ident, value)


def feed_message(item: dict[str, Any], feed: str) -> Message:
    return Message(feed_topic(feed), feed.split(":", 1)[1], item["id"], item)


class FeedRelay:
    """Publishes the log and the feeds; `run_round` once, or `start`/`stop` a thread that keeps at it."""

    def __init__(
        self,
        store: ParsStore,
        feeds: FeedProjection,
        position: RelayPosition,
        connect: Callable[[], Publisher],
        batch_size: int = BATCH_SIZE,
        max_backoff: float = 5.0,
    ) -> None:
        self.store = store
        self.feeds = feeds
        self.position = position
        self.connect = connect
        self.batch_size = batch_size
        self.max_backoff = max_backoff
        self.publisher: Publisher | None = None
        self.last_error: BaseException | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def messages(self, after: int, upto: int) -> tuple[int, list[Message]]:
        """The messages of the events after `after` (at most batch_size of them, none past `upto`):
        each event's message, then its feed items'; and the last position they cover."""
        notifications = self.store.recorder.select_notifications(start=after + 1, limit=self.batch_size, stop=upto)
        if not notifications:
            return after, []
        last = notifications[-1].id
        rows = self.feeds.view.between(notifications[0].id, last)
        items: dict[int, list[tuple[str, dict[str, Any]]]] = {}
        for row, item in zip(rows, with_learners(self.feeds.view, rows), strict=True):
            items.setdefault(row["position"], []).append((row["feed"], item))
        out: list[Message] = []
        for notification in notifications:
            out.append(event_message(self.store.mapper.to_domain_event(notification), notification.id))
            out += [feed_message(item, feed) for feed, item in items.get(notification.id, [])]
        return last, out

    def run_round(self) -> int:
        """Delivers the next batch of events and their feed items; returns how far the position moved (0: caught up)."""
        after = self.position.get()
        upto = self.feeds.position
        if upto <= after:
            return 0
        last, messages = self.messages(after, upto)
        if not messages:
            return 0
        if self.publisher is None:
            self.publisher = self.connect()
        for message in messages:
            self.publisher.send(message)
        self.publisher.flush()  # every message acknowledged (acks=all) before the position moves
        self.position.advance(after, last)
        return last - after

    def catch_up(self) -> int:
        total = 0
        while delivered := self.run_round():
            total += delivered
        return total

    # --- the long-running loop -----------------------------------------------------------------

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self.run, name="kafka-relay", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self.store.wake_waiters()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._disconnect()

    def run(self) -> None:
        """Until stopped: deliver, wait for more; on any failure drop the connection, back off and retry."""
        backoff = 0.1
        while not self._stopping.is_set():
            try:
                if self.run_round():
                    backoff = 0.1
                    self.last_error = None
                    continue
            except PositionMovedError:
                continue  # another relay delivered that round; carry on from its position
            except Exception as error:  # noqa: BLE001 - broker down, timeouts: appends go on, we retry
                self.last_error = error
                log.warning("kafka relay: %s; retrying in %.1fs", type(error).__name__, backoff)
                self._disconnect()
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            self.last_error = None
            behind = self.store.head() > self.position.get()
            if behind:
                self._stopping.wait(BEHIND_POLL_SECONDS)
            else:
                self.store.wait_for_append(IDLE_POLL_SECONDS)

    def _disconnect(self) -> None:
        publisher, self.publisher = self.publisher, None
        if publisher is not None:
            try:
                publisher.close()
            except Exception:  # closing a connection to a broker that is gone may fail too
                log.debug("kafka relay: close failed", exc_info=True)
