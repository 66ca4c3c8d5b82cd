"""The public CME Passport catalog: flagged activities only, of every provider, searchable and paged; no token."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient

from adapters.bootstrap import System
from adapters.formats.accme.activities import submit_items
from tests.activities.helpers import ACCME_ID, HE, OTHER_ID, XI, item, register
from tests.completions.helpers import BY

URL = "/api/v1/passport/catalog"


def test_lists_flagged_activities_of_every_provider(system: System, client: TestClient) -> None:
    register(system)
    register(system, OTHER_ID)
    soon = date.today() + timedelta(days=30)
    upcoming = {
        HE + "startDateTime": soon.isoformat(),
        HE + "endDateTime": soon.isoformat(),
        "ReportDescription": {"ReportingStartDate": soon.isoformat(), "ReportingEndDate": soon.isoformat()},
    }
    moc = {
        XI + "MOCRegistrations": {"MOCRegistration": [{"boardName": "ABIM", "mocPoints": 6, "MOCCreditType": ["MK"]}]}
    }
    submit_items(
        system.activities,
        ACCME_ID,
        [item("A-1", **moc), item("A-2", **{XI + "ForPublicList": False}), item("A-3", **upcoming)],
        BY,
    )
    submit_items(system.activities, OTHER_ID, [item("B-1"), item("B-2", **{XI + "activityRecordAction": "Add"})], BY)
    submit_items(system.activities, OTHER_ID, [item("B-2", **{XI + "activityRecordAction": "Delete"})], BY)
    system.projections.wait(system.store.head())

    current = client.get(URL)  # no token needed
    assert current.status_code == 200, current.text
    assert [d["title"] for d in current.json()["data"]] == ["Cardiology update A-3"]  # the only one not yet over

    everything = client.get(URL, params={"past": True}).json()
    assert everything["count"] == 3
    assert {d["title"] for d in everything["data"]} == {
        "Cardiology update A-1",
        "Cardiology update A-3",
        "Cardiology update B-1",
    }
    first = next(d for d in everything["data"] if d["title"].endswith("A-1"))
    assert first["provider"] == {"accme_id": ACCME_ID, "name": f"CME {ACCME_ID}"}
    assert (first["start_date"], first["end_date"], first["format"], first["credits"], first["moc_boards"]) == (
        "2025-03-01",
        "2025-03-02",
        "Course",
        6.25,
        ["ABIM"],
    )

    assert [d["title"] for d in client.get(URL, params={"past": True, "q": "update b-1"}).json()["data"]] == [
        "Cardiology update B-1"
    ]
    assert client.get(URL, params={"past": True, "page": 2}).json()["data"] == []
    assert client.get(URL, params={"page": 0}).status_code == 422
