"""The history page's read: newest first, a page at a time (`before`), of one kind and one person, on each store;
and the sentences it shows."""

from __future__ import annotations

from adapters.web.history_words import names_of, sentence, who
from commands.providers import AssignContact, ContactDetails, RegisterProvider
from domain.base import Acting, Channel

PIA = Acting("provider:0001234:user-0123456789ab", Channel.WEB)
CLI = Acting("cli:alice", Channel.CLI)


def test_newest_first_by_kind_and_person_a_page_at_a_time(any_system) -> None:  # type: ignore[no-untyped-def]
    system = any_system
    system.providers.register(
        RegisterProvider(
            accme_id="0001234", name="Acme", accreditor="ACCME", primary=ContactDetails(name="Ann", email="a@acme.org")
        ),
        CLI,
    )
    for n, by in enumerate((PIA, CLI, PIA)):
        system.providers.handle(
            AssignContact(
                accme_id="0001234", role="billing", contact=ContactDetails(name=f"Bo {n}", email="b@acme.org")
            ),
            by,
        )
    system.projections.catch_up(["history"])
    audit = system.queries.audit
    items, more = audit.newest("0001234", limit=10)
    positions = [e["position"] for e in items]
    assert positions == sorted(positions, reverse=True) and len(items) == 4 and more is None
    first, before = audit.newest("0001234", limit=2)
    rest, last = audit.newest("0001234", limit=2, before=before)
    assert [e["position"] for e in first + rest] == positions and last is None
    pias, _ = audit.newest("0001234", limit=10, actor_token="user-0123456789ab")
    assert [e["data"]["contact"]["name"] for e in pias] == ["Bo 2", "Bo 0"]
    registered, _ = audit.newest("0001234", limit=10, types=["Provider.Registered"])
    assert [e["type"] for e in registered] == ["Provider.Registered"]
    names = names_of([{"account_id": "01234567-89ab-cdef-0123-456789abcdef", "name": "Pia Lee"}])
    assert sentence(items[0], names).startswith("Pia Lee changed the billing contact to Bo 2, web form, ")
    assert sentence(items[1], names).startswith("alice changed the billing contact to Bo 1, command line, ")
    assert sentence(items[-1], names).startswith(
        "alice registered Acme (accredited by ACCME) with Ann as primary contact"
    )


def test_who_names_every_kind_of_actor() -> None:
    assert who("system", {}) == "PARS"
    assert who("provider:0001234:tok9", {}) == "API token tok9"
    assert who("board:ABIM:tok1", {}) == "ABIM (token tok1)"
    assert who("auditor:tok2", {}) == "An auditor"
    event = {
        "type": "Provider.Unknown",
        "data": {},
        "channel": "web_service",
        "actor": "cli:bo",
        "time": "2026-11-03T14:02:00+00:00",
    }
    assert sentence(event, {}) == "bo recorded provider: unknown, web service, 3 Nov 2026 14:02"
