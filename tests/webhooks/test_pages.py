"""The Webhooks page: the provider's users add and remove endpoints and see each one's deliveries and
attempts; a refused URL or secret is said beside its field; the accreditor reads, changes nothing; another
provider's users get the page's 404."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from adapters.bootstrap import System, bootstrap
from adapters.settings import Settings
from tests.activities.helpers import ACCME_ID, OTHER_ID
from tests.activities.helpers import register as register_provider
from tests.web.helpers import activate, post_form, sign_in
from tests.webhooks.conftest import SECRET, Receiver

PAGE = f"/provider/{ACCME_ID}/webhooks"


@pytest.fixture
def site(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[System, TestClient, Path]]:
    mail_dir = tmp_path / "mail"
    system = bootstrap(
        Settings(
            database_url=sqlite_url,
            secret_key="test-secret-key",
            mail=f"file:{mail_dir}",
            fast_password_hashing=True,
            webhook_allow_private=True,
            webhook_allow_http=True,
        )
    )
    with TestClient(create_app(system), raise_server_exceptions=False, follow_redirects=False) as client:
        register_provider(system)
        register_provider(system, OTHER_ID)
        system.projections.wait(system.store.head())
        yield system, client, mail_dir
    system.close()


def test_a_provider_user_adds_sees_and_removes_a_webhook(site, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    system, client, mail_dir = site
    activate(system, mail_dir, "ann@acme.org", "provider", provider=ACCME_ID)
    sign_in(client, "ann@acme.org")
    page = client.get(PAGE)
    assert page.status_code == 200 and "No webhooks yet" in page.text
    refused = post_form(client, PAGE, PAGE, {"url": "ftp://x.example/", "secret": "short", "events": []})
    assert refused.status_code == 422
    assert "the URL must start with https://" in refused.text
    assert 'value="short"' not in refused.text  # the secret is never put back into the page
    added = post_form(
        client, PAGE, PAGE, {"url": receiver.url, "secret": SECRET, "events": ["checklist.changed", "activity.closed"]}
    )
    assert added.status_code == 303, added.text
    page = client.get(PAGE)
    assert receiver.url in page.text and "activity.closed, checklist.changed" in page.text
    assert SECRET not in page.text
    hook = system.webhook_queries.endpoints(ACCME_ID)[0]["id"]
    removed = post_form(client, PAGE, f"{PAGE}/{hook}/remove", {})
    assert removed.status_code == 303
    assert "No webhooks yet" in client.get(PAGE).text


def test_the_accreditor_reads_and_another_provider_sees_nothing(site) -> None:  # type: ignore[no-untyped-def]
    system, client, mail_dir = site
    activate(system, mail_dir, "rita@rival.example", "provider", provider=OTHER_ID)
    sign_in(client, "rita@rival.example")
    assert client.get(PAGE).status_code == 404
    page = client.get(f"/provider/{OTHER_ID}/webhooks")
    assert page.status_code == 200
    refused = client.post(PAGE, data={"url": "http://127.0.0.1:9/", "secret": SECRET, "events": ["activity.closed"]})
    assert refused.status_code in (403, 404)
    assert system.webhook_queries.endpoints(ACCME_ID) == []
