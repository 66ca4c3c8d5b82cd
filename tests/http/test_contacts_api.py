"""GET/POST .../contacts, PUT/DELETE .../contacts/{role}, POST .../contacts/staff, DELETE .../contacts/staff/{id}."""

from __future__ import annotations

import pytest

from tests.http.helpers import OURS, THEIRS, assert_nothing_of_theirs, assert_problem, create, store_length, two_tenants

BASE = f"/api/v1/providers/{OURS}/contacts"
THEIR_BASE = f"/api/v1/providers/{THEIRS}/contacts"
WEB = {"name": "Web Person", "email": "web@acme.org", "title": "Webmaster", "phone": "615-555-0100"}


@pytest.fixture
def mine(token):
    return token("provider", provider=OURS)


def test_a_provider_sets_replaces_and_removes_optional_roles(client, token, mine):
    create(client, token)
    r = client.put(f"{BASE}/billing", headers=mine, json={"name": "Bill", "email": "Bill@Acme.org"})
    assert r.status_code == 200, r.text
    assert r.json() == {"name": "Bill", "email": "bill@acme.org", "title": "", "phone": ""}
    assert client.put(f"{BASE}/website", headers=mine, json=WEB).status_code == 200
    listed = client.get(BASE, headers=mine).json()
    assert listed["invoice_recipient"]["email"] == "bill@acme.org"
    assert listed["directory_contact"]["email"] == "web@acme.org"
    assert set(listed["contacts"]) == {"primary", "billing", "website"}
    assert client.delete(f"{BASE}/billing", headers=mine).status_code == 204
    assert client.delete(f"{BASE}/website", headers=mine).status_code == 204
    listed = client.get(BASE, headers=mine).json()
    assert listed["invoice_recipient"] == listed["directory_contact"] == listed["contacts"]["primary"]


def test_replacing_the_primary_is_one_change_with_no_gap(client, token, mine):
    create(client, token)
    r = client.put(f"{BASE}/primary", headers=mine, json={"name": "New Prime", "email": "new@acme.org"})
    assert r.status_code == 200 and r.json()["email"] == "new@acme.org"
    types = [e["type"] for e in client.get(f"/api/v1/providers/{OURS}/history", headers=mine).json()["items"]]
    assert types == ["Provider.Registered", "Provider.ContactAssigned"]


def test_post_adds_a_vacant_role_and_a_second_holder_is_409(client, token, system, mine):
    create(client, token)
    r = client.post(BASE, headers=mine, json={"role": "ceo", **WEB})
    assert r.status_code == 201 and r.json()["email"] == "web@acme.org"
    before = store_length(system)
    for role in ("ceo", "primary"):
        body = assert_problem(
            client.post(BASE, headers=mine, json={"role": role, "name": "X", "email": "x@acme.org"}), 409
        )
        assert any("role" in e["loc"] for e in body["errors"])
    assert store_length(system) == before
    assert client.get(BASE, headers=mine).json()["contacts"]["primary"]["email"] == "ann@acme.org"


def test_post_with_role_staff_adds_a_staff_contact(client, token, mine):
    create(client, token)
    r = client.post(BASE, headers=mine, json={"role": "staff", "name": "Sam", "email": "sam@acme.org"})
    assert r.status_code == 201 and r.json()["contact_id"] and r.json()["email"] == "sam@acme.org"


def test_deleting_the_primary_is_409_and_changes_nothing(client, token, system, mine):
    create(client, token)
    before = store_length(system)
    body = assert_problem(client.delete(f"{BASE}/primary", headers=mine), 409)
    assert body["errors"][0]["loc"] == ["path", "role"]
    assert store_length(system) == before


def test_deleting_a_vacant_role_is_404_and_changes_nothing(client, token, system, mine):
    create(client, token)
    before = store_length(system)
    assert_problem(client.delete(f"{BASE}/billing", headers=mine), 404)
    assert store_length(system) == before


@pytest.mark.parametrize("method", ["put", "delete"])
@pytest.mark.parametrize("role", ["boss", "staff", "PRIMARY"])
def test_an_unknown_role_in_the_path_is_4xx_naming_role(client, token, system, mine, method, role):
    create(client, token)
    before = store_length(system)
    kwargs = {"json": WEB} if method == "put" else {}
    r = getattr(client, method)(f"{BASE}/{role}", headers=mine, **kwargs)
    body = assert_problem(r, 422)
    assert any("role" in e["loc"] for e in body["errors"])
    assert store_length(system) == before


def test_an_unknown_role_in_the_body_is_422_naming_role(client, token, system, mine):
    create(client, token)
    before = store_length(system)
    body = assert_problem(client.post(BASE, headers=mine, json={"role": "boss", **WEB}), 422)
    assert any("role" in e["loc"] for e in body["errors"])
    assert store_length(system) == before


@pytest.mark.parametrize("email", ["nope", "a@b", "two words@acme.org", ""])
@pytest.mark.parametrize("route", ["put", "post", "staff"])
def test_a_malformed_email_is_422_with_email_in_loc_and_changes_nothing(client, token, system, mine, email, route):
    create(client, token)
    before = store_length(system)
    contact = {"name": "X", "email": email}
    r = {
        "put": lambda: client.put(f"{BASE}/billing", headers=mine, json=contact),
        "post": lambda: client.post(BASE, headers=mine, json={"role": "billing", **contact}),
        "staff": lambda: client.post(f"{BASE}/staff", headers=mine, json=contact),
    }[route]()
    body = assert_problem(r, 422)
    assert any("email" in e["loc"] for e in body["errors"])
    assert store_length(system) == before


@pytest.mark.parametrize(
    "body",
    [
        {"name": "X", "email": "x@acme.org", "phone": "call me"},
        {"name": "", "email": "x@acme.org"},
        {"email": "x@acme.org"},
        {"name": "X", "email": "x@acme.org", "extra": 1},
    ],
)
def test_other_invalid_contacts_are_422_problems(client, token, system, mine, body):
    create(client, token)
    before = store_length(system)
    assert_problem(client.put(f"{BASE}/billing", headers=mine, json=body), 422)
    assert store_length(system) == before


@pytest.mark.parametrize("raw", [b"{", b"[1,", b"\x00\x01", b'{"name": "X", "email": }'])
def test_malformed_json_bodies_are_422_never_5xx(client, token, system, mine, raw):
    create(client, token)
    before = store_length(system)
    headers = {**mine, "content-type": "application/json"}
    assert_problem(client.put(f"{BASE}/billing", headers=headers, content=raw), 422)
    assert_problem(client.post(BASE, headers=headers, content=raw), 422)
    assert_problem(client.post(f"{BASE}/staff", headers=headers, content=raw), 422)
    assert store_length(system) == before


def test_staff_are_added_listed_and_removed(client, token, mine):
    create(client, token)
    a = client.post(f"{BASE}/staff", headers=mine, json={"name": "Sam", "email": "sam@acme.org"})
    b = client.post(f"{BASE}/staff", headers=mine, json={"name": "Sue", "email": "sue@acme.org"})
    assert a.status_code == b.status_code == 201
    staff = client.get(BASE, headers=mine).json()["staff"]
    assert [s["email"] for s in staff] == ["sam@acme.org", "sue@acme.org"]
    assert client.delete(f"{BASE}/staff/{a.json()['contact_id']}", headers=mine).status_code == 204
    staff = client.get(BASE, headers=mine).json()["staff"]
    assert [s["contact_id"] for s in staff] == [b.json()["contact_id"]]


def test_a_duplicate_staff_email_is_409_and_an_unknown_staff_id_404(client, token, system, mine):
    create(client, token)
    client.post(f"{BASE}/staff", headers=mine, json={"name": "Sam", "email": "sam@acme.org"})
    before = store_length(system)
    body = assert_problem(
        client.post(f"{BASE}/staff", headers=mine, json={"name": "Sam 2", "email": "SAM@acme.org"}), 409
    )
    assert any("email" in e["loc"] for e in body["errors"])
    assert_problem(client.delete(f"{BASE}/staff/nosuchid", headers=mine), 404)
    assert store_length(system) == before


def _every_contact_request(base: str, staff_id: str = "abc"):
    return [
        ("get", base, None),
        ("post", base, {"role": "ceo", "name": "X", "email": "x@x.org"}),
        ("put", f"{base}/billing", {"name": "X", "email": "x@x.org"}),
        ("delete", f"{base}/billing", None),
        ("post", f"{base}/staff", {"name": "X", "email": "x@x.org"}),
        ("delete", f"{base}/staff/{staff_id}", None),
    ]


def _send(client, method, url, body, headers):
    kwargs = {"headers": headers}
    if body is not None:
        kwargs["json"] = body
    return getattr(client, method)(url, **kwargs)


def test_every_contact_route_needs_a_token(client, token, system):
    create(client, token)
    before = store_length(system)
    for method, url, body in _every_contact_request(BASE):
        assert_problem(_send(client, method, url, body, {}), 401)
    assert store_length(system) == before


@pytest.mark.parametrize(
    "role, scope",
    [
        ("provider", {"provider": OURS}),
        ("board", {"board": "ABIM"}),
        ("learner", {"learner": "L1"}),
        ("accreditor", {"state": "TN"}),
    ],
)
def test_another_tenants_contacts_are_neither_shown_nor_changed(client, token, system, role, scope):
    two_tenants(client, token)
    their_staff = client.post(
        f"{THEIR_BASE}/staff",
        headers=token("provider", provider=THEIRS),
        json={"name": "Rival Staff", "email": "staff@rival.example"},
    )
    before = store_length(system)
    for method, url, body in _every_contact_request(THEIR_BASE, their_staff.json()["contact_id"]):
        r = _send(client, method, url, body, token(role, **scope))
        assert r.status_code in (403, 404), (method, url, r.status_code)
        assert_problem(r, r.status_code)
        assert_nothing_of_theirs(r)
        assert "staff@rival" not in r.text
    assert store_length(system) == before


@pytest.mark.parametrize("role, scope", [("auditor", {}), ("accreditor", {}), ("accreditor", {"state": "TN"})])
def test_auditors_and_accreditors_read_contacts_but_may_not_change_them(client, token, system, role, scope):
    create(client, token)
    headers = token(role, **scope)
    assert client.get(BASE, headers=headers).status_code == 200
    before = store_length(system)
    for method, url, body in _every_contact_request(BASE)[1:]:
        assert_problem(_send(client, method, url, body, headers), 403)
    assert store_length(system) == before


def test_contacts_of_an_unknown_provider_are_404(client, token):
    assert_problem(client.get("/api/v1/providers/0009999/contacts", headers=token("auditor")), 404)
    assert_problem(
        client.put(
            "/api/v1/providers/0009999/contacts/billing", headers=token("provider", provider="0009999"), json=WEB
        ),
        404,
    )
