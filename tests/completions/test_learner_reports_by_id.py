"""`GET` / `DELETE /accme/learner-activities/{learnerId}`: one learner's reports from the caller's provider,
found by a `Member.UniqueID` value (NPI, board ID or state licence, bare or `DOMAIN:value`)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.bootstrap import System
from tests.completions.helpers import BY, NPI, envelope, report, setup
from tests.learners.helpers import register as learner

URL = "/accme/learner-activities"
FORM = "/api/v1/providers/0004444/completions"


@pytest.fixture
def ids(system: System, client: TestClient, token) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    found = setup(system, running=True)
    me = token("provider", provider="0004444")
    sent = client.post(
        URL,
        json=envelope(report(found["activity"]), report(found["activity"], credit_id="ccid:0004444:c2")),
        headers=me,
    )
    assert sent.status_code == 201, sent.text
    return found


def test_get_answers_the_learners_reports_in_the_learner_reports_shape(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    me = token("provider", provider="0004444")
    answer = client.get(f"{URL}/MD12345", headers=me)  # a bare TN licence number
    assert answer.status_code == 200, answer.text
    reports = answer.json()["ACCMELearnerReports"]["ActivityReports"]
    assert reports["DateTimeCreated"].endswith("Z")
    assert [r["Activity"]["Module"]["CreditCertificate"][0]["CreditID"] for r in reports["ActivityReport"]] == [
        "ccid:0004444:c1",
        "ccid:0004444:c2",
    ]
    first = reports["ActivityReport"][0]
    assert first["ReportingOrganization"] == "CME 0004444" and first["Member"] == {
        "Name": {"GivenName": "Ana", "FamilyName": "García-López"}
    }
    assert first["Activity"]["ProviderOrganization"] == "0004444" and first["XtensibleInfo"] == {
        "ProviderID": "0004444",
        "LearnerRecordAction": "add",
    }
    module = first["Activity"]["Module"]
    assert module["ModuleName"] == {"value": "Cardiology update A-1", "moduleID": ids["activity"]}
    assert module["CompletedDateTime"] == "2025-03-02T00:00:00" and module["Status"] == "Completed"
    assert module["CreditCertificate"] == [
        {
            "UniqueID": [{"value": "MD12345", "domain": "TN"}],
            "CreditID": "ccid:0004444:c1",
            "CreditReceived": {
                "activityCertification": "AMA PRA Category 1",
                "creditUnit": "Point",
                "numberOfCredits": 6.0,
            },
        },
        {
            "UniqueID": [{"value": "123456", "domain": "ABIM"}],
            "CreditID": "ccid:0004444:c1",
            "CreditReceived": {"activityCertification": "ABIM MOC", "creditUnit": "Point", "numberOfCredits": 6.0},
        },
    ]
    for other in ("TN:MD12345", NPI, f"NPI:{NPI}", "ABIM:123456", "123456"):
        same = client.get(f"{URL}/{other}", headers=me)
        assert (
            same.status_code == 200
            and len(same.json()["ACCMELearnerReports"]["ActivityReports"]["ActivityReport"]) == 2
        )
    # What GET answers is what the provider would send: posting it back changes nothing.
    again = client.post(URL, json=answer.json(), headers=me)
    assert again.status_code == 201, again.text
    assert [r["action"] for r in again.json()["reports"]] == ["unchanged", "unchanged"]


def test_misses_and_malformed_identifiers(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    me = token("provider", provider="0004444")
    unknown = client.get(f"{URL}/MD99999", headers=me)
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["loc"] == ["path", "learnerId"]
    assert "NPI, board ID or state licence number MD99999" in unknown.json()["detail"]
    assert client.get(f"{URL}/NC:MD12345", headers=me).status_code == 404
    bad = client.get(f"{URL}/XX:MD12345", headers=me)
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["path", "learnerId"]
    # /status is the status route, never a learner ID.
    status = client.get(f"{URL}/status", headers=me)
    assert status.status_code == 422 and "moduleID" in status.json()["detail"]


def test_tokens_tenants_and_roles(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"{URL}/MD12345").status_code == 401
    assert client.delete(f"{URL}/MD12345").status_code == 401
    assert client.get(f"{URL}/MD12345", headers=token("accreditor")).status_code == 403
    assert client.delete(f"{URL}/MD12345", headers=token("board", board="ABIM")).status_code == 403
    theirs = token("provider", provider="0005555")
    for answer in (client.get(f"{URL}/MD12345", headers=theirs), client.delete(f"{URL}/MD12345", headers=theirs)):
        assert answer.status_code == 404
        assert "Ana" not in answer.text and "García" not in answer.text and "ccid:0004444" not in answer.text
    # The other provider's delete removed nothing of ours.
    assert client.get(f"{URL}/MD12345", headers=token("provider", provider="0004444")).status_code == 200


def test_delete_removes_every_report_with_an_event_each(client: TestClient, token, ids, system: System) -> None:  # type: ignore[no-untyped-def]
    me = token("provider", provider="0004444")
    assert client.delete(f"{URL}/TN:MD12345", headers=me).status_code == 204
    assert client.get(f"{URL}/TN:MD12345", headers=me).status_code == 404
    assert client.delete(f"{URL}/TN:MD12345", headers=me).status_code == 404
    deleted = client.get("/api/v1/providers/0004444/history", params={"type": "Completion.Deleted"}, headers=me).json()
    events = deleted["items"]
    assert len(events) == 2 and {e["channel"] for e in events} == {"web_service"}
    assert system.reads.completions.by_credit_id("0004444", "ccid:0004444:c1") == []
    # Deleted, then reported again: the same credit IDs come back.
    assert [
        r["action"] for r in client.post(URL, json=envelope(report(ids["activity"])), headers=me).json()["reports"]
    ] == ["added"]


def test_a_bare_value_two_of_the_providers_learners_hold_is_ambiguous(
    client: TestClient, token, ids, system: System
) -> None:  # type: ignore[no-untyped-def]
    me = token("provider", provider="0004444")
    system.learners.register_many(
        [learner("Cara", "Diaz", "05-05", licences={"KY": "2009-01234"})], BY
    )  # Ben holds NC 2009-01234
    system.projections.wait(system.store.head())
    for who in (
        {"first_name": "Ben", "last_name": "Okafor", "birth_date": "11-03", "state": "NC"},
        {"first_name": "Cara", "last_name": "Diaz", "birth_date": "05-05", "state": "KY"},
    ):
        body = {
            "learner": who,
            "activity_id": ids["activity"],
            "completion_date": "2025-03-01",
            "credit_id": f"ccid:0004444:{who['state']}",
            "cme": [{"type": "AMA PRA Category 1", "credits": 1}],
        }
        assert client.post(FORM, json=body, headers=me).status_code == 201
    ambiguous = client.get(f"{URL}/2009-01234", headers=me)
    assert ambiguous.status_code == 422 and "STATE:number" in ambiguous.json()["detail"]
    ky = client.get(f"{URL}/KY:2009-01234", headers=me).json()["ACCMELearnerReports"]["ActivityReports"][
        "ActivityReport"
    ]
    assert [r["Member"]["Name"]["GivenName"] for r in ky] == ["Cara"]
