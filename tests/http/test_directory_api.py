"""GET /api/v1/directory: the public Find a CME Provider directory."""

from __future__ import annotations

import pytest

from tests.http.helpers import OURS, THEIRS, assert_problem, create


def search(client, q="", **params):
    r = client.get("/api/v1/directory", params={"q": q, **params})
    assert r.status_code == 200, r.text
    return r.json()


def test_the_directory_needs_no_token_and_finds_by_name_id_and_accreditor(client, token):
    create(client, token)
    create(client, token, THEIRS, "Beta Heart Institute", "NC")
    assert [e["accme_id"] for e in search(client)["data"]] == [OURS, THEIRS]
    assert [e["accme_id"] for e in search(client, "acme")["data"]] == [OURS]
    assert [e["accme_id"] for e in search(client, "heart beta")["data"]] == [THEIRS]
    assert [e["accme_id"] for e in search(client, THEIRS)["data"]] == [THEIRS]
    assert [e["accme_id"] for e in search(client, "carolina")["data"]] == [THEIRS]
    assert search(client, "acme heart")["count"] == 0


def test_the_directory_shows_the_website_contact_else_the_primary(client, token):
    create(client, token)
    mine = token("provider", provider=OURS)
    assert search(client, "acme")["data"][0]["contact"]["email"] == "ann@acme.org"
    client.put(
        f"/api/v1/providers/{OURS}/contacts/website",
        headers=mine,
        json={"name": "Web", "email": "web@acme.org", "phone": "615-555-0100"},
    )
    entry = search(client, "acme")["data"][0]
    assert entry["contact"] == {"name": "Web", "email": "web@acme.org", "phone": "615-555-0100"}
    client.delete(f"/api/v1/providers/{OURS}/contacts/website", headers=mine)
    assert search(client, "acme")["data"][0]["contact"]["email"] == "ann@acme.org"


def test_the_directory_shows_no_private_contacts(client, token):
    create(client, token)
    mine = token("provider", provider=OURS)
    client.put(
        f"/api/v1/providers/{OURS}/contacts/billing",
        headers=mine,
        json={"name": "Bill Private", "email": "bill@acme.org"},
    )
    client.post(
        f"/api/v1/providers/{OURS}/contacts/staff", headers=mine, json={"name": "Sam Staff", "email": "sam@acme.org"}
    )
    r = client.get("/api/v1/directory", params={"q": "acme"})
    assert "bill@acme.org" not in r.text and "sam@acme.org" not in r.text


def test_nonaccredited_providers_leave_the_directory(client, token):
    create(client, token)
    client.post(
        f"/api/v1/providers/{OURS}/accreditation-decisions",
        headers=token("accreditor"),
        json={"decision": "Accreditation", "decided_on": "2024-01-01"},
    )
    assert search(client, "acme")["data"][0]["accreditation_status"] == "Accreditation"
    r = client.post(
        f"/api/v1/providers/{OURS}/accreditation-decisions",
        headers=token("accreditor"),
        json={"decision": "Nonaccreditation", "decided_on": "2025-01-01"},
    )
    assert r.status_code == 201
    assert search(client, "acme")["count"] == 0


@pytest.mark.parametrize("q", ["%", "_", "\\", "' OR 1=1 --", "a%b_c"])
def test_search_text_is_matched_literally(client, token, q):
    create(client, token)
    assert search(client, q)["count"] == 0


def test_the_directory_pages_by_25(client, token):
    for n in range(27):
        create(client, token, f"{n:07d}", f"Provider {n:02d}", "ACCME", {"name": "P", "email": f"p{n}@x.org"})
    first, second = search(client, "provider"), search(client, "provider", page=2)
    assert first["count"] == 27 and len(first["data"]) == 25 and len(second["data"]) == 2
    assert {e["accme_id"] for e in first["data"]} | {e["accme_id"] for e in second["data"]} == {
        f"{n:07d}" for n in range(27)
    }


@pytest.mark.parametrize("params", [{"page": 0}, {"page": "x"}, {"q": "x" * 201}])
def test_bad_directory_parameters_are_422_problems(client, params):
    assert_problem(client.get("/api/v1/directory", params=params), 422)
