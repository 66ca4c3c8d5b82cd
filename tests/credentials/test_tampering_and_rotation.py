"""A credential or a status list with one byte changed is caught; rotating the issuer key keeps old credentials
verifiable; the CLI rotates."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openbadgeslib.ob3 import OB3VerificationError
from typer.testing import CliRunner

from adapters.app import create_app
from adapters.bootstrap import System, bootstrap
from adapters.cli.main import app as cli
from adapters.credentials.keys import rotate_issuer_key
from tests.credentials.conftest import PUBLIC_URL
from tests.credentials.conftest import settings as make_settings
from tests.credentials.helpers import ob3_verify, pyjwt_verify, seed

CREDENTIAL = "/api/v1/passport/credentials/ccid:0004444:c1"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.= \n{"


@pytest.fixture
def issued(system: System, client: TestClient, token) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    ids = seed(system, client, token)
    ana = token("learner", learner=ids["ana"])
    return {
        "ids": ids,
        "one": client.get(CREDENTIAL, headers=ana).json()["jwt"],
        "clr": client.get("/api/v1/passport/clr", headers=ana).json()["jwt"],
        "list": client.get("/api/v1/credentials/status/0").text,
    }


def changed(token: str, position: int, replacement: str) -> str:
    position %= len(token)
    if token[position] == replacement:
        replacement = "B" if replacement == "A" else "A"
    return token[:position] + replacement + token[position + 1 :]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0, max_value=10**6), replacement=st.sampled_from(ALPHABET))
def test_one_changed_byte_anywhere_in_a_credential_is_caught(
    system: System, issued: dict[str, Any], position: int, replacement: str
) -> None:
    for kind in ("one", "clr"):
        tampered = changed(issued[kind], position, replacement)
        verdict = system.credentials.verify(tampered.strip())
        assert verdict.verdict == "tampered", (kind, position, replacement, verdict)


def test_a_changed_byte_fails_the_independent_verifiers_too(client: TestClient, issued: dict[str, Any]) -> None:
    token = issued["one"]
    header, payload, signature = token.split(".")
    # Claim six more credits: re-encode the payload with one digit changed and keep the signature.
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["credentialSubject"]["creditsEarned"] = 12.0
    forged = ".".join([header, base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode(), signature])
    assert client.post("/api/v1/verify", json={"credential": forged}).json()["verdict"] == "tampered"
    with pytest.raises(OB3VerificationError):
        ob3_verify(client, forged)
    with pytest.raises(Exception, match="Signature verification failed"):
        pyjwt_verify(client, forged)
    # The last character of the signature carries 4 unused bits: a change there must not slip through.
    last = signature[-1]
    for other in "ABCDEFGHIJKLMNOP":  # characters differing from the last one in their unused bits only, or more
        if other != last:
            near = token[:-1] + other
            assert client.post("/api/v1/verify", json={"credential": near}).json()["verdict"] == "tampered"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0, max_value=10**6), replacement=st.sampled_from(ALPHABET))
def test_one_changed_byte_in_the_status_list_is_caught(
    system: System, issued: dict[str, Any], position: int, replacement: str
) -> None:
    tampered = changed(issued["list"], position, replacement)
    verdict = system.credentials.verify(issued["one"], lists=lambda url: tampered)
    assert verdict.verdict == "tampered" and "status list" in verdict.reason, verdict


def test_a_status_list_with_the_bit_cleared_but_the_old_signature_is_caught(
    system: System, client: TestClient, token, issued: dict[str, Any]
) -> None:
    # Revoke, then put the bits of the list from before the revocation into the new list, keeping its signature.
    me = token("provider", provider="0004444")
    assert client.delete("/api/v1/providers/0004444/completions/ccid:0004444:c1", headers=me).status_code == 204
    system.projections.wait(system.store.head())
    revoked = client.get("/api/v1/credentials/status/0").text
    header, payload, signature = revoked.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["credentialSubject"]["encodedList"] = json.loads(
        base64.urlsafe_b64decode(issued["list"].split(".")[1] + "==")
    )["credentialSubject"]["encodedList"]
    cleared = ".".join([header, base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode(), signature])
    assert system.credentials.verify(issued["one"], lists=lambda url: cleared).verdict == "tampered"
    assert system.credentials.verify(issued["one"]).verdict == "revoked"


def test_rotating_the_key_keeps_old_credentials_verifiable(
    system: System, issued: dict[str, Any], keys_dir: Path, sqlite_url: str, token
) -> None:
    old_kid = system.credentials.keys.signing_kid
    system.close()
    rotate_issuer_key(PUBLIC_URL, keys_dir, None)
    rotated = bootstrap(make_settings(sqlite_url, keys_dir))
    try:
        with TestClient(create_app(rotated), raise_server_exceptions=False) as client:
            document = client.get("/.well-known/did.json").json()
            listed = [m["id"] for m in document["verificationMethod"]]
            assert len(listed) == 2 and listed[1] == old_kid and listed[0] != old_kid
            verdict = client.post("/api/v1/verify", json={"credential": issued["one"]}).json()
            assert verdict["verdict"] == "valid" and verdict["key"] == old_kid and verdict["key_retired"] is True
            ob3_verify(client, issued["one"])  # the independent verifier picks the retired key by kid
            fresh = client.get(CREDENTIAL, headers=token("learner", learner=issued["ids"]["ana"])).json()["jwt"]
            assert json.loads(base64.urlsafe_b64decode(fresh.split(".")[0] + "=="))["kid"] == listed[0]
            ob3_verify(client, fresh)
            assert client.post("/api/v1/verify", json={"credential": issued["clr"]}).json()["verdict"] == "valid"
    finally:
        rotated.close()


def test_the_cli_rotates_the_key_and_with_an_environment_key_prints_the_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = tmp_path / "keys"
    monkeypatch.setenv("PARS_ISSUER_KEY_DIR", str(keys))
    monkeypatch.setenv("PARS_PUBLIC_URL", "https://pars.example.org:8443/cme")
    monkeypatch.delenv("PARS_ISSUER_KEY", raising=False)
    first = CliRunner().invoke(cli, ["admin", "rotate-issuer-key"])
    assert first.exit_code == 0, first.output
    answer = json.loads(first.stdout)
    assert answer["did"] == "did:web:pars.example.org%3A8443:cme" and len(answer["retired"]) == 1
    assert (keys / "signing.pem").stat().st_mode & 0o077 == 0  # the private key is the owner's alone
    monkeypatch.setenv("PARS_ISSUER_KEY", (keys / "signing.pem").read_text())
    second = CliRunner().invoke(cli, ["admin", "rotate-issuer-key"])
    assert second.exit_code == 0 and second.stdout.startswith("-----BEGIN PRIVATE KEY-----")
    assert len(list(keys.glob("retired-*.pem"))) == 2
