"""Upcast (version-1) activities, stored before catalogs existed, are exported and listed like any other.

The registry finds them through the activity summary read model and catalogues them on first touch:
one `ActivitiesAdded` recorded with channel system, never repeated.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from adapters.app import create_app
from adapters.batch.importer import export_activities, import_activity_file
from adapters.formats.accme.activities import submit_items
from adapters.tokens import issue_token
from domain.activity import ActivityCatalog
from domain.base import Acting, Channel
from tests.activities.helpers import BY, item, register
from tests.activities.test_upcasting import LEGACY, load_fixture

NUMBERS = {"300000001", "300000002", "300000003"}


def _catalog_events(system: Any) -> list[Any]:
    return list(system.store.events.get(ActivityCatalog.create_id(LEGACY)))


def _legacy(system: Any) -> None:
    load_fixture(system)
    register(system, LEGACY)
    # Every read model: the HTTP routes below find the provider through its profile.
    system.projections.catch_up()


def test_export_and_get_find_upcast_activities_on_each_backend(any_system):
    _legacy(any_system)
    assert _catalog_events(any_system) == []  # version-1 activities are in no catalog
    items = any_system.accme_activities.export_accme_activities(LEGACY)
    numbers = {i["Lom"]["general"]["identifier"][0]["entry"] for i in items}
    assert numbers == NUMBERS
    events = _catalog_events(any_system)
    assert [type(e).__name__ for e in events] == ["Started", "ActivitiesAdded"]
    assert {e.channel for e in events} == {"system"}
    assert len(events[1].activity_ids) == 3

    # Idempotent: a second export adds nothing.
    head = any_system.store.head()
    assert len(any_system.accme_activities.export_accme_activities(LEGACY)) == 3
    assert any_system.store.head() == head

    headers = {"Authorization": f"Bearer {issue_token(any_system.secret, 'provider', provider=LEGACY)}"}
    with TestClient(create_app(any_system), raise_server_exceptions=False) as client:
        listed = client.get("/accme/activities", headers=headers)
        assert listed.status_code == 200, listed.text
        got = listed.json()["ACCMEActivities"]["MedicalEducationMetrics"]
        assert {i["Lom"]["general"]["identifier"][0]["entry"] for i in got} == NUMBERS
        one = client.get("/accme/activities?providerActivityId=LEG-RSS-2020", headers=headers).json()
        [series] = one["ACCMEActivities"]["MedicalEducationMetrics"]
        assert series["XtensibleInfo"]["closeActivityRecord"] is True
        exported = client.get(f"/api/v1/providers/{LEGACY}/activities/export?format=json", headers=headers)
        assert exported.status_code == 200
        assert len(json.loads(exported.content)["ACCMEActivities"]["MedicalEducationMetrics"]) == 3
    assert any_system.store.head() == head


def test_get_lists_upcast_activities_before_any_export_and_import_back_changes_nothing(any_system):
    _legacy(any_system)
    headers = {"Authorization": f"Bearer {issue_token(any_system.secret, 'provider', provider=LEGACY)}"}
    with TestClient(create_app(any_system), raise_server_exceptions=False) as client:
        res = client.get("/accme/activities?activityTypeName=Enduring Material", headers=headers)
        got = res.json()["ACCMEActivities"]["MedicalEducationMetrics"]
        assert [i["Lom"]["general"]["identifier"][1]["entry"] for i in got] == ["LEG-IEM-2020"]
    for fmt in ("json", "tab"):
        data = export_activities(any_system.accme_activities, LEGACY, fmt)
        head = any_system.store.head()
        report = import_activity_file(
            any_system.accme_activities, LEGACY, data, None, Acting("cli:tester", Channel.BATCH)
        )
        assert report.counts.get("unchanged") == 3, report.as_dict()
        assert any_system.store.head() == head


def test_new_submissions_after_the_backfill_keep_one_catalog(any_system):
    _legacy(any_system)
    results = submit_items(any_system.activities, LEGACY, [item("NEW-1")], BY)
    assert [r.action for r in results] == ["created"]
    any_system.projections.catch_up(["activity_summary"])
    listed = any_system.activities.list(LEGACY)
    assert {a.provider_activity_id for a in listed} == {"LEG-C-2019", "LEG-IEM-2020", "LEG-RSS-2020", "NEW-1"}
    assert next(a.provider_activity_id for a in listed) == "NEW-1"  # catalogued first, listed first
