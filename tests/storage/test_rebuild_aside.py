"""Rebuilding aside (adapters/db/rebuild.py): a copy behind the live read model is never swapped in,
and a dead rebuild's scratch schema or file is dropped by the next rebuild (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from adapters.db.rebuild import PG_PREFIX, ScratchDatabase
from commands.providers import AssignContact, ContactDetails, RegisterProvider
from domain.base import Acting, Channel
from projections.directory import DirectoryProjection
from projections.history import HistoryProjection
from services.projection_runner import BatchProjectionRunner

BY = Acting("test", Channel.SYSTEM)


def _register(system, accme_id: str) -> None:  # type: ignore[no-untyped-def]
    primary = ContactDetails(name="Ann", email=f"ann{accme_id}@acme.org")
    system.providers.register(
        RegisterProvider(accme_id=accme_id, name=f"CME {accme_id}", accreditor="ACCME", primary=primary), BY
    )


def _scratches(system) -> list[str]:  # type: ignore[no-untyped-def]
    db = system.db
    if db.url.is_sqlite:
        live = Path(db.url.sqlite_path)
        return sorted(p.name for p in live.parent.glob(f"{live.name}.rebuild-*"))
    with db.engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, :p)"), {"p": PG_PREFIX}
            ).scalars()
        )


def test_a_copy_behind_the_live_read_model_is_not_swapped_in(any_system) -> None:  # type: ignore[no-untyped-def]
    system = any_system
    _register(system, "0001234")
    live = system.projections.get(HistoryProjection)
    with live.view.aside() as copy_view:
        copy = BatchProjectionRunner(system.store, type(live)(copy_view))
        copy.catch_up()
        system.providers.handle(
            AssignContact(accme_id="0001234", role="ceo", contact=ContactDetails(name="C", email="c@acme.org")), BY
        )
        system.projections.catch_up(["history"])  # the live read model moves past the copy
        assert not live.view.replace_with(copy_view, system.store.name, lambda: None)
        assert live.position == system.store.head() == 2
        assert len(live.view.events("0001234")) == 2
        assert live.view.replace_with(copy_view, system.store.name, copy.catch_up)
    assert live.position == 2 and len(live.view.events("0001234")) == 2
    assert _scratches(system) == []


def test_a_dead_rebuilds_scratch_is_dropped_by_the_next_rebuild(any_system) -> None:  # type: ignore[no-untyped-def]
    system = any_system
    _register(system, "0001234")
    dead = ScratchDatabase(system.db, "history", system.projections.get(HistoryProjection).view.tables)
    dead.dispose()
    dead._hold.close()  # what the death of the rebuilding process does: its hold is released
    assert len(_scratches(system)) >= 1
    alive = ScratchDatabase(
        system.db, "directory", system.projections.get(DirectoryProjection).view.tables
    )  # a rebuild still running
    try:
        assert system.projections.rebuild("history") == 1
        left = _scratches(system)
        assert left and all("directory" in name or name == alive.schema for name in left), left
    finally:
        alive.drop()
    assert _scratches(system) == []
    assert [e["type"] for e in system.queries.audit.events("0001234")] == ["Provider.Registered"]
