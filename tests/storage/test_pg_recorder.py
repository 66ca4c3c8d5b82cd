"""The PostgreSQL recorder that sends a batch as column arrays stores exactly what the library's would: the same
rows, in the order given, with the notification ids they were given, and a conflicting batch stores nothing."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import IntegrityError
from eventsourcing.postgres import PostgresApplicationRecorder

from adapters.db.pg_recorder import ParsPostgresRecorder
from domain.base import Acting, Channel
from domain.provider import Contact, Provider
from tests.conftest import make_system

BY = Acting("cli:test", Channel.BATCH)

pytestmark = pytest.mark.postgres


def provider(n: int) -> Provider:
    """A provider with two events: registered, and a billing contact added."""
    contact = Contact(name=f"Pat Ü {n}", email=f"p{n}@example.org", phone="+1 615 555 0100")
    registered = Provider.register(f"{n:07d}", f"P {n}", "ACCME", contact, BY)
    registered.add_contact("billing", contact, BY)
    return registered


def test_a_batch_is_stored_in_order_with_its_notification_ids(postgres_url: str) -> None:
    system = make_system(postgres_url)
    try:
        recorder = system.store.recorder
        assert type(recorder) is ParsPostgresRecorder and isinstance(recorder, PostgresApplicationRecorder)
        aggregates = [provider(n) for n in range(1, 301)]
        recordings = system.store.save(*aggregates)
        assert [r.notification.id for r in recordings] == list(range(1, 601))
        stored = recorder.select_notifications(start=1, limit=1000)
        assert [(n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in stored] == [
            (
                r.notification.id,
                r.domain_event.originator_id,
                r.domain_event.originator_version,
                r.notification.topic,
                r.notification.state,
            )
            for r in recordings
        ]
        assert system.store.repository.get(aggregates[7].id).contacts == aggregates[7].contacts

        # one existing aggregate in a batch: nothing of the batch is stored
        again = [provider(1000), provider(1)]
        with pytest.raises(IntegrityError):
            system.store.save(*again)
        assert system.store.head() == 600
    finally:
        system.close()
