"""The activity routes over HTTP: ACCME web service, search and dashboard; tokens, tenants and bad input."""

from __future__ import annotations

import pytest

from tests.activities.helpers import ACCME_ID, HE, OTHER_ID, XI, item, register


def body(*items):  # type: ignore[no-untyped-def]
    return {"ACCMEActivities": {"MedicalEducationMetrics": list(items)}}


@pytest.fixture
def setup(system, client, token):  # type: ignore[no-untyped-def]
    register(system)
    register(system, OTHER_ID)
    system.projections.wait(system.store.head(), timeout=10)  # the profiles decide who may read
    return token("provider", provider=ACCME_ID), token("provider", provider=OTHER_ID)


def test_post_answers_201_with_nine_digit_ids_and_again_unchanged(client, setup):
    mine, _ = setup
    payload = body(item("W-1"), item("W-2", **{XI + "closeActivityRecord": True}))
    first = client.post("/accme/activities", json=payload, headers=mine)
    assert first.status_code == 201, first.text
    ids = [a["activityId"] for a in first.json()["activities"]]
    assert all(len(i) == 9 and i.isdigit() for i in ids)
    assert [a["action"] for a in first.json()["activities"]] == ["created", "closed"]
    again = client.post("/accme/activities", json=payload, headers=mine)
    assert [a["action"] for a in again.json()["activities"]] == ["unchanged", "unchanged"]


def test_post_with_a_bad_activity_is_422_naming_the_json_path_and_stores_the_good_one(client, setup):
    mine, _ = setup
    bad = item("W-4", **{HE + "endDateTime": "2025-01-01"})
    res = client.post("/accme/activities", json=body(item("W-3"), bad), headers=mine)
    assert res.status_code == 422
    assert res.headers["content-type"].startswith("application/problem+json")
    assert res.json()["errors"][0]["loc"] == [
        "body",
        "ACCMEActivities",
        "MedicalEducationMetrics",
        1,
        "healthcareMetadata",
        "healthcareEducation",
        "endDateTime",
    ]
    assert res.json()["activities"][0]["action"] == "created"
    got = client.get("/accme/activities?providerActivityId=W-3", headers=mine).json()
    assert len(got["ACCMEActivities"]["MedicalEducationMetrics"]) == 1


@pytest.mark.parametrize(
    "payload,loc",
    [
        ({}, ["body", "ACCMEActivities"]),
        ({"ACCMEActivities": {"MedicalEducationMetrics": []}}, ["body", "ACCMEActivities", "MedicalEducationMetrics"]),
        ([1, 2], ["body", "ACCMEActivities"]),
    ],
)
def test_malformed_bodies_are_422(client, setup, payload, loc):
    mine, _ = setup
    res = client.post("/accme/activities", json=payload, headers=mine)
    assert res.status_code == 422 and res.json()["errors"][0]["loc"] == loc


def test_not_json_is_a_4xx_not_a_5xx(client, setup):
    mine, _ = setup
    res = client.post("/accme/activities", content=b"<xml/>", headers={**mine, "content-type": "application/json"})
    assert 400 <= res.status_code < 500


def test_no_token_is_401(client, setup):
    assert client.post("/accme/activities", json=body(item())).status_code == 401
    assert client.get("/accme/activities").status_code == 401
    assert client.get("/accme/activities/123456789").status_code == 401
    assert client.get(f"/api/v1/providers/{ACCME_ID}/activities").status_code == 401
    assert client.get(f"/api/v1/providers/{ACCME_ID}/dashboard").status_code == 401


def test_another_provider_sees_nothing_of_this_one(client, setup):
    mine, theirs = setup
    created = client.post("/accme/activities", json=body(item("SECRET-1")), headers=mine).json()
    number = created["activities"][0]["activityId"]
    res = client.get(f"/accme/activities/{number}", headers=theirs)
    assert res.status_code == 404 and "SECRET" not in res.text and "Cardiology" not in res.text
    assert client.get("/accme/activities", headers=theirs).json()["ACCMEActivities"]["MedicalEducationMetrics"] == []
    for path in (f"/api/v1/providers/{ACCME_ID}/activities", f"/api/v1/providers/{ACCME_ID}/dashboard"):
        res = client.get(path, headers=theirs)
        assert res.status_code in (403, 404) and "SECRET" not in res.text
    spoof = item("X-1", **{XI + "ProviderID": ACCME_ID})
    res = client.post("/accme/activities", json=body(spoof), headers=theirs)
    assert res.status_code == 422 and res.json()["errors"][0]["loc"][-2:] == ["XtensibleInfo", "ProviderID"]


def test_get_by_id_and_filters_return_the_accme_shape(client, setup):
    mine, _ = setup
    client.post(
        "/accme/activities",
        json=body(
            item("Y-1"),
            item(
                "Y-2",
                **{
                    HE + "activityFormat": "Enduring Material",
                    HE + "activityLocation": None,
                    XI + "DeliveryMethods": {"DeliveryMethod": ["Online"]},
                },
            ),
        ),
        headers=mine,
    )
    everything = client.get("/accme/activities", headers=mine).json()["ACCMEActivities"]["MedicalEducationMetrics"]
    assert len(everything) == 2
    enduring = client.get("/accme/activities?activityTypeName=EM", headers=mine).json()["ACCMEActivities"][
        "MedicalEducationMetrics"
    ]
    assert [i["Lom"]["general"]["identifier"][1]["entry"] for i in enduring] == ["Y-2"]
    dated = client.get("/accme/activities?activityStartDate=2025-03-01", headers=mine).json()["ACCMEActivities"][
        "MedicalEducationMetrics"
    ]
    assert len(dated) == 2
    number = everything[0]["Lom"]["general"]["identifier"][0]["entry"]
    one = client.get(f"/accme/activities/{number}", headers=mine)
    assert (
        one.status_code == 200
        and one.json()["ACCMEActivities"]["MedicalEducationMetrics"][0]["Lom"]["general"]["title"]
        == "Cardiology update Y-1"
    )
    assert client.get("/accme/activities?activityTypeName=Webinar", headers=mine).status_code == 422
    assert client.get("/accme/activities/12", headers=mine).status_code == 404


def test_search_and_dashboard_from_the_projection(client, setup, token):
    mine, _ = setup
    client.post(
        "/accme/activities",
        json=body(
            item("Z-1", **{XI + "closeActivityRecord": True}),
            item(
                "Z-2",
                **{
                    "Lom__general__title": "Opioid prescribing",
                    XI + "REMS": {"REMSType": "Opioid Analgesic"},
                    XI + "MOCRegistrations": {
                        "MOCRegistration": [
                            {
                                "boardName": "ABIM",
                                "mocPoints": 2,
                                "MOCCreditType": ["MK"],
                                "CreditClaimDate": "2025-12-31",
                            }
                        ]
                    },
                    HE + "commercialSupport": True,
                    "ActivityDescription": {
                        "commercialSupportAmount": [{"currency": "USD", "supportSource": "Acme", "value": 2500}]
                    },
                },
            ),
            item("Z-3", **{XI + "ForPublicList": None}),
        ),
        headers=mine,
    )
    url = f"/api/v1/providers/{ACCME_ID}/activities"
    assert client.get(url, headers=mine).json()["count"] == 3
    assert [a["provider_activity_id"] for a in client.get(url + "?q=opioid", headers=mine).json()["data"]] == ["Z-2"]
    assert client.get(url + "?moc=ABIM&rems=true", headers=mine).json()["count"] == 1
    assert client.get(url + "?status=closed", headers=mine).json()["data"][0]["provider_activity_id"] == "Z-1"
    assert client.get(url + "?status=draft", headers=mine).json()["data"][0]["provider_activity_id"] == "Z-3"
    assert client.get(url + "?year=2024", headers=mine).json()["count"] == 0
    assert client.get(url + "?format=C", headers=mine).json()["count"] == 3
    assert client.get(url + "?status=open", headers=mine).status_code == 422
    dash = client.get(f"/api/v1/providers/{ACCME_ID}/dashboard?year=2025", headers=mine).json()
    assert dash["activities"]["total"] == 3
    assert dash["activities"]["by_status"]["closed"] == 1 and dash["activities"]["by_status"]["draft"] == 1
    assert dash["activities"]["by_format"] == {"Course": 3}
    assert dash["learners"] == {"physicians": 360, "other_learners": 90}
    assert dash["commercial_support"]["monetary_total"] == 2500
    assert "completions_reported" in dash and "checklist" in dash
    accreditor = client.get(f"/api/v1/providers/{ACCME_ID}/dashboard?year=2025", headers=token("accreditor"))
    assert accreditor.status_code == 200


def test_web_form_close_correct_and_enduring_counts(client, setup, token):
    mine, theirs = setup
    created = client.post(
        "/accme/activities",
        json=body(
            item("V-1", **{XI + "MeasuredOutcomes": []}),
            item(
                "V-2",
                **{
                    HE + "activityFormat": "Enduring Material",
                    HE + "startDateTime": "2024-05-01",
                    HE + "endDateTime": "2026-04-30",
                    HE + "activityLocation": None,
                    XI + "DeliveryMethods": {"DeliveryMethod": ["Online"]},
                },
            ),
        ),
        headers=mine,
    ).json()["activities"]
    course, enduring = created[0]["activityId"], created[1]["activityId"]
    base = f"/api/v1/providers/{ACCME_ID}/activities"
    refused = client.post(f"{base}/{course}/close", headers=mine)
    assert refused.status_code == 409 and refused.json()["errors"][0]["loc"] == ["outcomes"]
    assert client.post(f"{base}/{course}/close", headers=theirs).status_code in (403, 404)
    fixed = client.put(f"{base}/{course}", json={"item": item("V-1")}, headers=mine)
    assert fixed.status_code == 200, fixed.text
    closed = client.post(f"{base}/{course}/close", headers=mine)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    no_reason = client.put(
        f"{base}/{course}", json={"item": item("V-1", Lom__general__title="Typo fixed")}, headers=mine
    )
    assert no_reason.status_code == 409 and no_reason.json()["errors"][0]["loc"] == ["body", "reason"]
    corrected = client.put(
        f"{base}/{course}",
        json={"item": item("V-1", Lom__general__title="Typo fixed"), "reason": "title typo"},
        headers=mine,
    )
    assert corrected.status_code == 200 and corrected.json()["title"] == "Typo fixed"
    bad = client.put(
        f"{base}/{course}",
        json={"item": item("V-1", **{HE + "endDateTime": "2020-01-01"}), "reason": "x"},
        headers=mine,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"][-1] == "endDateTime"
    counts = client.put(f"{base}/{enduring}/learner-counts/2025", json={"physician": 500, "other": 40}, headers=mine)
    assert counts.status_code == 200 and counts.json()["physician_learners"] == 500
    outside = client.put(f"{base}/{enduring}/learner-counts/2030", json={"physician": 600, "other": 40}, headers=mine)
    assert outside.status_code == 422
    assert (
        client.put(
            f"{base}/{enduring}/learner-counts/2025", json={"physician": -1, "other": 0}, headers=mine
        ).status_code
        == 422
    )
