"""GET /api/v1/providers/{id}/history: events in order with type, time, actor, channel, data; as_of; paging."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from tests.http.helpers import OURS, THEIRS, assert_nothing_of_theirs, assert_problem, create, two_tenants

URL = f"/api/v1/providers/{OURS}/history"


def test_history_lists_every_change_in_order_with_who_when_and_how(client, token):
    create(client, token)
    mine = token("provider", provider=OURS)
    client.put(
        f"/api/v1/providers/{OURS}/contacts/billing", headers=mine, json={"name": "Bill", "email": "bill@acme.org"}
    )
    client.post(f"/api/v1/providers/{OURS}/contacts/staff", headers=mine, json={"name": "Sam", "email": "sam@acme.org"})
    client.delete(f"/api/v1/providers/{OURS}/contacts/billing", headers=mine)
    r = client.get(URL, headers=token("accreditor"))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [e["type"] for e in items] == [
        "Provider.Registered",
        "Provider.ContactAssigned",
        "Provider.StaffContactAdded",
        "Provider.ContactRemoved",
    ]
    positions = [e["position"] for e in items]
    assert positions == sorted(positions) and len(set(positions)) == 4
    assert [e["version"] for e in items] == [1, 2, 3, 4]
    times = [datetime.fromisoformat(e["time"]) for e in items]
    assert times == sorted(times) and all(t.tzinfo is not None for t in times)
    assert all(e["channel"] == "web_service" for e in items)
    assert items[0]["actor"].startswith("accreditor:") and items[1]["actor"].startswith(f"provider:{OURS}:")
    assert items[0]["data"]["name"] == "Acme CME" and items[0]["data"]["primary_contact"]["email"] == "ann@acme.org"
    assert items[1]["data"] == {
        "role": "billing",
        "contact": {"name": "Bill", "email": "bill@acme.org", "title": "", "phone": ""},
    }
    assert items[3]["data"] == {"role": "billing"}
    assert r.json()["next"] is None


def test_as_of_leaves_out_later_events(client, token):
    create(client, token)
    first = client.get(URL, headers=token("accreditor")).json()["items"][0]
    between = datetime.fromisoformat(first["time"]) + timedelta(milliseconds=1)
    time.sleep(0.01)
    client.put(
        f"/api/v1/providers/{OURS}/contacts/ceo",
        headers=token("provider", provider=OURS),
        json={"name": "Chief", "email": "ceo@acme.org"},
    )
    assert len(client.get(URL, headers=token("accreditor")).json()["items"]) == 2
    r = client.get(URL, headers=token("accreditor"), params={"as_of": between.isoformat()})
    assert [e["type"] for e in r.json()["items"]] == ["Provider.Registered"]
    naive_utc = between.replace(tzinfo=None).isoformat()  # without a zone: read as UTC
    assert len(client.get(URL, headers=token("accreditor"), params={"as_of": naive_utc}).json()["items"]) == 1
    before = datetime.fromisoformat(first["time"]) - timedelta(seconds=1)
    assert client.get(URL, headers=token("accreditor"), params={"as_of": before.isoformat()}).json()["items"] == []


def test_history_pages_with_after_and_limit(client, token):
    create(client, token)
    mine = token("provider", provider=OURS)
    for n in range(4):
        client.post(
            f"/api/v1/providers/{OURS}/contacts/staff", headers=mine, json={"name": f"S{n}", "email": f"s{n}@acme.org"}
        )
    everything = client.get(URL, headers=mine).json()["items"]
    seen, after = [], 0
    while True:
        page = client.get(URL, headers=mine, params={"after": after, "limit": 2}).json()
        seen += page["items"]
        if page["next"] is None:
            break
        after = page["next"]
    assert seen == everything and len(everything) == 5


@pytest.mark.parametrize("params", [{"as_of": "yesterday"}, {"after": -1}, {"limit": 0}, {"limit": "many"}])
def test_bad_history_parameters_are_422_problems(client, token, params):
    create(client, token)
    assert_problem(client.get(URL, headers=token("auditor"), params=params), 422)


def test_history_needs_a_token(client, token):
    create(client, token)
    assert_problem(client.get(URL), 401)


@pytest.mark.parametrize(
    "role, scope",
    [
        ("provider", {"provider": OURS}),
        ("accreditor", {"state": "TN"}),
        ("board", {"board": "ABIM"}),
        ("learner", {"learner": "L1"}),
    ],
)
def test_another_tenants_history_is_404_and_shows_nothing_of_it(client, token, role, scope):
    two_tenants(client, token)
    r = client.get(f"/api/v1/providers/{THEIRS}/history", headers=token(role, **scope))
    assert_problem(r, 404)
    assert_nothing_of_theirs(r)


@pytest.mark.parametrize(
    "role, scope",
    [("auditor", {}), ("accreditor", {}), ("accreditor", {"state": "NC"}), ("provider", {"provider": THEIRS})],
)
def test_auditors_overseeing_accreditors_and_the_provider_read_its_history(client, token, role, scope):
    two_tenants(client, token)
    r = client.get(f"/api/v1/providers/{THEIRS}/history", headers=token(role, **scope))
    assert r.status_code == 200 and r.json()["items"][0]["type"] == "Provider.Registered"
