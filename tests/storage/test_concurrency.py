"""Real threads changing one provider at once on PostgreSQL: every change lands, one registration wins."""

from __future__ import annotations

import threading

import pytest

from commands.providers import AddStaffContact, AssignContact, ContactDetails, RegisterProvider
from domain.base import Acting, Channel
from domain.errors import ProviderAlreadyExistsError
from tests.conftest import make_system

pytestmark = pytest.mark.postgres
THREADS = 4
CHANGES_EACH = 6


def _register(system, name="Acme CME"):
    cmd = RegisterProvider(
        accme_id="0001234", name=name, accreditor="ACCME", primary=ContactDetails(name="Ann", email="ann@acme.org")
    )
    return system.providers.register(cmd, Acting("test", Channel.SYSTEM))


def _run_together(targets) -> list[BaseException]:
    barrier = threading.Barrier(len(targets))
    errors: list[BaseException] = []

    def run(target):
        try:
            barrier.wait(timeout=10)
            target()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return errors


@pytest.mark.parametrize("shared", [True, False], ids=["one-system", "system-per-thread"])
def test_concurrent_contact_changes_to_one_provider_all_land(postgres_url, shared):
    systems = [make_system(postgres_url)]
    systems += [systems[0] if shared else make_system(postgres_url) for _ in range(THREADS - 1)] if not shared else []
    try:
        _register(systems[0])

        def writer(n: int):
            system = systems[0] if shared else systems[n]
            by = Acting(f"writer:{n}", Channel.WEB)

            def go():
                for k in range(CHANGES_EACH):
                    system.providers.handle(
                        AddStaffContact(
                            accme_id="0001234", contact=ContactDetails(name=f"S{n}-{k}", email=f"s{n}-{k}@acme.org")
                        ),
                        by,
                    )
                    system.providers.handle(
                        AssignContact(
                            accme_id="0001234",
                            role="ceo",
                            contact=ContactDetails(name=f"C{n}-{k}", email=f"c{n}-{k}@acme.org"),
                        ),
                        by,
                    )

            return go

        errors = _run_together([writer(n) for n in range(THREADS)])
        assert errors == []
        check = make_system(postgres_url)
        try:
            provider = check.providers.get("0001234")
            expected_staff = {f"s{n}-{k}@acme.org" for n in range(THREADS) for k in range(CHANGES_EACH)}
            assert {s["email"] for s in provider.staff.values()} == expected_staff
            assert provider.version == 1 + 2 * THREADS * CHANGES_EACH
            assert provider.contacts["ceo"]["email"] in {f"c{n}-{CHANGES_EACH - 1}@acme.org" for n in range(THREADS)}
            check.projections.catch_up(["history", "provider_profile"])
            history = check.queries.audit.events("0001234")
            assert len(history) == 1 + 2 * THREADS * CHANGES_EACH
            assert [e["version"] for e in history] == list(range(1, len(history) + 1))
            assert sorted(e["actor"] for e in history[1:]) == sorted(
                f"writer:{n}" for n in range(THREADS) for _ in range(2 * CHANGES_EACH)
            )
            assert {s["email"] for s in check.reads.profiles.get_profile("0001234")["staff"]} == expected_staff
        finally:
            check.close()
    finally:
        for system in {id(s): s for s in systems}.values():
            system.close()


def test_two_concurrent_registrations_of_one_accme_id_exactly_one_wins(postgres_url):
    systems = [make_system(postgres_url) for _ in range(2)]
    outcomes: list[object] = []
    try:

        def registrar(n: int):
            return lambda: outcomes.append(_register(systems[n], name=f"Registrar {n}"))

        errors = _run_together([registrar(0), registrar(1)])
        assert len(outcomes) == 1, (outcomes, errors)
        assert len(errors) == 1 and isinstance(errors[0], ProviderAlreadyExistsError), errors
        winner = outcomes[0].value.name
        assert systems[0].providers.get("0001234").name == winner
        assert systems[0].providers.get("0001234").version == 1
        assert systems[0].store.head() == 1
    finally:
        for system in systems:
            system.close()
