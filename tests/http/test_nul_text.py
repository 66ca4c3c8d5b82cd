"""U+0000 in a name, a search word or a path is a 422 naming the field, on both stores (PostgreSQL's text
cannot hold it: it was a 500 there, found by the schemathesis contract run)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from adapters.bootstrap import System
from adapters.tokens import issue_token
from tests.http.helpers import assert_problem

MSG = "contains a NUL character (U+0000), which no text in PARS may hold"


@pytest.fixture
def api(any_system: System) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with TestClient(create_app(any_system), raise_server_exceptions=False) as client:
        yield client, {"Authorization": f"Bearer {issue_token(any_system.secret, 'accreditor')}"}


def test_a_nul_in_a_json_body_is_refused_by_field_and_nothing_is_stored(api, any_system: System) -> None:  # type: ignore[no-untyped-def]
    client, accreditor = api
    head = any_system.store.head()
    provider = {
        "accme_id": "0001234",
        "name": "Acme\x00CME",
        "accreditor": "ACCME",
        "primary_contact": {"name": "Ann Lee", "email": "ann@acme.org"},
    }
    r = client.post(
        "/api/v1/providers", content=json.dumps(provider), headers={**accreditor, "Content-Type": "application/json"}
    )
    assert assert_problem(r, 422)["errors"] == [{"loc": ["body", "name"], "msg": MSG}]
    provider = {
        **provider,
        "name": "Acme CME",
        "primary_contact": {"name": "Ann", "email": "ann@acme.org", "title": ["x", "\x00"]},
    }
    r = client.post(
        "/api/v1/providers", content=json.dumps(provider), headers={**accreditor, "Content-Type": "application/json"}
    )
    assert assert_problem(r, 422)["errors"][0]["loc"] == ["body", "primary_contact", "title", 1]
    assert any_system.store.head() == head


def test_a_nul_in_a_query_or_path_parameter_is_refused_by_name(api) -> None:  # type: ignore[no-untyped-def]
    client, accreditor = api
    assert assert_problem(client.get("/api/v1/directory", params={"q": "acme\x00"}), 422)["errors"] == [
        {"loc": ["query", "q"], "msg": MSG}
    ]
    assert assert_problem(client.get("/api/v1/passport/catalog", params={"q": "\x00"}), 422)["errors"][0]["loc"] == [
        "query",
        "q",
    ]
    r = client.get("/api/v1/feeds/boards/AB%00IM", headers=accreditor)
    assert assert_problem(r, 422)["errors"] == [{"loc": ["path", "board"], "msg": MSG}]


def test_a_query_parameter_the_route_does_not_read_is_ignored_whatever_it_holds(api) -> None:  # type: ignore[no-untyped-def]
    client, _ = api
    assert client.get("/api/v1/health", params={"x": "\x00"}).status_code == 200
    assert client.get("/api/v1/directory", params={"x": "\x00"}).status_code == 200
