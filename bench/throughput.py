"""Throughput (issue 16): each goal's figure beside its same-run anchor.

* `import` (goal 1): a learner-reports JSON file of `--size` completions (100,000 by default) against
  `--size / 2` physicians, inline shape on SQLite: `import_completion_file` then every read model caught
  up, completions/s and peak RSS; beside it, in the same run, the floor a perfect design cannot avoid:
  `json.loads` of the file, a raw `executemany` of the stored events (1,000 a transaction, into a fresh
  table shaped like the event table) and a set-based copy (`INSERT … SELECT` into an attached fresh file)
  of the read-model rows the import added. `--profile` runs the import under cProfile and writes the
  functions that take the time to bench/results/throughput-profile.txt;
* `append` (goal 3): `register_many` of `--append-count` providers (1,000 per save) on PostgreSQL,
  against a raw `executemany` of the very rows it stores (bench/providers.py's two measurements): the ratio;
* `rebuild` (goal 2): a store of `--size` completions against `--size / 2` physicians (the import's shape,
  on `--backend`), then `ProjectionSupervisor.rebuild` of the read models `pars projections rebuild` rebuilds
  (all but feeds and the event chain) and, separately, of every read model, in one process and then shared out
  among worker processes, one per core, as `pars projections rebuild` does (CPU seconds: the workers' included):
  events/s; beside it, in the same
  run, the anchor: reading the whole log in pages of 1,000 and decoding every event (what any rebuild must do).
  `--profile` writes the rebuild's profile to bench/results/throughput-profile.txt;
* `dashboard` (goal 4): the dashboard (`dashboard_body` over the live read models, the route's work
  without HTTP) of a provider with 10,000 events and of one with `--dashboard-events` (100,000), in one
  store: median and p99 of `--repeat` reads each, and the ratio of the p99s.

  python -m bench throughput [--goals import,append,dashboard,rebuild] [--size 100000] [--profile]
      [--append-count 5000] [--dashboard-events 100000] [--repeat 200] [--backend sqlite|postgres]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sqlite3
import statistics
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from adapters.batch.completion_files import render_json
from adapters.batch.completion_importer import import_completion_file
from adapters.bootstrap import System, bootstrap
from adapters.settings import Settings
from bench import learners as workload
from bench import providers as append_bench
from bench.scratch import fresh_database
from commands.completions import ReportCompletion, ReportCompletions
from commands.learners import MatchQuery
from commands.providers import ContactDetails, RegisterProvider
from domain.base import Acting, Channel
from services.queries.dashboard import dashboard_body

RESULTS = Path(__file__).parent / "results" / "throughput.json"
PROFILE = Path(__file__).parent / "results" / "throughput-profile.txt"
BY = Acting("bench", Channel.BATCH)
TODAY = date(2026, 6, 30)
EVENT_TABLES = {"stored_events", "stored_snapshots", "notification_tracking", "projection_tracking"}


def open_system(url: str) -> System:
    system = bootstrap(Settings(database_url=url, secret_key="bench", mail="file:/tmp/pars-bench-mail"))
    system.activities.today = lambda: TODAY
    system.completions.today = lambda: TODAY
    return system


def register_provider(system: System, accme_id: str) -> None:
    system.providers.register(
        RegisterProvider(
            accme_id=accme_id,
            name=f"Bench CME {accme_id}",
            accreditor="ACCME",
            primary=ContactDetails(name="Pat", email=f"pat{accme_id}@bench.org"),
        ),
        BY,
    )


def add_activities(system: System, accme_id: str, count: int, first: int = 0) -> list[tuple[str, bool]]:
    """`count` activities (ABIM MOC for a third), 500 a submission: their ACCME activity IDs and MOC flags."""
    out: list[tuple[str, bool]] = []
    for start in range(first, first + count, 500):
        numbers = range(start, min(start + 500, first + count))
        results = system.accme_activities.submit_accme_activities(
            accme_id, [workload.activity_item(n) for n in numbers], BY
        )
        bad = [r.errors for r in results if not r.ok]
        assert not bad, bad[:1]
        out.extend((str(r.activity_id), n % 3 == 0) for n, r in zip(numbers, results, strict=True))
    return out


# --- goal 1: the 100,000-completion file -------------------------------------------------------------------


def sqlite_path(url: str) -> str:
    return url[len("sqlite:///") :]


def table_counts(path: str) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]
            for n in names
            if n not in EVENT_TABLES and not n.startswith("sqlite_")
        }
    finally:
        conn.close()


def floor_events(path: str, after: int) -> dict[str, Any]:
    """Raw executemany of the events the import stored (same columns and bytes), 1,000 a transaction."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT originator_id, originator_version, topic, state FROM stored_events WHERE rowid > ?", (after,)
        ).fetchall()
    finally:
        conn.close()
    rows = [(uuid.UUID(o), v, t, s) for o, v, t, s in rows]
    cpu = time.process_time()
    figures = append_bench.measure_raw("sqlite", rows)
    cpu = time.process_time() - cpu  # SQLite works in this process: its CPU time is the insert's
    return {"rows": figures["rows"], "seconds": round(figures["seconds"], 2), "cpu_seconds": round(cpu, 2)}


def floor_read_models(path: str, before: dict[str, int]) -> dict[str, Any]:
    """A set-based copy of the read-model rows the import added (per table: the newest `after - before` rows),
    into an attached fresh file, one transaction."""
    after = table_counts(path)
    added = {n: after[n] - before.get(n, 0) for n in after if after[n] > before.get(n, 0)}
    copy = path + ".floor"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("ATTACH DATABASE ? AS floor", (copy,))
        for name in added:
            conn.execute(f'CREATE TABLE floor."{name}" AS SELECT * FROM main."{name}" LIMIT 0')
        started, cpu = time.perf_counter(), time.process_time()
        conn.execute("BEGIN")
        for name, n in added.items():
            conn.execute(f'INSERT INTO floor."{name}" SELECT * FROM main."{name}" ORDER BY rowid DESC LIMIT {n}')
        conn.execute("COMMIT")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        conn.close()
        os.unlink(copy)
    return {"rows": sum(added.values()), "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "per_table": added}


def goal_import(size: int, profile: bool) -> dict[str, Any]:
    learners = max(size // 2, 1)
    rng = random.Random(7)
    with fresh_database("sqlite") as url:
        system = open_system(url)
        try:
            register_provider(system, workload.ACCME_ID)
            activities = add_activities(system, workload.ACCME_ID, 100)
            people = [workload.learner(n, rng) for n in range(learners)]
            system.learners.register_many(people, BY)
            system.projections.catch_up()
            order = rng.sample(range(learners), learners)
            reports = [workload.report_for(n, people[order[n % learners]], activities, rng) for n in range(size)]
            data = render_json(reports, workload.ACCME_ID)
            del reports, people
            path = sqlite_path(url)
            head, before = system.store.head(), table_counts(path)
            rss_before = workload.rss_mb()

            profiler = cProfile.Profile(time.process_time) if profile else None  # CPU time: the machine is shared
            began, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            report = import_completion_file(system.completions, workload.ACCME_ID, data, "bench.json", BY)
            imported = time.perf_counter() - began
            system.projections.catch_up()
            if profiler:
                profiler.disable()
            seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu
            rss_after = workload.rss_mb()
            stored = report.counts["recorded"]
            assert stored == size, (report.counts, report.errors[:3])

            started, parse_cpu = time.perf_counter(), time.process_time()
            json.loads(data)
            parse_floor, parse_cpu = time.perf_counter() - started, time.process_time() - parse_cpu
            megabytes = len(data) / 1e6
            del data
        finally:
            system.close()
        events = floor_events(path, head)
        rows = floor_read_models(path, before)
    floor = parse_floor + events["seconds"] + rows["seconds"]
    floor_cpu = parse_cpu + events["cpu_seconds"] + rows["cpu_seconds"]
    if profiler:
        write_profile(profiler, f"import of {size:,} completions (SQLite, inline), {cpu_seconds:.1f} CPU s (profiled)")
    return {
        "completions": size,
        "learners": learners,
        "file_mb": round(megabytes, 1),
        "import_seconds": round(imported, 2),
        "import_and_projection_seconds": round(seconds, 2),
        "completions_per_s": round(stored / seconds),
        "cpu_seconds": round(cpu_seconds, 2),
        "profiled": profile,
        "peak_rss_mb_before": round(rss_before),
        "peak_rss_mb_after": round(rss_after),
        "floor": {
            "json_loads_seconds": round(parse_floor, 2),
            "json_loads_cpu_seconds": round(parse_cpu, 2),
            "raw_executemany_events": events,
            "set_based_copy_read_model_rows": {k: v for k, v in rows.items() if k != "per_table"},
            "seconds": round(floor, 2),
            "completions_per_s": round(stored / floor),
            "cpu_seconds": round(floor_cpu, 2),
        },
        "ratio_to_floor": round(floor / seconds, 3),
        # CPU seconds of this process (SQLite included) are less shaken than wall time on a shared machine
        "cpu_ratio_to_floor": round(floor_cpu / cpu_seconds, 3),
        "read_model_rows_added": rows["per_table"],
        "load_average_1min": round(os.getloadavg()[0], 1),
    }


def write_profile(profiler: cProfile.Profile, title: str) -> None:
    out = io.StringIO()
    out.write(f"# {title}\n\n## by cumulative time\n")
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
    out.write("\n## by own time\n")
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(40)
    PROFILE.parent.mkdir(parents=True, exist_ok=True)
    PROFILE.write_text(out.getvalue())
    print(f"profile written to {PROFILE}", flush=True)


# --- goal 2: rebuild of every read model ------------------------------------------------------------------


def read_and_decode(system: System) -> dict[str, Any]:
    """The anchor: the whole log read in pages of 1,000 and each event decoded, as a rebuild must."""
    recorder, decode = system.store.recorder, system.store.mapper.to_domain_event
    started, cpu = time.perf_counter(), time.process_time()
    position, events = 0, 0
    while True:
        page = recorder.select_notifications(start=position + 1, limit=1000)
        if not page:
            break
        for notification in page:
            decode(notification)
        events += len(page)
        position = page[-1].id
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "events": events,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "events_per_s": round(events / seconds),
    }


def goal_rebuild(backend: str, size: int, profile: bool) -> dict[str, Any]:
    learners = max(size // 2, 1)
    rng = random.Random(7)
    with fresh_database(backend) as url:
        system = open_system(url)
        try:
            register_provider(system, workload.ACCME_ID)
            activities = add_activities(system, workload.ACCME_ID, 100)
            people = [workload.learner(n, rng) for n in range(learners)]
            system.learners.register_many(people, BY)
            system.projections.catch_up()  # the learner directory the import matches against
            order = rng.sample(range(learners), learners)
            reports = [workload.report_for(n, people[order[n % learners]], activities, rng) for n in range(size)]
            data = render_json(reports, workload.ACCME_ID)
            del reports, people
            report = import_completion_file(system.completions, workload.ACCME_ID, data, "bench.json", BY)
            assert report.counts["recorded"] == size, (report.counts, report.errors[:3])
            del data
            system.projections.catch_up()
            head = system.store.head()
            runners = system.projections.runners
            default = [n for n, r in runners.items() if r.projection.rebuild_by_default]
            anchor = read_and_decode(system)
            timings: dict[str, Any] = {}
            profiler = cProfile.Profile(time.process_time) if profile else None
            cores = len(os.sched_getaffinity(0))
            runs = [("default", default, 1), ("all", list(runners), 1)]
            if cores > 1:  # what `pars projections rebuild` does: the read models shared out among the cores
                runs += [
                    (f"default_{cores}_processes", default, cores),
                    (f"all_{cores}_processes", list(runners), cores),
                ]
            for label, names, processes in runs:
                if profiler and label == "default":
                    profiler.enable()
                started, cpu = time.perf_counter(), time.process_time()
                children = os.times()
                workers: list[float] = []
                system.projections.rebuild(names, processes=processes, on_cpu=workers.extend)
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
                after = os.times()  # the worker processes' CPU time, once they have been waited for
                cpu += (after.children_user - children.children_user) + (
                    after.children_system - children.children_system
                )
                if profiler and label == "default":
                    profiler.disable()
                timings[label] = {
                    "read_models": len(names),
                    "processes": processes,
                    "seconds": round(seconds, 2),
                    "cpu_seconds": round(cpu, 2),
                    "events_per_s": round(head / seconds),
                    "ratio_to_anchor": round(anchor["seconds"] / seconds, 3),
                    # CPU seconds of this process (SQLite included) are less shaken than wall time on a shared machine
                    "events_per_cpu_s": round(head / cpu),
                    "cpu_ratio_to_anchor": round(anchor["cpu_seconds"] / cpu, 3),
                }
                if workers:
                    # On idle cores the wall time is the busiest worker's CPU time (each worker runs on a core
                    # of its own); under load, wall time is the machine's share, so this is the figure that compares.
                    longest = max(workers) + (cpu - sum(workers))  # the parent's own part (forking, waiting) too
                    timings[label] |= {
                        "worker_cpu_seconds": [round(w, 2) for w in workers],
                        "longest_path_cpu_seconds": round(longest, 2),
                        "events_per_longest_path_cpu_s": round(head / longest),
                        "longest_path_cpu_ratio_to_anchor": round(anchor["cpu_seconds"] / longest, 3),
                    }
            anchor_again = read_and_decode(system)  # the load may change during the run: the anchor twice
        finally:
            system.close()
    if profiler:
        write_profile(profiler, f"rebuild of {head:,} events ({backend}), default read models (profiled)")
    return {
        "backend": backend,
        "completions": size,
        "store_events": head,
        "anchor_read_and_decode": anchor,
        "anchor_again": anchor_again,
        "rebuild": timings,
        "profiled": profile,
        "load_average_1min": round(os.getloadavg()[0], 1),
    }


# --- goal 3: batched append against raw executemany (PostgreSQL) -------------------------------------------


def goal_append(count: int) -> dict[str, Any]:
    items = append_bench.make_items(count)
    service = append_bench.measure_service("postgres", items, 1000, catch_up=False)
    raw = append_bench.measure_raw("postgres", append_bench.stored_rows(items))
    return {
        "providers": count,
        "events": service["events"],
        "batched_append_events_per_s": round(service["events_per_s"]),
        "raw_executemany_rows_per_s": round(raw["rows_per_s"]),
        "ratio": round(service["events_per_s"] / raw["rows_per_s"], 3),
    }


# --- goal 4: dashboard p99 against provider size -----------------------------------------------------------


def fill_provider(system: System, accme_id: str, events: int, people: list[Any], rng: random.Random) -> None:
    """A provider with about `events` events: one activity per ten events, the rest completions (20 % of
    them reported under two credit IDs, so the count of completions is not the count of rows)."""
    register_provider(system, accme_id)
    activities = add_activities(system, accme_id, max(events // 10, 1))
    completions = events - len(activities)
    for start in range(0, completions, 5000):
        reports = []
        for n in range(start, min(start + 5000, completions)):
            who = people[rng.randrange(len(people))]
            number, _ = activities[n % len(activities)]
            query = MatchQuery(first_name=who.first_name, last_name=who.last_name, npi=who.npi)
            cme: list[dict[str, Any]] = [{"type": "AMA PRA Category 1", "credits": 1.0}]
            day = date(2026, 3, 1) + timedelta(days=rng.randrange(60))
            credits: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {f"ccid:{accme_id}:{n}": (cme, [])}
            reports.append(ReportCompletion("add", number, day, query, credits, consent=True))
        results = system.completions.report(ReportCompletions(accme_id=accme_id, reports=reports), BY)
        bad = [r.errors for r in results if not r.ok]
        assert not bad, bad[:1]
        system.projections.catch_up()


def time_dashboard(system: System, accme_id: str, repeat: int) -> dict[str, Any]:
    reads = system.reads
    profile = system.reads.profiles.get_profile(accme_id)
    assert profile is not None
    body = dashboard_body(reads, accme_id, profile, 2026)
    latencies = []
    for _ in range(repeat):
        started = time.perf_counter()
        dashboard_body(reads, accme_id, profile, 2026)
        latencies.append((time.perf_counter() - started) * 1000)
    return {
        "activities": body["activities"]["total"],
        "completions_reported": body["completions_reported"],
        "median_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(workload.percentile(latencies, 0.99), 2),
    }


def goal_dashboard(backend: str, events: int, repeat: int) -> dict[str, Any]:
    rng = random.Random(11)
    with fresh_database(backend) as url:
        system = open_system(url)
        try:
            people = [workload.learner(n, rng) for n in range(5000)]
            system.learners.register_many(people, BY)
            system.projections.catch_up()
            fill_provider(system, "0001000", 10_000, people, rng)
            fill_provider(system, "0002000", events, people, rng)
            small = time_dashboard(system, "0001000", repeat)
            large = time_dashboard(system, "0002000", repeat)
            store_events = system.store.head()
        finally:
            system.close()
    return {
        "backend": backend,
        "store_events": store_events,
        "provider_10k": small,
        f"provider_{events // 1000}k": large,
        "p99_ratio": round(large["p99_ms"] / small["p99_ms"], 2),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench throughput", description=__doc__.split("\n")[0])
    parser.add_argument("--goals", default="import,append,dashboard")
    parser.add_argument("--size", type=int, default=100_000, help="completions in the file (learners: half)")
    parser.add_argument("--profile", action="store_true", help="run the import under cProfile")
    parser.add_argument("--append-count", type=int, default=5000, help="providers for the append goal")
    parser.add_argument("--dashboard-events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--backend", default="sqlite", help="the dashboard and rebuild goals' database")
    args, _ = parser.parse_known_args(argv)
    results: dict[str, Any] = {}
    for goal in args.goals.split(","):
        if goal == "import":
            results[goal] = goal_import(args.size, args.profile)
        elif goal == "append":
            results[goal] = goal_append(args.append_count)
        elif goal == "rebuild":
            results[goal] = goal_rebuild(args.backend, args.size, args.profile)
        elif goal == "dashboard":
            results[goal] = goal_dashboard(args.backend, args.dashboard_events, args.repeat)
        else:
            parser.error(f"unknown goal {goal!r}")
        print(json.dumps({goal: results[goal]}), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0
