"""The event store's transcoder: the library's JSON format, encoded and decoded with orjson.

Stored events stay exactly as readable as before: the bytes are the same JSON (compact, UTF-8), and
custom types (UUID, datetime, date, Decimal, ...) are the library's `{"_type_": name, "_data_": ...}`
objects, so events written by `JSONTranscoder` load with this one and the other way round. orjson
would write UUIDs, datetimes and dataclasses natively (as bare strings and objects that decode to
something else); those are turned into the tagged objects first, so nothing changes type on a round
trip. Anything orjson refuses (integers beyond 64 bits, NaN written by the old encoder) falls back to
the library's encoder or decoder.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import JSONTranscoder

_TAG = b'"_type_"'
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
#: values that hold no UUID (the dates and times go to `default` as they are, being passed through)
_PLAIN = frozenset((str, int, float, bool, type(None), datetime, date, time, Decimal))


class OrjsonTranscoder(JSONTranscoder):
    """`JSONTranscoder` (same registrations, same stored format) with orjson doing the work."""

    def encode(self, obj: Any) -> bytes:
        try:
            return orjson.dumps(self._tag_uuids(obj), default=self._encode_obj, option=_OPTIONS)
        except (orjson.JSONEncodeError, OverflowError):
            return super().encode(obj)  # what orjson refuses, the library's encoder may take (or raise as before)

    def decode(self, data: bytes) -> Any:
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError:
            return super().decode(data)  # NaN and Infinity, which the library's encoder writes
        tags = data.count(_TAG)
        if not tags:
            return obj
        if type(obj) is dict:  # most events tag only top-level values (the timestamp, a date): no walk needed
            for key, value in obj.items():
                if type(value) is dict and len(value) == 2 and "_type_" in value:
                    obj[key] = self._decode_obj(value)
                    tags -= 1
            if not tags:
                return obj
        return self._untag(obj)

    def _tag_uuids(self, obj: Any) -> Any:
        """The object with every UUID (exact type: orjson writes it natively, bypassing `default`) as its tagged form.

        Containers are copied only when something in them changed."""
        kind = type(obj)
        if kind is UUID:
            return self._encode_obj(obj)
        if kind is dict or (kind not in _PLAIN and isinstance(obj, dict)):
            out = None
            for key, value in obj.items():
                if type(value) not in _PLAIN:
                    new = self._tag_uuids(value)
                    if new is not value:
                        if out is None:
                            out = dict(obj)
                        out[key] = new
            return obj if out is None else out
        if kind is list or kind is tuple or (kind not in _PLAIN and isinstance(obj, (list, tuple))):
            items = None
            for i, value in enumerate(obj):
                if type(value) not in _PLAIN:
                    new = self._tag_uuids(value)
                    if new is not value:
                        if items is None:
                            items = list(obj)
                        items[i] = new
            return obj if items is None else items
        return obj

    def _untag(self, obj: Any) -> Any:
        """The decoded JSON with each tagged object replaced by its value, as the library's object_hook does."""
        kind = type(obj)
        if kind is dict:
            for key, value in obj.items():
                if type(value) is dict or type(value) is list:
                    obj[key] = self._untag(value)
            return self._decode_obj(obj) if len(obj) == 2 else obj
        if kind is list:
            for i, value in enumerate(obj):
                if type(value) is dict or type(value) is list:
                    obj[i] = self._untag(value)
        return obj
