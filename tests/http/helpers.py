"""Shared steps of the HTTP tests: two tenants, problem checks, the store's length."""

from __future__ import annotations

from typing import Any

OURS = "0001234"
THEIRS = "0007777"
THEIR_SECRETS = ("Rival Secret Institute", "rival-boss@rival.example", "Rita Rival", "615-555-0199")


def create(
    client, token, accme_id: str = OURS, name: str = "Acme CME", accreditor: str = "TN", primary: dict | None = None
):
    contact = primary or {"name": "Ann Lee", "email": "ann@acme.org"}
    r = client.post(
        "/api/v1/providers",
        headers=token("accreditor"),
        json={"accme_id": accme_id, "name": name, "accreditor": accreditor, "primary_contact": contact},
    )
    assert r.status_code == 201, r.text
    return r.json()


def two_tenants(client, token) -> None:
    create(client, token)
    primary = {"name": THEIR_SECRETS[2], "email": THEIR_SECRETS[1], "phone": THEIR_SECRETS[3]}
    create(client, token, THEIRS, THEIR_SECRETS[0], "NC", primary)


def assert_problem(response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and "detail" in body
    assert isinstance(body["errors"], list)
    for error in body["errors"]:
        assert isinstance(error["loc"], list) and isinstance(error["msg"], str) and error["msg"]
    return body


def assert_nothing_of_theirs(response) -> None:
    text = response.text
    for secret in (*THEIR_SECRETS, "rival"):
        assert secret.lower() not in text.lower(), f"{secret!r} leaked: {text}"


def store_length(system) -> int:
    return system.store.head()
