"""REMS registration on activities (type, REMS-compliant or related, FDA Blueprint sections, RPC-assigned ID)
through the ACCME web service and batch files, its rules, and the accreditor's REMS report (JSON, CSV, page)."""

from __future__ import annotations

import csv
import io

import pytest

import adapters.batch as batch
from adapters.formats.accme.activity_reading import parse_item
from adapters.formats.accme.activity_writing import to_item
from domain.activity import BLUEPRINT_SECTIONS
from tests.activities.helpers import ACCME_ID, OTHER_ID, XI, item, register

URL = "/accme/activities"
OA = {
    "REMSType": "Opioid Analgesic",
    "REMSCompliance": "Compliant",
    "BlueprintSections": [BLUEPRINT_SECTIONS[2], BLUEPRINT_SECTIONS[0]],
    "REMSRelatedIdentifier": "EG-123456-789",
}
MYCO = {"REMSType": "Mycophenolate", "REMSCompliance": "Related"}


def body(*items):  # type: ignore[no-untyped-def]
    return {"ACCMEActivities": {"MedicalEducationMetrics": list(items)}}


@pytest.fixture
def mine(system, token):  # type: ignore[no-untyped-def]
    register(system)
    register(system, OTHER_ID)
    system.projections.wait(system.store.head(), timeout=10)
    return token("provider", provider=ACCME_ID)


def test_the_rems_registration_round_trips_through_the_web_service(client, mine):  # type: ignore[no-untyped-def]
    posted = client.post(URL, headers=mine, json=body(item("R-1", **{XI + "REMS": OA})))
    assert posted.status_code == 201, posted.text
    listed = client.get(URL, headers=mine, params={"providerActivityId": "R-1"}).json()
    rems = listed["ACCMEActivities"]["MedicalEducationMetrics"][0]["XtensibleInfo"]["REMS"]
    assert rems == {**OA, "BlueprintSections": [BLUEPRINT_SECTIONS[0], BLUEPRINT_SECTIONS[2]]}  # Blueprint order
    again = client.post(URL, headers=mine, json=body(item("R-1", **{XI + "REMS": OA})))
    assert again.status_code in (200, 201), again.text


@pytest.mark.parametrize(
    ("rems", "loc", "words"),
    [
        (
            {"REMSType": "Opioid Analgesic", "REMSCompliance": "Compliant"},
            "BlueprintSections",
            "names the FDA Blueprint",
        ),
        ({**MYCO, "BlueprintSections": [BLUEPRINT_SECTIONS[0]]}, "BlueprintSections", "for Opioid Analgesic REMS"),
        ({**OA, "BlueprintSections": ["Pain 101"]}, "BlueprintSections", "a Blueprint section is one of"),
        ({**OA, "REMSCompliance": "Sort of"}, "REMSCompliance", "REMS compliance is one of"),
        ({"REMSType": "Opioids"}, "REMSType", "the REMS type is one of"),
        ({**OA, "REMSRelatedIdentifier": "X" * 51}, "REMSRelatedIdentifier", "at most 50 characters"),
    ],
)
def test_a_bad_rems_registration_is_refused_naming_the_field(client, mine, rems, loc, words):  # type: ignore[no-untyped-def]
    answer = client.post(URL, headers=mine, json=body(item("R-2", **{XI + "REMS": rems})))
    assert 400 <= answer.status_code < 500, answer.text
    text = answer.text
    assert loc in text and words in text


def test_an_item_without_the_new_rems_fields_keeps_its_old_shape():
    parsed = parse_item(item("V-1", **{XI + "REMS": {"REMSType": "Mycophenolate"}}))
    assert parsed.data["rems"] == {"type": "Mycophenolate", "identifier": None}
    full = parse_item(item("V-2", **{XI + "REMS": OA}))
    assert full.data["rems"]["compliance"] == "Compliant"
    assert (
        to_item("123456789", "V-2", full.data, ACCME_ID, False)["XtensibleInfo"]["REMS"]["REMSCompliance"]
        == "Compliant"
    )


@pytest.mark.parametrize("fmt", ["tab", "xlsx", "xml", "json"])
def test_the_rems_registration_round_trips_through_every_batch_format(fmt):  # type: ignore[no-untyped-def]
    source = [item("B-1", **{XI + "REMS": OA}), item("B-2", **{XI + "REMS": MYCO})]
    data = batch.render(fmt, source)
    read = [parse_item(r.item).data["rems"] for r in batch.read_file(data)[1]]
    assert read == [parse_item(i).data["rems"] for i in source]


def test_the_accreditors_rems_report(client, system, mine, token):  # type: ignore[no-untyped-def]
    other = token("provider", provider=OTHER_ID)
    assert client.post(URL, headers=mine, json=body(item("R-1", **{XI + "REMS": OA}), item("R-2"))).status_code == 201
    assert client.post(URL, headers=other, json=body(item("R-3", **{XI + "REMS": MYCO}))).status_code == 201
    system.projections.wait(system.store.head(), timeout=10)
    staff = token("accreditor")
    report = client.get("/api/v1/accreditor/rems/2025", headers=staff).json()
    assert [(a["accme_id"], a["rems_type"]) for a in report["activities"]] == [
        (ACCME_ID, "Opioid Analgesic"),
        (OTHER_ID, "Mycophenolate"),
    ]
    first = report["activities"][0]
    assert first["compliance"] == "Compliant" and first["rpc_id"] == "EG-123456-789"
    assert first["physician_learners"] == 120 and first["provider"] == f"CME {ACCME_ID}"
    totals = report["totals"]
    assert totals["activities"] == 2 and totals["providers"] == 2 and totals["rpc_funded"] == 1
    assert totals["by_type"] == {"Opioid Analgesic": 1, "Mycophenolate": 1}
    assert totals["by_compliance"] == {"Compliant": 1, "Related": 1, "Not stated": 0}
    assert (
        totals["blueprint_coverage"][BLUEPRINT_SECTIONS[0]] == 1
        and totals["blueprint_coverage"][BLUEPRINT_SECTIONS[1]] == 0
    )
    oa = client.get("/api/v1/accreditor/rems/2025", headers=staff, params={"type": "Mycophenolate"}).json()
    assert [a["accme_id"] for a in oa["activities"]] == [OTHER_ID]
    one = client.get("/api/v1/accreditor/rems/2025", headers=staff, params={"provider": ACCME_ID}).json()
    assert [a["accme_id"] for a in one["activities"]] == [ACCME_ID]
    assert client.get("/api/v1/accreditor/rems/2024", headers=staff).json()["totals"]["activities"] == 0
    answer = client.get("/api/v1/accreditor/rems/2025?format=csv", headers=staff)
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert rows[0]["REMS Type"] == "Opioid Analgesic" and rows[0]["RPC-assigned ID"] == "EG-123456-789"
    assert rows[0]["Blueprint Sections"] == f"{BLUEPRINT_SECTIONS[0]}; {BLUEPRINT_SECTIONS[2]}"


def test_the_rems_report_is_for_accreditor_staff_and_scoped(client, system, mine, token):  # type: ignore[no-untyped-def]
    client.post(URL, headers=mine, json=body(item("R-1", **{XI + "REMS": OA})))
    system.projections.wait(system.store.head(), timeout=10)
    assert client.get("/api/v1/accreditor/rems/2025").status_code == 401
    assert client.get("/api/v1/accreditor/rems/2025", headers=mine).status_code == 403
    assert client.get("/api/v1/accreditor/rems/2025", headers=token("board", board="ABIM")).status_code == 403
    ca = client.get("/api/v1/accreditor/rems/2025", headers=token("accreditor", state="CA")).json()
    assert ca["activities"] == [] and ca["totals"]["activities"] == 0
    named = client.get(f"/api/v1/accreditor/rems/2025?provider={ACCME_ID}", headers=token("accreditor", state="CA"))
    assert named.json()["activities"] == []
    for bad in ("type=Opioids", "provider=12", "format=pdf"):
        answer = client.get(f"/api/v1/accreditor/rems/2025?{bad}", headers=token("accreditor"))
        assert answer.status_code == 422 and answer.json()["errors"][0]["loc"][0] == "query"
