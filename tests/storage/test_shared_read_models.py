"""Two systems on one database (own engines and pools, as two processes have) run the same read models:
a runner whose page another one applied, wholly or in part, skips what was applied and applies the
rest, never raising and never applying an event twice (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from adapters.db.database import lock_key
from commands.providers import AssignContact, ContactDetails, RegisterProvider
from domain.base import Acting, Channel
from projections.event_chain import EventChainProjection
from tests.conftest import make_system

BY = Acting("test", Channel.SYSTEM)
VIEWS = ["provider_profile", "directory", "history", "event_chain"]


def _events(system, n: int) -> None:  # type: ignore[no-untyped-def]
    primary = ContactDetails(name="Ann", email="ann@acme.org")
    system.providers.register(
        RegisterProvider(accme_id="0001234", name="Acme CME", accreditor="ACCME", primary=primary), BY
    )
    for k in range(n - 1):
        contact = ContactDetails(name=f"W{k}", email=f"w{k}@acme.org")
        system.providers.handle(AssignContact(accme_id="0001234", role="website", contact=contact), BY)


def test_a_page_another_process_applied_in_part_is_applied_only_for_the_rest(database_url: str) -> None:
    first, second = make_system(database_url), make_system(database_url)
    try:
        _events(first, 9)
        page = first.store.recorder.select_notifications(start=1, limit=100)
        assert len(page) == 9
        for name in VIEWS:
            first.projections[name].batch_size = 4
            first.projections[name].run_batch()  # "the other process" applies events 1-4
        for name in VIEWS:
            runner = second.projections[name]
            # read before the other applied, applied after: 4 skipped, 5 applied, nothing raised
            assert runner.apply(page, second.store.mapper.to_domain_event, after=0) == 9
            assert runner.projection.position == 9
            # and again, all of it already applied
            assert runner.apply(page, second.store.mapper.to_domain_event, after=0) == 9
        history = second.queries.audit.events("0001234")
        assert [e["position"] for e in history] == list(range(1, 10))
        assert [link["position"] for link in second.projections.get(EventChainProjection).view.links(1, 9)] == list(
            range(1, 10)
        )
        assert second.reads.profiles.get_profile("0001234")["contacts"]["website"]["email"] == "w7@acme.org"
        second.projections.catch_up()  # CLI commands catch up beside a running worker: no error
        first.projections.catch_up()
    finally:
        first.close()
        second.close()


@pytest.mark.postgres
def test_the_serving_loop_leaves_a_read_model_to_the_process_holding_its_lock(postgres_url: str) -> None:
    system = make_system(postgres_url)
    try:
        _events(system, 3)
        runner = system.projections["history"]
        page = system.store.recorder.select_notifications(start=1, limit=100)
        with system.db.engine.begin() as other:  # another process is applying a page of history
            other.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key("pars:projection::history")})
            assert runner.apply(page, system.store.mapper.to_domain_event, after=0, wait=False) == 0
            assert runner.projection.position == 0
            assert (
                system.projections["directory"].apply(page, system.store.mapper.to_domain_event, after=0, wait=False)
                == 3
            )
        assert runner.apply(page, system.store.mapper.to_domain_event, after=0, wait=False) == 3
        assert len(system.queries.audit.events("0001234")) == 3
    finally:
        system.close()


def test_read_models_with_no_handler_for_a_page_move_past_it_together_leaving_one_held_elsewhere(
    database_url: str,
) -> None:
    """`skip_to` (the serving loop's one statement for the read models a page does not concern): it moves those at
    the page's start, never one behind it (reset since), and on PostgreSQL leaves one whose lock another process
    holds to that process."""
    system = make_system(database_url)
    try:
        _events(system, 2)
        system.projections.catch_up()
        at = system.store.head()
        contact = ContactDetails(name="W9", email="w9@acme.org")
        system.providers.handle(AssignContact(accme_id="0001234", role="website", contact=contact), BY)
        head = system.store.head()
        names = ["tokens", "transcripts", "accounts"]  # none handles a provider's contacts
        page = system.store.recorder.select_notifications(start=at + 1, limit=100)
        assert all(system.projections[name].skips_whole(page) for name in names)
        assert not system.projections["provider_profile"].skips_whole(page)
        view = system.projections["tokens"].projection.view
        assert view.skip_to(names, "PARS", at + 1, head) == set()  # none is at the page's start: none moves
        if system.db.url.is_postgres:
            with system.db.engine.begin() as other:  # another process is applying a page of transcripts
                other.execute(
                    text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": lock_key("pars:projection::transcripts")}
                )
                assert view.skip_to(names, "PARS", at, head) == {"tokens", "accounts"}
            assert system.projections.positions(names) == {"tokens": head, "transcripts": at, "accounts": head}
        assert system.projections.catch_up() >= 0
        assert system.projections.positions(names) == dict.fromkeys(names, head)
        assert set(system.projections.positions().values()) == {head}
    finally:
        system.close()
