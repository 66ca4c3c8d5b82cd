"""ProviderRegistry.register_many: many providers per transaction, duplicates refused per item."""

from __future__ import annotations

import pytest

from adapters.bootstrap import System
from commands.providers import AddContact, AddStaffContact, ContactDetails, RegisterProvider
from domain.base import Acting, Channel
from domain.errors import DuplicateStaffContactError, InvalidValueError, ProviderAlreadyExistsError
from services.providers import NewProvider

BY = Acting("importer", Channel.BATCH)


def reg(accme_id: str, name: str = "Mercy CME") -> RegisterProvider:
    return RegisterProvider(
        accme_id=accme_id,
        name=name,
        accreditor="ACCME",
        primary=ContactDetails(name="Pat Primary", email=f"pat{accme_id}@example.org"),
    )


def event_count(system: System) -> int:
    # Not head(): on PostgreSQL a refused (rolled back) save still uses up notification IDs.
    return len(system.store.recorder.select_notifications(start=1, limit=1_000_000))


def with_contacts(accme_id: str) -> NewProvider:
    return NewProvider(
        reg(accme_id),
        then=(
            AddContact(
                accme_id=accme_id, role="billing", contact=ContactDetails(name="Bo Billing", email="bo@example.org")
            ),
            AddContact(
                accme_id=accme_id, role="website", contact=ContactDetails(name="Wy Web", email="wy@example.org")
            ),
            AddStaffContact(accme_id=accme_id, contact=ContactDetails(name="Sam Staff", email="sam@example.org")),
        ),
    )


def test_saves_every_provider_with_its_contacts_in_chunks(any_system: System) -> None:
    items = [with_contacts(f"{n:07d}") for n in range(1, 26)]
    results = any_system.providers.register_many(items, BY, chunk_size=10)

    assert [r.accme_id for r in results] == [f"{n:07d}" for n in range(1, 26)]
    assert all(r.ok and r.position for r in results)
    assert event_count(any_system) == 25 * 4  # registered + billing + website + staff
    provider = any_system.providers.get("0000007")
    assert set(provider.contacts) == {"primary", "billing", "website"}
    assert [s["email"] for s in provider.staff.values()] == ["sam@example.org"]
    # Positions are the provider's last event: a reader waiting for it sees the whole provider.
    any_system.projections.catch_up()
    assert any_system.store.head() == max(r.position for r in results)


def test_refuses_existing_and_repeated_ids_but_saves_the_rest(any_system: System) -> None:
    any_system.providers.register(reg("0000002", name="Already Here"), BY)
    before = event_count(any_system)

    cmds = [reg("0000001"), reg("0000002"), reg("0000003"), reg("0000001", name="Again"), reg("0000004")]
    results = any_system.providers.register_many(cmds, BY, chunk_size=3)

    assert [(r.index, r.accme_id, r.ok) for r in results] == [
        (0, "0000001", True),
        (1, "0000002", False),
        (2, "0000003", True),
        (3, "0000001", False),
        (4, "0000004", True),
    ]
    assert isinstance(results[1].error, ProviderAlreadyExistsError)
    assert "already exists" in results[1].error.message
    assert isinstance(results[3].error, ProviderAlreadyExistsError)
    assert "repeated in this batch" in results[3].error.message
    assert event_count(any_system) == before + 3
    assert any_system.providers.get("0000002").name == "Already Here"
    assert any_system.providers.get("0000001").name == "Mercy CME"

    # Run the same batch again: all refused, nothing written, no crash.
    again = any_system.providers.register_many(cmds, BY)
    assert not any(r.ok for r in again)
    assert event_count(any_system) == before + 3


def test_invalid_items_are_reported_not_raised(any_system: System) -> None:
    bad_staff = NewProvider(
        reg("0000005"),
        then=(
            AddStaffContact(accme_id="0000005", contact=ContactDetails(name="A", email="a@example.org")),
            AddStaffContact(accme_id="0000005", contact=ContactDetails(name="B", email="a@example.org")),
        ),
    )
    wrong_target = NewProvider(
        reg("0000006"),
        then=(AddStaffContact(accme_id="0000009", contact=ContactDetails(name="A", email="a@example.org")),),
    )
    results = any_system.providers.register_many([reg("123"), bad_staff, wrong_target, reg("0000007")], BY)

    assert [r.ok for r in results] == [False, False, False, True]
    assert isinstance(results[0].error, InvalidValueError)
    assert isinstance(results[1].error, DuplicateStaffContactError)
    assert isinstance(results[2].error, InvalidValueError)
    assert not any_system.providers.exists("0000005")
    assert event_count(any_system) == 1


def test_rejects_a_chunk_size_below_one(any_system: System) -> None:
    with pytest.raises(ValueError):
        any_system.providers.register_many([reg("0000001")], BY, chunk_size=0)
