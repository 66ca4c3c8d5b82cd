"""Repeat activities and bulk close over HTTP: tokens, tenants, bad input, per-item results."""

from __future__ import annotations

import pytest

from adapters.formats.accme.activities import submit_items
from tests.activities.helpers import ACCME_ID, BY, HE, OTHER_ID, XI, item, register

REPEAT = f"/api/v1/providers/{ACCME_ID}/activities/repeat"
CLOSE = f"/api/v1/providers/{ACCME_ID}/activities/close"


@pytest.fixture
def setup(system, token):  # type: ignore[no-untyped-def]
    register(system)
    register(system, OTHER_ID)
    return token("provider", provider=ACCME_ID), token("provider", provider=OTHER_ID)


def repeat_body(pid: str = "GR", **over):  # type: ignore[no-untyped-def]
    return {
        "provider_activity_id": pid,
        "item": item(pid, **over),
        "instances": [
            {
                "start_date": "2025-03-01",
                "end_date": "2025-03-02",
                "city": "Nashville",
                "state": "TN",
                "country": "USA",
            },
            {"start_date": "2025-04-05", "end_date": "2025-04-05", "city": "Memphis", "state": "TN", "country": "USA"},
            {"start_date": "2025-05-10", "end_date": "2025-05-11", "city": "Chicago", "state": "IL", "country": "USA"},
        ],
    }


def _accme(client, headers):  # type: ignore[no-untyped-def]
    return client.get("/accme/activities", headers=headers).json()["ACCMEActivities"]["MedicalEducationMetrics"]


def test_repeat_creates_one_activity_per_instance_and_again_nothing(client, setup):
    mine, _ = setup
    res = client.post(REPEAT, json=repeat_body(), headers=mine)
    assert res.status_code == 201, res.text
    answers = res.json()["activities"]
    assert [a["action"] for a in answers] == ["created"] * 3
    assert [a["provider_activity_id"] for a in answers] == ["GR-1", "GR-2", "GR-3"]
    assert len({a["activityId"] for a in answers}) == 3 and all(len(a["activityId"]) == 9 for a in answers)
    stored = {
        i["Lom"]["general"]["identifier"][1]["entry"]: i["healthcareMetadata"]["healthcareEducation"]
        for i in _accme(client, mine)
    }
    assert (
        stored["GR-2"]["startDateTime"] == "2025-04-05T00:00:00"
        and stored["GR-2"]["activityLocation"]["city"] == "Memphis"
    )
    assert (
        stored["GR-3"]["endDateTime"] == "2025-05-11T00:00:00"
        and stored["GR-3"]["activityLocation"]["stateOrProvince"] == "IL"
    )
    search = client.get(f"/api/v1/providers/{ACCME_ID}/activities?q=GR-", headers=mine).json()
    assert search["count"] == 3  # read your writes
    again = client.post(REPEAT, json=repeat_body(), headers=mine)
    assert [a["action"] for a in again.json()["activities"]] == ["unchanged"] * 3


def test_repeat_refuses_bad_input_naming_the_field(client, setup, system):
    mine, _ = setup
    head = system.store.head()
    no_instances = {**repeat_body(), "instances": []}
    res = client.post(REPEAT, json=no_instances, headers=mine)
    assert res.status_code == 422 and res.json()["errors"][0]["loc"] == ["body", "instances"]
    bad_date = repeat_body()
    bad_date["instances"][1]["end_date"] = "2025-13-01"
    res = client.post(REPEAT, json=bad_date, headers=mine)
    assert res.status_code == 422 and res.json()["errors"][0]["loc"] == ["body", "instances", "1", "end_date"]
    res = client.post(
        REPEAT, json={k: v for k, v in repeat_body().items() if k != "provider_activity_id"}, headers=mine
    )
    assert res.status_code == 422 and res.json()["errors"][0]["loc"] == ["body", "provider_activity_id"]
    res = client.post(REPEAT, content=b"{not json", headers={**mine, "content-type": "application/json"})
    assert res.status_code == 422
    assert system.store.head() == head
    # An instance that breaks a rule is refused by name; the others are saved.
    backwards = repeat_body("BW")
    backwards["instances"][2]["end_date"] = "2025-05-01"
    res = client.post(REPEAT, json=backwards, headers=mine)
    assert res.status_code == 422
    assert res.json()["errors"][0]["loc"] == ["body", "instances", "2", "end_date"]
    assert [a["action"] for a in res.json()["activities"]] == ["created", "created", "rejected"]


def test_repeat_and_bulk_close_need_a_token_and_the_providers_own(client, setup, system):
    _mine, theirs = setup
    assert client.post(REPEAT, json=repeat_body()).status_code == 401
    assert client.post(CLOSE, json={"activity_ids": ["123456789"]}).status_code == 401
    head = system.store.head()
    res = client.post(REPEAT, json=repeat_body("SECRET"), headers=theirs)
    assert res.status_code == 404 and "SECRET" not in res.text
    assert system.store.head() == head
    [created] = submit_items(system.activities, ACCME_ID, [item("MINE-1")], BY)
    res = client.post(CLOSE, json={"activity_ids": [created.activity_id]}, headers=theirs)
    assert res.status_code == 404 and created.activity_id not in res.text and "MINE-1" not in res.text
    assert system.store.head() == created.position
    # The other provider's own close route cannot reach this provider's activity either.
    res = client.post(
        f"/api/v1/providers/{OTHER_ID}/activities/close", json={"activity_ids": [created.activity_id]}, headers=theirs
    )
    assert res.status_code == 200
    assert res.json()["activities"][0]["action"] == "rejected" and res.json()["activities"][0]["status"] == 404
    assert "MINE-1" not in res.text and "Cardiology" not in res.text
    assert system.store.head() == created.position


def test_bulk_close_answers_per_activity(client, setup, system):
    mine, _ = setup
    results = submit_items(
        system.activities,
        ACCME_ID,
        [
            item("C-1"),
            item("C-2", **{XI + "closeActivityRecord": True}),
            item("C-3", **{XI + "MeasuredOutcomes": []}),
            item("C-4", **{HE + "startDateTime": "2099-01-01", HE + "endDateTime": "2099-01-02"}),
        ],
        BY,
    )
    [other] = submit_items(system.activities, OTHER_ID, [item("O-1")], BY)
    ids = [r.activity_id for r in results] + [other.activity_id, "999999999"]
    res = client.post(CLOSE, json={"activity_ids": ids}, headers=mine)
    assert res.status_code == 200, res.text
    answers = res.json()["activities"]
    assert [a["action"] for a in answers] == ["closed", "unchanged", "rejected", "rejected", "rejected", "rejected"]
    assert answers[2]["status"] == 409 and answers[2]["errors"][0]["loc"] == ["outcomes"]
    assert answers[3]["status"] == 409 and answers[3]["errors"][0]["loc"] == ["end_date"]
    assert answers[4]["status"] == 404 and answers[4]["errors"][0]["loc"] == ["body", "activity_ids", "4"]
    assert answers[5]["status"] == 404
    assert res.json()["counts"] == {"closed": 1, "unchanged": 1, "rejected": 4}
    closed = client.get(f"/api/v1/providers/{ACCME_ID}/activities?status=closed", headers=mine).json()
    assert {a["provider_activity_id"] for a in closed["data"]} == {"C-1", "C-2"}
    assert not system.activities.get_by_number(other.activity_id).closed


@pytest.mark.parametrize(
    "payload,loc",
    [
        ({"activity_ids": []}, ["body", "activity_ids"]),
        ({"activity_ids": ["12345"]}, ["body", "activity_ids", "0"]),
        ({"activity_ids": ["123456789", "abcdefghi"]}, ["body", "activity_ids", "1"]),
        ({}, ["body", "activity_ids"]),
    ],
)
def test_bulk_close_refuses_bad_input_naming_the_field(client, setup, payload, loc):
    mine, _ = setup
    res = client.post(CLOSE, json=payload, headers=mine)
    assert res.status_code == 422
    assert res.json()["errors"][0]["loc"] == loc


@pytest.mark.parametrize(
    ("template", "loc"),
    [
        ({}, ["body", "item", "Lom"]),
        ({"Lom": "x", "healthcareMetadata": {"healthcareEducation": {}}}, ["body", "item", "Lom"]),
        ({"Lom": {"general": {"title": "T"}}}, ["body", "item", "healthcareMetadata"]),
        (
            {"Lom": {"general": "x"}, "healthcareMetadata": {"healthcareEducation": {}}},
            ["body", "item", "Lom", "general"],
        ),
        (
            {"Lom": {"general": {}}, "healthcareMetadata": {"healthcareEducation": []}},
            ["body", "item", "healthcareMetadata", "healthcareEducation"],
        ),
        ({"Lom": {"general": {}}, "healthcareMetadata": "x"}, ["body", "item", "healthcareMetadata"]),
        (
            {**item("D"), "XtensibleInfo": {"activityRecordAction": "Delete"}},
            ["body", "item", "XtensibleInfo", "activityRecordAction"],
        ),
    ],
)
def test_a_malformed_repeat_template_is_a_422_naming_its_path(client, setup, system, template, loc):
    mine, _ = setup
    head = system.store.head()
    body = {
        "provider_activity_id": "R1",
        "item": template,
        "instances": [{"start_date": "2026-01-01", "end_date": "2026-01-02"}],
    }
    res = client.post(REPEAT, json=body, headers=mine)
    assert res.status_code == 422, res.text
    assert res.headers["content-type"].startswith("application/problem+json")
    assert loc in [e["loc"] for e in res.json()["errors"]]
    assert system.store.head() == head


def test_a_repeat_template_without_title_names_each_instance_and_stores_nothing(client, setup, system):
    mine, _ = setup
    head = system.store.head()
    body = {
        "provider_activity_id": "R1",
        "item": {"Lom": {"general": {}}, "healthcareMetadata": {"healthcareEducation": {"activityFormat": "Course"}}},
        "instances": [
            {"start_date": "2026-01-01", "end_date": "2026-01-02"},
            {"start_date": "2026-01-03", "end_date": "2026-01-02"},
        ],
    }
    res = client.post(REPEAT, json=body, headers=mine)
    assert res.status_code == 422, res.text
    locs = [e["loc"] for e in res.json()["errors"]]
    assert ["body", "item", "Lom", "general", "title"] in locs
    assert system.store.head() == head
