"""Provider registration throughput through ProviderRegistry, against a raw executemany of the same rows.

For each backend (SQLite in a temp file, PostgreSQL in a scratch database), each on a fresh database:
  * one save per provider: `register_many(..., chunk_size=1)`, one transaction per provider and its contacts;
  * batched: `register_many(...)`, 1,000 providers per `store.save(*aggregates)`;
  * per command (context, fewer providers): `register()` then one `handle()` per contact, as the
    HTTP API does it today (one load and one save per command);
  * raw: the very rows the store writes for those events (same columns, same bytes), inserted with
    `executemany`, 1,000 rows a transaction, into a scratch table shaped like the event table;
  * projection catch-up: the batches `system.projections.catch_up()` runs, over the batched load;
    within a time budget by default (the projections apply a few hundred events/s, so all of a
    35,000-event log would take minutes); `--catch-up-budget 0` catches up fully;
  * and, with no database at all, the domain building the same aggregates: the service's ceiling.
The headline is service events/s / raw rows/s on PostgreSQL.

    python -m bench providers [--count N] [--per-command-count N] [--catch-up-budget S] [--backend sqlite|postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import eventsourcing
import psycopg
from rich.console import Console
from rich.table import Table

from adapters.bootstrap import System, bootstrap
from adapters.settings import Settings
from bench.scratch import PG_ADMIN_URL, fresh_database
from commands.base import Command
from commands.providers import (
    AddContact,
    AddStaffContact,
    ContactDetails,
    RegisterProvider,
)
from domain.base import Acting, Channel
from services.providers import PROVIDER_HANDLERS, NewProvider, register_provider
from services.store import ParsStore

RESULTS = Path(__file__).parent / "results" / "providers.json"
RAW_ROWS_PER_TRANSACTION = 1000
RAW_REPEATS = 3
BY = Acting("bench", Channel.BATCH)
console = Console(width=max(Console().width, 150))


# --- the workload ----------------------------------------------------------------------------


def make_items(count: int) -> list[NewProvider]:
    """`count` providers, each with a primary contact and 2-3 more: billing, staff, and a website on every other one."""
    items = []
    for n in range(count):
        accme_id = f"{n + 1:07d}"
        contact = lambda who, role, n=n: ContactDetails(  # noqa: E731
            name=f"{who} {role.title()} {n}",
            email=f"{role}.{n}@provider{n}.example.org",
            title=f"{role.title()} Coordinator",
            phone=f"+1 615 555 {n % 10000:04d}",
        )
        then: list[Command] = [AddContact(accme_id=accme_id, role="billing", contact=contact("Blair", "billing"))]
        if n % 2 == 0:
            then.append(AddContact(accme_id=accme_id, role="website", contact=contact("Wren", "website")))
        then.append(AddStaffContact(accme_id=accme_id, contact=contact("Sasha", "staff")))
        register = RegisterProvider(
            accme_id=accme_id,
            name=f"Regional Medical Center {n} Continuing Medical Education",
            accreditor="ACCME" if n % 3 else "TN",
            primary=contact("Pat", "primary"),
        )
        items.append(NewProvider(register, then=tuple(then)))
    return items


def events_of(items: list[NewProvider]) -> int:
    return sum(1 + len(item.then) for item in items)


def stored_rows(items: list[NewProvider]) -> list[tuple[uuid.UUID, int, str, bytes]]:
    """The rows the event store writes for these providers: built by the same domain code and mapper."""
    store = ParsStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    rows = []
    for item in items:
        provider = register_provider(item.register, BY)
        for cmd in item.then:
            PROVIDER_HANDLERS[type(cmd)](provider, cmd, BY)
        for domain_event in provider.collect_events():
            stored = store.mapper.to_stored_event(domain_event)
            rows.append((stored.originator_id, stored.originator_version, stored.topic, stored.state))
    store.close()
    return rows


# --- fresh databases -------------------------------------------------------------------------


@contextmanager
def fresh_system(backend: str) -> Iterator[System]:
    with fresh_database(backend) as url, tempfile.TemporaryDirectory(prefix="pars_bench_mail_") as mail:
        system = bootstrap(Settings(database_url=url, secret_key="bench-secret", mail=f"file:{mail}"))
        try:
            yield system
        finally:
            system.close()


# --- the measurements ------------------------------------------------------------------------


def measure_service(
    backend: str, items: list[NewProvider], chunk_size: int, catch_up: bool, budget: float | None = None
) -> dict[str, Any]:
    with fresh_system(backend) as system:
        started = time.perf_counter()
        results = system.providers.register_many(items, BY, chunk_size=chunk_size)
        seconds = time.perf_counter() - started
        refused = [r for r in results if not r.ok]
        if refused:
            raise SystemExit(f"{len(refused)} providers refused, first: {refused[0].error}")
        events = events_of(items)
        stored = len(system.store.recorder.select_notifications(start=1, limit=events + 1))
        assert stored == events, (stored, events)
        figures: dict[str, Any] = {
            "providers": len(items),
            "events": events,
            "seconds": seconds,
            "events_per_s": events / seconds,
            "providers_per_s": len(items) / seconds,
            "aggregates_per_save": chunk_size,
        }
        if catch_up:
            figures["catch_up"] = measure_catch_up(system, events, budget)
        return figures


def measure_build(items: list[NewProvider]) -> dict[str, Any]:
    """The domain alone: build every provider and its contacts in memory, store nothing (a ceiling for the service)."""
    started = time.perf_counter()
    for item in items:
        provider = register_provider(item.register, BY)
        for cmd in item.then:
            PROVIDER_HANDLERS[type(cmd)](provider, cmd, BY)
    seconds = time.perf_counter() - started
    events = events_of(items)
    return {"providers": len(items), "events": events, "seconds": seconds, "events_per_s": events / seconds}


def measure_per_command(backend: str, items: list[NewProvider]) -> dict[str, Any]:
    """The API's path today: register, then load-apply-save once per contact command."""
    with fresh_system(backend) as system:
        started = time.perf_counter()
        for item in items:
            system.providers.register(item.register, BY)
            for cmd in item.then:
                system.providers.handle(cmd, BY)
        seconds = time.perf_counter() - started
        events = events_of(items)
        return {
            "providers": len(items),
            "events": events,
            "seconds": seconds,
            "events_per_s": events / seconds,
            "providers_per_s": len(items) / seconds,
            "aggregates_per_save": 1,
        }


def measure_catch_up(system: System, events: int, budget: float | None) -> dict[str, Any]:
    """Times each projection's catch-up over the log: all of it, or (with a budget) as many batches as fit.

    The batches are those `system.projections.catch_up()` runs (it loops `run_batch()` per
    projection until the head); a budget only stops the loop early, per projection.
    """
    runners = system.projections.runners
    per_projection = {}
    started = time.perf_counter()
    for name, runner in runners.items():
        t0 = time.perf_counter()
        if budget is None:
            applied = runner.catch_up()
        else:
            applied = 0
            deadline = t0 + budget / len(runners)
            while time.perf_counter() < deadline and (batch := runner.run_batch()):
                applied += batch
        took = time.perf_counter() - t0
        per_projection[name] = {
            "events": applied,
            "complete": runner.status().lag == 0,
            "seconds": took,
            "events_per_s": applied / took if took else None,
        }
    seconds = time.perf_counter() - started
    if budget is None:
        system.projections.catch_up()  # the CLI's and tests' entry point: must find nothing left
        assert all(s.lag == 0 for s in system.projections.statuses())
    applied_total = sum(p["events"] for p in per_projection.values())
    return {
        "log_events": events,
        "projections": len(per_projection),
        "budget_seconds": budget,
        "complete": all(p["complete"] for p in per_projection.values()),
        "seconds": seconds,
        "projection_events": applied_total,
        # a log event must pass every projection: log events/s is projection events/s over their count
        "log_events_per_s": applied_total / len(per_projection) / seconds,
        "projection_events_per_s": applied_total / seconds,
        "per_projection": per_projection,
    }


RAW_PG_DDL = """
CREATE TABLE bench_raw_events (
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic text,
    state bytea,
    notification_id bigserial,
    PRIMARY KEY (originator_id, originator_version));
CREATE UNIQUE INDEX bench_raw_events_notification_id ON bench_raw_events (notification_id);
"""
RAW_SQLITE_DDL = """
CREATE TABLE bench_raw_events (
    notification_id INTEGER PRIMARY KEY AUTOINCREMENT,
    originator_id TEXT NOT NULL,
    originator_version INTEGER NOT NULL,
    topic TEXT NOT NULL,
    state BLOB NOT NULL);
CREATE UNIQUE INDEX bench_raw_events_aggregate ON bench_raw_events (originator_id, originator_version);
"""
RAW_INSERT = "INSERT INTO bench_raw_events (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)"


def measure_raw(backend: str, rows: list[tuple[uuid.UUID, int, str, bytes]]) -> dict[str, Any]:
    """executemany of the same rows, 1,000 a transaction, into a table shaped like the event table."""
    chunks = [rows[i : i + RAW_ROWS_PER_TRANSACTION] for i in range(0, len(rows), RAW_ROWS_PER_TRANSACTION)]
    with fresh_database(backend) as url:
        if backend == "postgres":
            with psycopg.connect(url) as conn:
                conn.execute(RAW_PG_DDL)
                conn.commit()
                started = time.perf_counter()
                for chunk in chunks:
                    with conn.cursor() as cur:
                        cur.executemany(RAW_INSERT, chunk)
                    conn.commit()
                seconds = time.perf_counter() - started
                (count,) = conn.execute("SELECT count(*) FROM bench_raw_events").fetchone()  # type: ignore[misc]
        else:
            path = url[len("sqlite:///") :]
            conn = sqlite3.connect(path)
            try:
                conn.executescript(RAW_SQLITE_DDL)
                sql = RAW_INSERT.replace("%s", "?")
                started = time.perf_counter()
                for chunk in chunks:
                    conn.executemany(sql, [(str(o), v, t, s) for o, v, t, s in chunk])
                    conn.commit()
                seconds = time.perf_counter() - started
                (count,) = conn.execute("SELECT count(*) FROM bench_raw_events").fetchone()
            finally:
                conn.close()
    assert count == len(rows), (count, len(rows))
    return {
        "rows": len(rows),
        "rows_per_transaction": RAW_ROWS_PER_TRANSACTION,
        "seconds": seconds,
        "rows_per_s": len(rows) / seconds,
    }


# --- report ----------------------------------------------------------------------------------


def environment() -> dict[str, Any]:
    env: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "eventsourcing": eventsourcing.__version__ if hasattr(eventsourcing, "__version__") else "9.5.6",
        "psycopg": psycopg.__version__,
        "sqlite": sqlite3.sqlite_version,
    }
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            env["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    except psycopg.Error:
        env["postgresql"] = None
    return env


def print_report(report: dict[str, Any]) -> None:
    table = Table(title=f"Provider registration: {report['count']:,} providers, each a primary + 2-3 contacts")
    for column, justify in [
        ("backend", "left"),
        ("path", "left"),
        ("providers", "right"),
        ("events / rows", "right"),
        ("seconds", "right"),
        ("events / s", "right"),
        ("÷ raw", "right"),
    ]:
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for backend, b in report["backends"].items():
        raw = b["raw_executemany"]["rows_per_s"]
        for key, label in [
            ("one_save_per_provider", "service, one save per provider"),
            ("batched", "service, register_many (1,000 per save)"),
            ("per_command", "service, register + handle per contact"),
        ]:
            f = b.get(key)
            if f:
                table.add_row(
                    backend,
                    label,
                    f"{f['providers']:,}",
                    f"{f['events']:,}",
                    f"{f['seconds']:.2f}",
                    f"{f['events_per_s']:,.0f}",
                    f"{f['events_per_s'] / raw:.3f}",
                )
        r = b["raw_executemany"]
        table.add_row(
            backend,
            f"raw executemany ({r['rows_per_transaction']:,} rows a transaction, median of {len(r['repeats'])})",
            "",
            f"{r['rows']:,}",
            f"{r['seconds']:.2f}",
            f"{r['rows_per_s']:,.0f}",
            "1.000",
        )
        c = b["batched"].get("catch_up")
        if c:
            done = (
                ""
                if c["complete"]
                else f", {c['projection_events'] / c['projections']:,.0f} of {c['log_events']:,} in budget"
            )
            table.add_row(
                backend,
                f"projection catch-up, log events through all {c['projections']} projections{done}",
                "",
                f"{c['log_events']:,}",
                f"{c['seconds']:.2f}",
                f"{c['log_events_per_s']:,.0f}",
                "",
                end_section=True,
            )
    d = report["domain_only"]
    table.add_row(
        "(none)",
        "domain only: build the aggregates in memory, no store",
        f"{d['providers']:,}",
        f"{d['events']:,}",
        f"{d['seconds']:.2f}",
        f"{d['events_per_s']:,.0f}",
        "",
    )
    console.print(table)
    for backend, b in report["backends"].items():
        c = b["batched"].get("catch_up")
        if c:
            parts = ", ".join(
                f"{n} {p['events_per_s']:,.0f}/s ({p['events']:,} events)" for n, p in c["per_projection"].items()
            )
            console.print(f"{backend} catch-up per projection: {parts}")
    console.print(
        f"[dim]mean event size {report['mean_event_bytes']:.0f} bytes of state; "
        f"environment: {json.dumps(report['environment'])}[/dim]"
    )
    pg = report["backends"].get("postgres")
    if pg:
        raw = pg["raw_executemany"]["rows_per_s"]
        console.print(
            "[bold]headline (PostgreSQL, service events/s ÷ raw executemany rows/s):[/bold] "
            f"batched {pg['batched']['events_per_s'] / raw:.3f}, "
            f"one save per provider {pg['one_save_per_provider']['events_per_s'] / raw:.3f}"
        )
    console.print(f"[dim]written to {RESULTS}[/dim]")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench providers", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=10_000, help="providers per measured load (default 10,000)")
    parser.add_argument(
        "--per-command-count",
        type=int,
        default=500,
        help="providers for the register + handle-per-contact path (0 skips it; default 500)",
    )
    parser.add_argument(
        "--catch-up-budget",
        type=float,
        default=30.0,
        help="seconds for timing projection catch-up per backend, shared by the projections "
        "(0: catch up fully; default 30)",
    )
    parser.add_argument(
        "--backend",
        choices=["sqlite", "postgres"],
        action="append",
        help="measure only this backend (repeatable; default both)",
    )
    args = parser.parse_args(argv)
    backends = args.backend or ["sqlite", "postgres"]

    items = make_items(args.count)
    rows = stored_rows(items)
    report: dict[str, Any] = {
        "bench": "providers",
        "count": args.count,
        "events": len(rows),
        "mean_event_bytes": sum(len(r[3]) for r in rows) / len(rows),
        "mean_row_bytes": sum(len(r[2]) + len(r[3]) + 24 for r in rows) / len(rows),
        "environment": environment(),
        "domain_only": measure_build(items),
        "backends": {},
    }
    for backend in backends:
        if backend == "postgres" and report["environment"]["postgresql"] is None:
            console.print(f"[red]PostgreSQL is not answering at {PG_ADMIN_URL}; skipping it[/red]")
            continue
        figures: dict[str, Any] = {}
        with console.status(f"{backend}: raw executemany of {len(rows):,} rows, {RAW_REPEATS} times"):
            # cheap, so repeated on a fresh database each time; the median damps a busy machine's noise
            runs = sorted((measure_raw(backend, rows) for _ in range(RAW_REPEATS)), key=lambda r: r["rows_per_s"])
            figures["raw_executemany"] = {**runs[len(runs) // 2], "repeats": [r["rows_per_s"] for r in runs]}
        with console.status(f"{backend}: register_many, 1,000 providers a save, then projection catch-up"):
            figures["batched"] = measure_service(
                backend, items, chunk_size=1000, catch_up=True, budget=args.catch_up_budget or None
            )
        with console.status(f"{backend}: one save per provider ({args.count:,} saves)"):
            figures["one_save_per_provider"] = measure_service(backend, items, chunk_size=1, catch_up=False)
        if args.per_command_count:
            subset = items[: args.per_command_count]
            with console.status(f"{backend}: register + handle per contact ({len(subset):,} providers)"):
                figures["per_command"] = measure_per_command(backend, subset)
        raw = figures["raw_executemany"]["rows_per_s"]
        figures["ratios_to_raw"] = {
            k: figures[k]["events_per_s"] / raw
            for k in ("batched", "one_save_per_provider", "per_command")
            if k in figures
        }
        report["backends"][backend] = figures
        console.print(f"[green]{backend} done[/green]")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print_report(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
