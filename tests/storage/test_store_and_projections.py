"""The event store and the provider read models on both backends: round trips, history, rebuilds, exactly once."""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy.exc
from eventsourcing.persistence import IntegrityError, Tracking

from commands.providers import (
    AddContact,
    AddStaffContact,
    AssignContact,
    ContactDetails,
    RecordAccreditationDecision,
    RegisterProvider,
    RemoveContact,
    RemoveStaffContact,
)
from domain.base import Acting, Channel
from domain.errors import DomainError
from domain.provider import Provider
from projections.directory import DirectoryProjection

BY = Acting("test:storage", Channel.BATCH)
PROVIDER_VIEWS = ["provider_profile", "directory", "history"]


def register(system, accme_id="0001234", name="Acme CME", accreditor="ACCME"):
    cmd = RegisterProvider(
        accme_id=accme_id, name=name, accreditor=accreditor, primary=ContactDetails(name="Ann", email="ann@acme.org")
    )
    return system.providers.register(cmd, BY)


def state(p: Provider) -> dict:
    return {
        k: getattr(p, k)
        for k in ("id", "version", "accme_id", "name", "accreditor", "contacts", "staff", "decisions", "api_tokens")
    }


def test_a_provider_round_trips_through_the_store_even_past_a_snapshot(any_system):
    system = any_system
    register(system)
    for n in range(110):  # Provider snapshots every 100 events
        system.providers.handle(
            AssignContact(
                accme_id="0001234", role="billing", contact=ContactDetails(name=f"Bill {n}", email=f"b{n}@acme.org")
            ),
            BY,
        )
    system.providers.handle(
        RecordAccreditationDecision(accme_id="0001234", decision="Accreditation", decided_on=date(2024, 2, 29)), BY
    )
    loaded = system.providers.get("0001234")
    assert loaded.version == 112
    assert loaded.contacts["billing"]["email"] == "b109@acme.org"
    assert loaded.decisions == [
        {"decision": "Accreditation", "decided_on": date(2024, 2, 29), "term_ends": date(2028, 2, 29)}
    ]
    # the log alone (no snapshot) replays to the same state
    notifications = system.store.recorder.select_notifications(start=1, limit=1000)
    aggregate = None
    for n in notifications:
        e = system.store.mapper.to_domain_event(n)
        if e.originator_id == loaded.id:
            aggregate = e.mutate(aggregate)
    assert state(aggregate) == state(loaded)


def test_a_provider_history_reads_back_in_order_with_type_time_actor_channel_and_data(any_system):
    system = any_system
    register(system)
    system.providers.handle(
        AssignContact(accme_id="0001234", role="website", contact=ContactDetails(name="Web", email="web@acme.org")),
        Acting("provider:0001234:t", Channel.WEB),
    )
    system.providers.handle(
        AddStaffContact(accme_id="0001234", contact=ContactDetails(name="Sam", email="sam@acme.org")),
        Acting("cli:root", Channel.CLI),
    )
    register(system, "0007777", "Other")
    system.projections.catch_up(["history"])
    items = system.queries.audit.events("0001234")
    assert [(e["type"], e["actor"], e["channel"]) for e in items] == [
        ("Provider.Registered", "test:storage", "batch"),
        ("Provider.ContactAssigned", "provider:0001234:t", "web"),
        ("Provider.StaffContactAdded", "cli:root", "cli"),
    ]
    assert items[1]["data"] == {
        "role": "website",
        "contact": {"name": "Web", "email": "web@acme.org", "title": "", "phone": ""},
    }
    assert [datetime.fromisoformat(e["time"]) for e in items] == sorted(
        datetime.fromisoformat(e["time"]) for e in items
    )
    assert [e["position"] for e in items] == sorted(e["position"] for e in items)
    assert [e["type"] for e in system.queries.audit.events("0007777")] == ["Provider.Registered"]


def test_history_as_of_leaves_out_what_came_later(any_system):
    system = any_system
    register(system)
    system.projections.catch_up(["history"])
    first = datetime.fromisoformat(system.queries.audit.events("0001234")[0]["time"])
    time.sleep(0.01)
    system.providers.handle(
        AssignContact(accme_id="0001234", role="ceo", contact=ContactDetails(name="C", email="c@acme.org")), BY
    )
    system.projections.catch_up(["history"])
    view = system.queries.audit
    assert len(view.events("0001234")) == 2
    assert [e["type"] for e in view.events("0001234", as_of=first)] == ["Provider.Registered"]
    assert len(view.events("0001234", as_of=first + timedelta(milliseconds=5))) == 1
    assert view.events("0001234", as_of=first - timedelta(microseconds=1)) == []
    assert len(view.events("0001234", as_of=datetime.now().astimezone() + timedelta(days=1))) == 2


def _random_commands(system, rng: random.Random, count: int, step) -> None:
    ids = [f"{n:07d}" for n in range(1, 7)]
    for accme_id in ids:
        register(
            system,
            accme_id,
            rng.choice(["Acme", "Beta", "Gamma"]) + f" CME {accme_id}",
            rng.choice(["ACCME", "TN", "JA"]),
        )
    staff: dict[str, list[str]] = {a: [] for a in ids}
    roles = ["primary", "billing", "ceo", "website", "technical", "medical_director", "staff"]
    day = date(2020, 1, 1)
    for n in range(count):
        accme_id = rng.choice(ids)
        contact = ContactDetails(
            name=rng.choice(["Ann", "Bo", "Cy"]), email=f"{rng.choice(['ann', 'bo', 'cy'])}@x{rng.randint(1, 3)}.org"
        )
        kind = rng.randrange(6)
        if kind == 0:
            cmd = AssignContact(accme_id=accme_id, role=rng.choice(roles[:-1]), contact=contact)
        elif kind == 1:
            cmd = AddContact(accme_id=accme_id, role=rng.choice(roles), contact=contact)
        elif kind == 2:
            cmd = RemoveContact(accme_id=accme_id, role=rng.choice(roles[:-1]))
        elif kind == 3:
            cmd = AddStaffContact(accme_id=accme_id, contact=contact)
        elif kind == 4:
            cmd = RemoveStaffContact(accme_id=accme_id, contact_id=rng.choice(staff[accme_id] or ["missing"]))
        else:
            day += timedelta(days=rng.randint(0, 90))
            cmd = RecordAccreditationDecision(
                accme_id=accme_id,
                decision=rng.choice(["Accreditation", "Probation", "Nonaccreditation", "Provisional Accreditation"]),
                decided_on=day,
            )
        try:
            outcome = system.providers.handle(cmd, BY)
        except DomainError:
            continue
        if isinstance(cmd, AddStaffContact) or (isinstance(cmd, AddContact) and cmd.role == "staff"):
            staff[accme_id].append(outcome.value)
        step(n)


def _read_models(system) -> dict:
    ids = [f"{n:07d}" for n in range(1, 7)]
    return {
        "profiles": {a: system.reads.profiles.get_profile(a) for a in ids},
        "listed": system.reads.profiles.list_profiles(),
        "directory": [
            system.projections.get(DirectoryProjection).view.search(q, 100, 0)
            for q in ("", "cme", "acme", "tennessee", "0000003")
        ],
        "directory_entries": {a: system.projections.get(DirectoryProjection).view.get_entry(a) for a in ids},
        "history": {a: system.queries.audit.events(a) for a in ids},
    }


def test_rebuilding_each_projection_yields_exactly_the_live_read_model(any_system):
    system = any_system
    rng = random.Random(20261123)
    # live: the projections follow along in small, uneven steps
    _random_commands(system, rng, 220, lambda n: system.projections.catch_up(PROVIDER_VIEWS) if n % 11 == 0 else None)
    system.projections.catch_up(PROVIDER_VIEWS)
    live = _read_models(system)
    assert sum(len(h) for h in live["history"].values()) > 120
    assert any(p["staff"] for p in live["profiles"].values()) and any(p["decisions"] for p in live["profiles"].values())
    for name in PROVIDER_VIEWS:
        applied = system.projections.rebuild(name)
        assert applied == system.store.head()
    assert _read_models(system) == live
    for s in system.projections.statuses():
        if s.name in PROVIDER_VIEWS:
            assert s.lag == 0


def test_a_position_already_tracked_is_refused_and_a_batch_cannot_be_applied_twice(any_system):
    system = any_system
    register(system)
    system.providers.handle(
        AssignContact(accme_id="0001234", role="ceo", contact=ContactDetails(name="C", email="c@acme.org")), BY
    )
    register(system, "0007777", "Other")
    system.projections.catch_up(PROVIDER_VIEWS)
    runner = system.projections["history"]
    assert runner.run_batch() == 0
    before = system.queries.audit.events("0001234")
    position = runner.projection.position
    assert position == system.store.head()
    for name in PROVIDER_VIEWS:
        with pytest.raises(IntegrityError):
            system.projections[name].projection.view.insert_tracking(Tracking(system.store.name, 1))
        with pytest.raises(IntegrityError):
            system.projections[name].projection.view.insert_tracking(Tracking(system.store.name, position))
    # a second worker that missed the commit replays the same batch: refused whole, nothing doubled
    notifications = system.store.recorder.select_notifications(start=1, limit=100)
    for name in PROVIDER_VIEWS:
        projection = system.projections[name].projection
        with pytest.raises((IntegrityError, sqlalchemy.exc.IntegrityError)), projection.view.transaction():
            for n in notifications:
                projection.process_event(system.store.mapper.to_domain_event(n), Tracking(system.store.name, n.id))
        assert projection.position == position
    assert system.queries.audit.events("0001234") == before
    assert system.reads.profiles.get_profile("0001234")["contacts"]["ceo"]["email"] == "c@acme.org"
    assert runner.run_batch() == 0


def test_projections_in_threads_see_each_write_after_wait(any_system):
    system = any_system
    system.projections.start()
    try:
        outcome = register(system)
        system.projections.wait(outcome.position, timeout=10, names=PROVIDER_VIEWS)
        assert system.reads.profiles.get_profile("0001234")["name"] == "Acme CME"
        for n in range(5):
            outcome = system.providers.handle(
                AssignContact(
                    accme_id="0001234", role="website", contact=ContactDetails(name="W", email=f"w{n}@acme.org")
                ),
                BY,
            )
            system.projections.wait(outcome.position, timeout=10, names=PROVIDER_VIEWS)
            assert system.reads.profiles.get_profile("0001234")["directory_contact"]["email"] == f"w{n}@acme.org"
            assert system.queries.directory.page("acme", 1)["data"][0]["contact"]["email"] == f"w{n}@acme.org"
            assert len(system.queries.audit.events("0001234")) == n + 2
        assert not system.projections.errors
    finally:
        system.projections.stop()


def test_waiting_for_a_position_never_written_times_out(any_system):
    system = any_system
    register(system)
    with pytest.raises(TimeoutError):
        system.projections.wait(system.store.head() + 10, timeout=0.2, names=["history"])
