"""The relay's rounds against a recording publisher (the broker itself is in test_kafka.py): what each
message holds, where it goes, and that a failed round moves no position and is sent again whole."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.bootstrap import System
from adapters.db.relay_position import SqlRelayPosition
from projections.feeds import FeedProjection, with_learners
from services.feed_relay import RELAY_NAME, FeedRelay, Message, PositionMovedError
from tests.feeds.helpers import catch_up, delete, record, setup


class Recording:
    """Keeps what was flushed; `fail_after` sends, it raises (a broker that went away mid-round)."""

    def __init__(self, log: list[Message], fail_after: int | None = None, fail_flush: bool = False) -> None:
        self.log, self.fail_after, self.fail_flush = log, fail_after, fail_flush
        self.queued: list[Message] = []

    def send(self, message: Message) -> None:
        if self.fail_after is not None and len(self.queued) >= self.fail_after:
            raise ConnectionError("broker went away")
        message.encoded()  # every value is JSON-encodable
        self.queued.append(message)

    def flush(self) -> None:
        self.log += self.queued  # delivered, acknowledged or not
        if self.fail_flush:
            raise TimeoutError("no acknowledgement")
        self.queued = []

    def close(self) -> None:
        pass


def relay(system: System, publisher: Any, batch_size: int = 1000) -> FeedRelay:
    return FeedRelay(
        system.store,
        system.projections.get(FeedProjection),
        SqlRelayPosition(system.db, RELAY_NAME),
        lambda: publisher,
        batch_size=batch_size,
    )


def test_every_event_and_feed_item_is_published_with_keys_and_ids(any_system: System) -> None:
    ids = setup(any_system)
    record(any_system, ids, 2)
    delete(any_system, ids, "ccid:0004444:c0")
    catch_up(any_system)
    log: list[Message] = []
    assert relay(any_system, Recording(log)).catch_up() == any_system.store.head()

    events = [m for m in log if m.topic == "pars.events"]
    assert [m.value["position"] for m in events] == list(range(1, any_system.store.head() + 1))
    assert all(m.key == (m.value["accme_id"] or m.value["stream_id"]) for m in events)
    learners = [m for m in events if m.value["type"] == "Learner.Registered"]
    assert learners and all(
        m.value["data"] == {} and m.key == m.value["stream_id"] for m in learners
    )  # personal fields left out
    assert "García" not in json.dumps([m.value for m in events], ensure_ascii=False) and "MD12345" not in str(
        [m.value for m in events]
    )

    board = [m for m in log if m.topic == "pars.feed.board.ABIM"]
    view = any_system.projections.get(FeedProjection).view
    assert [m.value for m in board] == with_learners(
        view, view.page("board:ABIM", 0, 100)
    )  # the HTTP items, cursors and all
    assert {m.key for m in board} == {"ABIM"} and [m.value["type"] for m in board] == [
        "completion",
        "completion",
        "deletion",
    ]
    assert {m.topic for m in log} == {"pars.events", "pars.feed.board.ABIM", "pars.feed.state.TN"}
    # A feed item follows its event, and shares its id.
    for m in board:
        assert log.index(m) > next(i for i, e in enumerate(log) if e.topic == "pars.events" and e.id == m.id)
    assert len({m.id for m in events}) == len(events)


def test_the_relay_never_passes_the_feeds_projection(any_system: System) -> None:
    ids = setup(any_system)
    catch_up(any_system)
    record(any_system, ids, 3)  # stored, not yet projected into the feeds
    log: list[Message] = []
    r = relay(any_system, Recording(log))
    r.catch_up()
    assert r.position.get() == any_system.projections.position("feeds") == any_system.store.head() - 3
    assert not [m for m in log if m.topic.startswith("pars.feed.")]
    catch_up(any_system)
    r.catch_up()
    assert len([m for m in log if m.topic == "pars.feed.board.ABIM"]) == 3


@pytest.mark.parametrize("failure", [{"fail_after": 5}, {"fail_flush": True}])
def test_a_failed_round_moves_nothing_and_is_sent_again(any_system: System, failure: dict[str, Any]) -> None:
    ids = setup(any_system)
    record(any_system, ids, 4)
    catch_up(any_system)
    log: list[Message] = []
    position = SqlRelayPosition(any_system.db, RELAY_NAME)
    failing = relay(any_system, Recording(log, **failure), batch_size=10)
    with pytest.raises((ConnectionError, TimeoutError)):
        failing.run_round()
    assert position.get() == 0
    relay(any_system, Recording(log), batch_size=10).catch_up()
    assert position.get() == any_system.store.head()
    # Repeats only, each with its id: dropping repeats by id leaves the log in order, once each.
    unique: dict[tuple[str, str], Message] = {}
    for m in log:
        unique.setdefault((m.topic, m.id), m)
    events = [m for m in unique.values() if m.topic == "pars.events"]
    assert [m.value["position"] for m in events] == list(range(1, any_system.store.head() + 1))
    assert [m.value["seq"] for m in unique.values() if m.topic == "pars.feed.state.TN"] == [1, 2, 3, 4]


def test_the_position_moves_by_compare_and_set(any_system: System) -> None:
    position = SqlRelayPosition(any_system.db, RELAY_NAME)
    position.advance(0, 5)
    position.advance(5, 9)
    with pytest.raises(PositionMovedError):
        position.advance(5, 12)  # another relay got there first
    with pytest.raises(PositionMovedError):
        position.advance(0, 3)
    assert position.get() == 9
