"""Activities for the annual tests, made with the activity aggregate itself and saved to the one log."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from adapters.bootstrap import System
from domain.activity import Activity
from domain.base import Acting, Channel

BY = Acting("provider:test:t", Channel.WEB)


def complete_data(title: str, start: str, end: str, fmt: str = "Course", **extra: Any) -> dict[str, Any]:
    """An activity's data with everything closing needs."""
    return {
        "title": title,
        "description": title,
        "format": fmt,
        "start_date": start,
        "end_date": end,
        "delivery_methods": ["Online"],
        "credits": 1.0,
        "for_public_list": False,
        "sponsorship": "direct",
        "outcomes": [{"outcome": "Learner Knowledge", "measurement_types": []}],
        "commercial_support": False,
        "learners": {"physician": 3, "other": 2},
        **extra,
    }


def add_activity(system: System, accme_id: str, key: str, data: dict[str, Any]) -> Activity:
    number = f"{uuid.uuid5(uuid.NAMESPACE_URL, accme_id + '/' + key).int % 900000000 + 100000000:09d}"
    activity = Activity.register(accme_id, key, number, data, BY)
    system.store.save(activity)
    return activity


def change(system: System, accme_id: str, key: str, act: Any) -> Activity:
    """Loads the activity, applies `act(activity)`, saves."""
    activity: Activity = system.store.repository.get(Activity.create_id(accme_id, key))
    act(activity)
    system.store.save(activity)
    return activity


def close(system: System, accme_id: str, key: str, today: date = date(2026, 1, 15)) -> Activity:
    return change(system, accme_id, key, lambda a: a.close(today, BY))
