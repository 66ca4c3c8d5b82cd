"""`event_data` and `to_jsonable` (projections/base.py): the fast paths for plain values and exact dicts and lists
give what the general walk gives."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from domain.base import Channel
from domain.completion import Completion
from projections.base import event_data, to_jsonable


def reference(value: Any) -> Any:
    """The general walk, one isinstance test after another, as to_jsonable was written before its fast paths."""
    if isinstance(value, dict):
        return {str(k): reference(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [reference(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    if isinstance(value, Channel):
        return value.value
    return value


def test_nested_values_come_out_as_the_general_walk_gives_them() -> None:
    value = {
        "a": [1, 2.5, None, True, "x", {"d": date(2026, 3, 1), 7: uuid.UUID(int=5)}],
        3: (Decimal("1.5"), Channel.WEB, [datetime(2026, 1, 2, 3, 4, tzinfo=UTC)]),
        "o": OrderedDict([("k", date(2026, 1, 1))]),
    }
    assert to_jsonable(value) == reference(value)
    assert list(to_jsonable(value)) == ["a", "3", "o"]


def test_a_completions_data_is_its_own_fields_as_json() -> None:
    completion = Completion._create(
        Completion.Recorded,
        id=uuid.uuid4(),
        accme_id="0001234",
        learner_id="L1",
        activity_id="123456789",
        activity_title="Title",
        completion_date=date(2026, 3, 1),
        cme=[{"type": "AMA PRA Category 1", "credits": 1.0}],
        moc=[{"board": "ABIM", "type": "ABIM MOC", "credits": 2.0}],
        credit_id="ccid:a:b",
        late=False,
        consent=True,
        rems={"profession": "MD", "when": date(2026, 2, 1)},
        actor="cli:test",
        channel="cli",
    )
    recorded = completion.pending_events[0]
    assert event_data(recorded) == {
        "learner_id": "L1",
        "activity_id": "123456789",
        "activity_title": "Title",
        "completion_date": "2026-03-01",
        "cme": [{"type": "AMA PRA Category 1", "credits": 1.0}],
        "moc": [{"board": "ABIM", "type": "ABIM MOC", "credits": 2.0}],
        "credit_id": "ccid:a:b",
        "late": False,
        "consent": True,
        "rems": {"profession": "MD", "when": "2026-02-01"},
    }
    # an event stored before one of its fields existed reads that field from the class, as getattr does
    del recorded.__dict__["rems"]
    Completion.Recorded.rems = None  # type: ignore[attr-defined,misc]
    try:
        assert event_data(recorded)["rems"] is None
    finally:
        del Completion.Recorded.rems  # type: ignore[attr-defined,misc]
