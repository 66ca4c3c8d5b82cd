"""Learner credit at volume: a 100,000-completion learner-reports file against a 50,000-physician directory.

On a fresh SQLite file and a fresh PostgreSQL database (`--backends`), for each:
  * set-up (not timed as the result): one provider with 100 activities (ABIM MOC for a third), and
    50,000 physicians registered with `register_many` (their personal data sealed per learner),
    the learner directory projected;
  * an ACCME learner-reports JSON file of 100,000 completions is rendered (a third of the learners
    named by name + NPI, a third by name + birth date + state + licence, a third by ABIM ID + name);
  * timed: `import_completion_file` (read, match, validate, store) and every projection caught up
    (transcripts, history, hash chain, feeds, ...): completions/s for the import and for import +
    projection; the process's peak RSS (resource.getrusage) before and after. Two shapes
    (`--shapes`): `inline`, the read models catch up in this process after the import; `worker`,
    the production shape, `pars projections run` in its own process while the import runs (the
    clock stops when every read model has reached the head);
  * the CPU seconds of the benchmark process and the load average are printed beside the wall
    times: on a shared 2-core machine wall times swing with the neighbours' work;
  * then 1,000 transcript queries (an accreditor finding a physician by NPI, as
    GET /accme/GetLearnerTranscriptbyLearner does): median and p99 latency.

    python -m bench.learners [--completions 100000] [--learners 50000] [--backends sqlite,postgres] [--shapes inline,worker]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from adapters.batch.completion_files import render_json
from adapters.batch.completion_importer import import_completion_file
from adapters.bootstrap import System, bootstrap
from adapters.demo import npi
from adapters.formats.accme.activities import submit_items
from adapters.settings import Settings
from bench.scratch import fresh_database
from commands.completions import ReportCompletion
from commands.learners import BoardId, Licence, MatchQuery, RegisterLearner
from commands.providers import ContactDetails, RegisterProvider
from domain.base import Acting, Channel
from services.access import Principal, Role
from services.transcripts import TranscriptQuery

RESULTS = Path(__file__).parent / "results" / "learners.json"
BY = Acting("bench", Channel.BATCH)
ACCME_ID = "0007777"
TODAY = date(2026, 6, 30)
STATES = ("TN", "CA", "NY", "TX", "FL", "NC", "OH", "IL")
FIRST = (
    "Ana",
    "Ben",
    "Chloé",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Imani",
    "José",
    "Kara",
    "Liam",
    "Maya",
    "Nikhil",
    "Olga",
    "Priya",
)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def activity_item(n: int) -> dict[str, Any]:
    start = date(2026, 1, 1) + timedelta(days=n % 50)
    end = start + timedelta(days=300)
    xi: dict[str, Any] = {
        "activityRecordAction": "Add",
        "ForPublicList": True,
        "DeliveryMethods": {"DeliveryMethod": ["Online"]},
        "MeasuredOutcomes": [{"MeasuredOutcome": "Learner Competence", "MeasurementType": ["Objective"]}],
    }
    if n % 3 == 0:
        xi["MOCRegistrations"] = {
            "MOCRegistration": [
                {
                    "boardName": "ABIM",
                    "mocPoints": 4,
                    "MOCCreditType": ["MK"],
                    "CreditClaimDate": (end + timedelta(days=90)).isoformat(),
                    "MOCPracticeArea": ["Internal Medicine"],
                }
            ]
        }
    return {
        "ReportDescription": {"ReportingStartDate": start.isoformat(), "ReportingEndDate": end.isoformat()},
        "Lom": {
            "general": {
                "identifier": [{"catalog": "Provider Activity ID", "entry": f"B-{n}"}],
                "title": f"Bench activity {n}",
                "description": "A benchmark activity.",
            }
        },
        "healthcareMetadata": {
            "healthcareEducation": {
                "credits": {"activityCertification": "AMA PRA Category 1", "numberOfCredits": 4},
                "startDateTime": start.isoformat(),
                "endDateTime": end.isoformat(),
                "activitySponsorship": "direct",
                "activityFormat": "Enduring Material",
                "commercialSupport": False,
            }
        },
        "XtensibleInfo": xi,
    }


def learner(n: int, rng: random.Random) -> RegisterLearner:
    state = STATES[n % len(STATES)]
    return RegisterLearner(
        first_name=FIRST[n % len(FIRST)],
        last_name=f"Physician{n}",
        birth_month_day=f"{1 + n % 12:02d}-{1 + n % 28:02d}",
        licences=(Licence(state=state, number=f"{state}{n:06d}"),),
        npi=npi(200_000_000 + n),
        board_ids=(BoardId(board="ABIM", id=f"{300000 + n}"),) if n % 3 == 0 else (),
    )


def report_for(
    n: int, who: RegisterLearner, activities: list[tuple[str, bool]], rng: random.Random
) -> ReportCompletion:
    number, moc = activities[n % len(activities)]
    lic = who.licences[0]
    how = n % 3
    if how == 0:  # the schema requires the name beside any identifier
        query = MatchQuery(first_name=who.first_name, last_name=who.last_name, npi=who.npi)
    elif how == 1 or not who.board_ids:
        query = MatchQuery(
            first_name=who.first_name,
            last_name=who.last_name,
            birth_date=who.birth_month_day,
            state=lic.state,
            licence_number=lic.number,
        )
    else:
        query = MatchQuery(
            first_name=who.first_name, last_name=who.last_name, board="ABIM", board_id=who.board_ids[0].id
        )
    cme = [{"type": "AMA PRA Category 1", "credits": rng.choice([1.0, 2.0, 3.5, 4.0])}]
    moc_credits = [{"board": "ABIM", "type": "ABIM MOC", "credits": 2.0}] if moc and who.board_ids else []
    day = date(2026, 3, 1) + timedelta(days=rng.randrange(60))
    # consented: the records go to the boards, as before consent was asked for
    return ReportCompletion("add", number, day, query, {f"ccid:{ACCME_ID}:{n}": (cme, moc_credits)}, consent=True)


def pars_command(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("pars")
    return (
        [str(script), *args]
        if script.exists()
        else [sys.executable, "-c", "from adapters.cli.main import app; app()", *args]
    )


@contextmanager
def projection_worker(system: System, url: str, shape: str) -> Iterator[None]:
    """`inline`: the read models catch up in this process after the import (as a rebuild would);
    `worker`: the production shape, `pars projections run` in its own process while the import runs."""
    if shape != "worker":
        yield
        return
    env = {**os.environ, "PARS_DATABASE_URL": url, "PARS_SECRET_KEY": system.secret}
    process = subprocess.Popen(
        pars_command("projections", "run"), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_projected(system: System, shape: str) -> None:
    if shape != "worker":
        system.projections.catch_up()
        return
    head = system.store.head()
    while any(status.position < head for status in system.projections.statuses()):
        time.sleep(0.05)


def run(url: str, completions: int, learners: int, shape: str = "inline") -> dict[str, Any]:
    rng = random.Random(7)
    system: System = bootstrap(Settings(database_url=url, secret_key="bench", mail="file:/tmp/pars-bench-mail"))
    try:
        system.activities.today = lambda: TODAY
        system.completions.today = lambda: TODAY
        system.providers.register(
            RegisterProvider(
                accme_id=ACCME_ID,
                name="Bench CME",
                accreditor="ACCME",
                primary=ContactDetails(name="Pat", email="pat@bench.org"),
            ),
            BY,
        )
        results = submit_items(system.activities, ACCME_ID, [activity_item(n) for n in range(100)], BY)
        activities = [(r.activity_id, n % 3 == 0) for n, r in enumerate(results) if r.ok]
        assert len(activities) == 100, [r.errors for r in results if not r.ok][:1]
        began = time.perf_counter()
        people = [learner(n, rng) for n in range(learners)]
        system.learners.register_many(people, BY)
        system.projections.catch_up()
        setup_seconds = time.perf_counter() - began

        order = rng.sample(range(learners), learners)
        reports = [report_for(n, people[order[n % learners]], activities, rng) for n in range(completions)]
        data = render_json(reports, ACCME_ID)
        del reports
        rss_before = rss_mb()

        with projection_worker(system, url, shape):
            began, cpu = time.perf_counter(), time.process_time()
            report = import_completion_file(system.completions, ACCME_ID, data, "bench.json", BY)
            imported, imported_cpu = time.perf_counter() - began, time.process_time() - cpu
            wait_projected(system, shape)
            projected, projected_cpu = time.perf_counter() - began, time.process_time() - cpu
        rss_after = rss_mb()
        del data
        stored = report.counts["recorded"]

        queries = system.queries.transcripts
        accreditor = Principal(Role.ACCREDITOR, "bench")
        latencies, rows = [], 0
        for n in rng.sample(range(learners), min(1000, learners)):
            started = time.perf_counter()
            transcript = queries.for_principal(
                accreditor, TranscriptQuery(npi=people[n].npi, start=date(2026, 1, 1), end=date(2026, 12, 31))
            )
            latencies.append((time.perf_counter() - started) * 1000)
            rows += len(transcript.rows)
        return {
            "shape": shape,
            "completions": completions,
            "learners": learners,
            "stored": stored,
            "rejected": report.counts["rejected"],
            "first_errors": report.errors[:3],
            "setup_seconds": round(setup_seconds, 1),
            "import_seconds": round(imported, 1),
            "import_completions_per_s": round(stored / imported),
            "import_and_projection_seconds": round(projected, 1),
            "stored_and_projected_per_s": round(stored / projected),
            # CPU seconds of this process alone (not the database server's): less shaken by a busy machine than wall time.
            "import_cpu_seconds": round(imported_cpu, 1),
            "import_and_projection_cpu_seconds": round(projected_cpu, 1),
            "load_average_1min": round(os.getloadavg()[0], 1),
            "peak_rss_mb_before_import": round(rss_before),
            "peak_rss_mb_after_import": round(rss_after),
            "transcript_query_median_ms": round(statistics.median(latencies), 2),
            "transcript_query_p99_ms": round(percentile(latencies, 0.99), 2),
            "transcript_rows_per_query": round(rows / len(latencies), 1),
        }
    finally:
        system.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.learners", description=__doc__.split("\n")[0])
    parser.add_argument("--completions", type=int, default=100_000)
    parser.add_argument("--learners", type=int, default=50_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--shapes",
        default="inline,worker",
        help="inline (catch up after the import) and/or worker (pars projections run beside it)",
    )
    args, _ = parser.parse_known_args(argv)
    results = []
    for backend in args.backends.split(","):
        for shape in args.shapes.split(","):
            with fresh_database(backend) as url:
                result = {"backend": backend, **run(url, args.completions, args.learners, shape)}
            results.append(result)
            print(json.dumps(result), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
