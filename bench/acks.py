"""Boards' acknowledgements: how fast a board's answers are recorded, how soon they reach the provider's roster at
500 answers/s, and how fast a backlog of answers is applied and caught up.

Set-up: completions with ABIM MOC (consent attested) are stored and every read model caught up; ABIM answers its
feed's items (75% accepted, 25% rejected with a reason), each request as `POST /api/v1/feeds/boards/ABIM/
acknowledgements` (and the Kafka consumer, a run of records) hands it to `CompletionRegistry`.

1. Throughput: `--records` answers in requests of `--batch`, the roster (record_status) caught up after each in
   this process; the same again on other items with the completions loaded one at a time (`repository.get`, as
   before answers were loaded at once), for the ratio in one run.
2. Latency at `--rate` answers/s (requests of `--rate`/10 every 100 ms) with the projections running in their
   thread as in `pars serve`: from the request to the roster's read model holding it, median and p99.
3. Catch-up: `--backlog` answers (100,000 by default) applied as the Kafka consumer applies a backlog (runs of
   1,000 answers, one transaction each) with the projections stopped, then the roster's read model caught up.

    python -m bench acks [--records 10000] [--batch 1000] [--rate 500] [--seconds 10] [--backlog 100000]
                         [--backend sqlite|postgres]
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from pathlib import Path
from typing import Any

from adapters.bootstrap import System, bootstrap
from adapters.settings import Settings
from bench.feeds import completions, populate, summary_ms
from bench.scratch import fresh_database
from commands.completions import AcknowledgeItems, Acknowledgement
from domain.base import Acting, Channel

RESULTS = Path(__file__).parent / "results" / "acks.json"
BOARD = Acting("board:ABIM:bench", Channel.WEB_SERVICE)


def answers_for(items: list[dict[str, Any]], start: int) -> list[Acknowledgement]:
    return [
        Acknowledgement(i["id"], "accepted")
        if n % 4
        else Acknowledgement(i["id"], "rejected", "BOARD_ID_NOT_FOUND", "board ID not found")
        for n, i in enumerate(items, start=start)
    ]


def answer(system: System, items: list[dict[str, Any]], start: int = 0) -> list[Any]:
    results = system.completions.handle(
        AcknowledgeItems(kind="board", code="ABIM", answers=answers_for(items, start)), BOARD
    )
    assert all(r.outcome == "recorded" for r in results), [r.errors for r in results if r.errors][:3]
    return results


def throughput(system: System, items: list[dict[str, Any]], batch: int) -> dict[str, Any]:
    commands, to_roster = [], []
    began = time.perf_counter()
    for start in range(0, len(items), batch):
        t0 = time.perf_counter()
        answer(system, items[start : start + batch], start)
        t1 = time.perf_counter()
        system.projections.catch_up(["record_status"])
        commands.append(t1 - t0)
        to_roster.append(time.perf_counter() - t0)
    total = time.perf_counter() - began
    return {
        "answers": len(items),
        "answers_per_request": batch,
        "answers_per_s": round(len(items) / total),
        "request_command": summary_ms(commands),
        "request_to_roster": summary_ms(to_roster),
    }


def one_at_a_time(system: System) -> Any:
    """The completions loaded one by one, as the registry did before it loaded a request's at once."""
    store = system.store
    original = store.get_many

    def get_each(ids: Any) -> dict[Any, Any]:
        return {key: store.repository.get(key) for key in ids}

    store.get_many = get_each  # type: ignore[method-assign]
    return lambda: setattr(store, "get_many", original)


def paced(system: System, items: list[dict[str, Any]], rate: int) -> dict[str, Any]:
    """Open loop: a request of rate/10 answers every 100 ms; a watcher notes when the roster holds each."""
    per_request = max(1, rate // 10)
    pending: list[tuple[float, int]] = []
    latencies: list[float] = []
    lock = threading.Lock()
    done = threading.Event()

    def watch() -> None:
        while not (done.is_set() and not pending):
            at = system.projections.position("record_status")
            now = time.perf_counter()
            with lock:
                reached = [p for p in pending if p[1] <= at]
                pending[:] = [p for p in pending if p[1] > at]
            latencies.extend(now - t0 for t0, _ in reached)
            time.sleep(0.002)

    system.projections.start()
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    began = time.perf_counter()
    late = 0
    try:
        for n, start in enumerate(range(0, len(items), per_request)):
            due = began + n * 0.1
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            else:
                late += 1
            t0 = time.perf_counter()
            results = answer(system, items[start : start + per_request], start)
            with lock:
                pending.append((t0, max(r.position for r in results)))
        elapsed = time.perf_counter() - began
        done.set()
        watcher.join(60)
    finally:
        system.projections.stop()
    return {
        "rate_asked": rate,
        "answers": len(items),
        "answers_per_s": round(len(items) / elapsed),
        "requests_sent_late": late,
        "ack_to_roster": summary_ms(latencies),
    }


def backlog(system: System, items: list[dict[str, Any]]) -> dict[str, Any]:
    began = time.perf_counter()
    for start in range(0, len(items), 1000):
        answer(system, items[start : start + 1000], start)
    applied = time.perf_counter() - began
    t0 = time.perf_counter()
    system.projections.catch_up(["record_status"])
    caught_up = time.perf_counter() - t0
    return {
        "answers": len(items),
        "apply_seconds": round(applied, 1),
        "apply_answers_per_s": round(len(items) / applied),
        "roster_catch_up_seconds": round(caught_up, 1),
        "roster_catch_up_answers_per_s": round(len(items) / caught_up),
        "total_seconds": round(applied + caught_up, 1),
    }


def measure(url: str, records: int, batch: int, rate: int, seconds: float, backlog_size: int) -> dict[str, Any]:
    system = bootstrap(Settings(database_url=url, secret_key="bench", mail="file:var/mail"))
    try:
        paced_size = int(rate * seconds)
        needed = 2 * records + paced_size + backlog_size
        activity, learner_ids = populate(system, 1000)
        t0 = time.perf_counter()
        for start in range(0, needed, 1000):
            system.store.save(*completions(activity, learner_ids, start, min(1000, needed - start)))
        system.projections.catch_up()
        setup = time.perf_counter() - t0
        items: list[dict[str, Any]] = []
        while page := system.queries.feeds.page("board:ABIM", items[-1]["seq"] if items else 0, 1000):
            items += page
        assert len(items) == needed, (len(items), needed)
        slices = [records, records, paced_size, backlog_size]
        bounds = [sum(slices[:i]) for i in range(len(slices) + 1)]
        batched, each, live, rest = (items[bounds[i] : bounds[i + 1]] for i in range(4))
        result: dict[str, Any] = {"records": needed, "setup_seconds": round(setup, 1)}
        result["throughput"] = throughput(system, batched, batch)
        restore = one_at_a_time(system)
        try:
            result["throughput_loading_one_at_a_time"] = throughput(system, each, batch)
        finally:
            restore()
        if live:
            system.projections.catch_up()  # every read model at the head, as in a running `pars serve`
            result["paced"] = paced(system, live, rate)
        if rest:
            result["catch_up"] = backlog(system, rest)
        counts = system.reads.records.board_counts("0000001", 2025)
        rejected = sum((s + 3) // 4 for s in slices)
        assert counts == {"ABIM": {"accepted": needed - rejected, "rejected": rejected}}, (counts, rejected)
        return result
    finally:
        system.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.acks", description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10_000, help="answers for each throughput measurement")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=500, help="answers a second for the latency measurement")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the paced measurement runs")
    parser.add_argument("--backlog", type=int, default=100_000, help="answers applied and caught up at once")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    args, _ = parser.parse_known_args(argv)
    with fresh_database(args.backend) as url:
        result = {
            "backend": args.backend,
            **measure(url, args.records, args.batch, args.rate, args.seconds, args.backlog),
        }
    print(json.dumps(result), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
