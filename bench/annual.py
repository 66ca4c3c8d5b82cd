"""Year-end read latency: the provider checklist and the accreditor's year-end table, from 100 to 1,600 providers.

For each size (100 and 1,000 providers by default), on a fresh SQLite file (and PostgreSQL with
`--backend postgres`), each provider gets 200 activities and a partly done annual report:
  * providers are registered with `register_many`; annual-report steps go through `system.annual.handle`
    and the checklist projection (the real write path);
  * the activities' checklist facts (what the projection keeps per activity: end date, closed,
    enduring, learner-count years, commercial support) are bulk-inserted straight into
    `annual_activity_facts`, with the per-provider, per-year status counts the projection keeps beside them
    (`annual_activity_counts`): the benchmark measures reading them, and 200,000 activities through
    the activity aggregate would take minutes to write;
  * then it times `system.annual.checklist()` (what GET .../checklist and the dashboard call) for random
    providers and `system.annual.year_end()` (GET /api/v1/accreditor/year-end/{year}) for all of them, and that
    route itself as JSON and CSV through FastAPI's TestClient.

    python -m bench.annual [--sizes 100,1000] [--activities 200] [--backend sqlite|postgres]
    python -m bench.annual --sizes 1600 --activities 156   # DOMAIN-FACTS 5: ~1,600 providers, ~250,000 activities
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert

from adapters.app import create_app
from adapters.bootstrap import System, bootstrap
from adapters.db.checklist_tables import annual_activity_counts, annual_activity_facts, annual_enduring_counts
from adapters.settings import Settings
from adapters.tokens import issue_token
from bench.scratch import fresh_database
from commands.annual import AcceptAgreement, ReviewContacts, SubmitProgramSummary
from commands.providers import ContactDetails, RegisterProvider
from domain.base import Acting, Channel
from projections.checklist import activity_state

RESULTS = Path(__file__).parent / "results" / "annual.json"
BY = Acting("bench", Channel.BATCH)
YEAR = 2025


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def populate(system: System, providers: int, activities: int, rng: random.Random) -> list[str]:
    ids = [f"{i + 1:07d}" for i in range(providers)]
    accreditors = ["ACCME", "JA", "CA", "TX"]
    system.providers.register_many(
        [
            RegisterProvider(
                accme_id=a,
                name=f"Provider {a}",
                accreditor=accreditors[i % 4],
                primary=ContactDetails(name="Pat", email=f"p{a}@example.org"),
            )
            for i, a in enumerate(ids)
        ],
        BY,
    )
    system.annual.clock = lambda: datetime(YEAR + 1, 2, 1, 18, tzinfo=UTC)
    for i, a in enumerate(ids):
        if i % 2:
            system.annual.handle(AcceptAgreement(accme_id=a, year=YEAR), BY)
        if i % 3:
            system.annual.handle(
                SubmitProgramSummary(
                    accme_id=a,
                    year=YEAR,
                    registration_fees=i,
                    government_grants=0,
                    advertising_exhibit_income=0,
                    private_donations=0,
                ),
                BY,
            )
        if i % 5:
            system.annual.handle(ReviewContacts(accme_id=a, year=YEAR), BY)
    rows: list[dict[str, Any]] = []
    counts: dict[tuple[str, int, str, str], int] = {}
    start = date(YEAR, 1, 1)
    with system.db.engine.begin() as conn:
        for a in ids:
            for n in range(activities):
                begins = start + timedelta(days=rng.randrange(365))
                enduring = n % 3 == 0
                ends = begins + timedelta(days=rng.randrange(700) if enduring else rng.randrange(3))
                rows.append(
                    {
                        "stream_id": str(uuid.uuid4()),
                        "activity_id": f"{rng.randrange(10**8, 10**9)}",
                        "accme_id": a,
                        "title": f"Activity {n}",
                        "enduring": enduring,
                        "format": "Enduring Material" if enduring else "Course",
                        "credits": 1.0,
                        "physician_learners": 20,
                        "other_learners": 5,
                        "start_date": begins,
                        "end_date": ends,
                        "closed": rng.random() < 0.97,
                        "complete": rng.random() < 0.9,
                        "deleted": False,
                        "counted_years": [YEAR] if rng.random() < 0.97 else [],
                        "commercial_support": [{"source": "Pharma", "monetary": True, "amount": 100}]
                        if n % 10 == 0
                        else [],
                    }
                )
                part = activity_state(rows[-1])
                if part is not None:
                    counts[part] = counts.get(part, 0) + 1
                if len(rows) == 5000:
                    flush(conn, rows)
        flush(conn, rows)
        kept = [{"accme_id": a, "year": y, "state": s, "end_date": e, "n": n} for (a, y, s, e), n in counts.items()]
        for i in range(0, len(kept), 5000):
            conn.execute(insert(annual_activity_counts), kept[i : i + 5000])
    system.projections.catch_up()
    return ids


def flush(conn: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    conn.execute(insert(annual_activity_facts), rows)
    counts = [{"stream_id": r["stream_id"], "year": y} for r in rows if r["enduring"] for y in r["counted_years"]]
    if counts:
        conn.execute(insert(annual_enduring_counts), counts)
    rows.clear()


def time_calls(fn: Any, repeats: int) -> dict[str, float]:
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p99_ms": round(percentile(samples, 0.99), 2),
        "runs": repeats,
    }


def run(url: str, providers: int, activities: int) -> dict[str, Any]:
    rng = random.Random(providers)
    system = bootstrap(Settings(database_url=url, secret_key="bench", mail="file:var/mail"))
    try:
        began = time.perf_counter()
        ids = populate(system, providers, activities, rng)
        setup = time.perf_counter() - began
        checklist = time_calls(lambda: system.annual.checklist(rng.choice(ids), YEAR), 300)
        year_end_all = time_calls(lambda: system.annual.year_end(YEAR, None, sort="-missing_count"), 30)
        year_end_state = time_calls(lambda: system.annual.year_end(YEAR, ["CA"], status="incomplete"), 30)
        # the route itself: the query, the answer's model and its JSON or CSV
        staff = {"Authorization": f"Bearer {issue_token(system.secret, 'accreditor')}"}
        route = f"/api/v1/accreditor/year-end/{YEAR}?sort=-missing_count"
        with TestClient(create_app(system, run_projections=False)) as client:
            api_json = time_calls(lambda: client.get(route, headers=staff).raise_for_status(), 30)
            api_csv = time_calls(lambda: client.get(route + "&format=csv", headers=staff).raise_for_status(), 30)
        return {
            "providers": providers,
            "activities": providers * activities,
            "year_end_rows": len(system.annual.year_end(YEAR, None)),
            "setup_s": round(setup, 1),
            "checklist": checklist,
            "year_end_all": year_end_all,
            "year_end_one_state": year_end_state,
            "api_json_all": api_json,
            "api_csv_all": api_csv,
        }
    finally:
        system.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.annual", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--activities", type=int, default=200)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    args, _ = parser.parse_known_args(argv)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        with fresh_database(args.backend) as url:
            result = {"backend": args.backend, **run(url, size, args.activities)}
        results.append(result)
        print(json.dumps(result))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
