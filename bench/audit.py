"""Audit reads: a provider's history pages among many other events, and `pars audit verify` throughput.

On a fresh database: one provider with `--events` events (contact changes) among `--others` other
providers' events; the history and event_chain projections catch up; then
  * history: a page of 500 of that provider's events at a random position (`after=`), plain and with
    a `type=` filter (median, p99 over `--reads` reads);
  * verify: recompute every chain of the store (events/s), and that provider's chain alone.
The issue's shape (100,000 events among 1,000,000) is `--events 100000 --others 900000`.

    python -m bench audit [--events N] [--others N] [--reads N] [--backend sqlite|postgres]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from adapters.bootstrap import bootstrap
from adapters.settings import Settings
from bench.scratch import fresh_database
from commands.providers import ContactDetails, RegisterProvider
from domain.base import Acting, Channel
from domain.provider import Contact, Provider
from services.audit import verify_chains

BY = Acting("bench:audit", Channel.BATCH)
TARGET = "0000001"


def fill(system, events: int, others: int) -> None:
    """Saves the target's events 1,000 at a time, interleaved with other providers' registrations."""
    system.providers.register(RegisterProvider(accme_id=TARGET, name="Target CME", accreditor="ACCME", primary=ContactDetails(name="A", email="a@t.org")), BY)
    provider = system.store.repository.get(Provider.create_id(TARGET))
    other_cmds = iter(
        RegisterProvider(accme_id=f"{n:07d}", name=f"Other {n}", accreditor="ACCME", primary=ContactDetails(name="B", email=f"b{n}@o.org"))
        for n in range(2, others + 2)
    )
    rounds = max(events // 1000, 1)
    per_round = max(others // rounds, 0)
    for r in range(rounds):
        for n in range(1000):
            provider.assign_contact("billing", Contact(name=f"Bill {r}-{n}", email=f"b{r}.{n}@t.org"), BY)
        system.store.save(provider)
        batch = [c for _, c in zip(range(per_round), other_cmds, strict=False)]
        if batch:
            system.providers.register_many(batch, BY)


def percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return f"median {statistics.median(samples) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"


def run(backend: str, events: int, others: int, reads: int) -> None:
    with fresh_database(backend) as url:
        system = bootstrap(Settings(database_url=url, secret_key="bench", mail="file:var/mail"))
        try:
            started = time.perf_counter()
            fill(system, events, others)
            head = system.store.head()
            print(f"[{backend}] stored {head:,} events in {time.perf_counter() - started:.1f}s")
            for name in ("history", "event_chain"):
                started = time.perf_counter()
                system.projections.catch_up([name])
                elapsed = time.perf_counter() - started
                print(f"[{backend}] {name} catch-up: {head / elapsed:,.0f} events/s")
            view = system.history.view
            positions = [e["position"] for e in view.events(TARGET)]
            rng = random.Random(8)
            for label, types in (("history page of 500", None), ("history page of 500, type=ContactAssigned", ["ContactAssigned"])):
                samples = []
                for _ in range(reads):
                    after = rng.choice(positions)
                    t0 = time.perf_counter()
                    view.events(TARGET, after=after, limit=500, types=types)
                    samples.append(time.perf_counter() - t0)
                print(f"[{backend}] {label} ({len(positions):,} events of {head:,}): {percentiles(samples)}")
            for label, provider in (("verify, every chain", None), (f"verify, provider {TARGET}", TARGET)):
                t0 = time.perf_counter()
                result = verify_chains(system.store, system.chain.view, system.chain.position, provider)
                elapsed = time.perf_counter() - t0
                assert result.ok
                print(f"[{backend}] {label}: {result.checked:,} events checked in {elapsed:.2f}s, {result.checked / elapsed:,.0f} events/s")
        finally:
            system.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench audit", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--others", type=int, default=80_000)
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), action="append")
    args, _ = parser.parse_known_args(argv)
    for backend in args.backend or ["sqlite", "postgres"]:
        run(backend, args.events, args.others, args.reads)
    return 0
