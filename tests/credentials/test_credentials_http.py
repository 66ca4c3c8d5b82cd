"""Open Badges 3.0 credentials and CLR 2.0 transcripts over HTTP: issued to the learner and to boards that may
read the transcript, checked by independent verifiers, refused to everyone else."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from openbadgeslib.ob3 import OB3VerificationError

from adapters.bootstrap import System
from tests.completions.helpers import NPI
from tests.credentials.conftest import PUBLIC_URL
from tests.credentials.helpers import ob3_verify, pyjwt_verify, seed

CREDENTIAL = "/api/v1/passport/credentials/ccid:0004444:c1"
DID = "did:web:pars.example.org"


@pytest.fixture
def ids(system: System, client: TestClient, token) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return seed(system, client, token)


def test_a_learner_downloads_a_completion_credential_that_independent_verifiers_accept(  # type: ignore[no-untyped-def]
    client: TestClient, token, ids
) -> None:
    ana = token("learner", learner=ids["ana"])
    answer = client.get(CREDENTIAL, headers=ana)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    vc = body["credential"]
    assert body["media_type"] == "application/vc+jwt"
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["issuer"]["id"] == DID
    subject = vc["credentialSubject"]
    assert subject["achievement"]["name"] == "Cardiology update A-1"
    assert subject["achievement"]["creator"]["otherIdentifier"][0]["identifier"] == "0004444"
    assert subject["source"]["name"] == "CME 0004444"
    assert subject["creditsEarned"] == 6.0
    values = {r["resultDescription"]: r["value"] for r in subject["result"]}
    assert values == {"urn:pars:result:cme:ama-pra-category-1": "6", "urn:pars:result:moc:abim:abim-moc": "6"}
    assert vc["credentialStatus"]["statusListCredential"] == f"{PUBLIC_URL}/api/v1/credentials/status/0"

    # Independent verifiers: openbadgeslib (Open Badges 3.0 rules, did:web, the signed status list) and PyJWT.
    checked = ob3_verify(client, body["jwt"])
    assert checked.issuer.id == DID and checked.achievement.name == "Cardiology update A-1"
    assert pyjwt_verify(client, body["jwt"])["jti"] == vc["id"]

    verdict = client.post("/api/v1/verify", json={"credential": body["jwt"]}).json()
    assert verdict["verdict"] == "valid", verdict
    assert verdict["subject"]["name"] == "Ana García-López"
    assert verdict["about"]["activity"] == "Cardiology update A-1" and verdict["about"]["provider"] == "CME 0004444"
    assert verdict["issuer"]["id"] == DID and verdict["key_retired"] is False
    # The JSON the route answered verifies as it is, too.
    assert client.post("/api/v1/verify", json={"credential": body}).json()["verdict"] == "valid"


def test_boards_read_the_credentials_of_their_own_physicians_only(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    provider = {"provider": "0004444"}
    assert client.get(CREDENTIAL).status_code == 401
    assert client.get(CREDENTIAL, headers=token("provider", provider="0004444")).status_code == 403
    assert client.get(CREDENTIAL, headers=token("learner", learner=ids["ben"])).status_code == 404
    missing = client.get(CREDENTIAL, headers=token("board", state="TN"))
    assert missing.status_code == 422 and missing.json()["errors"][0]["loc"] == ["query", "provider"]
    assert client.get(CREDENTIAL, params=provider, headers=token("board", state="TN")).status_code == 200
    assert client.get(CREDENTIAL, params=provider, headers=token("board", board="ABIM")).status_code == 200
    assert client.get(CREDENTIAL, params=provider, headers=token("accreditor")).status_code == 200
    # Not its licensee: the same 404 as a credit ID nobody reported.
    not_theirs = client.get(CREDENTIAL, params=provider, headers=token("board", state="NC"))
    nobody = client.get(CREDENTIAL + "x", params=provider, headers=token("board", state="NC"))
    assert not_theirs.status_code == nobody.status_code == 404
    assert not_theirs.json()["detail"].replace("c1", "c1x") == nobody.json()["detail"]
    assert client.get(CREDENTIAL, params=provider, headers=token("board", board="ABA")).status_code == 404

    clr = "/api/v1/passport/clr"
    assert client.get(clr).status_code == 401
    assert client.get(clr, headers=token("provider", provider="0004444")).status_code == 403
    assert client.get(clr, params={"npi": NPI}, headers=token("board", state="NC")).status_code == 404
    assert client.get(clr, params={"npi": NPI}, headers=token("board", state="TN")).status_code == 200
    assert (
        client.get(
            clr, params={"from": "2025-05-01", "to": "2025-04-01"}, headers=token("learner", learner=ids["ana"])
        ).status_code
        == 422
    )


def test_the_clr_bundles_each_completion_credential_and_verifies(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(
        "/api/v1/passport/clr",
        params={"from": "2025-01-01", "to": "2025-12-31"},
        headers=token("learner", learner=ids["ana"]),
    )
    assert answer.status_code == 200, answer.text
    clr = answer.json()
    assert clr["credential"]["type"] == ["VerifiableCredential", "ClrCredential"]
    members = clr["credential"]["credentialSubject"]["verifiableCredential"]
    assert [m["type"] for m in members] == ["EnvelopedVerifiableCredential"] * 2
    assert pyjwt_verify(client, clr["jwt"])["iss"] == DID
    for member in members:
        ob3_verify(client, member["id"].split(",", 1)[1])
    verdict = client.post("/api/v1/verify", json={"credential": clr["jwt"]}).json()
    assert verdict["verdict"] == "valid", verdict
    assert verdict["kind"] == "ClrCredential" and [c["verdict"] for c in verdict["credentials"]] == ["valid"] * 2


def test_the_did_document_and_status_list_are_public(client: TestClient, ids) -> None:  # type: ignore[no-untyped-def]
    document = client.get("/.well-known/did.json").json()
    assert document["id"] == DID and document["assertionMethod"] == [document["verificationMethod"][0]["id"]]
    listed = client.get("/api/v1/credentials/status/0")
    assert listed.status_code == 200 and listed.headers["content-type"].startswith("application/vc+jwt")
    assert pyjwt_verify(client, listed.text)["credentialSubject"]["type"] == "BitstringStatusList"
    assert client.get("/api/v1/credentials/status/1").status_code == 404
    bad = client.post("/api/v1/verify", json={"credential": "hello"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "credential"]


def test_a_deleted_completion_revokes_its_credential(client: TestClient, token, ids, system: System) -> None:  # type: ignore[no-untyped-def]
    ana = token("learner", learner=ids["ana"])
    issued = client.get(CREDENTIAL, headers=ana).json()["jwt"]
    clr = client.get("/api/v1/passport/clr", headers=ana).json()["jwt"]
    me = token("provider", provider="0004444")
    assert client.delete("/api/v1/providers/0004444/completions/ccid:0004444:c1", headers=me).status_code == 204
    system.projections.wait(system.store.head())
    verdict = client.post("/api/v1/verify", json={"credential": issued}).json()
    assert verdict["verdict"] == "revoked" and verdict["status"]["revoked"] is True, verdict
    with pytest.raises(OB3VerificationError, match="revocation"):
        ob3_verify(client, issued)
    bundle = client.post("/api/v1/verify", json={"credential": clr}).json()
    assert bundle["verdict"] == "revoked" and sorted(c["verdict"] for c in bundle["credentials"]) == [
        "revoked",
        "valid",
    ]
    assert client.get(CREDENTIAL, headers=ana).status_code == 404  # no new credential for a deleted record


def test_erasing_the_learner_revokes_every_credential(client: TestClient, token, ids, system: System) -> None:  # type: ignore[no-untyped-def]
    ana = token("learner", learner=ids["ana"])
    one = client.get(CREDENTIAL, headers=ana).json()["jwt"]
    clr = client.get("/api/v1/passport/clr", headers=ana).json()["jwt"]
    staff = token("accreditor")
    assert client.delete(f"/api/v1/learners/{ids['ana']}/personal-data", headers=staff).status_code == 204
    system.projections.wait(system.store.head())
    for issued in (one, clr):
        assert client.post("/api/v1/verify", json={"credential": issued}).json()["verdict"] == "revoked"
    with pytest.raises(OB3VerificationError):
        ob3_verify(client, one)
