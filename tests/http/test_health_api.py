"""GET /api/v1/health: each projection's position, the head, the lag, the last error; no token, no tenant data."""

from __future__ import annotations

import time

from tests.http.helpers import OURS, THEIR_SECRETS, two_tenants


def caught_up(client) -> dict:
    deadline = time.monotonic() + 10
    while True:
        body = client.get("/api/v1/health").json()
        if body["max_lag"] == 0 or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def test_health_needs_no_token_and_reports_every_projection_at_the_head(client, system, token):
    two_tenants(client, token)
    r = client.get("/api/v1/health")
    assert r.status_code == 200, r.text
    body = caught_up(client)
    assert body["status"] == "ok" and body["head"] == system.store.head() == 2
    names = {p["projection"] for p in body["projections"]}
    assert names == set(system.projections.runners) and {"provider_profile", "history", "event_chain"} <= names
    for p in body["projections"]:
        assert p == {"projection": p["projection"], "position": 2, "head": 2, "lag": 0, "last_error": None}


def test_lag_is_head_minus_position_and_agrees_with_the_supervisor(client, system, token):
    two_tenants(client, token)
    body = caught_up(client)
    system.projections.stop()  # nothing follows the log any more
    system.projections.runners["history"].projection.view.reset()
    body = client.get("/api/v1/health").json()
    history = next(p for p in body["projections"] if p["projection"] == "history")
    assert history == {"projection": "history", "position": 0, "head": 2, "lag": 2, "last_error": None}
    assert body["max_lag"] == 2
    assert [s.lag for s in system.projections.statuses()] == [p["lag"] for p in body["projections"]]


def test_a_failing_projection_is_reported_by_error_type_without_its_message(client, system, token):
    two_tenants(client, token)
    system.projections.stop()  # else the running loop clears the error on its next good batch
    system.projections.errors["directory"] = RuntimeError(f"{OURS} {THEIR_SECRETS[0]} broke")
    r = client.get("/api/v1/health")
    body = r.json()
    assert body["status"] == "degraded"
    assert next(p for p in body["projections"] if p["projection"] == "directory")["last_error"] == "RuntimeError"
    assert OURS not in r.text and THEIR_SECRETS[0] not in r.text
