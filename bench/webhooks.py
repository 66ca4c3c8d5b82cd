"""The board loop: from a board's acknowledgement to the provider's roster and to its webhook receiver, at a
steady rate, and the catch-up of a backlog of acknowledgements.

Set-up: completions with ABIM MOC are stored and the ABIM feed built; the provider registers one endpoint
(completion.accepted and completion.rejected), a receiver in a process of its own (http.server on 127.0.0.1)
that notes when each delivery arrives. Then, as in `pars serve`, the projections and the webhook sender run in
this process's threads.

1. Anchor (same run): requests of `--batch` answers one at a time with nothing running beside them, each
   followed by the read models caught up, the sender's queueing and the delivery to the receiver, serially:
   the work of one request's answers with no waiting, no polling and no contention (median).
2. Paced: ABIM answers every item at `--rate` answers a second, in requests of `--batch` answers
   (`CompletionRegistry.handle`, what the acknowledgements route calls). For each answer, from the start of its
   request: to the roster (`record_status`'s position, read from `projection_tracking` as read-your-writes
   reads it, is past the request's events: its rows commit with the position), to the sender's queue, and to
   its delivery's arrival at the receiver (median, p99, max), and the rate achieved.
3. Catch-up: `--backlog` answers (100,000 by default) applied as the Kafka consumer applies a backlog (runs of
   1,000, one transaction each) with the projections and the sender stopped; then both started as in `pars
   serve`, and the time until the roster holds them all and until the receiver has them all (answers/s).

    python -m bench webhooks [--records 5000] [--rate 500] [--batch 10] [--backlog 100000]
                             [--backend sqlite|postgres]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from adapters.bootstrap import System, bootstrap
from adapters.settings import Settings
from adapters.webhooks.sender import webhook_sender
from bench.feeds import ACCME_ID, completions, populate, summary_ms
from bench.scratch import fresh_database
from commands.completions import AcknowledgeItems, Acknowledgement
from commands.webhooks import RegisterWebhook
from domain.base import Acting, Channel
from services.webhook_sender import WebhookSender

RESULTS = Path(__file__).parent / "results" / "webhooks.json"
BOARD = Acting("board:ABIM:bench", Channel.WEB_SERVICE)
PROVIDER = Acting("provider:0000001:bench", Channel.WEB_SERVICE)
ANCHOR_REQUESTS = 50

RECEIVER = r"""
import json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
out = open(sys.argv[1], "a", buffering=1)
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as most receivers
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        at = time.time()
        out.write(f"{at} {json.loads(body)['data']['item_id']}\n")
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
server = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


class Arrivals:
    """The receiver's notes, read as they grow: item id -> when it first arrived (time.time())."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.got: dict[str, float] = {}
        self._offset = 0

    def read(self) -> dict[str, float]:
        with self.path.open("rb") as f:
            f.seek(self._offset)
            chunk = f.read()
        end = chunk.rfind(b"\n") + 1
        self._offset += end
        for line in chunk[:end].decode().splitlines():
            at, item = line.split(" ", 1)
            self.got.setdefault(item, float(at))
        return self.got

    def wait_for(self, items: list[str], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.read()
            if all(i in got for i in items):
                return True
            time.sleep(0.01)
        return False


def answers_for(items: list[dict[str, Any]], start: int) -> list[Acknowledgement]:
    """75% accepted, 25% rejected with a reason (both are sent to the endpoint)."""
    return [
        Acknowledgement(i["id"], "accepted")
        if k % 4
        else Acknowledgement(i["id"], "rejected", "BOARD_ID_NOT_FOUND", "board ID not found")
        for k, i in enumerate(items, start=start)
    ]


def answer(system: System, items: list[dict[str, Any]], start: int) -> int:
    """Records the answers (as the route does); the log position of their events."""
    results = system.completions.handle(
        AcknowledgeItems(kind="board", code="ABIM", answers=answers_for(items, start)), BOARD
    )
    assert all(r.outcome == "recorded" for r in results), [r.errors for r in results if r.errors][:3]
    return max(r.position or 0 for r in results)


def anchor(system: System, sender: WebhookSender, arrivals: Arrivals, items: list[dict[str, Any]], batch: int) -> Any:
    """Each request alone, then everything it needs done serially (see the module's docstring)."""
    took = []
    for start in range(0, len(items), batch):
        chunk = items[start : start + batch]
        t0 = time.perf_counter()
        answer(system, chunk, start)
        system.projections.catch_up()
        sender.catch_up_queue()
        while due := sender.deliveries.due(sender.now(), 10):
            for endpoint_id in due:
                sender.deliver(endpoint_id)
        took.append(time.perf_counter() - t0)
        assert arrivals.wait_for([i["id"] for i in chunk], 10)  # written before the receiver answered
    return {"requests": len(took), "answers_per_request": batch, "median_ms": round(statistics.median(took) * 1000, 1)}


def paced(
    system: System, sender: WebhookSender, arrivals: Arrivals, items: list[dict[str, Any]], rate: int, batch: int
) -> dict[str, Any]:
    """Open loop at `rate`; a watcher notes when the roster and the sender's queue are past each request."""
    requests: list[tuple[float, int, list[str]]] = []  # (start on time.time()'s clock, position, item ids)
    roster: dict[int, float] = {}
    queued: dict[int, float] = {}
    lock = threading.Lock()
    done = threading.Event()

    def watch() -> None:
        index = {"roster": 0, "queued": 0}
        while True:
            finished = done.is_set()
            for stage, at, reached in (
                ("roster", system.projections.position("record_status"), roster),
                ("queued", sender.deliveries.position(), queued),
            ):
                now = time.time()
                with lock:
                    while index[stage] < len(requests) and requests[index[stage]][1] <= at:
                        reached[index[stage]] = now
                        index[stage] += 1
            if finished and all(i == len(requests) for i in index.values()):
                return
            time.sleep(0.002)

    system.projections.start()
    sender.start()
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    interval = batch / rate
    late = 0
    began = time.perf_counter()
    try:
        for n, start in enumerate(range(0, len(items), batch)):
            due = began + n * interval
            if (pause := due - time.perf_counter()) > 0:
                time.sleep(pause)
            else:
                late += 1
            t0 = time.time()
            chunk = items[start : start + batch]
            position = answer(system, chunk, start)
            with lock:
                requests.append((t0, position, [i["id"] for i in chunk]))
        sent_for = time.perf_counter() - began
        done.set()
        watcher.join(120)
        arrivals.wait_for([i["id"] for i in items], 120)
    finally:
        sender.stop()
        system.projections.stop()
    got = arrivals.read()
    to_roster = [roster[n] - t0 for n, (t0, _, ids) in enumerate(requests) if n in roster for _ in ids]
    to_queue = [queued[n] - t0 for n, (t0, _, ids) in enumerate(requests) if n in queued for _ in ids]
    to_receiver = [got[i] - t0 for t0, _, ids in requests for i in ids if i in got]
    return {
        "answers": len(items),
        "target_rate_per_s": rate,
        "answers_per_request": batch,
        "achieved_rate_per_s": round(len(items) / sent_for),
        "requests_sent_late": late,
        "delivered": sum(1 for i in items if i["id"] in got),
        "ack_to_roster": summary_ms(to_roster),
        "ack_to_sender_queue": summary_ms(to_queue),
        "ack_to_receiver": summary_ms(to_receiver),
    }


def catch_up(system: System, sender: WebhookSender, arrivals: Arrivals, items: list[dict[str, Any]]) -> dict[str, Any]:
    began = time.perf_counter()
    for start in range(0, len(items), 1000):
        answer(system, items[start : start + 1000], start)
    applied = time.perf_counter() - began
    head = system.store.head()
    t0 = time.perf_counter()
    system.projections.start()
    sender.start()
    try:
        while system.projections.position("record_status") < head:
            time.sleep(0.01)
        roster = time.perf_counter() - t0
        delivered = arrivals.wait_for([i["id"] for i in items], 3600)
        receiver = time.perf_counter() - t0
    finally:
        sender.stop()
        system.projections.stop()
    assert delivered, "not every answer reached the receiver within an hour"
    return {
        "answers": len(items),
        "apply_seconds": round(applied, 1),
        "apply_answers_per_s": round(len(items) / applied),
        "roster_seconds": round(roster, 1),
        "roster_answers_per_s": round(len(items) / roster),
        "receiver_seconds": round(receiver, 1),
        "receiver_answers_per_s": round(len(items) / receiver),
    }


def measure(url: str, records: int, rate: int, batch: int, backlog: int) -> dict[str, Any]:
    settings = Settings(
        database_url=url,
        secret_key="bench",
        mail="file:var/mail",
        webhook_allow_private=True,
        webhook_allow_http=True,
        webhook_retry_first=0.05,
        webhook_retry_longest=1.0,
    )
    system = bootstrap(settings)
    with tempfile.TemporaryDirectory(prefix="pars_bench_hooks_") as tmp:
        path = Path(tmp) / "arrivals.txt"
        path.touch()
        receiver = subprocess.Popen([sys.executable, "-c", RECEIVER, str(path)], stdout=subprocess.PIPE, text=True)
        try:
            assert receiver.stdout is not None
            port = int(receiver.stdout.readline())
            arrivals = Arrivals(path)
            needed = ANCHOR_REQUESTS * batch + records + backlog
            activity, learner_ids = populate(system, 1000)
            t0 = time.perf_counter()
            for start in range(0, needed, 1000):
                system.store.save(*completions(activity, learner_ids, start, min(1000, needed - start)))
            system.webhooks.handle(
                RegisterWebhook(
                    accme_id=ACCME_ID,
                    url=f"http://127.0.0.1:{port}/hooks",
                    secret="bench-secret-0123456789",
                    events=["completion.accepted", "completion.rejected"],
                ),
                PROVIDER,
            )
            system.projections.catch_up()
            sender = webhook_sender(system)
            sender.catch_up_queue()  # nothing to send yet: the log so far holds no answer
            setup = time.perf_counter() - t0
            items: list[dict[str, Any]] = []
            while page := system.queries.feeds.page("board:ABIM", items[-1]["seq"] if items else 0, 1000):
                items += page
            first, second = ANCHOR_REQUESTS * batch, ANCHOR_REQUESTS * batch + records
            result: dict[str, Any] = {"records": needed, "setup_seconds": round(setup, 1)}
            result["anchor_serial_request"] = anchor(system, sender, arrivals, items[:first], batch)
            result["paced"] = paced(system, sender, arrivals, items[first:second], rate, batch)
            anchor_ms = result["anchor_serial_request"]["median_ms"]
            result["ratios_to_anchor"] = {
                f"{stage}_{figure}": round(result["paced"][stage][f"{figure}_ms"] / anchor_ms, 2)
                for stage in ("ack_to_roster", "ack_to_receiver")
                for figure in ("median", "p99")
            }
            if backlog:
                result["catch_up"] = catch_up(system, sender, arrivals, items[second:])
            return result
        finally:
            receiver.kill()
            system.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench webhooks", description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=5000, help="answers sent at --rate")
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--batch", type=int, default=10, help="answers per request")
    parser.add_argument("--backlog", type=int, default=100_000, help="answers applied at once, then caught up")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=None,
        help="the interpreter's thread switch interval in seconds (sys.setswitchinterval; Python's default 0.005)",
    )
    args, _ = parser.parse_known_args(argv)
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)
    with open("/proc/loadavg") as f:
        load_before = f.read().split()[:3]
    with fresh_database(args.backend) as url:
        result = {
            "backend": args.backend,
            "load_before": load_before,
            "switch_interval": sys.getswitchinterval(),
            **measure(url, args.records, args.rate, args.batch, args.backlog),
        }
    with open("/proc/loadavg") as f:
        result["load_after"] = f.read().split()[:3]
    print(json.dumps(result), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
