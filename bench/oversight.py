"""Accreditor oversight reads at ACCME's size: the REMS and MIPS reports (median and p99) and the research extract
(time, and the peak memory of a process that does nothing else).

On a fresh SQLite file (or PostgreSQL with `--backend postgres`), 1,600 providers are registered through the
service, then the read models the reports answer from are bulk-inserted (250,000 activities through the activity
aggregate would take most of an hour on the shared machine): `activity_summaries` rows made by the projection's
own `summarise` and the view's own columns (about 3 % REMS-registered, 5 % MIPS), `transcript_entries` with
`--completions` completions for each MIPS and each REMS activity (those of REMS activities with the per-learner
REMS fields), the reports' kept counts and the REMS totals filled from them as start-up fills them in an older database, and the physicians who completed them in `learner_directory`.
The reports answer a page (50 activities, 50 physicians) with the totals of every row: timed at the first page
and at the last, and the CSV downloads (every row, streamed) apart. The extract is timed in a child process that reads the whole year's CSV through the route's own writer and
prints its peak RSS (`ru_maxrss`), at the full size and at a fifth of it: flat memory means about the same peak.

    python -m bench.oversight [--providers 1600] [--activities 250000] [--completions 3] [--backend sqlite|postgres]

The year-end table at the same size is `python -m bench.annual --sizes 1600 --activities 156`.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from adapters.bootstrap import System, bootstrap
from adapters.db.activity_summary_tables import activity_summaries
from adapters.db.activity_summary_view import SqlActivitySummaryView
from adapters.db.learner_directory_tables import learner_directory
from adapters.db.oversight_counts import backfill
from adapters.db.transcripts_tables import transcript_entries
from adapters.http.mips_csv import mips_csv
from adapters.http.rems_csv import rems_csv
from adapters.http.research_csv import csv_chunks
from adapters.settings import Settings
from bench.annual import percentile
from bench.scratch import fresh_database
from commands.providers import ContactDetails, RegisterProvider
from domain.activity import BLUEPRINT_SECTIONS
from domain.base import Acting, Channel
from projections.activity_summary import summarise
from services.queries.oversight import PAGE_SIZE
from services.queries.research_extract import year_key

RESULTS = Path(__file__).parent / "results" / "oversight.json"
BY = Acting("bench", Channel.BATCH)
YEAR = 2025
PARTICIPANTS = [
    {"profession": "Physician", "dea": "Individual", "practice_area": "Family Medicine"},
    {"profession": "Nurse", "dea": "None", "practice_area": "Pain"},
    {"profession": "Pharmacist", "dea": "Institutional", "practice_area": None},
    {"profession": "Dentist", "dea": None, "practice_area": "Dentistry"},
]
FORMATS = ["Course", "Enduring Material", "Regularly Scheduled Series", "Journal-based CME", "Other"]


def populate(system: System, providers: int, activities: int, completions: int, rng: random.Random) -> None:
    ids = [f"{i + 1:07d}" for i in range(providers)]
    system.providers.register_many(
        [
            RegisterProvider(
                accme_id=a,
                name=f"Provider {a}",
                accreditor=["ACCME", "JA", "CA", "TX"][i % 4],
                primary=ContactDetails(name="Pat", email=f"p{a}@example.org"),
            )
            for i, a in enumerate(ids)
        ],
        BY,
    )
    system.projections.catch_up()
    view = SqlActivitySummaryView(system.db, "activity_summary")
    physicians = [str(uuid.uuid4()) for _ in range(max(1, activities // 20))]
    summaries: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    with system.db.engine.begin() as conn:
        for n in range(activities):
            begins = date(YEAR, 1, 1) + timedelta(days=rng.randrange(360))
            rems = rng.random() < 0.03
            mips = rng.random() < 0.05
            data = {
                "title": f"Activity {n}",
                "format": FORMATS[n % len(FORMATS)],
                "start_date": begins.isoformat(),
                "end_date": min(begins + timedelta(days=rng.randrange(5)), date(YEAR, 12, 31)).isoformat(),
                "credits": 0.25 * rng.randrange(1, 40),
                "learners": {"physician": rng.choice([0, 3, 8, 15, 40, 120]), "other": rng.choice([0, 5, 25])},
                "commercial_support": n % 10 == 0,
                "monetary_support": [{"source": "Pharma", "amount": 1000}] if n % 10 == 0 else [],
                "moc": [{"board": "ABIM"}] if n % 7 == 0 else [],
                "rems": {
                    "type": "Opioid Analgesic",
                    "compliance": "Compliant",
                    "blueprint_sections": list(BLUEPRINT_SECTIONS[:3]),
                    "identifier": f"RPC-{n}",
                }
                if rems
                else None,
                "mips": mips,
            }
            accme_id = rng.choice(ids)
            number = f"{100000000 + n}"
            doc = summarise(accme_id, number, f"P-{n}", data, closed=rng.random() < 0.9, deleted=False)
            key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"activity:{accme_id}:{n}"))
            summaries.append({"key": key, **view._columns(key, doc)})
            if mips or rems:
                for learner in rng.sample(physicians, min(completions, len(physicians))):
                    entries.append(
                        {
                            "key": str(uuid.uuid4()),
                            "accme_id": accme_id,
                            "learner_id": learner,
                            "activity_id": number,
                            "credit_id": f"ccid:{accme_id}:{uuid.uuid4()}",
                            "completion_date": data["end_date"],
                            "doc": {
                                "activity_title": data["title"],
                                "cme": [{"type": "AMA PRA Category 1", "credits": data["credits"]}],
                                "moc": [],
                                "late": False,
                                **({"rems": rng.choice(PARTICIPANTS)} if rems else {}),
                            },
                            "deleted": False,
                        }
                    )
            if len(summaries) == 5000:
                conn.execute(insert(activity_summaries), summaries)
                summaries.clear()
            if len(entries) >= 5000:
                conn.execute(insert(transcript_entries), entries)
                entries.clear()
        for rows, table in ((summaries, activity_summaries), (entries, transcript_entries)):
            if rows:
                conn.execute(insert(table), rows)
        for i in range(0, len(physicians), 5000):
            conn.execute(
                insert(learner_directory),
                [
                    {
                        "learner_id": p,
                        "name_key": f"ana|doc {p[:8]}",
                        "birth_md": "0307",
                        "npi": None,
                        "doc": {"learner_id": p, "first_name": "Ana", "last_name": f"Doc {p[:8]}", "npi": None},
                    }
                    for p in physicians[i : i + 5000]
                ],
            )

    backfill(system.db)  # the reports' kept counts and totals, as start-up fills them in an older database
    if system.db.url.is_postgres:  # the planner's statistics, as autovacuum gathers them on a database in use
        with system.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


def timed(fn: Any, repeats: int) -> dict[str, float]:
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return {
        "median_ms": round(sorted(samples)[len(samples) // 2], 1),
        "p99_ms": round(percentile(samples, 0.99), 1),
        "runs": repeats,
    }


def extract_in_child(url: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.oversight", "--extract-only", url],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def extract_only(url: str) -> int:
    """The child: the year's extract written to nowhere, through the route's CSV writer; its time and peak RSS."""
    system = bootstrap(Settings(database_url=url, secret_key="bench", mail="file:var/mail"))
    try:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        began = time.perf_counter()
        size = rows = 0
        for chunk in csv_chunks(system.queries.research.rows(YEAR, year_key("bench", YEAR))):
            size += len(chunk)
            rows += chunk.count(b"\n")
        seconds = time.perf_counter() - began
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            json.dumps(
                {
                    "rows": rows - 2,  # the heading and the totals row
                    "bytes": size,
                    "seconds": round(seconds, 1),
                    "peak_rss_mb": round(peak / 1024, 1),
                    "rss_before_mb": round(before / 1024, 1),
                }
            )
        )
    finally:
        system.close()
    return 0


def run(url: str, providers: int, activities: int, completions: int) -> dict[str, Any]:
    rng = random.Random(activities)
    system = bootstrap(Settings(database_url=url, secret_key="bench", mail="file:var/mail"))
    try:
        began = time.perf_counter()
        populate(system, providers, activities, completions, rng)
        setup = time.perf_counter() - began
        oversight = system.queries.oversight
        rems = oversight.rems(YEAR, None)
        mips = oversight.mips(YEAR, None)
        rems_pages = max(1, -(-rems["totals"]["activities"] // PAGE_SIZE))
        mips_pages = max(1, -(-mips["totals"]["activities"] // PAGE_SIZE))
        physician_pages = max(1, -(-mips["totals"]["physicians"] // PAGE_SIZE))
        return {
            "providers": providers,
            "activities": activities,
            "setup_s": round(setup, 1),
            "rems_activities": rems["totals"]["activities"],
            "mips_activities": mips["totals"]["activities"],
            "mips_completions": mips["totals"]["completions"],
            "mips_physicians": mips["totals"]["physicians"],
            "rems_all": timed(lambda: oversight.rems(YEAR, None), 30),
            "rems_all_last_page": timed(lambda: oversight.rems(YEAR, None, page=rems_pages), 30),
            "rems_all_csv": timed(lambda: b"".join(rems_csv(oversight.rems_rows(YEAR, None))), 5),
            "rems_one_state": timed(lambda: oversight.rems(YEAR, ["CA"]), 30),
            "rems_one_provider": timed(
                lambda: oversight.rems(YEAR, None, provider=f"{rng.randrange(providers) + 1:07d}"), 100
            ),
            "mips_all": timed(lambda: oversight.mips(YEAR, None), 30),
            "mips_all_last_pages": timed(
                lambda: oversight.mips(YEAR, None, page=physician_pages, activities_page=mips_pages), 30
            ),
            "mips_all_csv": timed(lambda: b"".join(mips_csv(oversight.mips_rows(YEAR, None))), 5),
            "mips_one_state": timed(lambda: oversight.mips(YEAR, ["CA"]), 30),
            "mips_one_provider": timed(
                lambda: oversight.mips(YEAR, None, provider=f"{rng.randrange(providers) + 1:07d}"), 100
            ),
            "extract": extract_in_child(url),
        }
    finally:
        system.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.oversight", description=__doc__.split("\n")[0])
    parser.add_argument("--providers", type=int, default=1600)
    parser.add_argument("--activities", type=int, default=250_000)
    parser.add_argument("--completions", type=int, default=3, help="completions of each MIPS activity")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--extract-only", metavar="URL", help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args(argv)
    if args.extract_only:
        return extract_only(args.extract_only)
    results = []
    for activities in (args.activities // 5, args.activities):
        with fresh_database(args.backend) as url:
            result = {"backend": args.backend, **run(url, args.providers, activities, args.completions)}
        results.append(result)
        print(json.dumps(result), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
