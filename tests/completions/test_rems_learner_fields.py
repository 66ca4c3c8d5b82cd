"""The per-learner REMS fields of the 2025 draft (profession, state of primary practice, DEA registration, practice
area, surgical procedures, time in practice) on completions: through the ACCME learner web service and back, the
rules (REMS activities only, each value from its list, named where it was given), a batch row, and the REMS report's
participants by profession, registered prescribers, practice type and area, filtered by REMS type and provider.
The formats' round trips are the hypothesis properties of tests/completion_batches/test_round_trip.py."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.batch.completion_rows import REMS_COLUMNS, row_to_record
from adapters.bootstrap import System
from adapters.formats.accme.activities import submit_items
from domain.rems_learner import practice_type, rems_participant
from tests.activities.helpers import ACCME_ID, OTHER_ID, XI, item
from tests.activities.test_rems import MYCO, OA
from tests.completions.helpers import BY, MOC, NPI, envelope, report, setup

URL = "/accme/learner-activities"
PARTICIPANT = {
    "LocalIdentifier": {"value": "E-1001", "domain": "idd:cme0004444:employee"},
    "Profession": "Advanced practice nurse",
    "StateOfPrimaryPractice": "Tennessee",
    "DEARegistration": "Individual",
    "PracticeArea": "Pain",
    "SurgicalProcedures": False,
    "TimeInPractice": "6-10 years",
}


@pytest.fixture
def ids(system: System, client: TestClient) -> dict[str, Any]:
    found = setup(system, running=True)
    [opioid] = submit_items(system.activities, ACCME_ID, [item("R-1", **MOC, **{XI + "REMS": OA})], BY)
    [myco] = submit_items(system.activities, OTHER_ID, [item("R-2", **MOC, **{XI + "REMS": MYCO})], BY)
    found["opioid"], found["myco"] = opioid.activity_id, myco.activity_id
    system.projections.wait(system.store.head())
    return found


def _with(activity: str, credit_id: str, participant: dict[str, Any] | None, **over: Any) -> dict[str, Any]:
    r = report(activity, credit_id, **over)
    if participant is not None:
        r["Participants"] = {"Participant": participant}
    return r


def _post(client: TestClient, token: Any, accme_id: str, *reports: dict[str, Any]) -> Any:
    return client.post(URL, json=envelope(*reports), headers=token("provider", provider=accme_id))


def test_the_rems_fields_go_in_through_the_web_service_and_come_back(
    client: TestClient, token: Any, ids: dict[str, Any], system: System
) -> None:
    answer = _post(
        client,
        token,
        ACCME_ID,
        _with(
            ids["opioid"],
            "ccid:0004444:r1",
            {**PARTICIPANT, "DEARegistration": "individual", "StateOfPrimaryPractice": "tn"},
        ),
    )
    assert answer.status_code == 201 and answer.json()["reports"][0]["action"] == "added", answer.text
    system.projections.wait(system.store.head())
    back = client.get(f"{URL}/NPI:{NPI}", headers=token("provider", provider=ACCME_ID))
    assert back.status_code == 200, back.text
    [sent] = back.json()["ACCMELearnerReports"]["ActivityReports"]["ActivityReport"]
    assert sent["Participants"] == {"Participant": PARTICIPANT}  # canonical spellings: Individual, Tennessee
    again = _post(client, token, ACCME_ID, sent)  # posting the document back changes nothing
    assert again.status_code == 201 and again.json()["reports"][0]["action"] == "unchanged", again.text
    other = _with(ids["opioid"], "ccid:0004444:r1", {**PARTICIPANT, "Profession": "Nurse"})
    refused = _post(client, token, ACCME_ID, other)  # records are not edited: delete, then resubmit
    assert refused.status_code == 422 and "already recorded with other facts" in refused.text


@pytest.mark.parametrize(
    ("participant", "member", "words"),
    [
        ({**PARTICIPANT, "Profession": "Doctor"}, "Profession", "the learner's profession is one of"),
        ({k: v for k, v in PARTICIPANT.items() if k != "Profession"}, "Profession", "profession is required"),
        ({**PARTICIPANT, "DEARegistration": "Yes"}, "DEARegistration", "the DEA registration is one of"),
        ({**PARTICIPANT, "PracticeArea": "Cardiology"}, "PracticeArea", "the practice area is one of"),
        ({**PARTICIPANT, "TimeInPractice": "5 years"}, "TimeInPractice", "the time in practice is one of"),
        ({**PARTICIPANT, "StateOfPrimaryPractice": "Ontario"}, "StateOfPrimaryPractice", "US state or territory"),
        ({**PARTICIPANT, "SurgicalProcedures": "no"}, "SurgicalProcedures", "true or false"),
        (
            {**PARTICIPANT, "LocalIdentifier": {"value": "E-1", "domain": "employee"}},
            "LocalIdentifier",
            "idd:domainname",
        ),
    ],
)
def test_a_bad_rems_field_is_refused_naming_it(
    client: TestClient, token: Any, ids: dict[str, Any], participant: dict[str, Any], member: str, words: str
) -> None:
    answer = _post(client, token, ACCME_ID, _with(ids["opioid"], "ccid:0004444:r2", participant))
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"][5:8] == ["Participants", "Participant", member] and words in error["msg"]


def test_the_rems_fields_are_for_rems_activities(client: TestClient, token: Any, ids: dict[str, Any]) -> None:
    answer = _post(client, token, ACCME_ID, _with(ids["activity"], "ccid:0004444:r3", PARTICIPANT))
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["loc"][5:] == ["Participants", "Participant"] and "not registered for REMS" in error["msg"]


def test_a_batch_row_carries_the_rems_fields_and_a_bad_one_names_its_column() -> None:
    base = {
        "Activity ID": "123456789",
        "First Name": "Ana",
        "Last Name": "Lopez",
        "NPI": NPI,
        "Completion Date": "03/02/2025",
        "CME Credits": "6",
        "REMS Profession": "Pharmacist",
        "REMS DEA Registration": "Institutional",
        "REMS Surgical Procedures": "Yes",
    }
    record = row_to_record(base, 2, ACCME_ID)
    assert record.report is not None and record.report.rems == rems_participant(
        profession="Pharmacist", dea="Institutional", surgical=True
    )
    assert row_to_record({**base, "REMS Profession": ""}, 2, ACCME_ID).errors == [
        {"loc": ["REMS Profession"], "msg": "the learner's profession is required with the REMS learner fields"}
    ]
    bad = row_to_record({**base, "REMS Surgical Procedures": "sometimes"}, 2, ACCME_ID)
    assert bad.errors[0]["loc"] == ["REMS Surgical Procedures"]
    bad = row_to_record({**base, "REMS Practice Area": "Cardiology"}, 2, ACCME_ID)
    assert bad.errors[0]["loc"] == ["REMS Practice Area"] and set(REMS_COLUMNS) >= {"REMS Practice Area"}
    assert (
        row_to_record(
            {**base, "REMS Profession": "", "REMS DEA Registration": "", "REMS Surgical Procedures": ""}, 2, ACCME_ID
        ).report.rems
        is None
    )  # type: ignore[union-attr]


def test_the_rems_report_counts_participants_by_their_rems_fields(
    client: TestClient, token: Any, ids: dict[str, Any], system: System
) -> None:
    nurse = _with(ids["opioid"], "ccid:0004444:r1", PARTICIPANT)
    ben = _with(
        ids["opioid"],
        "ccid:0004444:r4",
        {"Profession": "Physician", "DEARegistration": "None", "PracticeArea": "Family Medicine"},
        Member={"Name": {"GivenName": "Ben", "FamilyName": "Okafor"}, "PersonalInfo": {"BirthDate": "1980-11-03"}},
    )
    ben["Activity"]["Module"]["CreditCertificate"] = [
        {**ben["Activity"]["Module"]["CreditCertificate"][0], "UniqueID": [{"value": "2009-01234", "domain": "NC"}]}
    ]
    assert _post(client, token, ACCME_ID, nurse, ben).status_code == 201
    theirs = _with(ids["myco"], "ccid:0005555:r5", {"Profession": "Pharmacist", "DEARegistration": "Institutional"})
    theirs["Activity"]["ProviderOrganization"] = OTHER_ID
    assert _post(client, token, OTHER_ID, theirs).status_code == 201, _post(client, token, OTHER_ID, theirs).text
    system.projections.wait(system.store.head())
    staff = token("accreditor")
    got = client.get("/api/v1/accreditor/rems/2025", headers=staff).json()
    people = got["totals"]["participants"]
    assert people["reported"] == 3 and people["registered_prescribers"] == 2
    assert {k: n for k, n in people["by_profession"].items() if n} == {
        "Physician": 1,
        "Advanced practice nurse": 1,
        "Pharmacist": 1,
    }
    assert people["by_practice_type"] == {
        "Primary care": 1,
        "Pain specialist": 1,
        "Non-pain specialist": 0,
        "Not stated": 1,
    }
    assert people["by_practice_area"]["Pain"] == 1 and people["by_practice_area"]["Not stated"] == 1
    opioid = next(a for a in got["activities"] if a["activity_id"] == ids["opioid"])
    assert opioid["participants"]["reported"] == 2 and opioid["participants"]["by_practice_area"] == {
        "Family Medicine": 1,
        "Pain": 1,
    }
    only_myco = client.get("/api/v1/accreditor/rems/2025?type=Mycophenolate", headers=staff).json()
    assert only_myco["totals"]["participants"]["reported"] == 1
    one = client.get(f"/api/v1/accreditor/rems/2025?provider={ACCME_ID}", headers=staff).json()
    assert one["totals"]["participants"]["registered_prescribers"] == 1
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/accreditor/rems/2025?format=csv", headers=staff).text)))
    mine = next(r for r in rows if r["ACCME Activity ID"] == ids["opioid"])
    assert mine["Participants Reported"] == "2" and mine["Registered Prescribers"] == "1"
    assert mine["Professions"] == "Physician: 1; Advanced practice nurse: 1"


def test_practice_types_group_practice_areas() -> None:
    assert [practice_type(a) for a in ("Internal Medicine", "Pain", "Oncology", "N/A", None)] == [
        "Primary care",
        "Pain specialist",
        "Non-pain specialist",
        "Not stated",
        "Not stated",
    ]
