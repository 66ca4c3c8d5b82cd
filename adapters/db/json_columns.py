"""How the read models' JSON columns are written and read: orjson, with the standard library for what it refuses.

Every projected row carries a JSON document, so its encoding is paid once per row of every read model
(a completion file of 100,000 rows writes half a million). The text is plain JSON either way (orjson
writes non-ASCII as UTF-8 where `json.dumps` escaped it), so rows written before read alike.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(obj: Any) -> str:
    try:
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS).decode()
    except (orjson.JSONEncodeError, OverflowError):  # integers beyond 64 bits, and anything json.dumps may know
        return json.dumps(obj)


def loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # NaN and Infinity, which json.dumps writes
        return json.loads(text)
