"""GET .../history filters: type= (repeated or comma list), from=/to= dates or instants; paging keeps the filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.cli.test_cli import CREATE, pars
from tests.http.helpers import OURS, assert_problem, create

URL = f"/api/v1/providers/{OURS}/history"


def history_with_contacts(client, token):
    create(client, token)
    mine = token("provider", provider=OURS)
    client.put(
        f"/api/v1/providers/{OURS}/contacts/billing", headers=mine, json={"name": "Bill", "email": "bill@acme.org"}
    )
    for n in range(3):
        client.post(
            f"/api/v1/providers/{OURS}/contacts/staff", headers=mine, json={"name": f"S{n}", "email": f"s{n}@acme.org"}
        )
    client.delete(f"/api/v1/providers/{OURS}/contacts/billing", headers=mine)
    return client.get(URL, headers=token("accreditor")).json()["items"]


def types(r):
    assert r.status_code == 200, r.text
    return [e["type"] for e in r.json()["items"]]


def test_type_filters_exact_by_aggregate_by_event_repeated_and_comma(client, token):
    everything = history_with_contacts(client, token)
    assert len(everything) == 6
    read = token("accreditor")
    assert (
        types(client.get(URL, headers=read, params={"type": "Provider.StaffContactAdded"}))
        == ["Provider.StaffContactAdded"] * 3
    )
    assert types(client.get(URL, headers=read, params={"type": "ContactAssigned"})) == ["Provider.ContactAssigned"]
    assert len(types(client.get(URL, headers=read, params={"type": "Provider"}))) == 6
    both = ["Provider.Registered", "Provider.ContactAssigned", "Provider.ContactRemoved"]
    assert (
        types(
            client.get(URL, headers=read, params={"type": ["Provider.Registered", "ContactAssigned", "ContactRemoved"]})
        )
        == both
    )
    assert (
        types(client.get(f"{URL}?type=Provider.Registered,ContactAssigned&type=ContactRemoved", headers=read)) == both
    )
    assert types(client.get(URL, headers=read, params={"type": "Activity"})) == []


def test_type_filter_pages_with_after(client, token):
    history_with_contacts(client, token)
    read = token("accreditor")
    page = client.get(URL, headers=read, params={"type": "StaffContactAdded", "limit": 2}).json()
    assert len(page["items"]) == 2 and page["next"] == page["items"][-1]["position"]
    rest = client.get(URL, headers=read, params={"type": "StaffContactAdded", "limit": 2, "after": page["next"]}).json()
    assert len(rest["items"]) == 1 and rest["next"] is None


def test_from_and_to_dates_and_instants(client, token):
    everything = history_with_contacts(client, token)
    read = token("accreditor")
    today = datetime.now(UTC).date()
    assert len(types(client.get(URL, headers=read, params={"from": today.isoformat(), "to": today.isoformat()}))) == 6
    assert types(client.get(URL, headers=read, params={"to": (today - timedelta(days=1)).isoformat()})) == []
    assert types(client.get(URL, headers=read, params={"from": (today + timedelta(days=1)).isoformat()})) == []
    third = everything[2]["time"]
    after_third = types(client.get(URL, headers=read, params={"from": third}))
    assert after_third == [e["type"] for e in everything if e["time"] >= third]
    up_to_third = types(client.get(URL, headers=read, params={"to": third}))
    assert up_to_third == [e["type"] for e in everything if e["time"] <= third]
    # to= and as_of= together: the earlier bound wins
    assert types(client.get(URL, headers=read, params={"to": today.isoformat(), "as_of": everything[0]["time"]})) == [
        "Provider.Registered"
    ]


@pytest.mark.parametrize(
    "params", [{"type": "Provider%"}, {"type": "a.b.c"}, {"type": "_"}, {"from": "tomorrow"}, {"to": "2025-13-01"}]
)
def test_bad_filters_are_422_problems(client, token, params):
    create(client, token)
    assert_problem(client.get(URL, headers=token("auditor"), params=params), 422)


def test_pars_history_type(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    pars(tmp_path, url, *CREATE)
    pars(tmp_path, url, "admin", "issue-token", "--role", "provider", "--provider", "0001234")
    issued = pars(tmp_path, url, "history", "--provider", "0001234", "--type", "ApiTokenIssued").stdout.splitlines()
    assert [__import__("json").loads(line)["type"] for line in issued] == ["Provider.ApiTokenIssued"]
    both = pars(
        tmp_path, url, "history", "--provider", "0001234", "--type", "Provider.Registered,ApiTokenIssued"
    ).stdout.splitlines()
    assert len(both) == 2
    assert pars(tmp_path, url, "history", "--provider", "0001234", "--type", "x%", ok=False).returncode == 2
