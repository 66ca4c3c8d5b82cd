"""The webhook routes: register, list (never the secret), remove, deliveries and redelivery; the provider's users
change them, its accreditor and auditors read them, another provider sees nothing; a URL PARS must not call is
refused naming `url` (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from adapters.app import create_app
from adapters.bootstrap import System, bootstrap
from adapters.db.webhooks_tables import webhook_secrets
from tests.activities.helpers import ACCME_ID, OTHER_ID
from tests.activities.helpers import register as register_provider
from tests.completions.helpers import BY
from tests.http.helpers import assert_problem
from tests.webhooks.conftest import SECRET, auth, webhook_settings

HOOKS = f"/api/v1/providers/{ACCME_ID}/webhooks"


@pytest.fixture
def app(wh_system: System) -> Iterator[tuple[System, TestClient]]:
    with TestClient(create_app(wh_system), raise_server_exceptions=False) as client:
        register_provider(wh_system)
        register_provider(wh_system, OTHER_ID)
        wh_system.projections.wait(wh_system.store.head())
        yield wh_system, client


def body(**over: Any) -> dict[str, Any]:
    return {"url": "http://127.0.0.1:9/hooks", "secret": SECRET, "events": ["completion.rejected"], **over}


def test_register_list_and_remove_never_showing_the_secret(app) -> None:  # type: ignore[no-untyped-def]
    system, client = app
    ours = auth(system, "provider", provider=ACCME_ID)
    created = client.post(
        HOOKS, headers=ours, json=body(events=["checklist.changed", "completion.accepted", "completion.accepted"])
    )
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["events"] == ["completion.accepted", "checklist.changed"]  # once each, in the documented order
    assert SECRET not in created.text
    listed = client.get(HOOKS, headers=ours)
    assert listed.status_code == 200
    assert [h["id"] for h in listed.json()] == [hook["id"]]
    assert SECRET not in listed.text and "secret" not in listed.json()[0]
    # Kept sealed: the table holds neither the secret nor anything that contains it.
    with system.db.engine.connect() as conn:
        sealed = bytes(conn.execute(select(webhook_secrets.c.sealed)).scalar_one())
    assert SECRET.encode() not in sealed
    assert system.webhook_secrets.get(hook["id"]) == SECRET
    # Nor in any event: the provider's history shows the registration without it.
    history = client.get(f"/api/v1/providers/{ACCME_ID}/history", headers=ours)
    assert "WebhookEndpoint.Registered" in history.text and SECRET not in history.text
    gone = client.delete(f"{HOOKS}/{hook['id']}", headers=ours)
    assert gone.status_code == 204
    assert client.get(HOOKS, headers=ours).json() == []
    assert system.webhook_secrets.get(hook["id"]) is None
    assert_problem(client.delete(f"{HOOKS}/wh_0000000000000000", headers=ours), 404)


def test_who_may_read_and_change_webhooks(app) -> None:  # type: ignore[no-untyped-def]
    system, client = app
    ours = auth(system, "provider", provider=ACCME_ID)
    hook = client.post(HOOKS, headers=ours, json=body()).json()
    # Another provider: as if there were no provider, and nothing of ours in the answer.
    theirs = auth(system, "provider", provider=OTHER_ID)
    for response in (
        client.get(HOOKS, headers=theirs),
        client.post(HOOKS, headers=theirs, json=body()),
        client.delete(f"{HOOKS}/{hook['id']}", headers=theirs),
        client.get(f"{HOOKS}/{hook['id']}/deliveries", headers=theirs),
    ):
        assert_problem(response, 404)
        assert "127.0.0.1" not in response.text
    # Its own route cannot reach our endpoint either.
    assert_problem(client.delete(f"/api/v1/providers/{OTHER_ID}/webhooks/{hook['id']}", headers=theirs), 404)
    # The accreditor and auditors read, and may not change.
    for role in ("accreditor", "auditor"):
        headers = auth(system, role)
        assert client.get(HOOKS, headers=headers).status_code == 200
        assert client.post(HOOKS, headers=headers, json=body()).status_code == 403
        assert client.delete(f"{HOOKS}/{hook['id']}", headers=headers).status_code == 403
    # A board reads no provider's webhooks; no token at all is 401.
    assert client.get(HOOKS, headers=auth(system, "board", board="ABIM")).status_code in (403, 404)
    assert client.get(HOOKS).status_code == 401
    assert [h["id"] for h in client.get(HOOKS, headers=ours).json()] == [hook["id"]]


@pytest.mark.parametrize(
    ("over", "loc", "words"),
    [
        ({"url": "ftp://example.org/x"}, ["body", "url"], "https://"),
        ({"url": "https://user:pw@example.org/x"}, ["body", "url"], "user name"),
        ({"url": "not a url"}, ["body", "url"], "https://"),
        ({"secret": "short"}, ["body", "secret"], "16 to 200"),
        ({"events": []}, ["body", "events"], "at least one"),
        ({"events": ["completion.accepted", "completion.lost"]}, ["body", "events", "1"], "completion.lost"),
    ],
)
def test_bad_input_names_the_field(app, over: dict[str, Any], loc: list[str], words: str) -> None:  # type: ignore[no-untyped-def]
    system, client = app
    answer = assert_problem(
        client.post(HOOKS, headers=auth(system, "provider", provider=ACCME_ID), json=body(**over)), 422
    )
    assert answer["errors"][0]["loc"] == loc, answer
    assert words in answer["errors"][0]["msg"]


def test_private_addresses_are_refused_unless_allowed(database_url: str) -> None:
    system = bootstrap(webhook_settings(database_url, webhook_allow_private=False, webhook_allow_http=False))
    try:
        with TestClient(create_app(system), raise_server_exceptions=False) as client:
            register_provider(system)
            system.projections.wait(system.store.head())
            ours = auth(system, "provider", provider=ACCME_ID)
            for url, words in [
                ("https://127.0.0.1/hooks", "loopback"),
                ("https://localhost:8443/hooks", "loopback"),
                ("https://10.1.2.3/hooks", "private"),
                ("https://192.168.0.10/hooks", "private"),
                ("https://169.254.169.254/latest/meta-data", "link-local"),
                ("https://[::1]/hooks", "loopback"),
                ("https://[::ffff:10.0.0.1]/hooks", "private"),
                ("https://0.0.0.0/hooks", "unspecified"),
                ("http://93.184.215.14/hooks", "https://"),
                ("https://no-such-host.invalid/hooks", "cannot be found"),
            ]:
                answer = assert_problem(
                    client.post(f"/api/v1/providers/{ACCME_ID}/webhooks", headers=ours, json=body(url=url)), 422
                )
                assert answer["errors"][0]["loc"] == ["body", "url"], (url, answer)
                assert words in answer["errors"][0]["msg"], (url, answer)
            assert client.get(f"/api/v1/providers/{ACCME_ID}/webhooks", headers=ours).json() == []
    finally:
        system.close()


def test_a_provider_has_at_most_ten_endpoints(app) -> None:  # type: ignore[no-untyped-def]
    system, client = app
    ours = auth(system, "provider", provider=ACCME_ID)
    for _ in range(10):
        assert client.post(HOOKS, headers=ours, json=body()).status_code == 201
    assert_problem(client.post(HOOKS, headers=ours, json=body()), 409)


def test_registration_records_who_and_through_which_channel(app) -> None:  # type: ignore[no-untyped-def]
    system, client = app
    hook = client.post(HOOKS, headers=auth(system, "provider", provider=ACCME_ID), json=body()).json()
    assert hook["channel"] == "web_service" and hook["created_by"].startswith("provider:")
    assert BY  # (the helpers' actor; the route's is the token's principal)
