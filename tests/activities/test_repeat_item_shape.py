"""A repeat activity's item that lacks, or mistypes, the parts each instance is built from is a 422 naming
the part, never a 500 (found by the schemathesis contract run: an item without `Lom`)."""

from __future__ import annotations

import pytest

from tests.activities.helpers import ACCME_ID, item, register
from tests.http.helpers import assert_problem

REPEAT = f"/api/v1/providers/{ACCME_ID}/activities/repeat"
INSTANCES = [{"start_date": "2025-03-01", "end_date": "2025-03-02"}]


@pytest.mark.parametrize(
    ("item_of", "loc"),
    [
        (dict, ["body", "item", "Lom"]),
        (lambda: {**item("R"), "Lom": []}, ["body", "item", "Lom"]),
        (lambda: {**item("R"), "Lom": {"general": "x"}}, ["body", "item", "Lom", "general"]),
        (
            lambda: {k: v for k, v in item("R").items() if k != "healthcareMetadata"},
            ["body", "item", "healthcareMetadata"],
        ),
        (
            lambda: {**item("R"), "healthcareMetadata": {"healthcareEducation": 7}},
            ["body", "item", "healthcareMetadata", "healthcareEducation"],
        ),
    ],
)
def test_an_item_without_the_parts_of_an_activity_is_refused_by_name(client, token, system, item_of, loc) -> None:  # type: ignore[no-untyped-def]
    register(system)
    head = system.store.head()
    r = client.post(
        REPEAT,
        json={"provider_activity_id": "R", "item": item_of(), "instances": INSTANCES},
        headers=token("provider", provider=ACCME_ID),
    )
    body = assert_problem(r, 422)
    assert body["errors"][0]["loc"] == loc
    assert system.store.head() == head
