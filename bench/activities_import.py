"""Activity batch import: a 20,000-activity ACCME JSON file and a same-size tab-delimited file.

For each file and each backend (SQLite in a temp file, PostgreSQL in a scratch database
`pars_bench_<random>`, created and dropped), in a fresh process of its own:
  * parse: bytes → ACCME items (no database), activities/s;
  * import: `import_activity_file` (detect, parse, submit 1,000 a chunk) on a fresh store with the
    provider registered, activities/s end to end;
  * again: the same file a second time (every activity `unchanged`), activities/s;
  * peak memory: the process's peak resident set (`ru_maxrss`) and how much it grew over the
    baseline taken before the file was read, plus tracemalloc's peak of Python allocations
    during parsing alone.

    python -m bench activities_import [--count N] [--backend sqlite|postgres] [--format json|tab]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console
from rich.table import Table

from bench.scratch import PG_ADMIN_URL, fresh_database

RESULTS = Path(__file__).parent / "results" / "activities_import.json"
ACCME_ID = "0007777"
FORMATS = (
    "Course",
    "Regularly Scheduled Series",
    "Internet Live Course",
    "Enduring Material",
    "Internet Enduring Material",
    "Journal-based CME",
)
console = Console()


def make_items(count: int, seed: int = 2025) -> list[dict[str, Any]]:
    """`count` plausible, valid activities of one provider for 2025."""
    rng = random.Random(seed)
    items = []
    for n in range(count):
        day = rng.randrange(0, 300)
        start = f"2025-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}T00:00:00"
        fmt = FORMATS[n % len(FORMATS)]
        live = fmt in ("Course", "Regularly Scheduled Series")
        he: dict[str, Any] = {
            "credits": {"activityCertification": "AMA PRA Category 1", "numberOfCredits": rng.randrange(1, 40) / 4},
            "startDateTime": start,
            "endDateTime": start,
            "activitySponsorship": "joint" if n % 7 == 0 else "direct",
            "activityFormat": fmt,
            "commercialSupport": n % 11 == 0,
        }
        if n % 7 == 0:
            he["credits"]["nonAccreditedProvider"] = [f"Community Partner {n % 50}"]
        if live:
            he["activityLocation"] = {
                "city": rng.choice(["Nashville", "Chicago", "Denver", "Boston"]),
                "stateOrProvince": rng.choice(["TN", "IL", "CO", "MA"]),
                "country": "USA",
            }
        item: dict[str, Any] = {
            "ReportDescription": {"ReportingStartDate": "2025", "ReportingEndDate": "2025"},
            "ActivityDescription": {},
            "Lom": {
                "general": {
                    "identifier": [{"catalog": "Provider Activity ID", "entry": f"BENCH-{n:06d}"}],
                    "title": f"Grand Rounds {n}: {rng.choice(['Cardiology', 'Oncology', 'Pediatrics', 'Opioid Prescribing'])} update",
                    "description": "Evidence-based update for practising clinicians. " * rng.randrange(1, 6),
                }
            },
            "healthcareMetadata": {"healthcareEducation": he},
            "ParticipationMetrics": {
                "participantsByCategory": [
                    {"category": "physician", "numberOfParticipants": rng.randrange(0, 300)},
                    {"category": "other", "numberOfParticipants": rng.randrange(0, 100)},
                ]
            },
            "XtensibleInfo": {
                "activityRecordAction": "Add",
                "ForPublicList": n % 3 == 0,
                "DeliveryMethods": {"DeliveryMethod": ["In-Person"] if live else ["Online"]},
                "MeasuredOutcomes": [{"MeasuredOutcome": "Learner Competence", "MeasurementType": ["Objective"]}],
            },
        }
        if n % 11 == 0:
            item["ActivityDescription"]["commercialSupportAmount"] = [
                {"currency": "USD", "supportSource": "Acme Pharma", "value": rng.randrange(1, 50) * 1000}
            ]
        else:
            del item["ActivityDescription"]
        items.append(item)
    return items


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def measure(path: str, backend: str) -> dict[str, Any]:
    """One file on one backend, in the calling (fresh) process."""
    from adapters.batch import read_file
    from adapters.batch.importer import import_activity_file
    from adapters.bootstrap import bootstrap
    from adapters.settings import Settings
    from commands.providers import ContactDetails, RegisterProvider
    from domain.base import Acting, Channel

    by = Acting("bench", Channel.BATCH)
    baseline = _rss_mb()
    data = Path(path).read_bytes()
    started = time.perf_counter()
    fmt, records = read_file(data, Path(path).name)
    parse_seconds = time.perf_counter() - started
    count = len(records)
    del records
    tracemalloc.start()  # a second parse, traced: tracemalloc slows the parse it watches several times over
    read_file(data, Path(path).name)
    parse_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    figures: dict[str, Any] = {
        "format": fmt,
        "activities": count,
        "file_mb": len(data) / 2**20,
        "parse_seconds": parse_seconds,
        "parse_per_s": count / parse_seconds,
        "parse_tracemalloc_peak_mb": parse_peak,
    }
    with fresh_database(backend) as url, tempfile.TemporaryDirectory(prefix="pars_bench_mail_") as mail:
        system = bootstrap(Settings(database_url=url, secret_key="bench-secret", mail=f"file:{mail}"))
        try:
            if not hasattr(system, "activities"):
                figures["import"] = "skipped: the system has no activity registry yet"
                return figures
            system.providers.register(
                RegisterProvider(
                    accme_id=ACCME_ID,
                    name="Bench CME",
                    accreditor="ACCME",
                    primary=ContactDetails(name="Bea Bench", email="bea@bench.org"),
                ),
                by,
            )
            for label in ("import", "again"):
                started = time.perf_counter()
                report = import_activity_file(system.accme_activities, ACCME_ID, data, Path(path).name, by)
                seconds = time.perf_counter() - started
                if report.rejected:
                    raise SystemExit(f"{report.rejected} activities rejected, first: {report.errors[0]}")
                figures[label] = {
                    "seconds": seconds,
                    "per_s": count / seconds,
                    "counts": {k: v for k, v in report.counts.items() if v},
                }
        finally:
            system.close()
            figures["peak_rss_mb"] = _rss_mb()
            figures["rss_growth_mb"] = _rss_mb() - baseline
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench activities_import",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--count", type=int, default=20_000, help="activities per file (default 20,000)")
    parser.add_argument(
        "--backend",
        choices=["sqlite", "postgres"],
        action="append",
        help="only this backend (repeatable; default both)",
    )
    parser.add_argument(
        "--format", choices=["json", "tab"], action="append", help="only this file format (repeatable; default both)"
    )
    args, _ = parser.parse_known_args(argv)  # `python -m bench` hands every benchmark the options of all
    from adapters.batch import render

    items = make_items(args.count)
    report: dict[str, Any] = {"bench": "activities_import", "count": args.count, "runs": []}
    with tempfile.TemporaryDirectory(prefix="pars_bench_files_") as tmp:
        files = {}
        for fmt in args.format or ["json", "tab"]:
            files[fmt] = Path(tmp) / f"activities.{ {'json': 'json', 'tab': 'txt'}[fmt] }"
            files[fmt].write_bytes(render(fmt, items))
        del items
        for backend in args.backend or ["sqlite", "postgres"]:
            if backend == "postgres" and not _postgres_up():
                console.print(f"[red]PostgreSQL is not answering at {PG_ADMIN_URL}; skipping it[/red]")
                continue
            for path in files.values():
                # a fresh process per run, so the peak resident set is this run's alone
                with (
                    console.status(f"{backend}: importing {args.count:,} activities from {path.name}"),
                    ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool,
                ):
                    figures = pool.submit(measure, str(path), backend).result()
                report["runs"].append({"backend": backend, **figures})
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    _print(report)
    return 0


def _postgres_up() -> bool:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _print(report: dict[str, Any]) -> None:
    table = Table(title=f"activity batch import, {report['count']:,} activities a file")
    for column in (
        "backend",
        "file",
        "MB",
        "parse /s",
        "import /s",
        "re-upload /s",
        "peak RSS MB",
        "RSS growth MB",
        "parse py-peak MB",
    ):
        table.add_column(column, justify="right")
    for run in report["runs"]:
        imported = run.get("import")
        again = run.get("again")
        table.add_row(
            run["backend"],
            run["format"],
            f"{run['file_mb']:.1f}",
            f"{run['parse_per_s']:,.0f}",
            f"{imported['per_s']:,.0f}" if isinstance(imported, dict) else "n/a",
            f"{again['per_s']:,.0f}" if isinstance(again, dict) else "n/a",
            f"{run.get('peak_rss_mb', 0):,.0f}",
            f"{run.get('rss_growth_mb', 0):,.0f}",
            f"{run['parse_tracemalloc_peak_mb']:,.0f}",
        )
    console.print(table)
    console.print(f"[dim]written to {RESULTS}[/dim]")


if __name__ == "__main__":
    raise SystemExit(main())
