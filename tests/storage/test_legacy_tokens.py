"""Provider tokens recorded before tokens expired (`Provider.ApiTokenIssued` version 1, no
`expires_at`) still load, are listed with the default expiry from their issue time, and revoke."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

from commands.providers import ContactDetails, RegisterProvider
from commands.tokens import RevokeToken
from domain.base import Acting, Channel
from domain.provider import Provider
from tests.conftest import make_system

CLI = Acting("cli:tester", Channel.CLI)


def test_a_version_1_token_event_loads_lists_with_the_default_expiry_and_revokes(database_url):
    system = make_system(database_url)
    try:
        system.providers.register(
            RegisterProvider(
                accme_id="0001234",
                name="Acme CME",
                accreditor="TN",
                primary=ContactDetails(name="Ann Lee", email="ann@acme.org"),
            ),
            CLI,
        )
        provider = system.providers.get("0001234")
        provider.issue_api_token("0ld70ken0001", "LMS from 2024", CLI)
        [event] = provider.collect_events()
        # Store it as the old code did: no expires_at, no class_version.
        stored = system.store.mapper.to_stored_event(event)
        state = json.loads(stored.state)
        del state["expires_at"]
        state.pop("class_version", None)
        system.store.recorder.insert_events([replace(stored, state=json.dumps(state).encode())])

        loaded = system.providers.get("0001234")
        assert loaded.api_tokens == {"0ld70ken0001": {"label": "LMS from 2024", "revoked": False}}
        system.projections.catch_up()
        [listed] = system.tokens.list(provider="0001234")
        issued = datetime.fromisoformat(listed["issued_at"])
        assert datetime.fromisoformat(listed["expires_at"]) == issued + timedelta(days=365)
        assert listed["role"] == "provider" and listed["scope"] == "provider:0001234"

        position = system.tokens.handle(RevokeToken(token_id="0ld70ken0001"), CLI)
        system.projections.catch_up()
        assert position and system.tokens.get("0ld70ken0001")["revoked_at"]
        assert system.store.repository.get(Provider.create_id("0001234")).api_tokens["0ld70ken0001"]["revoked"] is True
    finally:
        system.close()
