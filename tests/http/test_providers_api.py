"""POST/GET /api/v1/providers, GET /api/v1/providers/{id}, POST .../accreditation-decisions."""

from __future__ import annotations

import pytest

from tests.http.helpers import OURS, THEIRS, assert_nothing_of_theirs, assert_problem, create, store_length, two_tenants

NEW = {
    "accme_id": "0000042",
    "name": "Zero CME",
    "accreditor": "TN",
    "primary_contact": {"name": "Zed", "email": "zed@zero.org"},
}


def test_an_accreditor_registers_a_provider_with_leading_zeros_kept(client, token):
    r = client.post("/api/v1/providers", headers=token("accreditor"), json=NEW)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["accme_id"] == "0000042" and r.headers["location"] == "/api/v1/providers/0000042"
    assert body["contacts"]["primary"]["email"] == "zed@zero.org"
    assert body["accreditor_name"] == "Tennessee Recognized Accreditor"
    assert body["accreditation_status"] == "Pending initial accreditation"
    assert body["invoice_recipient"] == body["directory_contact"] == body["contacts"]["primary"]


def test_a_state_accreditor_registers_only_its_own_providers(client, token, system):
    assert client.post("/api/v1/providers", headers=token("accreditor", state="TN"), json=NEW).status_code == 201
    before = store_length(system)
    r = client.post("/api/v1/providers", headers=token("accreditor", state="NC"), json={**NEW, "accme_id": "0000043"})
    assert_problem(r, 403)
    assert store_length(system) == before


@pytest.mark.parametrize(
    "role, scope",
    [
        ("provider", {"provider": "0000042"}),
        ("board", {"board": "ABIM"}),
        ("learner", {"learner": "L1"}),
        ("auditor", {}),
    ],
)
def test_only_accreditor_staff_register_providers(client, token, system, role, scope):
    r = client.post("/api/v1/providers", headers=token(role, **scope), json=NEW)
    assert_problem(r, 403)
    assert store_length(system) == 0


def test_registering_without_a_token_is_401_problem(client, system):
    r = client.post("/api/v1/providers", json=NEW)
    assert_problem(r, 401)
    assert r.headers["www-authenticate"] == "Bearer"
    assert store_length(system) == 0


def test_an_existing_provider_is_a_409_and_changes_nothing(client, token, system):
    create(client, token)
    before = store_length(system)
    r = client.post("/api/v1/providers", headers=token("accreditor"), json={**NEW, "accme_id": OURS})
    body = assert_problem(r, 409)
    assert any(e["loc"][-1] == "accme_id" for e in body["errors"])
    assert store_length(system) == before
    assert client.get(f"/api/v1/providers/{OURS}", headers=token("auditor")).json()["name"] == "Acme CME"


@pytest.mark.parametrize("accme_id", ["1234", "12345678", "123456a", "", 1234567])
def test_a_malformed_accme_id_is_422_naming_accme_id(client, token, system, accme_id):
    r = client.post("/api/v1/providers", headers=token("accreditor"), json={**NEW, "accme_id": accme_id})
    body = assert_problem(r, 422)
    assert any("accme_id" in e["loc"] for e in body["errors"])
    assert store_length(system) == 0


@pytest.mark.parametrize("email", ["zed", "zed@", "@zero.org", "zed zero@zero.org", ""])
def test_a_malformed_primary_email_is_422_with_email_in_loc(client, token, system, email):
    r = client.post(
        "/api/v1/providers",
        headers=token("accreditor"),
        json={**NEW, "primary_contact": {"name": "Zed", "email": email}},
    )
    body = assert_problem(r, 422)
    assert any("email" in e["loc"] for e in body["errors"])
    assert store_length(system) == 0


@pytest.mark.parametrize(
    "body",
    [
        {**NEW, "accreditor": "Nowhere"},
        {**NEW, "name": ""},
        {**NEW, "unexpected": 1},
        {k: v for k, v in NEW.items() if k != "primary_contact"},
        [],
        "text",
        None,
    ],
)
def test_invalid_registrations_are_4xx_problems_never_5xx(client, token, system, body):
    r = client.post("/api/v1/providers", headers=token("accreditor"), json=body)
    assert 400 <= r.status_code < 500
    assert_problem(r, r.status_code)
    assert store_length(system) == 0


@pytest.mark.parametrize("raw", [b"{", b'{"accme_id": "0000042",}', b"\xff\xfe", b"null", b'{"accme_id": 1e999}'])
def test_malformed_json_is_422_never_5xx(client, token, system, raw):
    headers = {**token("accreditor"), "content-type": "application/json"}
    r = client.post("/api/v1/providers", headers=headers, content=raw)
    assert_problem(r, 422)
    assert store_length(system) == 0


def test_a_provider_reads_its_own_profile(client, token):
    two_tenants(client, token)
    r = client.get(f"/api/v1/providers/{OURS}", headers=token("provider", provider=OURS))
    assert r.status_code == 200 and r.json()["accme_id"] == OURS
    assert_nothing_of_theirs(r)


@pytest.mark.parametrize(
    "role, scope",
    [
        ("provider", {"provider": OURS}),
        ("accreditor", {"state": "TN"}),
        ("board", {"board": "ABIM"}),
        ("board", {"state": "NC"}),
        ("learner", {"learner": "L1"}),
    ],
)
def test_another_tenants_provider_is_404_and_nothing_of_it_is_shown(client, token, role, scope):
    two_tenants(client, token)
    r = client.get(f"/api/v1/providers/{THEIRS}", headers=token(role, **scope))
    assert_problem(r, 404)
    assert_nothing_of_theirs(r)


@pytest.mark.parametrize("role, scope", [("auditor", {}), ("accreditor", {}), ("accreditor", {"state": "NC"})])
def test_auditors_and_the_overseeing_accreditor_read_the_provider(client, token, role, scope):
    two_tenants(client, token)
    r = client.get(f"/api/v1/providers/{THEIRS}", headers=token(role, **scope))
    assert r.status_code == 200 and r.json()["accme_id"] == THEIRS


def test_listing_shows_each_token_only_what_it_may_see(client, token):
    two_tenants(client, token)
    ids = lambda r: [p["accme_id"] for p in r.json()["data"]]  # noqa: E731
    assert ids(client.get("/api/v1/providers", headers=token("accreditor"))) == [OURS, THEIRS]
    assert ids(client.get("/api/v1/providers", headers=token("auditor"))) == [OURS, THEIRS]
    assert ids(client.get("/api/v1/providers", headers=token("accreditor", state="TN"))) == [OURS]
    mine = client.get("/api/v1/providers", headers=token("provider", provider=OURS))
    assert ids(mine) == [OURS] and mine.json()["count"] == 1
    assert_nothing_of_theirs(mine)
    for role, scope in [("board", {"board": "ABIM"}), ("learner", {"learner": "L1"})]:
        r = client.get("/api/v1/providers", headers=token(role, **scope))
        assert_problem(r, 403)
        assert_nothing_of_theirs(r)
    assert_problem(client.get("/api/v1/providers"), 401)


def test_reading_a_provider_needs_a_valid_token(client, token):
    create(client, token)
    assert_problem(client.get(f"/api/v1/providers/{OURS}"), 401)
    assert_problem(client.get(f"/api/v1/providers/{OURS}", headers={"Authorization": "Bearer pars_forged.sig"}), 401)
    assert_problem(client.get("/api/v1/providers/0009999", headers=token("auditor")), 404)
    assert_problem(client.get("/api/v1/providers/12", headers=token("auditor")), 422)


def test_the_overseeing_accreditor_records_a_decision_with_its_default_term(client, token, system):
    create(client, token)
    r = client.post(
        f"/api/v1/providers/{OURS}/accreditation-decisions",
        headers=token("accreditor", state="TN"),
        json={"decision": "Accreditation", "decided_on": "2024-02-29"},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["accreditation_status"] == "Accreditation"
    assert body["decisions"] == [{"decision": "Accreditation", "decided_on": "2024-02-29", "term_ends": "2028-02-29"}]
    assert body["current_term_ends"] == "2028-02-29"


@pytest.mark.parametrize(
    "role, scope, status",
    [
        ("accreditor", {"state": "NC"}, 404),
        ("provider", {"provider": OURS}, 403),
        ("auditor", {}, 403),
        ("board", {"board": "ABIM"}, 404),
        ("learner", {"learner": "L1"}, 404),
    ],
)
def test_only_the_overseeing_accreditor_records_decisions(client, token, system, role, scope, status):
    create(client, token)
    before = store_length(system)
    r = client.post(
        f"/api/v1/providers/{OURS}/accreditation-decisions",
        headers=token(role, **scope),
        json={"decision": "Accreditation", "decided_on": "2024-01-01"},
    )
    assert_problem(r, status)
    assert store_length(system) == before


@pytest.mark.parametrize(
    "body, loc",
    [
        ({"decision": "Great", "decided_on": "2024-01-01"}, "decision"),
        ({"decision": "Accreditation", "decided_on": "2024-02-30"}, "decided_on"),
        ({"decision": "Accreditation", "decided_on": "2024-01-01", "term_ends": "2023-01-01"}, "term_ends"),
    ],
)
def test_invalid_decisions_are_422_naming_the_field_and_change_nothing(client, token, system, body, loc):
    create(client, token)
    before = store_length(system)
    r = client.post(f"/api/v1/providers/{OURS}/accreditation-decisions", headers=token("accreditor"), json=body)
    problem = assert_problem(r, 422)
    assert any(loc in e["loc"] for e in problem["errors"])
    assert store_length(system) == before


def test_decisions_for_an_unknown_provider_are_404(client, token, system):
    r = client.post(
        "/api/v1/providers/0009999/accreditation-decisions",
        headers=token("accreditor"),
        json={"decision": "Accreditation", "decided_on": "2024-01-01"},
    )
    assert_problem(r, 404)
    assert store_length(system) == 0


def test_openapi_and_docs_answer(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in (
        "/api/v1/providers",
        "/api/v1/providers/{accme_id}",
        "/api/v1/providers/{accme_id}/contacts/{role}",
        "/api/v1/directory",
    ):
        assert path in paths
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_a_provider_stored_a_moment_ago_by_another_process_is_not_a_404(system, token):
    """The profile read model lags the store; a route gives it a moment instead of denying the provider."""
    import threading

    from fastapi.testclient import TestClient

    from adapters.app import create_app
    from commands.providers import ContactDetails, RegisterProvider
    from domain.base import Acting, Channel

    system.providers.register(
        RegisterProvider(
            accme_id="0000042",
            name="Zero CME",
            accreditor="ACCME",
            primary=ContactDetails(name="Zed", email="zed@zero.org"),
        ),
        Acting("cli:admin", Channel.CLI),
    )
    late = threading.Timer(0.3, system.projections.catch_up)  # the separate projection worker, a little behind
    with TestClient(create_app(system, run_projections=False), raise_server_exceptions=False) as client:
        late.start()
        r = client.get("/api/v1/providers/0000042", headers=token("provider", provider="0000042"))
        late.join()
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Zero CME"
