"""Learner routes over HTTP: match (single and batch), the learner's own record, erasure; 401/403/404."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from adapters.bootstrap import System
from tests.learners.helpers import BY, NPI, ana_and_ben, npi_with_check_digit


@pytest.fixture
def ana(system: System, client: TestClient) -> str:
    outcomes = system.learners.register_many(ana_and_ben(), BY)
    system.projections.wait(outcomes[-1].position, names=["learner_directory"])
    return outcomes[0].learner_id  # type: ignore[return-value]


def test_match_single_and_batch(client: TestClient, token, ana: str) -> None:  # type: ignore[no-untyped-def]
    provider = token("provider", provider="0001234")
    one = client.post(
        "/api/v1/learners/match",
        json={"first_name": "ana", "last_name": "GARCIA LOPEZ", "birth_date": "03-07", "state": "TN"},
        headers=provider,
    )
    assert one.status_code == 200 and one.json() == {"status": "matched", "learner_id": ana}
    batch = client.post(
        "/api/v1/learners/match",
        json=[
            {"npi": NPI},
            {"board": "ABIM", "board_id": "999"},
            {"first_name": "Ana", "last_name": "García-López", "birth_date": "1980-03-08", "state": "TN"},
            {"first_name": "Ana", "last_name": "García-López", "birth_date": "03-07", "state": "NY"},
            {"first_name": "Zoe", "last_name": "Nobody", "birth_date": "03-07", "state": "TN"},
        ],
        headers=token("accreditor"),
    )
    assert batch.status_code == 200
    assert [r["status"] for r in batch.json()] == ["matched", "no_match", "no_match", "no_match", "no_match"]
    # Which identifier disagreed is not said: a wrong birth date, a wrong state and an unknown name read alike.
    msgs = [r["msg"] for r in batch.json()[2:]]
    assert msgs == ["no learner in the directory has the name, birth date and state of licensure given"] * 3


def test_match_refuses_incomplete_records_and_other_roles(client: TestClient, token, ana: str) -> None:  # type: ignore[no-untyped-def]
    body = {"first_name": "Ana", "last_name": "García-López", "birth_date": "03-07", "state": "TN"}
    assert client.post("/api/v1/learners/match", json=body).status_code == 401
    for role, scope in (("learner", {"learner": NPI}), ("board", {"board": "ABIM"}), ("auditor", {})):
        assert client.post("/api/v1/learners/match", json=body, headers=token(role, **scope)).status_code == 403
    bad = client.post(
        "/api/v1/learners/match", json=[body, {"first_name": "Ana"}], headers=token("provider", provider="0001234")
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"][:2] == ["body", "1"]
    assert (
        client.post(
            "/api/v1/learners/match", json={"nonsense": 1}, headers=token("provider", provider="0001234")
        ).status_code
        == 422
    )


def test_a_learner_reads_their_own_record_by_id_or_npi(client: TestClient, token, ana: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/learners/me").status_code == 401
    for scope in (ana, NPI):
        me = client.get("/api/v1/learners/me", headers=token("learner", learner=scope))
        assert me.status_code == 200
        assert me.json()["learner_id"] == ana and me.json()["birth_date"] == "1972-03-07" and me.json()["npi"] == NPI
    assert (
        client.get(
            "/api/v1/learners/me", headers=token("learner", learner=npi_with_check_digit("555555555"))
        ).status_code
        == 404
    )
    assert client.get("/api/v1/learners/me", headers=token("provider", provider="0001234")).status_code == 403


def test_erasure_by_accme_staff_only(client: TestClient, token, ana: str) -> None:  # type: ignore[no-untyped-def]
    path = f"/api/v1/learners/{ana}/personal-data"
    assert client.delete(path).status_code == 401
    for role, scope in (
        ("provider", {"provider": "0001234"}),
        ("accreditor", {"state": "TX"}),
        ("auditor", {}),
        ("learner", {"learner": ana}),
    ):
        assert client.delete(path, headers=token(role, **scope)).status_code == 403
    staff = token("accreditor")
    assert (
        client.delete("/api/v1/learners/00000000-0000-4000-8000-000000000000/personal-data", headers=staff).status_code
        == 404
    )
    assert client.delete("/api/v1/learners/not-an-id/personal-data", headers=staff).status_code == 404
    assert client.delete(path, headers=staff).status_code == 204
    assert client.delete(path, headers=staff).status_code == 409
    # Gone from matching and from the learner's own view; the record reads back erased.
    matched = client.post("/api/v1/learners/match", json={"npi": NPI}, headers=token("provider", provider="0001234"))
    assert matched.json()["status"] == "no_match"
    # The erased learner's own tokens stop working (the record itself still reads back erased: services).
    me = client.get("/api/v1/learners/me", headers=token("learner", learner=ana))
    assert me.status_code == 401 and "erased" in me.json()["detail"]
