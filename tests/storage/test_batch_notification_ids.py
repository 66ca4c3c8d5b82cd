"""A batched save answers each event's notification id: the id its stored row has in the log (the SQLite recorder
inserts a batch with one executemany and derives the ids; PostgreSQL reads them back), and the ids run on across
saves, after a refused save, and beside a single-event save."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import IntegrityError

from adapters.bootstrap import System
from commands.providers import AddContact, ContactDetails, RegisterProvider
from domain.base import Acting, Channel
from services.providers import NewProvider, register_provider

BY = Acting("importer", Channel.BATCH)


def provider(accme_id: str):  # type: ignore[no-untyped-def]
    item = NewProvider(
        RegisterProvider(
            accme_id=accme_id,
            name="Mercy CME",
            accreditor="ACCME",
            primary=ContactDetails(name="Pat Primary", email=f"pat{accme_id}@example.org"),
        ),
        then=(
            AddContact(accme_id=accme_id, role="billing", contact=ContactDetails(name="Bo B", email="bo@example.org")),
        ),
    )
    p = register_provider(item.register, BY)
    p.add_contact("billing", item.then[0].contact.to_domain(), BY)  # type: ignore[union-attr]
    return p


def stored_ids(system: System) -> dict[tuple[str, int], int]:
    """(originator id, version) -> notification id, as the log holds them."""
    return {
        (str(n.originator_id), n.originator_version): n.id
        for n in system.store.recorder.select_notifications(start=1, limit=10_000)
    }


def answered_ids(recordings) -> dict[tuple[str, int], int]:  # type: ignore[no-untyped-def]
    return {
        (str(r.domain_event.originator_id), r.domain_event.originator_version): r.notification.id for r in recordings
    }


def test_each_event_of_a_batch_is_answered_its_own_log_position(any_system: System) -> None:
    store = any_system.store
    answered = answered_ids(store.save(*(provider(f"{n:07d}") for n in range(1, 31))))
    answered |= answered_ids(store.save(provider("0000100")))  # one aggregate: the library's own path
    with pytest.raises(IntegrityError):  # a refused batch stores nothing and answers nothing
        store.save(provider("0000200"), provider("0000001"))
    answered |= answered_ids(store.save(*(provider(f"{n:07d}") for n in range(300, 320))))

    assert len(answered) == 2 * 51
    assert answered == stored_ids(any_system)
    # In each aggregate, versions follow the log's order (optimistic concurrency is per (originator, version)).
    by_aggregate: dict[str, list[tuple[int, int]]] = {}
    for (originator, version), position in answered.items():
        by_aggregate.setdefault(originator, []).append((version, position))
    assert all(sorted(p for _, p in sorted(pairs)) == [p for _, p in sorted(pairs)] for pairs in by_aggregate.values())
    assert store.head() == max(answered.values())
