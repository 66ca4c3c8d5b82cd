"""`POST /accme/learner-activities` keeps to the learner-reports schema's shape: what it requires is
required, and a property it does not allow is refused with its path, never silently left unread."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.bootstrap import System
from tests.accme_formats.schemas import validate
from tests.completions.helpers import envelope, report, setup

URL = "/accme/learner-activities"
REPORTS = ["body", "ACCMELearnerReports", "ActivityReports"]
REPORT_0 = [*REPORTS, "ActivityReport", 0]


@pytest.fixture
def ids(system: System, client: TestClient) -> dict[str, Any]:
    return setup(system, running=True)


def post(client: TestClient, token, body: Any) -> Any:  # type: ignore[no-untyped-def]
    return client.post(URL, json=body, headers=token("provider", provider="0004444"))


def test_the_reports_we_send_in_tests_keep_to_the_schema(ids) -> None:  # type: ignore[no-untyped-def]
    assert validate("learner_reports", envelope(report(ids["activity"]))) == []


@pytest.mark.parametrize(
    ("over", "loc"),
    [
        ({"ReportingOrganization": None}, [*REPORT_0, "ReportingOrganization"]),
        ({"Activity__ProviderOrganization": None}, [*REPORT_0, "Activity", "ProviderOrganization"]),
        ({"Activity__Module__ModuleName__value": None}, [*REPORT_0, "Activity", "Module", "ModuleName", "value"]),
        ({"Member__Name__FamilyName": None}, [*REPORT_0, "Member", "Name", "FamilyName"]),
        ({"Comment": "sent by our LMS"}, [*REPORT_0, "Comment"]),
        ({"Member__PersonalInfo__Gender": "F"}, [*REPORT_0, "Member", "PersonalInfo", "Gender"]),
        ({"ReportingOrganization": 12}, [*REPORT_0, "ReportingOrganization"]),
    ],
)
def test_a_report_breaking_the_schema_is_refused_naming_the_path(
    client: TestClient, token, ids, over: dict[str, Any], loc: list[Any]
) -> None:  # type: ignore[no-untyped-def]
    good = report(ids["activity"], credit_id="ccid:0004444:ok")
    bad = report(ids["activity"], credit_id="ccid:0004444:bad", **over)
    assert validate("learner_reports", envelope(bad)) != []  # the schema refuses it too
    answer = post(client, token, envelope(bad, good))
    assert answer.status_code == 422, answer.text
    assert [e["loc"] for e in answer.json()["errors"]] == [loc]
    assert [r["action"] for r in answer.json()["reports"]] == ["rejected", "added"]  # the good one is kept
    status = client.get(
        f"{URL}/status", params={"CreditId": "ccid:0004444:bad"}, headers=token("provider", provider="0004444")
    )
    assert status.status_code == 404


@pytest.mark.parametrize(
    ("body_of", "loc"),
    [
        (
            lambda r: {"ACCMELearnerReports": {"ActivityReports": {"ActivityReport": [r]}}},
            [*REPORTS, "DateTimeCreated"],
        ),
        (
            lambda r: {
                "ACCMELearnerReports": {"ActivityReports": {"DateTimeCreated": "2025-06-01", "ActivityReport": [r]}}
            },
            [*REPORTS, "DateTimeCreated"],
        ),
        (
            lambda r: {
                "ACCMELearnerReports": {
                    "ActivityReports": {"DateTimeCreated": "2025-06-01T10:00:00", "ActivityReport": [r], "Count": 1}
                }
            },
            [*REPORTS, "Count"],
        ),
        (lambda r: {**envelope(r), "Sender": "LMS"}, ["body", "Sender"]),
    ],
)
def test_a_document_breaking_the_schema_saves_nothing(
    client: TestClient, token, ids, body_of: Any, loc: list[Any]
) -> None:  # type: ignore[no-untyped-def]
    body = body_of(report(ids["activity"]))
    assert validate("learner_reports", body) != []
    answer = post(client, token, body)
    assert answer.status_code == 422 and [e["loc"] for e in answer.json()["errors"]] == [loc]
    status = client.get(
        f"{URL}/status", params={"CreditId": "ccid:0004444:c1"}, headers=token("provider", provider="0004444")
    )
    assert status.status_code == 404


def test_a_date_time_with_an_offset_is_a_date_time_created(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    body = envelope(report(ids["activity"]))
    body["ACCMELearnerReports"]["ActivityReports"]["DateTimeCreated"] = "2025-06-01T10:00:00-05:00"
    assert post(client, token, body).status_code == 201


def test_a_report_naming_another_web_service_provider_is_refused(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    theirs = report(ids["activity"], XtensibleInfo__ProviderID="0005555")
    answer = post(client, token, envelope(theirs))
    assert answer.status_code == 422 and [e["loc"] for e in answer.json()["errors"]] == [
        [*REPORT_0, "XtensibleInfo", "ProviderID"]
    ]
    assert (
        post(client, token, envelope(report(ids["activity"], XtensibleInfo__ProviderID="0004444"))).status_code == 201
    )


def test_a_completion_date_followed_by_anything_but_a_time_is_refused(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    loc = [*REPORT_0, "Activity", "Module", "CompletedDateTime"]
    for value in ("2025-03-02junk", "2025-03-02T25:00:00"):
        answer = post(client, token, envelope(report(ids["activity"], Activity__Module__CompletedDateTime=value)))
        assert answer.status_code == 422 and [e["loc"] for e in answer.json()["errors"]] == [loc]
    fine = post(
        client,
        token,
        envelope(report(ids["activity"], Activity__Module__CompletedDateTime="2025-03-02T18:30:00-06:00")),
    )
    assert fine.status_code == 201, fine.text
