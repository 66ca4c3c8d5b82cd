"""The read models' JSON columns: orjson writes what json.dumps wrote (as JSON), and reads what it wrote before."""

from __future__ import annotations

import json

from adapters.db.json_columns import dumps, loads


def test_json_columns_read_and_write_what_the_standard_library_did() -> None:
    for doc in ({"title": "Chloé", "n": 1, "x": 1.5, "l": [None, True]}, {1: "an int key"}, {"big": 2**70}, []):
        assert json.loads(dumps(doc)) == json.loads(json.dumps(doc))
        assert loads(json.dumps(doc)) == json.loads(json.dumps(doc))
    assert loads('{"x": NaN}')["x"] != loads('{"x": NaN}')["x"]
