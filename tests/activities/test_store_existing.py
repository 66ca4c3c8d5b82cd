"""ParsStore.existing: which aggregates are stored, in one query per 500 ids (the registry's prefetch)."""

from __future__ import annotations

import uuid

from domain.activity import Activity, ActivityNumber
from tests.activities.helpers import ACCME_ID, BY, item, register


def test_existing_finds_stored_aggregates_only_on_each_backend(any_system):
    register(any_system)
    [created] = any_system.activities.submit_accme_activities(ACCME_ID, [item("E-1")], BY)
    stored = {Activity.create_id(ACCME_ID, "E-1"), ActivityNumber.create_id(created.activity_id)}
    missing = {Activity.create_id(ACCME_ID, f"X-{n}") for n in range(1200)} | {uuid.uuid4()}
    assert any_system.store.existing([*missing, *stored, *stored]) == stored
    assert any_system.store.existing([]) == set()


def test_a_submission_mixing_new_and_stored_activities_reads_each_stored_one(any_system):
    register(any_system)
    any_system.activities.submit_accme_activities(ACCME_ID, [item("M-1"), item("M-2")], BY)
    results = any_system.activities.submit_accme_activities(
        ACCME_ID, [item("M-1"), item("M-3"), item("M-2", Lom__general__title="Renamed")], BY
    )
    assert [r.action for r in results] == ["unchanged", "created", "updated"]
    assert len({r.activity_id for r in results}) == 3


def test_a_taken_first_choice_number_falls_through_to_the_next_candidate(any_system):
    from domain.activity import activity_number_candidate

    register(any_system)
    first = activity_number_candidate(ACCME_ID, "K-1", 0)
    squatter = ActivityNumber(
        accme_id="0005555", number=first, activity_id=str(uuid.uuid4()), actor="test", channel="system"
    )
    any_system.store.save(squatter)
    [result] = any_system.activities.submit_accme_activities(ACCME_ID, [item("K-1")], BY)
    assert result.action == "created" and result.activity_id == activity_number_candidate(ACCME_ID, "K-1", 1)
