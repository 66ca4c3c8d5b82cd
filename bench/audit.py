"""Audit reads at the issue's size: one provider's history and as-of dashboard among many events, and
`pars audit verify` throughput.

On a fresh database, the target provider gets `--events` events of a realistic mix — activities
registered, revised and closed, learners' completions (most of the volume), contact changes, the
2025 annual report — saved many aggregates per save, interleaved with other providers' events
(registrations and contact changes) up to `--total`. Then:
  * the history and event_chain projections catch up (events/s);
  * history: a page of 500 of the target's events at a random position, plain and type-filtered;
  * as-of dashboard: the dashboard of 2025 as of a random instant of the fill, replayed through the
    same projections and the same route code (`dashboard_body`): first (no replay snapshot anywhere: the
    same-run anchor, what every cold read cost before snapshots were kept in the database), cold (a new
    process: nothing in memory, the database's snapshots) and warm (the same instant again, as another
    page at that instant; and a random instant with this process's snapshots);
  * verify: every chain of the store, and the target's chain alone (events checked/s).
The issue's shape is the default: `--events 100000 --total 1000000`; `--scale 0.1` runs a tenth.

    python -m bench audit [--events N] [--total N] [--scale F] [--reads N] [--backend sqlite|postgres]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select

from adapters.bootstrap import System, bootstrap
from adapters.db.as_of_snapshots import SqlReplaySnapshots, as_of_snapshots
from adapters.db.scratch import replay_code_version, scratch_views
from adapters.settings import Settings
from bench.scratch import fresh_database
from commands.annual import AcceptAgreement, ReviewContacts, SubmitProgramSummary
from commands.providers import ContactDetails, RegisterProvider
from domain.activity import Activity
from domain.base import Acting, Channel
from domain.completion import Completion
from domain.provider import Contact, Provider
from projections.activity_summary import ActivitySummaryProjection
from projections.checklist import ChecklistProjection
from projections.transcripts import TranscriptProjection
from services.as_of import AsOfReplayer
from services.queries.dashboard import dashboard_body

BY = Acting("bench:audit", Channel.BATCH)
TARGET = "0000001"
TODAY = date(2025, 6, 1)  # completions of 2025 are inside the reporting window
DASHBOARD = (ActivitySummaryProjection.name, TranscriptProjection.name, ChecklistProjection.name)


def activity_data(n: int) -> dict[str, Any]:
    month = 1 + n % 5  # every activity ended before TODAY, so all can close
    return {
        "title": f"Grand rounds {n}",
        "description": "Weekly grand rounds.",
        "format": "Course",
        "start_date": f"2025-{month:02d}-01",
        "end_date": f"2025-{month:02d}-02",
        "delivery_methods": ["In-Person"],
        "location": {"city": "Nashville", "state": "TN", "country": "USA"},
        "credits": 2.0,
        "for_public_list": False,
        "sponsorship": "direct",
        "outcomes": [{"outcome": "Learner Knowledge", "measurement_types": ["Objective"]}],
        "commercial_support": n % 7 == 0,
        "monetary_support": [{"source": "Acme Pharma", "amount": 1000}] if n % 7 == 0 else [],
        "learners": {"physician": 40 + n % 30, "other": 5},
    }


class Filler:
    """Builds the store: target rounds of ~1,000 events, each followed by other providers' events."""

    def __init__(self, system: System, events: int, total: int) -> None:
        self.system = system
        self.events = events
        self.others = max(total - events, 0)
        self.activities = max(events // 50, 1)  # ~2,000 activities for 100,000 events
        self.instants: list[datetime] = []  # the end of each round: as-of samples land among them
        self.next_other = 2

    def run(self) -> None:
        s = self.system
        s.providers.register(
            RegisterProvider(
                accme_id=TARGET,
                name="Target CME",
                accreditor="ACCME",
                primary=ContactDetails(name="Ann", email="ann@t.org"),
            ),
            BY,
        )
        rounds = max(self.events // 1000, 1)
        per_round_others = self.others // rounds
        numbers = [f"{100000000 + n:09d}" for n in range(self.activities)]
        activity_ids = [Activity.create_id(TARGET, f"A-{n}") for n in range(self.activities)]
        # Three events per activity (registered, revised, closed), ~1% contact changes, the annual report;
        # the rest are completions spread over the activities.
        completions = max(self.events - 3 * self.activities - self.events // 100 - 4, 0)
        per_round_completions = completions // rounds
        made = 0
        for r in range(rounds):
            batch: list[Any] = []
            share = slice(r * self.activities // rounds, (r + 1) * self.activities // rounds)
            for n, number in zip(range(share.start, share.stop), numbers[share], strict=True):
                a = Activity.register(TARGET, f"A-{n}", number, activity_data(n), BY)
                a.revise({**a.data, "title": f"Grand rounds {n} (revised)"}, BY)
                a.close(TODAY, BY)
                batch.append(a)
            provider: Provider = s.store.repository.get(Provider.create_id(TARGET))
            for k in range(self.events // 100 // rounds):
                provider.assign_contact("billing", Contact(name=f"Bill {r}-{k}", email=f"b{r}.{k}@t.org"), BY)
            batch.append(provider)
            s.store.save(*batch)
            loaded = {i: s.store.repository.get(i) for i in activity_ids[: max(share.stop, 1)][-50:]}
            chosen = list(loaded.values())
            batch = []
            for _ in range(per_round_completions):
                activity = chosen[made % len(chosen)]
                made += 1
                batch.append(
                    Completion.record(
                        accme_id=TARGET,
                        learner_id=uuid.uuid4().hex,
                        activity=activity,
                        completion_date=date.fromisoformat(activity.data["end_date"]),
                        cme=[{"type": "AMA PRA Category 1", "credits": 2.0}],
                        moc=[],
                        credit_id=f"ccid:{TARGET}:{made}",
                        today=TODAY,
                        by=BY,
                    )
                )
            for start in range(0, len(batch), 1000):
                s.store.save(*batch[start : start + 1000])
            if r == rounds // 2:
                s.annual.handle(AcceptAgreement(accme_id=TARGET, year=2025), BY)
                s.annual.handle(
                    SubmitProgramSummary(
                        accme_id=TARGET,
                        year=2025,
                        advertising_exhibit_income=1000,
                        registration_fees=50000,
                        government_grants=0,
                        private_donations=0,
                    ),
                    BY,
                )
                s.annual.handle(ReviewContacts(accme_id=TARGET, year=2025), BY)
            self._others(per_round_others)
            self.instants.append(datetime.now(UTC))

    def _others(self, count: int) -> None:
        """Other providers' events: registrations, and a contact change for every tenth."""
        registrations = count * 10 // 11
        cmds = [
            RegisterProvider(
                accme_id=f"{self.next_other + i:07d}",
                name=f"Other {self.next_other + i}",
                accreditor="ACCME",
                primary=ContactDetails(name="B", email=f"b{self.next_other + i}@o.org"),
            )
            for i in range(registrations)
        ]
        if cmds:
            self.system.providers.register_many(cmds, BY)
        changed = []
        for i in range(0, registrations, 10):
            p: Provider = self.system.store.repository.get(Provider.create_id(f"{self.next_other + i:07d}"))
            p.assign_contact("billing", Contact(name="C", email=f"c{i}@o.org"), BY)
            changed.append(p)
        for start in range(0, len(changed), 1000):
            self.system.store.save(*changed[start : start + 1000])
        self.next_other += registrations


def percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return f"median {statistics.median(samples) * 1000:,.1f} ms, p99 {p99 * 1000:,.1f} ms (n={len(samples)})"


def as_of_dashboard(system: System, instant: datetime, replayer: AsOfReplayer | None = None) -> dict[str, Any]:
    """What GET .../dashboard?year=2025&as_of= does after its access check: replay, then the route's code."""
    reads = (replayer or system.as_of).replay(TARGET, instant, DASHBOARD, accreditor="ACCME", years=[2025])
    try:
        profile = reads.profiles.get_profile(TARGET)
        assert profile is not None
        return dashboard_body(reads, TARGET, profile, 2025)
    finally:
        reads.close()


def as_of_reads(system: System, tag: str, instants: list[datetime], rng: random.Random, n: int) -> None:
    def replayer(kept: bool) -> AsOfReplayer:  # a new process's: nothing in memory
        snapshots = SqlReplaySnapshots(system.db, replay_code_version()) if kept else None
        return AsOfReplayer(system.store, system.as_of.history, scratch_views, snapshots)

    def timed(instant: datetime, r: AsOfReplayer | None = None) -> float:
        t0 = time.perf_counter()
        as_of_dashboard(system, instant, r)
        return time.perf_counter() - t0

    last = instants[-1]
    anchor = timed(last, replayer(kept=False))  # no snapshot anywhere: what every cold read cost before
    body = as_of_dashboard(system, last, replayer(kept=False))
    print(
        f"{tag} as-of dashboard at the last instant ({body['completions_reported']:,} completions, "
        f"{body['activities']['total']:,} activities), no snapshot anywhere (anchor): {anchor * 1000:,.0f} ms"
    )
    first = timed(last)
    print(f"{tag}   first read, keeping snapshots in the database: {first * 1000:,.0f} ms")
    with system.db.engine.connect() as conn:
        rows, size = conn.execute(select(func.count(), func.sum(func.length(as_of_snapshots.c.image)))).one()
    print(f"{tag}   snapshots in the database: {rows} rows, {int(size or 0) / 1e6:,.1f} MB compressed")
    picks = [rng.choice(instants) for _ in range(n)]
    cold = [timed(i, replayer(kept=True)) for i in [last, *picks]]
    print(f"{tag}   cold (new process, the database's snapshots), last and random instants: {percentiles(cold)}")
    print(f"{tag}   ratio cold median / anchor: {statistics.median(cold) / anchor:.3f}")
    same = replayer(kept=True)
    timed(last, same)
    warm = [timed(last, same) for _ in range(n)]
    print(f"{tag}   warm, the same instant again (another page at that instant): {percentiles(warm)}")
    warm_random = [timed(i) for i in picks]
    print(f"{tag}   warm, random instants, this process's snapshots: {percentiles(warm_random)}")


def run(backend: str, events: int, total: int, reads: int) -> None:
    with fresh_database(backend) as url:
        system = bootstrap(Settings(database_url=url, secret_key="bench", mail="file:var/mail"))
        tag = f"[{backend}]"
        try:
            started = time.perf_counter()
            filler = Filler(system, events, total)
            filler.run()
            head = system.store.head()
            print(f"{tag} stored {head:,} events in {time.perf_counter() - started:,.1f}s")
            for name in ("history", "event_chain"):
                started = time.perf_counter()
                system.projections.catch_up([name])
                elapsed = time.perf_counter() - started
                print(f"{tag} {name} catch-up: {head:,} events in {elapsed:,.1f}s, {head / elapsed:,.0f} events/s")
            view = system.queries.audit
            positions = [e["position"] for e in view.events(TARGET)]
            print(f"{tag} provider {TARGET}: {len(positions):,} events of {head:,}")
            rng = random.Random(8)
            for label, types in (
                ("history page of 500", None),
                ("history page of 500, type=Completion", ["Completion"]),
            ):
                samples = []
                for _ in range(reads):
                    after = rng.choice(positions)
                    t0 = time.perf_counter()
                    view.events(TARGET, after=after, limit=500, types=types)
                    samples.append(time.perf_counter() - t0)
                print(f"{tag} {label}: {percentiles(samples)}")
            as_of_reads(system, tag, filler.instants, rng, max(reads // 10, 5))
            for label, provider in (("verify, every chain", None), (f"verify, provider {TARGET}", TARGET)):
                t0 = time.perf_counter()
                result = system.queries.chains.verify(system.queries.chains.position, provider)
                elapsed = time.perf_counter() - t0
                assert result.ok
                print(
                    f"{tag} {label}: {result.checked:,} events checked in {elapsed:,.1f}s, {result.checked / elapsed:,.0f} events/s"
                )
        finally:
            system.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench audit", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="the target provider's events")
    parser.add_argument("--total", type=int, default=1_000_000, help="events in the store")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies --events and --total (0.1: a tenth)")
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), action="append")
    args, _ = parser.parse_known_args(argv)
    for backend in args.backend or ["postgres", "sqlite"]:
        run(backend, int(args.events * args.scale), int(args.total * args.scale), args.reads)
    return 0
