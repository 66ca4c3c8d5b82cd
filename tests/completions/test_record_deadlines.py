"""Records at risk and late: each record's date with each board (the 30-day expectation, the activity's credit-claim
date when it comes first), the roster's and the provider-wide records' `status=at_risk|late` filters, the
dashboard's counts, and who may read them (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from adapters.bootstrap import System
from adapters.formats.accme.activities import submit_items
from adapters.tokens import issue_token
from tests.activities.helpers import ACCME_ID, XI, item
from tests.completions.helpers import BY
from tests.feeds.helpers import record, setup

RECORDS = "/api/v1/providers/0004444/records"


def auth(system: System, role: str, **scope: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(system.secret, role, **scope)}"}


def on(system: System, day: date) -> None:
    system.activities.today = lambda: day
    system.completions.today = lambda: day


@pytest.fixture
def app(any_system: System) -> Iterator[tuple[System, TestClient, dict[str, Any]]]:
    with TestClient(create_app(any_system), raise_server_exceptions=False) as client:
        ids = setup(any_system, running=True)
        on(any_system, date(2025, 3, 20))
        record(any_system, ids, 3)  # Ana: c0, c1, c2 completed 2 March (ABIM): due 1 April
        record(any_system, ids, 1, learner="ben", prefix="b", moc=False)  # no MOC: no board, no date
        any_system.projections.wait(any_system.store.head())
        board = auth(any_system, "board", board="ABIM")
        items = client.get("/api/v1/feeds/boards/ABIM", headers=board).json()["items"]
        answered = client.post(
            "/api/v1/feeds/boards/ABIM/acknowledgements",
            headers=board,
            json=[{"id": items[0]["id"], "status": "accepted"}],
        )
        assert answered.json()["recorded"] == 1
        yield any_system, client, ids


def credit_ids(body: dict[str, Any]) -> list[str]:
    return sorted(r["credit_id"] for r in body["data"])


def test_records_are_at_risk_two_weeks_before_their_date_and_late_after(app) -> None:  # type: ignore[no-untyped-def]
    system, client, ids = app
    mine = auth(system, "provider", provider="0004444")
    at_risk = client.get(RECORDS, headers=mine, params={"status": "at_risk"}).json()
    assert credit_ids(at_risk) == ["ccid:0004444:c1", "ccid:0004444:c2"]  # c0 is accepted: nothing to lose
    c1 = next(r for r in at_risk["data"] if r["credit_id"] == "ccid:0004444:c1")
    assert c1["standing"] == "at_risk" and c1["activity_id"] == ids["activity"]
    assert c1["boards"][0]["due"] == "2025-04-01"
    assert client.get(RECORDS, headers=mine, params={"status": "late"}).json()["count"] == 0
    dashboard = client.get("/api/v1/providers/0004444/dashboard?year=2025", headers=mine).json()
    assert dashboard["records_due"] == {"ABIM": {"late": 0, "at_risk": 2}}

    on(system, date(2025, 4, 2))
    late = client.get(RECORDS, headers=mine, params={"status": "late", "board": "ABIM", "year": 2025}).json()
    assert credit_ids(late) == ["ccid:0004444:c1", "ccid:0004444:c2"] and late["count"] == 2
    assert client.get(RECORDS, headers=mine, params={"status": "late", "year": 2024}).json()["count"] == 0
    roster = f"/api/v1/providers/0004444/activities/{ids['activity']}/learners"
    assert client.get(roster, headers=mine, params={"status": "late"}).json()["count"] == 2
    assert client.get(roster, headers=mine, params={"status": "at_risk"}).json()["count"] == 0
    dashboard = client.get("/api/v1/providers/0004444/dashboard?year=2025", headers=mine).json()
    assert dashboard["records_due"] == {"ABIM": {"late": 2, "at_risk": 0}}
    every = client.get(RECORDS, headers=mine).json()
    assert every["count"] == 4 and {r["standing"] for r in every["data"]} == {"late", None}
    csv = client.get(RECORDS, headers=mine, params={"status": "late", "format": "csv"})
    assert csv.status_code == 200 and csv.text.count("2025-04-01 (late)") == 2


def test_an_earlier_credit_claim_date_becomes_the_records_date(app) -> None:  # type: ignore[no-untyped-def]
    system, client, _ = app
    mine = auth(system, "provider", provider="0004444")
    claim = {
        XI + "MOCRegistrations": {
            "MOCRegistration": [
                {"boardName": "ABIM", "mocPoints": 6, "MOCCreditType": ["MK"], "CreditClaimDate": "2025-03-25"}
            ]
        }
    }
    outcome = submit_items(system.activities, ACCME_ID, [item("A-1", **claim)], BY)[0]
    assert outcome.ok, outcome
    system.projections.wait(system.store.head())
    body = client.get(RECORDS, headers=mine, params={"status": "at_risk"}).json()
    assert credit_ids(body) == ["ccid:0004444:c1", "ccid:0004444:c2"]
    facts = body["data"][0]["boards"][0]
    assert (facts["due"], facts["due_rule"]) == ("2025-03-25", "the activity's MOC credit-claim date")
    on(system, date(2025, 3, 26))  # past the claim date, before the 30 days: late all the same
    assert client.get(RECORDS, headers=mine, params={"status": "late"}).json()["count"] == 2


@pytest.mark.parametrize(
    ("role", "scope", "status"),
    [
        ("provider", {"provider": "0005555"}, 404),  # another provider's user: as if there were no provider
        ("board", {"board": "ABIM"}, 404),
        ("learner", {"learner": "x"}, 404),
    ],
)
def test_nobody_else_reads_the_providers_records(app, role: str, scope: dict[str, str], status: int) -> None:  # type: ignore[no-untyped-def]
    system, client, _ = app
    answer = client.get(RECORDS, headers=auth(system, role, **scope), params={"status": "late"})
    assert answer.status_code == status, answer.text
    assert "ccid" not in answer.text
    assert client.get(RECORDS).status_code == 401
    bad = client.get(RECORDS, headers=auth(system, "provider", provider="0004444"), params={"status": "lost"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "status"]
