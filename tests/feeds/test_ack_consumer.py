"""The Kafka answers' consumer against a scripted source (the broker itself is in test_kafka_acks.py): each
partition's offset commits with the `Acknowledged` events it produced, by compare-and-set; a repeat records
nothing; malformed records are refused, logged and passed; a crash before the commit leaves both unmoved
(SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import pytest

from adapters.bootstrap import System
from adapters.db.consumer_positions import SqlConsumerPositions
from adapters.kafka.acks import read_record
from domain.base import Acting, Channel
from domain.completion import Completion
from services.ack_consumer import CONSUMER_NAME, AckConsumer, AckMessage, PositionMove
from services.feed_relay import PositionMovedError
from tests.feeds.helpers import catch_up, delete, record, setup

TOPIC = "pars.acks.board.ABIM"


class Scripted:
    """A topic partition held in memory: `poll` hands out the records from the stored offset, as Kafka would."""

    def __init__(self, records: dict[tuple[str, int], list[bytes | None]]) -> None:
        self.records = records
        self.polls = 0

    def poll(self, positions: dict[tuple[str, int], int], timeout: float) -> list[AckMessage]:
        self.polls += 1
        out = []
        for (topic, partition), values in self.records.items():
            start = positions.get((topic, partition), 0)
            out += [read_record(topic, partition, o, v) for o, v in enumerate(values) if o >= start]
        return out

    def close(self) -> None:
        pass


def answer(item_id: str, status: str = "accepted", reason: str = "") -> dict[str, str]:
    return {"id": item_id, "status": status, "reason_code": "", "reason": reason}


def value(*answers: dict[str, str]) -> bytes:
    return json.dumps(list(answers)).encode()


@pytest.fixture
def fed(any_system: System) -> tuple[System, list[str]]:
    ids = setup(any_system)
    record(any_system, ids, 4)
    delete(any_system, ids, "ccid:0004444:c3")
    catch_up(any_system)
    items = [i["id"] for i in any_system.queries.feeds.page("board:ABIM", 0, 100)]
    return any_system, items


def consumer(system: System, source: Scripted) -> AckConsumer:
    return AckConsumer(system.completions, SqlConsumerPositions(system.db, CONSUMER_NAME), lambda: source)


def acknowledged(system: System) -> list[Any]:
    return [
        e
        for n in system.store.recorder.select_notifications(start=1, limit=10_000)
        if (e := system.store.mapper.to_domain_event(n)) and isinstance(e, Completion.Acknowledged)
    ]


def test_answers_are_applied_once_with_their_offsets_and_a_restart_applies_nothing_again(
    fed: tuple[System, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    system, items = fed
    c0, c1, c2 = items[0], items[1], items[2]
    source = Scripted(
        {
            (TOPIC, 0): [
                value(answer(c0), answer(c1, "rejected", "board ID not found")),
                b"{not json",
                json.dumps(answer(c2)).encode(),  # one answer on its own
                value(answer(c0)),  # the same answer again: nothing new
                value({"id": c1, "status": "maybe"}),  # a status boards do not give
                value(answer(items[-1])),  # the deletion item: only records are answered
                None,
            ],
            (TOPIC, 1): [value(answer(c1, "accepted"))],  # the board changed its mind, on another partition
        }
    )
    with caplog.at_level(logging.WARNING, logger="services.ack_consumer"):
        report = consumer(system, source).run_round()
    assert (report.messages, report.recorded, report.unchanged, report.refused) == (8, 4, 1, 4)
    assert SqlConsumerPositions(system.db, CONSUMER_NAME).get() == {(TOPIC, 0): 7, (TOPIC, 1): 1}
    answers = [(e.item_id, e.status, e.actor, e.channel) for e in acknowledged(system)]
    assert answers == [
        (c0, "accepted", "board:ABIM:kafka", "kafka"),
        (c1, "rejected", "board:ABIM:kafka", "kafka"),
        (c2, "accepted", "board:ABIM:kafka", "kafka"),
        (c1, "accepted", "board:ABIM:kafka", "kafka"),
    ]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"{TOPIC}[0]@1: the value is not JSON" in logged
    assert f"{TOPIC}[0]@4" in logged and "status is accepted or rejected" in logged
    assert "is a deletion: only records are answered" in logged
    assert f"{TOPIC}[0]@6: the record has no value" in logged

    # A new consumer (a restart) reads from the stored offsets: nothing is applied twice.
    head = system.store.head()
    again = consumer(system, source).run_round()
    assert again.messages == 0 and system.store.head() == head
    # Answers given before, read again from the start (a consumer with no offsets): each one unchanged, no event.
    repeats = Scripted({(TOPIC, 0): [value(answer(c0), answer(c2))], (TOPIC, 1): [value(answer(c1))]})
    replay = AckConsumer(
        system.completions, SqlConsumerPositions(system.db, "another"), lambda: repeats, name="another"
    )
    assert (replay.run_round().unchanged, system.store.head()) == (3, head)


def test_an_offset_moved_by_another_consumer_saves_nothing(fed: tuple[System, list[str]]) -> None:
    system, items = fed
    head = system.store.head()
    first = PositionMove(CONSUMER_NAME, TOPIC, 0, None, 3)
    system.store.save(consumer_positions=[first])  # no events: the offset alone
    assert SqlConsumerPositions(system.db, CONSUMER_NAME).get() == {(TOPIC, 0): 3}

    def answered() -> Completion:
        completion: Completion = system.store.get_many([uuid.UUID(items[0].split(":")[0])])[
            uuid.UUID(items[0].split(":")[0])
        ]
        assert completion.acknowledge("board:ABIM", items[0], 1, "accepted", "", "", _by())
        return completion

    for stale in (PositionMove(CONSUMER_NAME, TOPIC, 0, None, 5), PositionMove(CONSUMER_NAME, TOPIC, 0, 2, 5)):
        with pytest.raises(PositionMovedError):
            system.store.save(answered(), consumer_positions=[stale])
        assert system.store.head() == head  # the event was not saved either
    system.store.save(answered(), consumer_positions=[PositionMove(CONSUMER_NAME, TOPIC, 0, 3, 5)])
    assert system.store.head() == head + 1
    assert SqlConsumerPositions(system.db, CONSUMER_NAME).get() == {(TOPIC, 0): 5}


def test_a_failure_before_the_commit_leaves_events_and_offsets_unmoved(
    fed: tuple[System, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    system, items = fed
    source = Scripted({(TOPIC, 0): [value(answer(items[0])), value(answer(items[1]))]})
    head = system.store.head()
    calls = {"n": 0}
    original = system.store.save

    def crash(*objs: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        raise ConnectionError("the database went away")

    monkeypatch.setattr(system.store, "save", crash)
    with pytest.raises(ConnectionError):
        consumer(system, source).run_round()
    assert system.store.head() == head and SqlConsumerPositions(system.db, CONSUMER_NAME).get() == {}
    monkeypatch.setattr(system.store, "save", original)
    report = consumer(system, source).run_round()
    assert report.recorded == 2 and len(acknowledged(system)) == 2


def test_a_partition_is_applied_in_runs_of_at_most_a_thousand_answers(fed: tuple[System, list[str]]) -> None:
    system, items = fed
    # 600 answers a record: 2 records make 1,200, so two transactions, each with its own offset.
    big = value(*[answer(items[0])] * 600)
    source = Scripted({(TOPIC, 0): [big, big, value(answer(items[1]))]})
    saves: list[list[PositionMove]] = []
    original = system.store.save

    def spy(*objs: Any, **kwargs: Any) -> Any:
        saves.append(kwargs.get("consumer_positions", []))
        return original(*objs, **kwargs)

    system.store.save = spy  # type: ignore[method-assign]
    try:
        report = consumer(system, source).run_round()
    finally:
        system.store.save = original  # type: ignore[method-assign]
    assert [(m.expected, m.to) for moves in saves for m in moves] == [(None, 1), (1, 3)]
    assert report.recorded == 2 and report.unchanged == 1199


def test_records_of_an_unknown_board_are_refused() -> None:
    message = read_record("pars.acks.board.ABXYZ", 0, 9, value(answer("x")))
    assert message.refusal == "no certifying board feed 'ABXYZ'"
    message = read_record("pars.acks.state.TN", 0, 0, value({"id": "x", "status": "accepted"}))
    assert message.refusal is None and message.answers[0].loc == ["id"]  # type: ignore[union-attr]


def _by() -> Acting:
    return Acting("board:ABIM:kafka", Channel.KAFKA)
