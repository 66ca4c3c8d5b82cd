"""A learner with two completions (two credit IDs), and the independent verifiers the tests check with."""

from __future__ import annotations

import json
from typing import Any

import jwt
from fastapi.testclient import TestClient
from openbadgeslib.ob3 import OB3Verifier

from adapters.bootstrap import System
from tests.completions.helpers import envelope, report, setup


def seed(system: System, client: TestClient, token) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    ids = setup(system, running=True)
    me = token("provider", provider="0004444")
    answer = client.post(
        "/accme/learner-activities",
        json=envelope(report(ids["activity"]), report(ids["activity"], credit_id="ccid:0004444:c9")),
        headers=me,
    )
    assert answer.status_code == 201, answer.text
    system.projections.wait(system.store.head())
    return ids


def fetcher(client: TestClient):  # type: ignore[no-untyped-def]
    """What openbadgeslib downloads with: the DID document and status lists, from this app, never the network."""

    def download(url: str) -> bytes:
        path = url.split("://", 1)[1].split("/", 1)[1]
        answer = client.get("/" + path)
        assert answer.status_code == 200, (url, answer.text)
        return answer.content

    return download


def ob3_verify(client: TestClient, token: str, *, status: bool = True) -> Any:
    """openbadgeslib's Open Badges 3.0 verifier (PyJWT underneath): resolves the did:web, picks the key the
    `kid` names, checks the credential's structure and, with `status`, the signed status list."""
    did = json.loads(client.get("/.well-known/did.json").content)["id"]
    verifier = OB3Verifier.for_issuer_did(did, download=fetcher(client))
    return verifier.verify(token, check_status=status, download=fetcher(client))


def pyjwt_verify(client: TestClient, token: str) -> dict[str, Any]:
    """PyJWT alone: the key from the DID document by `kid`, ES256 only."""
    header = jwt.get_unverified_header(token)
    document = client.get("/.well-known/did.json").json()
    [method] = [m for m in document["verificationMethod"] if m["id"] == header["kid"]]
    key = jwt.PyJWK(method["publicKeyJwk"]).key
    claims: dict[str, Any] = jwt.decode(
        token, key, algorithms=["ES256"], options={"verify_aud": False, "verify_sub": False}
    )
    return claims
