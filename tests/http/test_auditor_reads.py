"""Auditors are read-only, and every auditor read is itself recorded as an event."""

from __future__ import annotations

import pytest

from tests.http.helpers import OURS, THEIRS, assert_problem, two_tenants


def auditor_reads(system) -> list:
    notifications = system.store.recorder.select_notifications(start=1, limit=10_000)
    return [system.store.mapper.to_domain_event(n) for n in notifications if n.topic.endswith("AuditorRead.Recorded")]


def test_an_auditor_read_of_a_provider_is_recorded_and_shows_in_its_history(client, system, token):
    two_tenants(client, token)
    auditor = token("auditor")
    assert client.get(f"/api/v1/providers/{OURS}", headers=auditor).status_code == 200
    assert client.get(f"/api/v1/providers/{OURS}/history", headers=auditor, params={"type": "Provider", "limit": 5}).status_code == 200
    system.projections.wait(system.store.head(), timeout=10, names=["history"])
    r = client.get(f"/api/v1/providers/{OURS}/history", headers=token("accreditor"), params={"type": "AuditorRead"})
    items = r.json()["items"]
    assert [e["type"] for e in items] == ["AuditorRead.Recorded"] * 2
    assert all(e["actor"].startswith("auditor:") and e["channel"] == "web_service" for e in items)
    assert items[0]["data"] == {"path": f"/api/v1/providers/{OURS}", "query": ""}
    assert items[1]["data"] == {"path": f"/api/v1/providers/{OURS}/history", "query": "type=Provider&limit=5"}
    theirs = client.get(f"/api/v1/providers/{THEIRS}/history", headers=token("accreditor"), params={"type": "AuditorRead"})
    assert theirs.json()["items"] == []  # the read concerned only ours


def test_reads_of_no_one_provider_are_recorded_without_an_accme_id(client, system, token):
    two_tenants(client, token)
    client.get("/api/v1/providers", headers=token("auditor"))
    [read] = auditor_reads(system)
    assert read.accme_id is None and read.path == "/api/v1/providers" and read.channel == "web_service"


def test_other_roles_reads_are_not_recorded(client, system, token):
    two_tenants(client, token)
    client.get(f"/api/v1/providers/{OURS}", headers=token("accreditor"))
    client.get(f"/api/v1/providers/{OURS}/history", headers=token("provider", provider=OURS))
    assert auditor_reads(system) == []


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "/api/v1/providers", {"accme_id": "0000042", "name": "X", "accreditor": "TN", "primary_contact": {"name": "A", "email": "a@x.org"}}),
        ("put", f"/api/v1/providers/{OURS}/contacts/billing", {"name": "Bill", "email": "bill@acme.org"}),
        ("post", f"/api/v1/providers/{OURS}/contacts/staff", {"name": "Sam", "email": "sam@acme.org"}),
        ("delete", f"/api/v1/providers/{OURS}/contacts/primary", None),
    ],
)
def test_an_auditor_may_not_change_anything(client, system, token, method, path, body):
    two_tenants(client, token)
    head = system.store.head()
    kwargs = {"json": body} if body is not None else {}
    assert_problem(getattr(client, method)(path, headers=token("auditor"), **kwargs), 403)
    assert system.store.head() == head  # nothing saved, not even a read record
