"""Over HTTP: what a reported credit is (a board-domain MOC certificate reaches its board; one that cannot be
classified is a 422 naming its JSON path), one transcript line per completion, and a completion deleted and
added again back in the transcript and the learner status; tokens and tenants."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.bootstrap import System
from tests.completions.helpers import envelope, report, setup

URL = "/accme/learner-activities"
ISSUE_CERT = {
    "UniqueID": {"value": "123456", "domain": "ABIM"},
    "CreditReceived": {"activityCertification": "MOC", "creditUnit": "Point", "numberOfCredits": 1.0},
    "CreditID": "ccid:0004444:m1",
}


@pytest.fixture
def ids(system: System, client: TestClient) -> dict[str, Any]:
    return setup(system, running=True)


def test_the_issues_abim_moc_certificate_reaches_the_abim_feed(client: TestClient, token, ids, system: System) -> None:  # type: ignore[no-untyped-def]
    me = token("provider", provider="0004444")
    body = envelope(report(ids["activity"], **{"Activity__Module__CreditCertificate": [ISSUE_CERT]}))
    assert client.post(URL, json=body).status_code == 401
    answer = client.post(URL, json=body, headers=me)
    assert answer.status_code == 201 and answer.json()["reports"][0]["action"] == "added", answer.text
    system.projections.wait(system.store.head())
    feed = client.get("/api/v1/feeds/boards/ABIM", headers=token("board", board="ABIM")).json()["items"]
    assert [(i["credit_id"], i["points"], i["credits"]) for i in feed] == [("ccid:0004444:m1", 1.0, [{"type": "ABIM MOC", "credits": 1.0}])]
    transcript = client.get("/api/v1/passport/transcript", headers=token("learner", learner=ids["ana"])).json()
    assert transcript["totals"] == {"ABIM MOC": 1.0}


def test_an_unclassifiable_certificate_is_a_422_naming_its_path(client: TestClient, token, ids, system: System) -> None:  # type: ignore[no-untyped-def]
    me = token("provider", provider="0004444")
    cert = {**ISSUE_CERT, "UniqueID": [{"value": "MD12345", "domain": "TN"}], "CreditReceived": {**ISSUE_CERT["CreditReceived"], "activityCertification": "Category 1"}}
    head = system.store.head()
    answer = client.post(URL, json=envelope(report(ids["activity"], **{"Activity__Module__CreditCertificate": [cert]})), headers=me)
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("application/problem+json")
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "ACCMELearnerReports", "ActivityReports", "ActivityReport", 0, "Activity", "Module", "CreditCertificate", 0,
                            "CreditReceived", "activityCertification"]
    assert "'Category 1' is not CME credit" in error["msg"]
    assert system.store.head() == head
