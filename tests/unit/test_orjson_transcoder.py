"""The orjson transcoder writes and reads the library's JSON format: either transcoder reads what the other wrote."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError

from adapters.db.orjson_transcoder import OrjsonTranscoder
from services.store import ParsStore

ID = uuid.UUID("6f1c1f0e-0b8e-4d4b-9a43-0e5b4d7f3a21")
WHEN = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
STATES: list[Any] = [
    {"timestamp": WHEN, "accme_id": "0001234", "completion_date": date(2026, 2, 1), "late": False},
    {"nested": {"ids": [ID, (ID, "x")], "when": [WHEN, {"day": date(2026, 1, 2)}]}, "amount": Decimal("12.50")},
    {"id": ID, "empty": {}, "none": None, "list": [], "n": 3, "f": 1.5, "text": "Chloé"},
    {"_type_": "not a tag", "data": 1, "third": 2},  # a three-key dict with a _type_ key stays a dict
    [ID, [WHEN], {"a": ID}],
]


def transcoders() -> tuple[JSONTranscoder, OrjsonTranscoder]:
    app = ParsStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    plain, fast = JSONTranscoder(), OrjsonTranscoder()
    app.register_transcodings(plain)
    app.register_transcodings(fast)
    app.close()
    return plain, fast


@pytest.mark.parametrize("state", STATES)
def test_each_transcoder_reads_what_the_other_wrote(state: Any) -> None:
    plain, fast = transcoders()
    expected = plain.decode(plain.encode(state))  # tuples come back as lists from either
    assert fast.decode(plain.encode(state)) == expected
    assert plain.decode(fast.encode(state)) == expected
    assert fast.decode(fast.encode(state)) == expected
    assert json.loads(fast.encode(state)) == json.loads(plain.encode(state))  # the same JSON document


def test_what_orjson_refuses_falls_back_to_the_library() -> None:
    plain, fast = transcoders()
    for state in ({1: "int key"}, {"big": 2**70}):
        assert fast.encode(state) == plain.encode(state)
    assert fast.decode(b'{"x":NaN}')["x"] != fast.decode(b'{"x":NaN}')["x"]  # NaN, as the old encoder wrote it
    with pytest.raises(TranscodingNotRegisteredError):
        fast.encode({"s": {1, 2}})
