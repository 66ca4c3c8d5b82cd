"""ACCME's November 2021 migration as upcasters: version-1 activity events, stored as they were, load as current ones."""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent
from hypothesis import given
from hypothesis import strategies as st

from adapters.formats.accme.activities import activity_item, submit_items
from domain.activity import ENDURING, FORMATS, OLD_FORMATS, Activity, check_rules
from services.activities import ActivityRegistry
from tests.activities.helpers import BY, register

FIXTURE = Path(__file__).parent / "fixtures" / "activity_events_v1.json"
LEGACY = "0003333"


def load_fixture(system: Any) -> None:
    """Writes the version-1 events through the store's own recorder, byte for byte as they were stored."""
    events = json.loads(FIXTURE.read_text())["events"]
    system.store.recorder.insert_events(
        [
            StoredEvent(
                originator_id=uuid.UUID(e["originator_id"]),
                originator_version=e["originator_version"],
                topic=e["topic"],
                state=json.dumps(e["state"], separators=(",", ":")).encode(),
            )
            for e in events
        ]
    )


def legacy(system: Any, pid: str) -> Activity:
    return system.store.repository.get(Activity.create_id(LEGACY, pid))


def test_version_1_events_load_as_current_events_on_each_backend(any_system):
    load_fixture(any_system)
    course = legacy(any_system, "LEG-C-2019")
    assert course.data["description"] == "Heart failure symposium"  # filled from the title
    assert course.data["format"] == "Course"  # "C" renamed
    assert course.data["end_date"] == "2019-10-04"  # assigned: a course without an end date ended when it started
    assert course.data["outcomes"] == [{"outcome": "Learner Competence", "measurement_types": []}]
    assert course.data["for_public_list"] is True  # MOC-registered: listed on CME Passport
    for dropped in ("reporting_year", "hours_of_instruction", "competencies"):
        assert dropped not in course.data and not hasattr(course, dropped)

    enduring = legacy(any_system, "LEG-IEM-2020")
    assert enduring.data["format"] == ENDURING and enduring.data["delivery_methods"] == ["Online"]
    assert enduring.data["end_date"] == "2020-12-31"
    assert enduring.data["in_kind_support"] == [{"source": "SimCo"}]  # the in-kind type is gone
    assert enduring.data["outcomes"] == [{"outcome": "Learner Performance", "measurement_types": []}]
    assert enduring.data["for_public_list"] is False

    series = legacy(any_system, "LEG-RSS-2020")
    assert series.closed and series.version == 3
    assert series.data["learners"] == {"physician": 1040, "other": 310}  # the version-1 revision, upcast too
    assert series.data["outcomes"] == [{"outcome": "Patient Health", "measurement_types": []}]
    assert series.data["for_public_list"] is True  # REMS
    for activity in (course, enduring, series):
        check_rules(activity.data)


def test_upcast_activities_are_found_resubmitted_unchanged_and_projected(any_system):
    load_fixture(any_system)
    register(any_system, LEGACY)
    registry = ActivityRegistry(any_system.store, today=lambda: date(2026, 6, 1))
    series = registry.get_by_number("300000003", LEGACY)
    assert series.provider_activity_id == "LEG-RSS-2020"
    head = any_system.store.head()
    results = submit_items(registry, LEGACY, [activity_item(series)], BY)
    assert [r.action for r in results] == ["unchanged"]
    assert any_system.store.head() == head
    any_system.projections.catch_up(["activity_summary"])
    rows, total = any_system.reads.activities.search(
        LEGACY,
        year=2020,
        fmt=None,
        status=None,
        q=None,
        moc=None,
        rems=None,
        mips=None,
        today=date(2026, 6, 1),
        limit=10,
        offset=0,
    )
    assert total == 2 and {r["provider_activity_id"] for r in rows} == {"LEG-IEM-2020", "LEG-RSS-2020"}


old_events = st.fixed_dictionaries(
    {
        "reporting_year": st.integers(2010, 2021),
        "title": st.text(min_size=1, max_size=40).filter(str.strip),
        "activity_type": st.sampled_from(sorted(OLD_FORMATS) + list(FORMATS)),
        "start_date": st.dates(date(2010, 1, 1), date(2021, 10, 31)).map(date.isoformat),
        "hours_of_instruction": st.floats(0, 100),
        "competencies": st.lists(st.sampled_from(["Patient Care", "Professionalism", "Values/Ethics"])),
        "evaluation": st.fixed_dictionaries(
            {},
            optional={
                "competence_evaluated": st.booleans(),
                "performance_evaluated": st.booleans(),
                "patient_outcomes_evaluated": st.booleans(),
            },
        ),
    },
    optional={
        "description": st.text(max_size=100),
        "in_kind_support": st.lists(
            st.fixed_dictionaries({"source": st.text(max_size=10), "type": st.text(max_size=10)})
        ),
        "moc": st.just([{"board": "ABIM", "points": 1, "credit_types": ["MK"], "claim_date": "2021-12-31"}]),
        "mips": st.booleans(),
        "rems": st.just({"type": "Opioid Analgesic", "identifier": None}),
    },
)


@given(old_events)
def test_every_version_1_event_upcasts_to_a_valid_current_one(state):
    state = {**state, "start_date": f"{state['reporting_year']}{state['start_date'][4:]}".replace("-02-29", "-02-28")}
    original = dict(state)
    Activity.Registered.upcast_v1_v2(state)
    data = state["data"]
    check_rules(data)  # a migrated activity obeys today's rules
    assert data["format"] in FORMATS
    assert data["description"] == ((original.get("description") or "") or original["title"])
    assert data["end_date"] >= data["start_date"]
    assert data["for_public_list"] == bool(original.get("moc") or original.get("rems") or original.get("mips"))
    assert all(set(s) == {"source"} for s in data["in_kind_support"])
    evaluated = [k for k, v in original["evaluation"].items() if v]
    assert len(data["outcomes"]) == len(evaluated)
    assert not {"reporting_year", "hours_of_instruction", "competencies", "evaluation", "activity_type"} & set(state)


@given(old_events)
def test_upcasting_is_deterministic(state):
    state = {**state, "start_date": f"{state['reporting_year']}{state['start_date'][4:]}".replace("-02-29", "-02-28")}
    a, b = dict(state), json.loads(json.dumps(state))
    Activity.Registered.upcast_v1_v2(a)
    Activity.Revised.upcast_v1_v2(b)
    assert a["data"] == b["data"]
