"""Consent (DOMAIN-FACTS 2.1): each record carries the provider's attestation that the learner consented to
sharing with boards. A record without it is stored and counts on the transcript, but no board's feed (certifying
or state) carries it, and the roster says so; a correction that attests it sends it (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from adapters.app import create_app
from adapters.batch.completion_rows import CONSENT, row_to_record
from adapters.bootstrap import System
from adapters.tokens import issue_token
from domain.completion import Completion
from tests.completions.helpers import envelope, report, setup

ANA = {"first_name": "Ana", "last_name": "García-López", "birth_date": "03-07", "state": "TN"}


def auth(system: System, role: str, **scope: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(system.secret, role, **scope)}"}


@pytest.fixture
def app(any_system: System) -> Iterator[tuple[System, TestClient, dict[str, Any]]]:
    with TestClient(create_app(any_system), raise_server_exceptions=False) as client:
        yield any_system, client, setup(any_system, running=True)


def form(activity_id: str, credit_id: str, **over: Any) -> dict[str, Any]:
    return {
        "learner": ANA,
        "activity_id": activity_id,
        "completion_date": "2025-03-02",
        "credit_id": credit_id,
        "cme": [{"credits": 2}],
        "moc": [{"board": "ABIM", "credits": 2}],
        **over,
    }


def feed(system: System, client: TestClient, kind: str, code: str) -> list[str]:
    scope = {"board": code} if kind == "boards" else {"state": code}
    items = client.get(f"/api/v1/feeds/{kind}/{code}", headers=auth(system, "board", **scope)).json()["items"]
    return [f"{i['type']} {i['credit_id']}" for i in items]


def test_a_record_without_consent_is_kept_counted_and_sent_to_no_board(app) -> None:  # type: ignore[no-untyped-def]
    system, client, ids = app
    mine = auth(system, "provider", provider="0004444")
    url = "/api/v1/providers/0004444/completions"
    assert client.post(url, headers=mine, json=form(ids["activity"], "ccid:0004444:no")).status_code == 201
    sent = form(ids["activity"], "ccid:0004444:yes", consent=True, completion_date="2025-03-01")
    assert client.post(url, headers=mine, json=sent).status_code == 201
    system.projections.wait(system.store.head())
    assert feed(system, client, "boards", "ABIM") == ["completion ccid:0004444:yes"]
    assert feed(system, client, "states", "TN") == ["completion ccid:0004444:yes"]
    dashboard = client.get("/api/v1/providers/0004444/dashboard?year=2025", headers=mine).json()
    assert dashboard["completions_reported"] == 2  # both count
    assert dashboard["board_records"] == {"ABIM": {"not_sent": 1, "pending": 1}}
    roster = f"/api/v1/providers/0004444/activities/{ids['activity']}/learners"
    rows = {r["credit_id"]: r for r in client.get(roster, headers=mine).json()["data"]}
    assert rows["ccid:0004444:no"]["consent"] is False
    assert rows["ccid:0004444:no"]["boards"][0]["status"] == "not_sent"
    assert rows["ccid:0004444:yes"]["consent"] is True and rows["ccid:0004444:yes"]["boards"][0]["status"] == "pending"
    not_sent = client.get(roster, headers=mine, params={"status": "not_sent"}).json()["data"]
    assert [r["credit_id"] for r in not_sent] == ["ccid:0004444:no"]
    # The learner's own transcript has both.
    learner = auth(system, "learner", learner=ids["ana"])
    assert len(client.get("/api/v1/passport/transcript", headers=learner).json()["completions"]) == 2
    # Attested later, by a correction: now the boards get it (no deletion: they never had it).
    fixed = {"completion_date": "2025-03-02", "cme": [{"credits": 2}], "moc": [{"board": "ABIM", "credits": 2}]}
    answer = client.post(f"{url}/ccid:0004444:no/correction", headers=mine, json={**fixed, "consent": True})
    assert answer.status_code == 200, answer.text
    assert feed(system, client, "boards", "ABIM") == ["completion ccid:0004444:yes", "completion ccid:0004444:no"]


def test_the_learner_web_service_carries_consent_in_xtensible_info(app) -> None:  # type: ignore[no-untyped-def]
    system, client, ids = app
    mine = auth(system, "provider", provider="0004444")
    without = report(ids["activity"], "ccid:0004444:r1", XtensibleInfo__LearnerConsent=False)
    attested = report(ids["activity"], "ccid:0004444:r2", XtensibleInfo__LearnerConsent=True)
    attested["Activity"]["Module"]["CompletedDateTime"] = "2025-03-01T00:00:00"
    answer = client.post("/accme/learner-activities", headers=mine, json=envelope(without, attested))
    assert answer.status_code == 201, answer.text
    system.projections.wait(system.store.head())
    assert feed(system, client, "boards", "ABIM") == ["completion ccid:0004444:r2"]
    bad = report(ids["activity"], "ccid:0004444:r3", XtensibleInfo__LearnerConsent="yes")
    refused = client.post("/accme/learner-activities", headers=mine, json=envelope(bad))
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["loc"][-2:] == ["XtensibleInfo", "LearnerConsent"] and "LearnerConsent is true" in error["msg"]


@given(st.sampled_from(["Yes", "yes", "Y", "TRUE", "1", "No", "n", "false", "0", ""]))
def test_a_batch_row_says_consent_yes_or_no(cell: str) -> None:
    row = {"Activity ID": "123456789", "First Name": "Ana", "Last Name": "Lee", "Completion Date": date(2025, 3, 2)}
    row |= {"NPI": "1234567893", "CME Credits": 1, CONSENT: cell}
    record = row_to_record(row, 2, "0004444")
    assert record.report is not None, record.errors
    assert record.report.consent is (cell.lower() in ("yes", "y", "true", "1"))


def test_a_batch_row_with_another_consent_word_is_refused_naming_the_column() -> None:
    row = {"Activity ID": "123456789", "First Name": "Ana", "Last Name": "Lee", "Completion Date": date(2025, 3, 2)}
    record = row_to_record({**row, "NPI": "1234567893", "CME Credits": 1, CONSENT: "maybe"}, 2, "0004444")
    assert record.report is None and [e["loc"][0] for e in record.errors] == [CONSENT]


def test_records_stored_before_consent_was_asked_for_were_sent() -> None:
    state: dict[str, Any] = {}
    Completion.Recorded.upcast_v1_v2(state)
    Completion.Resubmitted.upcast_v1_v2(state)
    assert state == {"consent": True}


def test_a_provider_attests_consent_for_every_learner_of_an_activity(app) -> None:  # type: ignore[no-untyped-def]
    system, client, ids = app
    mine = auth(system, "provider", provider="0004444")
    consent = f"/api/v1/providers/0004444/activities/{ids['activity']}/consent"
    url = "/api/v1/providers/0004444/completions"
    assert client.post(url, headers=mine, json=form(ids["activity"], "ccid:0004444:before")).status_code == 201
    answer = client.put(consent, headers=mine, json={"attested": True})
    assert answer.status_code == 200 and answer.json() == {"activity_id": ids["activity"], "consent_attested": True}
    after = form(ids["activity"], "ccid:0004444:after", completion_date="2025-03-01")
    assert client.post(url, headers=mine, json=after).status_code == 201  # says nothing itself: the activity's holds
    system.projections.wait(system.store.head())
    assert feed(system, client, "boards", "ABIM") == ["completion ccid:0004444:after"]  # the earlier one stays unsent
    roster = client.get(f"/api/v1/providers/0004444/activities/{ids['activity']}/learners", headers=mine).json()
    assert roster["consent_attested"] is True
    history = client.get("/api/v1/providers/0004444/history", headers=auth(system, "accreditor")).json()["items"]
    attested = [e for e in history if e["type"].startswith("ActivityConsent.")]
    assert [(e["type"], e["data"]["attested"], e["channel"]) for e in attested] == [
        ("ActivityConsent.Attested", True, "web_service")
    ]
    assert client.put(consent, headers=mine, json={"attested": False}).json()["consent_attested"] is False
    later = form(ids["activity"], "ccid:0004444:later", completion_date="2025-03-01")
    later["learner"] = {"first_name": "Ben", "last_name": "Okafor", "birth_date": "11-03", "state": "NC"}
    later["moc"] = []
    assert client.post(url, headers=mine, json=later).status_code == 201
    system.projections.wait(system.store.head())
    assert feed(system, client, "states", "NC") == []  # withdrawn: the new record goes to no board


@pytest.mark.parametrize(
    ("who", "activity", "status"),
    [
        ("theirs", "activity", 404),
        ("board", "activity", 404),
        ("mine", "other_activity", 404),
        ("auditor", "activity", 403),
    ],
)
def test_only_the_provider_attests_consent_for_its_own_activity(app, who: str, activity: str, status: int) -> None:  # type: ignore[no-untyped-def]
    system, client, ids = app
    headers = {
        "mine": auth(system, "provider", provider="0004444"),
        "theirs": auth(system, "provider", provider="0005555"),
        "board": auth(system, "board", board="ABIM"),
        "auditor": auth(system, "auditor"),
    }[who]
    answer = client.put(
        f"/api/v1/providers/0004444/activities/{ids[activity]}/consent", headers=headers, json={"attested": True}
    )
    assert answer.status_code == status, answer.text
    history = client.get("/api/v1/providers/0004444/history", headers=auth(system, "accreditor")).json()["items"]
    assert not [e for e in history if e["type"].startswith("ActivityConsent.")]
