"""Boards' acknowledgements: how fast a board's answers are recorded and reach the provider's roster, and how
fast the roster's read model catches up on a backlog of answers.

1. `--records` completions with ABIM MOC (consent attested) are stored and the ABIM feed built; then ABIM answers
   every item in requests of `--batch` answers (75% accepted, 25% rejected with a reason), as
   `POST /api/v1/feeds/boards/ABIM/acknowledgements` hands them to `CompletionRegistry.handle`. For each request:
   the command's time (load the completions, decide, save the `Acknowledged` events) and the time until the
   `record_status` read model (the roster, the dashboard's counts) shows it, caught up in this process.
2. Catch-up: the `record_status` read model rebuilt from the whole log (records and answers).

    python -m bench.acks [--records 20000] [--batch 1000] [--backend sqlite|postgres]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from adapters.bootstrap import bootstrap
from adapters.settings import Settings
from bench.feeds import completions, populate, summary_ms
from bench.scratch import fresh_database
from commands.completions import AcknowledgeItems, Acknowledgement
from domain.base import Acting, Channel

RESULTS = Path(__file__).parent / "results" / "acks.json"
BOARD = Acting("board:ABIM:bench", Channel.WEB_SERVICE)


def measure(url: str, records: int, batch: int) -> dict[str, Any]:
    system = bootstrap(Settings(database_url=url, secret_key="bench", mail="file:var/mail"))
    try:
        activity, learner_ids = populate(system, 1000)
        for start in range(0, records, 1000):
            system.store.save(*completions(activity, learner_ids, start, min(1000, records - start)))
        system.projections.catch_up()
        items = []
        while page := system.queries.feeds.page("board:ABIM", items[-1]["seq"] if items else 0, 1000):
            items += page
        commands, to_roster = [], []
        began = time.perf_counter()
        for start in range(0, len(items), batch):
            answers = [
                Acknowledgement(i["id"], "accepted")
                if n % 4
                else Acknowledgement(i["id"], "rejected", "BOARD_ID_NOT_FOUND", "board ID not found")
                for n, i in enumerate(items[start : start + batch], start=start)
            ]
            t0 = time.perf_counter()
            results = system.completions.handle(AcknowledgeItems(kind="board", code="ABIM", answers=answers), BOARD)
            t1 = time.perf_counter()
            system.projections.catch_up(["record_status"])
            t2 = time.perf_counter()
            assert all(r.outcome == "recorded" for r in results), [r.errors for r in results if r.errors][:3]
            commands.append(t1 - t0)
            to_roster.append(t2 - t0)
        total = time.perf_counter() - began
        counts = system.reads.records.board_counts("0000001", 2025)
        assert counts == {"ABIM": {"accepted": records - (records + 3) // 4, "rejected": (records + 3) // 4}}, counts
        began = time.perf_counter()
        events = system.projections.rebuild("record_status")
        rebuild = time.perf_counter() - began
        return {
            "records": records,
            "answers_per_request": batch,
            "answers_per_s": round(len(items) / total),
            "request_command": summary_ms(commands),
            "request_to_roster": summary_ms(to_roster),
            "rebuild_record_status": {
                "events": events,
                "seconds": round(rebuild, 2),
                "events_per_s": round(events / rebuild),
            },
        }
    finally:
        system.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.acks", description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    args, _ = parser.parse_known_args(argv)
    with fresh_database(args.backend) as url:
        result = {"backend": args.backend, **measure(url, args.records, args.batch)}
    print(json.dumps(result), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
