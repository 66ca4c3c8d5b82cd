"""Webhooks: from a board's acknowledgement to the provider's webhook receiver, at a steady rate.

`--records` completions with ABIM MOC are stored and the ABIM feed built; the provider registers one endpoint
(completion.accepted and completion.rejected), a receiver in a process of its own (http.server on 127.0.0.1)
that notes when each delivery arrives. Then, as in `pars serve`, the projections and the webhook sender run in
this process while ABIM answers every item at `--rate` answers a second, in requests of `--batch` answers
(`CompletionRegistry.handle`, what the acknowledgements route calls). For each answer: the time from the
start of its request to its delivery's arrival at the receiver (median, p99, max), and the rate achieved.

    python -m bench.webhooks [--records 5000] [--rate 500] [--batch 10] [--backend sqlite|postgres]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from adapters.bootstrap import bootstrap
from adapters.settings import Settings
from adapters.webhooks.sender import webhook_sender
from bench.feeds import ACCME_ID, completions, populate, summary_ms
from bench.scratch import fresh_database
from commands.completions import AcknowledgeItems, Acknowledgement
from commands.webhooks import RegisterWebhook
from domain.base import Acting, Channel

RESULTS = Path(__file__).parent / "results" / "webhooks.json"
BOARD = Acting("board:ABIM:bench", Channel.WEB_SERVICE)
PROVIDER = Acting("provider:0000001:bench", Channel.WEB_SERVICE)

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


def measure(url: str, records: int, rate: int, batch: int) -> dict[str, Any]:
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
        arrivals = Path(tmp) / "arrivals.txt"
        receiver = subprocess.Popen([sys.executable, "-c", RECEIVER, str(arrivals)], stdout=subprocess.PIPE, text=True)
        try:
            assert receiver.stdout is not None
            port = int(receiver.stdout.readline())
            activity, learner_ids = populate(system, 1000)
            for start in range(0, records, 1000):
                system.store.save(*completions(activity, learner_ids, start, min(1000, records - start)))
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
            items: list[dict[str, Any]] = []
            while page := system.queries.feeds.page("board:ABIM", items[-1]["seq"] if items else 0, 1000):
                items += page
            system.projections.start()
            sender.start()
            started: dict[str, float] = {}
            interval = batch / rate
            began = time.perf_counter()
            wall = time.time() - began  # perf_counter -> time.time, for the receiver's clock
            for n, start in enumerate(range(0, len(items), batch)):
                due = began + n * interval
                if (pause := due - time.perf_counter()) > 0:
                    time.sleep(pause)
                answers = [
                    Acknowledgement(i["id"], "accepted")
                    if k % 4
                    else Acknowledgement(i["id"], "rejected", "BOARD_ID_NOT_FOUND", "board ID not found")
                    for k, i in enumerate(items[start : start + batch], start=start)
                ]
                t0 = time.perf_counter()
                system.completions.handle(AcknowledgeItems(kind="board", code="ABIM", answers=answers), BOARD)
                for a in answers:
                    started[a.item_id] = wall + t0
            sent_for = time.perf_counter() - began
            deadline = time.monotonic() + 120
            got: dict[str, float] = {}
            while time.monotonic() < deadline:
                got = {}
                for line in arrivals.read_text().splitlines():
                    at, item = line.split(" ", 1)
                    got.setdefault(item, float(at))
                if len(got) >= len(started):
                    break
                time.sleep(0.2)
            sender.stop()
            system.projections.stop()
            latencies = [got[i] - t for i, t in started.items() if i in got]
            return {
                "records": records,
                "answers": len(started),
                "delivered": len(got),
                "target_rate_per_s": rate,
                "answers_per_request": batch,
                "achieved_rate_per_s": round(len(started) / sent_for),
                "ack_to_receiver": summary_ms(latencies),
            }
        finally:
            receiver.kill()
            system.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.webhooks", description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    args, _ = parser.parse_known_args(argv)
    with fresh_database(args.backend) as url:
        result = {"backend": args.backend, **measure(url, args.records, args.rate, args.batch)}
    print(json.dumps(result), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
