"""A state board's compliance view over many licensees: `GET /api/v1/states/{state}/compliance`, timed.

On a fresh SQLite file and a fresh PostgreSQL database (`--backends`): `--licensees` physicians are registered
in the learner directory through the real path (not timed), the seed rules adopted, and the `licences` read
model's rows written in bulk (PostgreSQL: then VACUUM ANALYZE, as autovacuum would after a bulk load) (not through
`Learner.LicenceTracked` events, which would take one load and save per physician): one TN licence each, its status
rows computed by the projection's own `statuses` (for 70% over three completions in the current cycle, about half
meeting the rule) and the kept counts of them. Then `--pages` pages of 100 licensees from random cursors — all, the
met and the unmet — are read through the route (FastAPI's TestClient with a TN board token: the JSON answer with
the counts, names and licence numbers) and through the query the route calls; p50 and p99 of each.

    python -m bench.licences [--licensees 50000] [--pages 300] [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import insert

from adapters.app import create_app
from adapters.bootstrap import bootstrap
from adapters.db.licences_tables import licence_holders, licence_status, licence_status_steps
from adapters.db.licences_view import add_steps
from adapters.demo import npi
from adapters.licences.seed import seed_commands
from adapters.settings import Settings
from adapters.tokens import issue_token
from bench.scratch import fresh_database
from commands.learners import Licence, RegisterLearner
from domain.base import Acting, Channel
from domain.licence_cycles import Line
from projections.licences import statuses

BY = Acting("bench", Channel.CLI)
ON = date(2025, 6, 1)


def run(backend: str, licensees: int, pages: int) -> None:
    with fresh_database(backend) as url:
        system = bootstrap(Settings(database_url=url, secret_key="bench", mail="file:/tmp/pars-bench-mail"))
        try:
            t0 = time.perf_counter()
            for cmd in seed_commands():
                system.licences.handle(cmd, BY)
            cmds = [
                RegisterLearner(
                    first_name=f"First{i}",
                    last_name=f"Last-{i}",
                    birth_month_day=f"{1 + i % 12:02d}-{1 + i % 28:02d}",
                    birth_year=1950 + i % 40,
                    npi=npi(100_000_000 + i),
                    licences=(Licence(state="TN", number=f"MD{i:07d}"),),
                )
                for i in range(licensees)
            ]
            outcomes = system.learners.register_many(cmds, BY)
            system.projections.catch_up()
            rules = system.queries.licences.rules("TN")["TN"]
            rng = random.Random(7)
            holders, rows, steps = [], [], {}
            for i, outcome in enumerate(outcomes):
                licence = {
                    "licence_type": "MD",
                    "issued_on": "2001-07-01",
                    "birth_month": 1 + i % 12,
                    "birth_year": 1950 + i % 40,
                }
                holders.append({"state": "TN", "learner_id": outcome.learner_id, "doc": licence})
                lines = []
                if rng.random() < 0.7:
                    hours = rng.choice([5.0, 10.0, 20.0])
                    lines = [Line(date(2025, 3, d), hours, hours, frozenset({"opioids"})) for d in (1, 2, 3)]
                for s in statuses("TN", rules, licence, lines):  # the projection's own rows, every day covered
                    row = {
                        "state": "TN",
                        "learner_id": outcome.learner_id,
                        "cycle_start": s["cycle_start"].isoformat(),
                        "cycle_end": s["cycle_end"].isoformat(),
                        "met": s["met"],
                        "doc": s["doc"],
                    }
                    rows.append(row)
                    add_steps(steps, row["cycle_start"], row["cycle_end"], row["met"], 1)
            kept = [{"state": "TN", "day": d, "licensees": n, "meeting": m} for d, (n, m) in sorted(steps.items())]
            with system.db.engine.begin() as conn:
                for start in range(0, len(holders), 5000):
                    conn.execute(insert(licence_holders), holders[start : start + 5000])
                for start in range(0, len(rows), 5000):
                    conn.execute(insert(licence_status), rows[start : start + 5000])
                conn.execute(insert(licence_status_steps), kept)
            if backend == "postgres":  # what autovacuum does after a bulk load: statistics, the visibility map
                with system.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    for table in ("licence_holders", "licence_status", "licence_status_steps"):
                        conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
            built = time.perf_counter() - t0
            ids = sorted(h["learner_id"] for h in holders)
            queries = system.queries.licences
            first = queries.compliance("TN", ON, None, 100)
            assert first["licensees"] == licensees
            board = {"Authorization": f"Bearer {issue_token(system.secret, 'board', state='TN')}"}
            with TestClient(create_app(system)) as client:

                def route(after: str | None, met: bool | None) -> None:
                    params = {"on": ON.isoformat(), "limit": "100"}
                    if after is not None:
                        params["after"] = after
                    if met is not None:
                        params["met"] = "true" if met else "false"
                    answer = client.get("/api/v1/states/TN/compliance", params=params, headers=board)
                    assert answer.status_code == 200 and answer.json()["licensees"] == licensees, answer.text

                def service(after: str | None, met: bool | None) -> None:
                    assert queries.compliance("TN", ON, after, 100, met)["licensees"] == licensees

                figures = []
                for label, read in (
                    ("GET /api/v1/states/TN/compliance", route),
                    ("its query (LicenceQueries)", service),
                ):
                    for met in (None, True, False):
                        cursors = [None] + [rng.choice(ids) for _ in range(pages - 1)]
                        times = []
                        cpu0 = time.process_time()
                        for after in cursors:
                            t = time.perf_counter()
                            read(after, met)
                            times.append(time.perf_counter() - t)
                        cpu = time.process_time() - cpu0
                        times.sort()
                        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
                        which = {None: "all", True: "met=true", False: "met=false"}[met]
                        figures.append(
                            f"  {label} [{which}]: p50 {statistics.median(times) * 1000:.1f} ms, "
                            f"p99 {p99 * 1000:.1f} ms, CPU {cpu / pages * 1000:.1f} ms a page"
                        )
            counts = []
            for _ in range(min(pages, 50)):
                t = time.perf_counter()
                queries.view.compliance_counts("TN", ON)
                counts.append(time.perf_counter() - t)
            print(
                f"licences [{backend}] {licensees:,} licensees ({len(rows):,} status rows; {first['meeting']:,} "
                f"meeting on {ON}): pages of 100 over {pages} random cursors; the kept counts p50 "
                f"{statistics.median(counts) * 1000:.1f} ms; built in {built:.0f} s, load {os.getloadavg()[0]:.2f}"
            )
            print("\n".join(figures))
        finally:
            system.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.licences", description=__doc__.splitlines()[0])
    parser.add_argument("--licensees", type=int, default=50_000)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--backends", default="sqlite,postgres")
    args, _ = parser.parse_known_args(argv)
    for backend in args.backends.split(","):
        run(backend.strip(), args.licensees, args.pages)
    return 0
