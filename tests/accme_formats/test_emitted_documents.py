"""Every ACCME document PARS emits keeps to ACCME's published schemas, with the defects accme/README.md
lists corrected (tests/accme_formats/schemas.py): the activity web service and the ACCME JSON export,
learner status, a learner's reports, the transcript and the credits by date."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator, SchemaError

from adapters.bootstrap import System
from tests.accme_formats import schemas
from tests.accme_formats.schemas import validate
from tests.activities.helpers import ACCME_ID, HE, XI, item
from tests.completions.helpers import NPI, envelope, report, setup

PROVIDER = {"provider": ACCME_ID}


def rich_items() -> list[dict[str, Any]]:
    """Activities using the optional parts of the format (as they come in, in either spelling)."""
    return [
        item("F-1", **{XI + "closeActivityRecord": True}),
        item(
            "F-2",
            **{
                HE + "commercialSupport": True,
                HE + "activitySponsorship": "joint",
                HE + "credits": {
                    "activityCertification": "AMA PRA Category 1",
                    "numberOfCredits": 3,
                    "nonAccreditedProvider": ["Riverside Clinic"],
                },
                HE + "targetAudience": {"profession": ["Physician", "Nurse"], "specialty": ["Cardiology"]},
                "ActivityDescription": {
                    "commercialSupportAmount": [{"currency": "USD", "supportSource": "Acme Pharma", "value": 5000}]
                },
                "Lom__general__keyword": [{"id": "Level 3 ID", "source": "01_ABAMCO", "string": "1234"}],
                "participationMetrics": {
                    "participantsByCategory": [
                        {"category": "physician", "numberOfParticipants": 8},
                        {"category": "non-physician", "numberOfParticipants": 2},
                    ]
                },
                "ParticipationMetrics": None,
                XI + "isInterprofessional ": True,
                XI + "InKindSupports": {"InKindSupport": [{"source": "Device Co"}]},
                XI + "CommendationTags": {"CommendationTag": ["Engages Teams"]},
                XI + "MOCRegistrations": {
                    "MOCRegistration": [
                        {"boardName": "ABIM", "mocPoints": 3, "MOCCreditType": ["MK"], "CreditClaimDate": "2025-12-31"},
                        {"boardName": "ABP", "mocPoints": 3, "MOCCreditType": ["LA"]},
                    ]
                },
                XI + "MOCAttestation": True,
                XI + "REMS": {"REMSType": "Opioid Analgesic"},
                XI + "IsMeritBasedIncentivePaymentSystem": True,
                XI + "HasStateContentTags": True,
                XI + "StateContentTags": {
                    "StateContent": [{"StateContentDomain": "Opioids", "StateContentTopic": "Pain management"}]
                },
            },
        ),
        item(
            "F-3",
            **{
                HE + "activityFormat": "Enduring Material",
                HE + "activityLocation": None,
                HE + "startDateTime": "2025-01-01T00:00:00",
                HE + "endDateTime": "2025-12-31T00:00:00",
                XI + "DeliveryMethods": {"DeliveryMethod": ["Online"]},
                XI + "REMS": {"REMSType": "Mycophenolate", "REMSRelatedIdentifier": "EG-123456-789"},
            },
        ),
    ]


@pytest.fixture
def ids(system: System, client: TestClient, token) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    found = setup(system, running=True)
    me = token("provider", **PROVIDER)
    posted = client.post(
        "/accme/activities", json={"ACCMEActivities": {"MedicalEducationMetrics": rich_items()}}, headers=me
    )
    assert posted.status_code == 201, posted.text
    sent = client.post(
        "/accme/learner-activities",
        json=envelope(report(found["activity"]), report(found["activity"], credit_id="ccid:0004444:c2")),
        headers=me,
    )
    assert sent.status_code == 201, sent.text
    return found


def conforms(kind: str, document: Any) -> None:
    assert validate(kind, document) == [], json.dumps(document, indent=1)[:4000]


@pytest.mark.parametrize("kind", list(schemas.SCHEMAS))
def test_the_corrected_schemas_are_valid_json_schemas(kind: str) -> None:
    Draft202012Validator.check_schema(schemas.SCHEMAS[kind]())


def test_the_published_activity_schema_is_not_and_the_corrections_are_needed() -> None:
    with pytest.raises(SchemaError):
        Draft202012Validator.check_schema(schemas._load("accme-pars-activity.schema_v0_1_2.json"))
    # What the corrected schema refuses that the published one let through.
    date_only = {"ACCMEActivities": {"MedicalEducationMetrics": [item("X-1")]}}
    assert ("$.ACCMEActivities.MedicalEducationMetrics[0]", "'ActivityDescription' is a required property") in validate(
        "activity", date_only
    )
    assert any(p.endswith("startDateTime") for p, _ in validate("activity", date_only))


def test_the_activity_web_service_and_the_json_export(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    me = token("provider", **PROVIDER)
    everything = client.get("/accme/activities", headers=me).json()
    assert len(everything["ACCMEActivities"]["MedicalEducationMetrics"]) == 4
    conforms("activity", everything)
    for sent in everything["ACCMEActivities"]["MedicalEducationMetrics"]:
        number = sent["Lom"]["general"]["identifier"][0]["entry"]
        conforms("activity", client.get(f"/accme/activities/{number}", headers=me).json())
    exported = client.get(f"/api/v1/providers/{ACCME_ID}/activities/export", params={"format": "json"}, headers=me)
    assert exported.status_code == 200
    conforms("activity", json.loads(exported.content))


def test_learner_status_both_ways(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    me = token("provider", **PROVIDER)
    for unique_id in (NPI, "MD12345", "TN:MD12345", "123456"):
        query = {
            "moduleID": ids["activity"],
            "BirthDate": "03-07",
            "CompletionDate": "2025-03-02",
            "UniqueID": unique_id,
        }
        answer = client.get("/accme/learner-activities/status", params=query, headers=me)
        assert answer.status_code == 200
        conforms("learner_status", answer.json())
    by_credit = client.get("/accme/learner-activities/status", params={"CreditId": "ccid:0004444:c1"}, headers=me)
    conforms("learner_status", by_credit.json())


def test_a_learners_reports(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/accme/learner-activities/MD12345", headers=token("provider", **PROVIDER))
    assert answer.status_code == 200
    conforms("learner_reports", answer.json())


def test_the_transcript_and_the_credits_by_date(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    accreditor = token("accreditor")
    transcript = client.get("/accme/GetLearnerTranscriptbyLearner", params={"npi": NPI}, headers=accreditor)
    assert transcript.status_code == 200 and transcript.json()["ACCMETranscripts"][0]["ActivityTranscript"]
    conforms("transcript", transcript.json())
    totals = client.get(
        "/accme/GetLearnerTranscriptCreditsByDate",
        headers=accreditor,
        params={"npi": NPI, "completionDateRangeStart": "2025-01-01", "completionDateRangeEnd": "2025-12-31"},
    )
    assert totals.status_code == 200
    conforms("credits_by_date", totals.json())
