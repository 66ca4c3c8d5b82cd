"""Learner status (`GET /accme/learner-activities/status`) by every kind of `UniqueID`, in ACCME's formats."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.bootstrap import System
from tests.completions.helpers import NPI, envelope, report, setup

URL = "/accme/learner-activities"


@pytest.fixture
def ids(system: System, client: TestClient, token) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    found = setup(system, running=True)
    assert (
        client.post(
            URL, json=envelope(report(found["activity"])), headers=token("provider", provider="0004444")
        ).status_code
        == 201
    )
    return found


def status(client: TestClient, token, ids: dict[str, Any], unique_id: str, birth: str = "03-07") -> Any:  # type: ignore[no-untyped-def]
    query = {"moduleID": ids["activity"], "BirthDate": birth, "CompletionDate": "2025-03-02", "UniqueID": unique_id}
    return client.get(f"{URL}/status", params=query, headers=token("provider", provider="0004444"))


@pytest.mark.parametrize(
    ("unique_id", "held"),
    [
        ("MD12345", {"value": "MD12345", "domain": "TN"}),  # a bare state licence number
        ("TN:MD12345", {"value": "MD12345", "domain": "TN"}),  # the form the route documents
        ("tn:md12345", {"value": "md12345", "domain": "TN"}),
        (NPI, {"value": NPI, "domain": "NPI"}),  # a bare NPI says its domain
        ("123456", {"value": "123456", "domain": "ABIM"}),  # a bare board ID
        ("ABIM:123456", {"value": "123456", "domain": "ABIM"}),
    ],
)
def test_status_by_npi_board_id_or_state_licence(
    client: TestClient, token, ids, unique_id: str, held: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    answer = status(client, token, ids, unique_id)
    assert answer.status_code == 200, answer.text
    assert answer.json() == [
        {
            "moduleID": ids["activity"],
            "CompletedDateTime": "2025-03-02T00:00:00",
            "CreditID": "ccid:0004444:c1",
            "Status": "Completed",
            "UniqueID": [held],
            # PARS's addition: each board's answer (ABIM has not answered yet)
            "BoardStatus": [{"board": "ABIM", "status": "pending", "reasonCode": "", "reason": ""}],
        }
    ]


def test_a_miss_names_the_identifier_it_tried(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    unknown = status(client, token, ids, "MD44120")
    assert unknown.status_code == 404
    assert "MD44120" in unknown.json()["detail"]
    assert "ABA" not in unknown.text
    # A licence of another state and a birth date that differs get the very same answer as an unknown
    # identifier (privacy: no reply says which part disagreed with a record), naming what was tried.
    elsewhere = status(client, token, ids, "NC:MD12345")
    born = status(client, token, ids, "TN:MD12345", birth="03-08")
    for miss, tried in ((elsewhere, "NC:MD12345"), (born, "TN:MD12345")):
        assert miss.status_code == 404 and tried in miss.json()["detail"]
        assert miss.json()["errors"] == unknown.json()["errors"]


@pytest.mark.parametrize(
    ("unique_id", "birth", "field"),
    [("XX:MD12345", "03-07", "UniqueID"), ("NPI:123", "03-07", "UniqueID"), ("TN:MD12345", "13-40", "BirthDate")],
)
def test_malformed_identifiers_are_422_naming_the_parameter(
    client: TestClient, token, ids, unique_id: str, birth: str, field: str
) -> None:  # type: ignore[no-untyped-def]
    answer = status(client, token, ids, unique_id, birth)
    assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == ["query", field]


def test_status_by_credit_id_sends_a_date_time(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(
        f"{URL}/status", params={"CreditId": "ccid:0004444:c1"}, headers=token("provider", provider="0004444")
    )
    assert answer.json()[0]["CompletedDateTime"] == "2025-03-02T00:00:00"


def test_status_is_for_provider_tokens_of_the_reporting_provider(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    query = {
        "moduleID": ids["activity"],
        "BirthDate": "03-07",
        "CompletionDate": "2025-03-02",
        "UniqueID": "TN:MD12345",
    }
    assert client.get(f"{URL}/status", params=query).status_code == 401
    assert client.get(f"{URL}/status", params=query, headers=token("accreditor")).status_code == 403
    theirs = client.get(f"{URL}/status", params=query, headers=token("provider", provider="0005555"))
    assert theirs.status_code == 404 and "ccid:0004444" not in theirs.text
