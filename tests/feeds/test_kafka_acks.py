"""Boards' answers on Kafka against a real Kafka-protocol broker (Tansu): applied from the offsets stored beside
the events, a malformed record refused without stopping the consumer, a restart that applies nothing again, and
`pars feeds relay` killed with -9 mid-batch: after the restart every answer is applied exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from typing import Any

import pytest

from adapters.bootstrap import System
from adapters.db.consumer_positions import SqlConsumerPositions
from adapters.formats.accme.learner_reports import report_completions
from adapters.kafka.relay import kafka_acks
from domain.completion import Completion
from services.ack_consumer import CONSUMER_NAME
from tests.completions.helpers import report
from tests.feeds.conftest import Broker
from tests.feeds.helpers import BY, catch_up, record, setup
from tests.feeds.test_kafka import _pars, wait_for

pytestmark = pytest.mark.kafka
TOPIC = "pars.acks.board.ABIM"


def produce(bootstrap: str, topic: str, values: list[bytes | None], partition: int = 0) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5, client_id="board-test")
    try:
        for v in values:
            producer.send(topic, value=v, key=b"ABIM", partition=partition)
        producer.flush(10)
    finally:
        producer.close()


def answers(system: System) -> list[Any]:
    return [
        e
        for n in system.store.recorder.select_notifications(start=1, limit=100_000)
        if isinstance(e := system.store.mapper.to_domain_event(n), Completion.Acknowledged)
    ]


def feed_items(system: System) -> list[str]:
    out: list[str] = []
    while page := system.queries.feeds.page("board:ABIM", len(out), 1000):
        out += [i["id"] for i in page]
    return out


def test_answers_on_the_topic_are_applied_once_and_a_restart_applies_nothing_again(
    system: System, broker: Broker
) -> None:
    ids = setup(system)
    record(system, ids, 3)
    catch_up(system)
    items = feed_items(system)
    produce(
        broker.bootstrap,
        TOPIC,
        [
            json.dumps([{"id": items[0], "status": "accepted"}]).encode(),
            b"<ack>not json</ack>",  # refused, logged, passed
            json.dumps({"id": items[1], "status": "rejected", "reason": "name mismatch"}).encode(),
            json.dumps([{"id": items[0], "status": "accepted"}]).encode(),  # a repeat: nothing new
        ],
    )
    consumer = kafka_acks(system, broker.bootstrap)
    consumer.start()
    positions = SqlConsumerPositions(system.db, CONSUMER_NAME)
    try:
        wait_for(lambda: positions.get().get((TOPIC, 0)) == 4, what="the four records applied")
        produce(broker.bootstrap, TOPIC, [json.dumps([{"id": items[2], "status": "accepted"}]).encode()])
        wait_for(lambda: positions.get().get((TOPIC, 0)) == 5, what="a record sent while it runs")
    finally:
        consumer.stop()
    got = [(e.item_id, e.status, e.reason, e.channel) for e in answers(system)]
    assert got == [
        (items[0], "accepted", "", "kafka"),
        (items[1], "rejected", "name mismatch", "kafka"),
        (items[2], "accepted", "", "kafka"),
    ]
    head = system.store.head()
    # Restarted: it reads on from the stored offsets, so nothing is applied again.
    restarted = kafka_acks(system, broker.bootstrap)
    try:
        for _ in range(5):
            restarted.run_round(timeout=0.5)
    finally:
        restarted.stop()
    assert system.store.head() == head and positions.get() == {(TOPIC, 0): 5}


def test_relay_process_killed_mid_batch_applies_every_answer_exactly_once(
    system: System, broker: Broker, sqlite_url: str
) -> None:
    ids = setup(system)
    reports = [report(ids["activity"], credit_id=f"ccid:0004444:k{i}") for i in range(2000)]
    assert {r.action for r in system.completions.handle(report_completions("0004444", reports), BY)} == {"added"}
    catch_up(system)
    items = feed_items(system)
    assert len(items) == 2000
    # 2,000 records of 1 answer each, 3 in 4 accepted: 2,000 answers for the consumer's runs of at most 1,000.
    produce(
        broker.bootstrap,
        TOPIC,
        [
            json.dumps(
                [{"id": item, "status": "accepted"} if n % 4 else {"id": item, "status": "rejected", "reason": "x"}]
            ).encode()
            for n, item in enumerate(items)
        ],
    )
    env = {
        **os.environ,
        "PARS_DATABASE_URL": sqlite_url,
        "PARS_KAFKA_BOOTSTRAP": broker.bootstrap,
        "PARS_SECRET_KEY": "test-secret-key",
    }
    positions = SqlConsumerPositions(system.db, CONSUMER_NAME)
    command = [*_pars(), "feeds", "relay", "--batch-size", "100"]
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(
            lambda: positions.get().get((TOPIC, 0), 0) > 0 or first.poll() is not None,
            timeout=60,
            what="the first answers applied",
        )
        os.kill(first.pid, signal.SIGKILL)  # mid-stream: the records after the stored offset were being applied
        first.wait(5)
        killed_at = positions.get().get((TOPIC, 0), 0)
        assert 0 < killed_at < 2000, killed_at
        applied = len(answers(system))
        assert applied == killed_at  # the events and the offset committed together: none without the other
        second = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for(lambda: positions.get().get((TOPIC, 0)) == 2000, timeout=90, what="the restarted consumer")
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    got = answers(system)
    assert len(got) == 2000 and len({e.item_id for e in got}) == 2000  # each answer applied exactly once
    assert sum(e.status == "rejected" for e in got) == 500
