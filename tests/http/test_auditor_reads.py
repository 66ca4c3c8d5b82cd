"""Auditors are read-only, and every auditor read is itself recorded as an event."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request

from adapters.api.audit_reads import read_record
from tests.http.helpers import OURS, THEIRS, assert_problem, two_tenants


def auditor_reads(system) -> list:
    notifications = system.store.recorder.select_notifications(start=1, limit=10_000)
    return [system.store.mapper.to_domain_event(n) for n in notifications if n.topic.endswith("AuditorRead.Recorded")]


def test_an_auditor_read_of_a_provider_is_recorded_and_shows_in_its_history(client, system, token):
    two_tenants(client, token)
    auditor = token("auditor")
    assert client.get(f"/api/v1/providers/{OURS}", headers=auditor).status_code == 200
    assert (
        client.get(
            f"/api/v1/providers/{OURS}/history", headers=auditor, params={"type": "Provider", "limit": 5}
        ).status_code
        == 200
    )
    system.projections.wait(system.store.head(), timeout=10, names=["history"])
    r = client.get(f"/api/v1/providers/{OURS}/history", headers=token("accreditor"), params={"type": "AuditorRead"})
    items = r.json()["items"]
    assert [e["type"] for e in items] == ["AuditorRead.Recorded"] * 2
    assert all(e["actor"].startswith("auditor:") and e["channel"] == "web_service" for e in items)
    assert items[0]["data"] == {"path": f"/api/v1/providers/{OURS}", "query": "", "learner_ids": []}
    assert items[1]["data"] == {
        "path": f"/api/v1/providers/{OURS}/history",
        "query": "type=Provider&limit=5",
        "learner_ids": [],
    }
    theirs = client.get(
        f"/api/v1/providers/{THEIRS}/history", headers=token("accreditor"), params={"type": "AuditorRead"}
    )
    assert theirs.json()["items"] == []  # the read concerned only ours


def test_reads_of_no_one_provider_are_recorded_without_an_accme_id(client, system, token):
    two_tenants(client, token)
    client.get("/api/v1/providers", headers=token("auditor"))
    [read] = auditor_reads(system)
    assert read.accme_id is None and read.path == "/api/v1/providers" and read.channel == "web_service"


def test_other_roles_reads_are_not_recorded(client, system, token):
    two_tenants(client, token)
    client.get(f"/api/v1/providers/{OURS}", headers=token("accreditor"))
    client.get(f"/api/v1/providers/{OURS}/history", headers=token("provider", provider=OURS))
    assert auditor_reads(system) == []


@pytest.mark.parametrize(
    "method, path, body",
    [
        (
            "post",
            "/api/v1/providers",
            {
                "accme_id": "0000042",
                "name": "X",
                "accreditor": "TN",
                "primary_contact": {"name": "A", "email": "a@x.org"},
            },
        ),
        ("put", f"/api/v1/providers/{OURS}/contacts/billing", {"name": "Bill", "email": "bill@acme.org"}),
        ("post", f"/api/v1/providers/{OURS}/contacts/staff", {"name": "Sam", "email": "sam@acme.org"}),
        ("delete", f"/api/v1/providers/{OURS}/contacts/primary", None),
    ],
)
def test_an_auditor_may_not_change_anything(client, system, token, method, path, body):
    two_tenants(client, token)
    head = system.store.head()
    kwargs = {"json": body} if body is not None else {}
    assert_problem(getattr(client, method)(path, headers=token("auditor"), **kwargs), 403)
    assert system.store.head() == head  # nothing saved, not even a read record


def test_an_auditor_transcript_read_records_the_learner_by_id_and_no_personal_data(client, system, token):
    """Before: the event held `firstName=Ana&lastName=García-López&npi=…` in the append-only log for ever."""
    from tests.completions.helpers import NPI, setup
    from tests.learners.helpers import npi_with_check_digit, raw_events

    stranger = npi_with_check_digit("555555555")
    ids = setup(system, running=True)
    params = {
        "firstName": "Ana",
        "lastName": "García-López",
        "stateOfLicensure": "TN",
        "stateMedicalLicenseID": "MD12345",
        "completionDateRangeStart": "2025-01-01",
        "note": "Ana García-López",
    }  # `note` is no parameter of the route
    assert (
        client.get("/accme/GetLearnerTranscriptbyLearner", params=params, headers=token("auditor")).status_code == 200
    )
    assert (
        client.get("/accme/GetLearnerTranscriptbyLearnerPDF", params={"npi": NPI}, headers=token("auditor")).status_code
        == 200
    )
    assert (
        client.get(
            "/accme/GetLearnerTranscriptbyLearner", params={"npi": stranger}, headers=token("auditor")
        ).status_code
        == 404
    )
    by_name, by_npi, nobody = auditor_reads(system)
    assert by_name.query == (
        "firstName=[personal]&lastName=[personal]&stateOfLicensure=TN&stateMedicalLicenseID=[personal]"
        "&completionDateRangeStart=2025-01-01"
    )
    assert (by_name.learner_ids, by_npi.learner_ids, nobody.learner_ids) == ([ids["ana"]], [ids["ana"]], [])
    assert by_npi.query == nobody.query == "npi=[personal]"
    stored = b"".join(r["state"] for r in raw_events(system) if r["topic"].endswith("AuditorRead.Recorded"))
    for clear in ("Ana", "García", "Garc%C3%ADa", "MD12345", NPI, stranger):
        assert clear.encode() not in stored, clear


def test_reads_recorded_before_redaction_are_read_back_redacted(system):
    """Version-1 events hold the raw query in their stored bytes (the log is never rewritten); every reader sees it redacted."""
    import json

    from domain.audit_log import AuditorRead
    from domain.base import Acting, Channel

    new = AuditorRead.record(
        Acting("auditor:x", Channel.WEB_SERVICE), "/accme/GetLearnerTranscriptbyLearner", [("npi", "1234567893")]
    )
    stored = system.store.mapper.to_stored_event(new.collect_events()[0])
    state = json.loads(stored.state)
    state.pop("class_version"), state.pop("learner_ids")
    state["query"] = "firstName=Ana&lastName=Garc%C3%ADa-L%C3%B3pez&npi=1234567893&completionDateRangeStart=2025-01-01"
    system.store.recorder.insert_events(
        [type(stored)(stored.originator_id, stored.originator_version, stored.topic, json.dumps(state).encode())]
    )
    [old] = auditor_reads(system)
    assert old.query == "firstName=[personal]&lastName=[personal]&npi=[personal]&completionDateRangeStart=2025-01-01"
    assert old.learner_ids == []


SEEN: list = []
probe = FastAPI()


@probe.get("/accme/learner-activities/{learnerId}/{accme_id}")
def _reports(request: Request, learnerId: str, accme_id: str, BirthDate: str | None = None, year: int = 0) -> dict:
    SEEN.append(read_record(None, request))  # type: ignore[arg-type]  # the system is only asked for transcript reads
    return {}


def test_a_personal_path_segment_and_undeclared_parameters_never_reach_the_record():
    """E.g. GET /accme/learner-activities/{learnerId}, where learnerId is an NPI or licence number."""
    from fastapi.testclient import TestClient

    from domain.audit_log import AuditorRead
    from domain.base import Acting, Channel

    SEEN.clear()
    TestClient(probe).get(
        "/accme/learner-activities/TN:QX-77731/0001234",
        params={"BirthDate": "1968-02-29", "year": 2025, "note": "Zofia"},
    )
    [(path, query, learner_ids)] = SEEN
    assert path == "/accme/learner-activities/{learnerId}/0001234" and learner_ids == []
    read = AuditorRead.record(Acting("auditor:x", Channel.WEB_SERVICE), path, query)
    assert read.query == "BirthDate=[personal]&year=2025"
