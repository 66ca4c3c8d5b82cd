"""Tamper evidence: every provider's stored events form a hash chain; a row altered with SQL is named."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import text

from commands.annual import SetReportingDeadline
from commands.providers import AssignContact, ContactDetails, RegisterProvider
from domain.base import Acting, Channel
from projections.event_chain import GENESIS, UNOWNED, EventChainProjection
from tests.cli.test_cli import CREATE, pars

BY = Acting("test:audit", Channel.BATCH)


def register(system, accme_id, name="Acme CME"):
    cmd = RegisterProvider(
        accme_id=accme_id, name=name, accreditor="ACCME", primary=ContactDetails(name="Ann", email="ann@acme.org")
    )
    system.providers.register(cmd, BY)


def assign(system, accme_id, n):
    system.providers.handle(
        AssignContact(
            accme_id=accme_id, role="billing", contact=ContactDetails(name=f"Bill {n}", email=f"bill{n}@acme.org")
        ),
        BY,
    )


def events_table(system) -> tuple[str, str]:
    return ("stored_events", "rowid") if system.db.url.is_sqlite else ("pars_events", "notification_id")


def tamper(system, position: int, old: bytes, new: bytes) -> None:
    """What an intruder with database access would do: edit one stored event's state in place."""
    table, id_column = events_table(system)
    with system.db.engine.begin() as conn:
        state = bytes(
            conn.execute(text(f"SELECT state FROM {table} WHERE {id_column} = :n"), {"n": position}).scalar_one()
        )
        assert old in state
        conn.execute(
            text(f"UPDATE {table} SET state = :s WHERE {id_column} = :n"), {"s": state.replace(old, new), "n": position}
        )


def verify(system, provider=None):
    system.projections.catch_up(["event_chain"])
    return system.queries.chains.verify(system.queries.chains.position, provider)


def build(system):
    register(system, "0001234")
    register(system, "0007777", "Other CME")
    for n in range(3):
        assign(system, "0001234", n)
        assign(system, "0007777", n)
    system.projections.catch_up(["event_chain", "history"])


def test_an_untouched_store_verifies_clean_and_each_provider_has_its_own_chain(any_system):
    system = any_system
    build(system)
    result = verify(system)
    assert result.ok and result.checked == system.store.head() == 8
    assert result.chains == {"0001234", "0007777"}
    links = system.projections.get(EventChainProjection).view.links(1, 8, accme_id="0001234")
    assert [link["prev_hash"] for link in links[1:]] == [link["hash"] for link in links[:-1]]
    assert links[0]["prev_hash"] == GENESIS
    assert system.projections.get(EventChainProjection).view.heads()["0001234"]["hash"] == links[-1]["hash"]
    assert verify(system, "0007777").ok


def test_an_event_altered_in_the_database_is_detected_and_named(any_system):
    system = any_system
    build(system)
    target = next(
        e
        for e in system.queries.audit.events("0001234")
        if e["data"].get("contact", {}).get("email") == "bill1@acme.org"
    )
    tamper(system, target["position"], b"bill1@acme.org", b"evil1@acme.org")
    result = verify(system)
    assert not result.ok
    m = result.first_mismatch
    assert (m.position, m.provider, m.type) == (target["position"], "0001234", "Provider.ContactAssigned")
    assert "altered" in m.reason
    assert not verify(system, "0001234").ok
    assert verify(system, "0007777").ok  # the other provider's chain is intact


def test_a_deleted_event_is_detected(system):
    build(system)
    victim = system.queries.audit.events("0007777")[1]["position"]
    with system.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM stored_events WHERE rowid = :n"), {"n": victim})
    m = verify(system).first_mismatch
    assert m is not None and (m.position, m.provider) == (victim, "0007777") and "deleted" in m.reason


def test_events_of_no_provider_form_their_own_chain_and_are_verified(system):
    build(system)
    system.annual.set_deadline(SetReportingDeadline(accreditor="ACCME", year=2025, deadline=date(2026, 4, 6)), BY)
    result = verify(system)
    assert result.ok and result.chains == {"0001234", "0007777", UNOWNED}
    tamper(system, system.store.head(), b"2026-04-06", b"2026-05-06")
    m = verify(system).first_mismatch
    assert (
        m is not None
        and m.position == system.store.head()
        and m.provider is None
        and m.type.startswith("ReportingDeadline.")
    )


def test_pars_audit_verify_exits_1_and_names_the_tampered_event(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    pars(tmp_path, url, *CREATE)
    clean = pars(tmp_path, url, "audit", "verify")
    assert json.loads(clean.stdout)["ok"] is True
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.sqlite") as conn:
        (state,) = conn.execute("SELECT state FROM stored_events WHERE rowid = 1").fetchone()
        conn.execute("UPDATE stored_events SET state = ? WHERE rowid = 1", (state.replace(b"Acme CME", b"Acme XXX"),))
    tampered = pars(tmp_path, url, "audit", "verify", ok=False)
    assert tampered.returncode == 1
    assert json.loads(tampered.stdout)["first_mismatch"] == {
        "position": 1,
        "provider": "0001234",
        "type": "Provider.Registered",
        "reason": "the stored event does not match its hash: it was altered",
    }
    assert "position 1" in tampered.stderr and "0001234" in tampered.stderr and "Provider.Registered" in tampered.stderr
    assert pars(tmp_path, url, "audit", "verify", "--provider", "0001234", ok=False).returncode == 1


def test_one_providers_check_reads_its_chain_and_finds_a_deleted_row_or_a_rewritten_link(any_system):
    system = any_system
    build(system)
    result = verify(system, "0001234")
    assert result.ok and result.checked == 4 and result.chains == {"0001234"}
    table, id_column = events_table(system)
    mine = [e["position"] for e in system.queries.audit.events("0001234")]
    with system.db.engine.begin() as conn:
        conn.execute(text(f"DELETE FROM {table} WHERE {id_column} = :n"), {"n": mine[2]})
    m = verify(system, "0001234").first_mismatch
    assert m is not None and (m.position, m.provider) == (mine[2], "0001234") and "deleted" in m.reason
    assert verify(system, "0007777").ok
    theirs = [e["position"] for e in system.queries.audit.events("0007777")]
    with system.db.engine.begin() as conn:  # a link rewritten in the chain table
        conn.execute(text("UPDATE event_chain SET prev_hash = :h WHERE position = :n"), {"h": "f" * 64, "n": theirs[2]})
    m = verify(system, "0007777").first_mismatch
    assert m is not None and m.position == theirs[2] and "does not follow" in m.reason
