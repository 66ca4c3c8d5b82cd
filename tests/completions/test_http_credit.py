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
    body = envelope(report(ids["activity"], Activity__Module__CreditCertificate=[ISSUE_CERT]))
    assert client.post(URL, json=body).status_code == 401
    answer = client.post(URL, json=body, headers=me)
    assert answer.status_code == 201 and answer.json()["reports"][0]["action"] == "added", answer.text
    system.projections.wait(system.store.head())
    feed = client.get("/api/v1/feeds/boards/ABIM", headers=token("board", board="ABIM")).json()["items"]
    assert [(i["credit_id"], i["points"], i["credits"]) for i in feed] == [
        ("ccid:0004444:m1", 1.0, [{"type": "ABIM MOC", "credits": 1.0}])
    ]
    transcript = client.get("/api/v1/passport/transcript", headers=token("learner", learner=ids["ana"])).json()
    assert transcript["totals"] == {"ABIM MOC": 1.0}


def test_an_unclassifiable_certificate_is_a_422_naming_its_path(client: TestClient, token, ids, system: System) -> None:  # type: ignore[no-untyped-def]
    me = token("provider", provider="0004444")
    cert = {
        **ISSUE_CERT,
        "UniqueID": [{"value": "MD12345", "domain": "TN"}],
        "CreditReceived": {**ISSUE_CERT["CreditReceived"], "activityCertification": "Category 1"},
    }
    head = system.store.head()
    answer = client.post(
        URL, json=envelope(report(ids["activity"], Activity__Module__CreditCertificate=[cert])), headers=me
    )
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("application/problem+json")
    [error] = answer.json()["errors"]
    assert error["loc"] == [
        "body",
        "ACCMELearnerReports",
        "ActivityReports",
        "ActivityReport",
        0,
        "Activity",
        "Module",
        "CreditCertificate",
        0,
        "CreditReceived",
        "activityCertification",
    ]
    assert "'Category 1' is not CME credit" in error["msg"]
    assert system.store.head() == head


def _cme_and_moc_under_their_own_credit_ids(activity: str) -> dict[str, Any]:
    r = report(activity)
    r["Activity"]["Module"]["CreditCertificate"][1]["CreditID"] = "ccid:0004444:c2"
    return r


def test_one_completion_is_one_line_in_every_transcript(client: TestClient, token, ids, system: System) -> None:  # type: ignore[no-untyped-def]
    me = token("provider", provider="0004444")
    assert (
        client.post(
            URL, json=envelope(_cme_and_moc_under_their_own_credit_ids(ids["activity"])), headers=me
        ).status_code
        == 201
    )
    ana = token("learner", learner=ids["ana"])
    assert client.get("/api/v1/passport/transcript").status_code == 401
    assert client.get("/api/v1/passport/transcript", headers=me).status_code == 403
    [line] = client.get("/api/v1/passport/transcript", headers=ana).json()["completions"]
    assert line["credit_ids"] == ["ccid:0004444:c1", "ccid:0004444:c2"] and line["completion_date"] == "2025-03-02"
    assert line["cme"] == [{"type": "AMA PRA Category 1", "credits": 6.0}] and line["cme_credits"] == 6.0
    assert line["moc"] == [{"board": "ABIM", "type": "ABIM MOC", "credits": 6.0}]
    # The ACCME transcript: one ActivityTranscript carrying both certificates with their own CreditIDs.
    [entry] = client.get("/accme/GetLearnerTranscriptbyLearner", headers=ana).json()["ACCMETranscripts"]
    [activity] = entry["ActivityTranscript"]
    assert [
        (c["CreditID"], c["CreditReceived"]["activityCertification"])
        for c in activity["Activity"]["Module"]["CreditCertificate"]
    ] == [
        ("ccid:0004444:c1", "AMA PRA Category 1"),
        ("ccid:0004444:c2", "ABIM MOC"),
    ]
    credits = client.get(
        "/accme/GetLearnerTranscriptCreditsByDate",
        params={"completionDateRangeStart": "2025-01-01", "completionDateRangeEnd": "2025-12-31"},
        headers=ana,
    ).json()
    assert credits["completions"] == 1 and credits["totalCredits"] == 6.0
    pdf = client.get("/accme/GetLearnerTranscriptbyLearnerPDF", headers=ana)
    assert pdf.status_code == 200 and b"Completions (1)" in _pdf_text(pdf.content)
    assert (
        client.get("/api/v1/providers/0004444/dashboard", params={"year": 2025}, headers=me).json()[
            "completions_reported"
        ]
        == 1
    )


def _pdf_text(data: bytes) -> bytes:
    import io

    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).encode()


def test_moc_only_completion_counts_its_points_as_cme_for_states(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    me = token("provider", provider="0004444")
    assert (
        client.post(
            URL,
            json=envelope(report(ids["activity"], Activity__Module__CreditCertificate=[ISSUE_CERT])),
            headers=me,
        ).status_code
        == 201
    )
    params = {"completionDateRangeStart": "2025-01-01", "completionDateRangeEnd": "2025-12-31"}
    body = client.get(
        "/accme/GetLearnerTranscriptCreditsByDate", params=params, headers=token("learner", learner=ids["ana"])
    ).json()
    assert body["creditsByType"] == {"ABIM MOC": 1.0} and body["totalCredits"] == 1.0


def test_deleted_then_added_again_is_back_in_the_status_and_the_transcripts(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    me, theirs = token("provider", provider="0004444"), token("provider", provider="0005555")
    ana = token("learner", learner=ids["ana"])
    status = {"CreditId": "ccid:0004444:c1"}
    for action, found in (("add", 200), ("delete", 404), ("add", 200)):
        answer = client.post(URL, json=envelope(report(ids["activity"], action=action)), headers=me)
        assert answer.status_code == 201, answer.text
        assert client.get(f"{URL}/status", params=status, headers=me).status_code == found
        assert len(client.get("/api/v1/passport/transcript", headers=ana).json()["completions"]) == (found == 200)
    # Another provider's token finds nothing under our credit ID, and says nothing of ours.
    other = client.get(f"{URL}/status", params=status, headers=theirs)
    assert other.status_code == 404 and ids["activity"] not in other.text and ids["ana"] not in other.text
    assert client.get(f"{URL}/status", params=status).status_code == 401
    assert client.delete("/api/v1/providers/0004444/completions/ccid:0004444:c1", headers=theirs).status_code in (
        403,
        404,
    )
    assert client.delete("/api/v1/providers/0004444/completions/ccid:0004444:c1", headers=me).status_code == 204
    assert client.get("/api/v1/passport/transcript", headers=ana).json()["completions"] == []


FORM = "/api/v1/providers/0004444/completions"


def _form(activity: str, **over: Any) -> dict[str, Any]:
    return {
        "learner": {"npi": "1234567893"},
        "activity_id": activity,
        "completion_date": "2025-03-02",
        "credit_id": "ccid:0004444:w1",
        "cme": [{"type": "AMA PRA Category 1", "credits": 2.0}],
        **over,
    }


@pytest.mark.parametrize(
    ("over", "loc", "words"),
    [
        ({"cme": [{"type": "ABIM MOC", "credits": 2.0}]}, ["body", "cme", "0", "type"], "give it under moc"),
        ({"cme": [{"type": "Category 1", "credits": 2.0}]}, ["body", "cme", "0", "type"], "not a CME credit type"),
        (
            {"moc": [{"board": "ABIM", "type": "ABP MOC", "credits": 2.0}]},
            ["body", "moc", "0", "type"],
            "not ABIM MOC credit",
        ),
        (
            {"moc": [{"board": "ABIM", "type": "AMA PRA Category 1", "credits": 2.0}]},
            ["body", "moc", "0", "type"],
            "not ABIM MOC credit",
        ),
        ({"moc": [{"board": "XYZ", "credits": 2.0}]}, ["body", "moc", "0", "board"], "not a certifying board"),
    ],
)
def test_the_json_form_refuses_credit_it_would_misfile(
    client: TestClient, token, ids, system: System, over, loc, words
) -> None:  # type: ignore[no-untyped-def]
    from tests.completions.helpers import NPI

    me = token("provider", provider="0004444")
    head = system.store.head()
    body = _form(ids["activity"], learner={"npi": NPI}, **over)
    assert client.post(FORM, json=body).status_code == 401
    assert client.post(FORM, json=body, headers=token("provider", provider="0005555")).status_code in (403, 404)
    answer = client.post(FORM, json=body, headers=me)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == loc and words in error["msg"], error
    assert system.store.head() == head


def test_the_json_form_takes_moc_named_by_board_and_a_registered_credit_type(
    client: TestClient, token, ids, system: System
) -> None:  # type: ignore[no-untyped-def]
    from tests.completions.helpers import NPI

    me = token("provider", provider="0004444")
    body = _form(ids["activity"], learner={"npi": NPI}, moc=[{"board": "abim", "type": "MK", "credits": 2.0}])
    assert client.post(FORM, json=body, headers=me).status_code == 201
    assert system.completions.get(ids["ana"], ids["activity"], "ccid:0004444:w1").moc == [
        {"board": "ABIM", "type": "ABIM MK", "credits": 2.0}
    ]
