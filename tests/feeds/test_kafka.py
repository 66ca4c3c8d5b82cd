"""The relay against a real Kafka-protocol broker (Tansu): delivery to every topic with keys and ids, a
broker outage while completions keep coming, and a relay process killed with -9 mid-batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from adapters.bootstrap import System
from adapters.db.relay_position import SqlRelayPosition
from adapters.formats.accme.learner_reports import report_completions
from adapters.kafka.relay import kafka_relay
from projections.feeds import FeedProjection, encode_cursor
from services.feed_relay import RELAY_NAME
from tests.completions.helpers import report
from tests.feeds.conftest import Broker, drain
from tests.feeds.helpers import BY, catch_up, delete, record, setup

pytestmark = pytest.mark.kafka
TOPICS = ["pars.events", "pars.feed.board.ABIM", "pars.feed.state.TN", "pars.feed.state.NC"]


def by_topic(*drains: list[Any]) -> dict[str, list[dict[str, Any]]]:
    """Each topic's values in partition order, drain after drain, repeats dropped by the id header (first kept)."""
    seen: set[tuple[str, str]] = set()
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    ordered = [r for records in drains for r in sorted(records, key=lambda r: (r.topic, r.partition, r.offset))]
    for r in ordered:
        ident = dict(r.headers)["id"].decode()
        value = json.loads(r.value)
        assert value["id"] == ident  # the id travels in the header and in the value
        if (r.topic, ident) not in seen:
            seen.add((r.topic, ident))
            out[r.topic].append(value)
    return out


def assert_complete(system: System, topics: dict[str, list[dict[str, Any]]]) -> None:
    """Every event once, in log order; every feed item once, in seq order, as the HTTP feed has it."""
    head = system.store.head()
    events = sorted(
        topics["pars.events"], key=lambda v: v["position"]
    )  # partitions interleave; per key order checked below
    assert [v["position"] for v in events] == list(range(1, head + 1))
    per_key: dict[str, list[int]] = defaultdict(list)
    for v in topics["pars.events"]:
        per_key[v["accme_id"] or v["stream_id"]].append(v["position"])
    assert all(p == sorted(p) for p in per_key.values())
    view = system.projections.get(FeedProjection).view
    for topic, feed in (
        ("pars.feed.board.ABIM", "board:ABIM"),
        ("pars.feed.state.TN", "state:TN"),
        ("pars.feed.state.NC", "state:NC"),
    ):
        assert [v["seq"] for v in topics[topic]] == list(range(1, view.head(feed) + 1)), topic
        assert [v["cursor"] for v in topics[topic]] == [
            encode_cursor(feed, r["seq"]) for r in view.page(feed, 0, 100_000)
        ]


def wait_for(condition: Any, timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_every_event_and_feed_item_reaches_its_topic_with_key_and_id(system: System, broker: Broker) -> None:
    ids = setup(system)
    record(system, ids, 3)
    delete(system, ids, "ccid:0004444:c1")
    record(system, ids, 2, learner="ben", moc=False, prefix="b")
    catch_up(system)
    relay = kafka_relay(system, broker.bootstrap)
    try:
        assert relay.catch_up() == system.store.head()
    finally:
        relay.stop()
    records = drain(broker.bootstrap, TOPICS, expected=system.store.head() + 4 + 4 + 2)
    topics = by_topic(records)
    assert_complete(system, topics)
    keys = {(r.topic, r.key.decode()) for r in records if r.topic.startswith("pars.feed.")}
    assert keys == {("pars.feed.board.ABIM", "ABIM"), ("pars.feed.state.TN", "TN"), ("pars.feed.state.NC", "NC")}
    assert {r.key.decode() for r in records if r.topic == "pars.events" and json.loads(r.value)["accme_id"]} == {
        "0004444",
        "0005555",
    }
    abim = topics["pars.feed.board.ABIM"]
    assert [v["type"] for v in abim] == ["completion", "completion", "completion", "deletion"]
    assert abim[0]["learner"]["board_id"] == "123456" and abim[0]["points"] == 2.0


def test_broker_outage_appends_go_on_and_everything_arrives_after_restart(system: System, broker: Broker) -> None:
    ids = setup(system)
    system.projections.start()
    relay = kafka_relay(system, broker.bootstrap, max_backoff=0.5, timeout_ms=2000)  # notice the outage fast
    relay.start()
    position = SqlRelayPosition(system.db, RELAY_NAME)
    try:
        record(system, ids, 4)
        wait_for(lambda: position.get() == system.store.head(), what="the relay before the outage")
        before = drain(broker.bootstrap, TOPICS, expected=system.store.head() + 8)

        broker.stop()
        record(system, ids, 4, prefix="down")  # appends go on while the broker is away
        delete(system, ids, "ccid:0004444:down0")
        record(system, ids, 2, learner="ben", moc=False, prefix="b")
        wait_for(lambda: relay.last_error is not None, what="the relay to notice the outage")
        stuck = position.get()
        assert stuck < system.store.head()

        broker.start()  # same port, empty (memory storage): it gets what the relay had not delivered
        wait_for(lambda: position.get() == system.store.head(), what="the relay after the restart")
        after = drain(broker.bootstrap, TOPICS, expected=system.store.head() - stuck + 5 + 5 + 2)
    finally:
        relay.stop()
        system.projections.stop()
    assert_complete(system, by_topic(before, after))
    assert relay.last_error is None


def _pars() -> list[str]:
    script = Path(sys.executable).with_name("pars")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from adapters.cli.main import app; app()"]


def test_relay_killed_mid_batch_resumes_and_consumers_see_only_repeats(
    system: System, broker: Broker, sqlite_url: str
) -> None:
    ids = setup(system)
    reports = [report(ids["activity"], credit_id=f"ccid:0004444:k{i}") for i in range(1500)]
    results = system.completions.handle(report_completions("0004444", reports), BY)
    assert {r.action for r in results} == {"added"}
    catch_up(system)
    head = system.store.head()
    env = {
        **os.environ,
        "PARS_DATABASE_URL": sqlite_url,
        "PARS_KAFKA_BOOTSTRAP": broker.bootstrap,
        "PARS_SECRET_KEY": "test-secret-key",
    }
    command = [*_pars(), "feeds", "relay", "--batch-size", "100"]
    position = SqlRelayPosition(system.db, RELAY_NAME)

    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: position.get() >= 300 or first.poll() is not None, what="the relay's first rounds")
        os.kill(first.pid, signal.SIGKILL)  # mid-stream: rounds after the stored position were being sent
        first.wait(5)
        killed_at = position.get()
        assert killed_at < head, "the relay finished before it could be killed"

        second = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for(lambda: position.get() == head, timeout=60, what="the restarted relay")
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    records = drain(broker.bootstrap, TOPICS, expected=head + 1500 + 1500, timeout=30)
    topics = by_topic(records)
    assert_complete(system, topics)
    # At most repeats: whatever was sent twice came with the same id, and nothing else was extra.
    assert len(records) >= head + 3000


def test_pars_serve_relays_in_a_thread_when_a_broker_is_configured(sqlite_url: str, broker: Broker) -> None:
    from fastapi.testclient import TestClient

    from adapters.app import create_app
    from adapters.bootstrap import bootstrap
    from adapters.settings import Settings

    system = bootstrap(
        Settings(database_url=sqlite_url, secret_key="test-secret-key", kafka_bootstrap=broker.bootstrap)
    )
    try:
        with TestClient(create_app(system)):
            ids = setup(system, running=True)
            record(system, ids, 2)
            position = SqlRelayPosition(system.db, RELAY_NAME)
            wait_for(lambda: position.get() == system.store.head(), what="the in-process relay")
        topics = by_topic(drain(broker.bootstrap, TOPICS, expected=system.store.head() + 2 + 2))
        assert_complete(system, topics)
    finally:
        system.close()
