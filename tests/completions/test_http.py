"""Completion routes over HTTP: the ACCME learner web service, learner status, the provider web form,
delete by credit ID, the learner's Passport transcript and the dashboard count; tokens and tenants."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.bootstrap import System
from tests.completions.helpers import NPI, envelope, report, setup
from tests.learners.helpers import npi_with_check_digit

URL = "/accme/learner-activities"
FORM = "/api/v1/providers/0004444/completions"


@pytest.fixture
def ids(system: System, client: TestClient) -> dict[str, Any]:
    return setup(system, running=True)


def form(activity_id: str, **over: Any) -> dict[str, Any]:
    body = {
        "learner": {"first_name": "Ben", "last_name": "Okafor", "birth_date": "11-03", "state": "NC"},
        "activity_id": activity_id,
        "completion_date": "2025-03-01",
        "credit_id": "ccid:0004444:w1",
        "cme": [{"type": "AMA PRA Category 1", "credits": 2.5}],
    }
    body.update(over)
    return body


def test_web_service_adds_then_resubmission_changes_nothing(client: TestClient, token, ids, system: System) -> None:  # type: ignore[no-untyped-def]
    me = token("provider", provider="0004444")
    first = client.post(URL, json=envelope(report(ids["activity"])), headers=me)
    assert first.status_code == 201, first.text
    assert first.json()["reports"] == [{"index": 0, "action": "added", "CreditIDs": ["ccid:0004444:c1"], "errors": []}]
    head = system.store.head()
    again = client.post(URL, json=envelope(report(ids["activity"])), headers=me)
    assert again.status_code == 201 and again.json()["reports"][0]["action"] == "unchanged"
    assert system.store.head() == head


def test_web_service_refusals(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    me = token("provider", provider="0004444")
    assert client.post(URL, json=envelope(report(ids["activity"]))).status_code == 401
    assert client.post(URL, json=envelope(report(ids["activity"])), headers=token("accreditor")).status_code == 403
    assert client.post(URL, json={"ACCMELearnerReports": {}}, headers=me).status_code == 400
    # Another provider's activity, and a bad field beside a good record: 422 naming the field; the good one is saved.
    bad = report(ids["activity"], credit_id="ccid:0004444:c2", Activity__Module__CompletedDateTime="2025-13-40")
    answer = client.post(URL, json=envelope(report(ids["other_activity"]), bad, report(ids["activity"])), headers=me)
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert errors[0]["loc"][:5] == ["body", "ACCMELearnerReports", "ActivityReports", "ActivityReport", 0]
    assert "not an activity of provider" in errors[0]["msg"]
    assert errors[1]["loc"][4:] == [1, "Activity", "Module", "CompletedDateTime"]
    assert [r["action"] for r in answer.json()["reports"]] == ["rejected", "rejected", "added"]
    # The other tenant cannot report on our activity.
    theirs = client.post(
        URL,
        json=envelope(report(ids["activity"], Activity__ProviderOrganization="0005555")),
        headers=token("provider", provider="0005555"),
    )
    assert theirs.status_code == 422 and "not an activity of provider 0005555" in theirs.json()["errors"][0]["msg"]


def test_status_by_credit_id_and_by_learner(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    me = token("provider", provider="0004444")
    client.post(URL, json=envelope(report(ids["activity"])), headers=me)
    by_credit = client.get(f"{URL}/status", params={"CreditId": "ccid:0004444:c1"}, headers=me)
    assert by_credit.status_code == 200
    assert by_credit.json() == [
        {
            "moduleID": ids["activity"],
            "CompletedDateTime": "2025-03-02T00:00:00",
            "CreditID": "ccid:0004444:c1",
            "Status": "Completed",
            "BoardStatus": [{"board": "ABIM", "status": "pending", "reasonCode": "", "reason": ""}],
        }
    ]
    assert (
        client.get(
            f"{URL}/status", params={"CreditId": "ccid:0004444:c1"}, headers=token("provider", provider="0005555")
        ).status_code
        == 404
    )
    query = {"moduleID": ids["activity"], "BirthDate": "03-07", "CompletionDate": "2025-03-02", "UniqueID": NPI}
    by_learner = client.get(f"{URL}/status", params=query, headers=me)
    assert by_learner.status_code == 200 and by_learner.json()[0]["CreditID"] == "ccid:0004444:c1"
    assert client.get(f"{URL}/status", params={**query, "UniqueID": "ABIM:123456"}, headers=me).status_code == 200
    wrong = client.get(f"{URL}/status", params={**query, "BirthDate": "1972-03-08"}, headers=me)
    unknown = client.get(f"{URL}/status", params={**query, "UniqueID": "9999999991"}, headers=me)
    no_completion = client.get(f"{URL}/status", params={**query, "CompletionDate": "2025-03-03"}, headers=me)
    # A wrong birth date, an NPI nobody holds and a matched learner without that completion answer alike:
    # the lookup is no oracle for who is in the directory or their birth date.
    assert wrong.status_code == unknown.status_code == no_completion.status_code == 404
    # The detail names the identifier the caller tried (its own input) and nothing else.
    assert wrong.json() == no_completion.json() and "1972" not in wrong.text
    assert unknown.json() == {**wrong.json(), "detail": wrong.json()["detail"].replace(NPI, "9999999991")}
    incomplete = client.get(f"{URL}/status", params={"moduleID": ids["activity"]}, headers=me)
    assert incomplete.status_code == 422 and {e["loc"][1] for e in incomplete.json()["errors"]} == {
        "BirthDate",
        "CompletionDate",
        "UniqueID",
    }


def test_web_form_record_resubmit_delete(client: TestClient, token, ids, system: System) -> None:  # type: ignore[no-untyped-def]
    me = token("provider", provider="0004444")
    assert client.post(FORM, json=form(ids["activity"])).status_code == 401
    assert client.post(FORM, json=form(ids["activity"]), headers=token("provider", provider="0005555")).status_code in (
        403,
        404,
    )
    added = client.post(FORM, json=form(ids["activity"]), headers=me)
    assert added.status_code == 201 and added.json()["learner_id"] == ids["ben"]
    again = client.post(FORM, json=form(ids["activity"]), headers=me)
    assert again.status_code == 200 and again.json()["action"] == "unchanged"
    too_much = client.post(
        FORM, json=form(ids["activity"], credit_id="ccid:0004444:w2", cme=[{"credits": 7}]), headers=me
    )
    assert too_much.status_code == 422 and too_much.json()["errors"][0]["loc"][:2] == ["body", "cme"]
    bad_date = client.post(FORM, json=form(ids["activity"], completion_date="2025-02-30"), headers=me)
    assert bad_date.status_code == 422 and bad_date.json()["errors"][0]["loc"][-1] == "completion_date"
    stranger = client.post(
        FORM, json=form(ids["activity"], learner={"npi": npi_with_check_digit("987654321")}), headers=me
    )
    assert stranger.status_code == 422 and stranger.json()["errors"][0]["loc"] == ["body", "learner"]
    path = f"{FORM}/ccid:0004444:w1"
    assert client.delete(path, headers=token("provider", provider="0005555")).status_code in (403, 404)
    assert client.delete(path, headers=me).status_code == 204
    assert client.delete(path, headers=me).status_code == 404
    assert client.post(FORM, json=form(ids["activity"]), headers=me).status_code == 201  # resubmitted after deletion


def test_passport_transcript_and_dashboard(client: TestClient, token, ids, system: System) -> None:  # type: ignore[no-untyped-def]
    me = token("provider", provider="0004444")
    client.post(URL, json=envelope(report(ids["activity"])), headers=me)
    client.post(
        FORM,
        json=form(ids["activity"], learner={"npi": NPI}, credit_id="ccid:0004444:w9", completion_date="2025-03-01"),
        headers=me,
    )
    ana = token("learner", learner=ids["ana"])
    assert client.get("/api/v1/passport/transcript").status_code == 401
    assert client.get("/api/v1/passport/transcript", headers=me).status_code == 403
    full = client.get("/api/v1/passport/transcript", headers=ana).json()
    assert [c["completion_date"] for c in full["completions"]] == ["2025-03-01", "2025-03-02"]
    assert full["completions"][1]["provider"] == {"accme_id": "0004444", "name": "CME 0004444"}
    assert full["completions"][1]["activity"]["title"] == "Cardiology update A-1"
    assert full["totals"] == {"ABIM MOC": 6.0, "AMA PRA Category 1": 8.5}
    one_day = client.get(
        "/api/v1/passport/transcript", params={"from": "2025-03-02", "to": "2025-03-02"}, headers=ana
    ).json()
    assert len(one_day["completions"]) == 1 and one_day["totals"] == {"ABIM MOC": 6.0, "AMA PRA Category 1": 6.0}
    # Ben sees only his own (none).
    assert (
        client.get("/api/v1/passport/transcript", headers=token("learner", learner=ids["ben"])).json()["completions"]
        == []
    )
    assert (
        client.get("/api/v1/providers/0004444/dashboard", params={"year": 2025}, headers=me).json()[
            "completions_reported"
        ]
        == 2
    )
    # Erasing Ana keeps her completions counted.
    assert client.delete(f"/api/v1/learners/{ids['ana']}/personal-data", headers=token("accreditor")).status_code == 204
    assert (
        client.get("/api/v1/providers/0004444/dashboard", params={"year": 2025}, headers=me).json()[
            "completions_reported"
        ]
        == 2
    )
    assert system.reads.completions.count() == 2
