"""The ACCME transcript routes: JSON, PDF (read back as text) and credits by date; who may read whose transcript."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from adapters.bootstrap import System
from tests.completions.helpers import NPI, envelope, report, setup

JSON, PDF, CREDITS = (
    "/accme/GetLearnerTranscriptbyLearner",
    "/accme/GetLearnerTranscriptbyLearnerPDF",
    "/accme/GetLearnerTranscriptCreditsByDate",
)
BY_LICENCE = {
    "firstName": "ana",
    "lastName": "Garcia Lopez",
    "stateOfLicensure": "TN",
    "stateMedicalLicenseID": "md-12345",
}


@pytest.fixture
def ids(system: System, client: TestClient, token) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    ids = setup(system, running=True)
    me = token("provider", provider="0004444")
    answer = client.post(
        "/accme/learner-activities",
        json=envelope(report(ids["activity"]), report(ids["activity"], credit_id="ccid:0004444:c9")),
        headers=me,
    )
    assert answer.status_code == 201, answer.text
    return ids


def test_a_board_finds_the_physician_by_licence_or_npi_and_reads_acme_json(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    tn = token("board", state="TN")
    by_licence = client.get(JSON, params=BY_LICENCE, headers=tn)
    assert by_licence.status_code == 200, by_licence.text
    [entry] = by_licence.json()["ACCMETranscripts"]
    assert entry["Member"]["Name"] == {"GivenName": "Ana", "FamilyName": "García-López"}
    assert entry["Member"]["PersonalInfo"]["NPI"] == NPI
    assert entry["Member"]["PersonalInfo"]["Licensure"] == [
        {"StateOfLicensure": "TN", "StateMedicalLicenseID": "MD12345"}
    ]
    activity = entry["ActivityTranscript"][0]["Activity"]
    assert activity["ProviderOrganization"] == "0004444" and activity["ReportingOrganization"] == "CME 0004444"
    assert activity["Module"]["ModuleName"] == {"value": "Cardiology update A-1", "moduleID": ids["activity"]}
    assert activity["Module"]["CompletedDateTime"] == "2025-03-02T00:00:00"
    assert {c["CreditReceived"]["activityCertification"] for c in activity["Module"]["CreditCertificate"]} == {
        "AMA PRA Category 1",
        "ABIM MOC",
    }
    # Both credit IDs name Ana's completion of the activity on 2 March: one transcript entry, each certificate in it.
    assert len(entry["ActivityTranscript"]) == 1
    assert [c["CreditID"] for c in activity["Module"]["CreditCertificate"]] == ["ccid:0004444:c1"] * 2 + [
        "ccid:0004444:c9"
    ] * 2
    assert client.get(JSON, params={"npi": NPI}, headers=token("accreditor")).json() == by_licence.json()
    assert client.get(JSON, params={"npi": NPI}, headers=token("board", board="ABIM")).status_code == 200
    out_of_range = client.get(JSON, params={"npi": NPI, "completionDateRangeStart": "2025-04-01"}, headers=tn)
    assert out_of_range.json()["ACCMETranscripts"][0]["ActivityTranscript"] == []


def test_credits_by_date_totals_each_credit_type(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    params = {"npi": NPI, "completionDateRangeStart": "2025-01-01", "completionDateRangeEnd": "2025-12-31"}
    answer = client.get(CREDITS, params=params, headers=token("accreditor"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["creditsByType"] == {"ABIM MOC": 12.0, "AMA PRA Category 1": 12.0}
    assert (
        body["totalCredits"] == 12.0
        and body["unit"] == "Point"
        and body["learner"] == {"GivenName": "Ana", "FamilyName": "García-López"}
    )
    missing = client.get(CREDITS, params={"npi": NPI}, headers=token("accreditor"))
    assert missing.status_code == 422 and {e["loc"][-1] for e in missing.json()["errors"]} == {
        "completionDateRangeStart",
        "completionDateRangeEnd",
    }


def test_the_pdf_reads_back_with_the_physician_rows_and_totals(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(
        PDF,
        params={**BY_LICENCE, "completionDateRangeStart": "2025-01-01", "completionDateRangeEnd": "2025-12-31"},
        headers=token("board", state="TN"),
    )
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    for expected in (
        "CME Transcript",
        "Ana García-López",
        "TN MD12345",
        NPI,
        "ABIM 123456",
        "01/01/2025 to 12/31/2025",
        "CME 0004444",
        "Cardiology update A-1",
        ids["activity"],
        "03/02/2025",
        "Completions (1)",
        "Totals by credit type",
        "AMA PRA Category 1 12.00",
        "ABIM MOC 12.00",
        "Generated",
        "page 1 of 1",
    ):
        assert expected in text, expected


def test_a_learner_reads_only_their_own_transcript(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    ana = token("learner", learner=ids["ana"])
    own = client.get(JSON, headers=ana)
    assert own.status_code == 200 and len(own.json()["ACCMETranscripts"][0]["ActivityTranscript"]) == 1
    assert client.get(JSON, params=BY_LICENCE, headers=ana).status_code == 200  # naming herself
    assert client.get(PDF, headers=token("learner", learner=NPI)).status_code == 200  # a token carrying the NPI
    someone_else = client.get(
        JSON,
        params={
            "firstName": "Ben",
            "lastName": "Okafor",
            "stateOfLicensure": "NC",
            "stateMedicalLicenseID": "2009-01234",
        },
        headers=ana,
    )
    assert someone_else.status_code == 403 and "Okafor" not in someone_else.text
    ben = client.get(JSON, headers=token("learner", learner=ids["ben"]))
    assert ben.status_code == 200 and ben.json()["ACCMETranscripts"][0]["ActivityTranscript"] == []


def test_refusals_and_reasons(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    assert client.get(JSON, params={"npi": NPI}).status_code == 401
    provider = client.get(JSON, params={"npi": NPI}, headers=token("provider", provider="0004444"))
    assert provider.status_code == 403 and "García" not in provider.text
    nc_board = client.get(JSON, params={"npi": NPI}, headers=token("board", state="NC"))  # Ana holds no NC licence
    assert nc_board.status_code == 404 and "García" not in nc_board.text and "MD12345" not in nc_board.text
    assert client.get(JSON, params={"npi": NPI}, headers=token("board", board="ABP")).status_code == 404
    # A board gets the same answer for a physician who is not its own as for one nobody knows: no directory probe.
    for board in ({"state": "NC"}, {"board": "ABP"}):
        known = client.get(JSON, params={"npi": NPI}, headers=token("board", **board))
        unknown = client.get(JSON, params={"npi": "1111111112"}, headers=token("board", **board))
        assert known.status_code == unknown.status_code == 404 and known.json() == unknown.json()
    wrong_licence = client.get(
        JSON, params={**BY_LICENCE, "stateMedicalLicenseID": "MD99999"}, headers=token("accreditor")
    )
    assert wrong_licence.status_code == 404 and "no learner in the directory matches" in wrong_licence.json()["detail"]
    incomplete = client.get(JSON, params={"firstName": "Ana", "lastName": "García-López"}, headers=token("accreditor"))
    assert incomplete.status_code == 422 and incomplete.json()["errors"][0]["loc"] == ["query", "stateOfLicensure"]
    bad = client.get(
        JSON,
        params={"npi": "12ab", "stateOfLicensure": "tennessee", "completionDateRangeStart": "2025-13-01"},
        headers=token("accreditor"),
    )
    assert bad.status_code == 422 and {e["loc"][-1] for e in bad.json()["errors"]} == {
        "npi",
        "stateOfLicensure",
        "completionDateRangeStart",
    }
    backwards = client.get(
        JSON,
        params={"npi": NPI, "completionDateRangeStart": "2025-06-01", "completionDateRangeEnd": "2025-01-01"},
        headers=token("accreditor"),
    )
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["loc"] == ["query", "completionDateRangeEnd"]
