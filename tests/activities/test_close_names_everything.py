"""Closing names everything missing at once, on every channel (API, bulk close, batch, page), and the
activity's page and `GET .../activities/{id}` show what it still needs to close."""

from __future__ import annotations

import pytest

from adapters import batch
from adapters.batch.importer import import_activity_file
from adapters.formats.accme.activities import submit_items
from domain.base import Acting, Channel
from tests.activities.helpers import ACCME_ID, BY, HE, OTHER_ID, XI, item, register

BASE = f"/api/v1/providers/{ACCME_ID}/activities"
#: An activity lacking four things closing needs: outcomes, the commercial support answer, both learner totals.
LACKING = {XI + "MeasuredOutcomes": None, HE + "commercialSupport": None, "ParticipationMetrics": None}
MISSING_LOCS = [["outcomes"], ["commercial_support"], ["learners", "physician"], ["learners", "other"]]


@pytest.fixture
def setup(system, token):  # type: ignore[no-untyped-def]
    register(system)
    register(system, OTHER_ID)
    [made] = submit_items(system.activities, ACCME_ID, [item("L-1", **LACKING)], BY)
    system.projections.wait(system.store.head())
    return token("provider", provider=ACCME_ID), made.activity_id


def test_the_close_route_names_every_missing_item_at_once(client, setup):
    headers, number = setup
    res = client.post(f"{BASE}/{number}/close", headers=headers)
    assert res.status_code == 409 and res.headers["content-type"].startswith("application/problem+json")
    assert [e["loc"] for e in res.json()["errors"]] == MISSING_LOCS
    shown = client.get(f"{BASE}/{number}", headers=headers).json()
    assert shown["status"] == "ready_to_close" and [e["loc"] for e in shown["missing_to_close"]] == MISSING_LOCS
    assert shown["missing_to_close"] == res.json()["errors"]
    found = client.get(f"{BASE}?q=L-1", headers=headers).json()["data"][0]
    assert found["missing_to_close"] == shown["missing_to_close"] and "close_gaps" not in found


def test_bulk_close_lists_every_missing_item_of_each_activity(client, setup, system):
    headers, number = setup
    [done] = submit_items(system.activities, ACCME_ID, [item("L-2")], BY)
    system.projections.wait(system.store.head())
    res = client.post(f"{BASE}/close", json={"activity_ids": [number, done.activity_id]}, headers=headers)
    answers = {a["activityId"]: a for a in res.json()["activities"]}
    assert [e["loc"] for e in answers[number]["errors"]] == MISSING_LOCS
    assert answers[done.activity_id]["action"] == "closed"
    assert client.get(f"{BASE}/{done.activity_id}", headers=headers).json()["missing_to_close"] == []


def test_an_activity_not_yet_ended_says_so_beside_what_else_it_lacks(client, setup, system):
    headers, _ = setup
    future = item("L-3", **LACKING, **{HE + "startDateTime": "2099-01-01", HE + "endDateTime": "2099-01-02"})
    [made] = submit_items(system.activities, ACCME_ID, [future], BY)
    system.projections.wait(system.store.head())
    res = client.post(f"{BASE}/{made.activity_id}/close", headers=headers)
    assert [e["loc"] for e in res.json()["errors"]] == [["end_date"], *MISSING_LOCS]
    assert [e["loc"] for e in client.get(f"{BASE}/{made.activity_id}", headers=headers).json()["missing_to_close"]] == [
        ["end_date"],
        *MISSING_LOCS,
    ]


@pytest.mark.parametrize("fmt", ["json", "tab"])
def test_a_batch_close_reports_every_missing_field_of_the_row(system, fmt):
    register(system)
    closing = item("L-4", **LACKING, **{XI + "closeActivityRecord": True})
    report = import_activity_file(
        system.accme_activities,
        ACCME_ID,
        batch.render(fmt, [closing]),
        None,
        Acting("provider:0004444:b", Channel.BATCH),
    )
    assert report.counts["rejected"] == 1 and len(report.errors) == 4
    assert len({e["row"] for e in report.errors}) == 1


def test_a_refused_correction_of_a_closed_activity_names_every_gap(client, setup, system):
    headers, _ = setup
    [closed] = submit_items(system.activities, ACCME_ID, [item("L-5", **{XI + "closeActivityRecord": True})], BY)
    res = client.put(
        f"{BASE}/{closed.activity_id}", json={"item": item("L-5", **LACKING), "reason": "oops"}, headers=headers
    )
    assert res.status_code == 409 and len(res.json()["errors"]) == 4
    assert all(e["loc"][:2] == ["body", "item"] for e in res.json()["errors"])
