"""ACCME JSON files (schema v0.1.2): `{"ACCMEActivities": {"MedicalEducationMetrics": [item, ...]}}`.

Also read: a bare list of items, a single item, and `MedicalEducationMetrics` given as one object
instead of a list. Values keep their JSON types; what an item must contain is the activity
registry's to check, so the parser only insists that each item is an object.
"""

from __future__ import annotations

import json
from typing import Any

from adapters.batch.records import BatchFormatError, ParsedRecord
from adapters.batch.spec import KEY_ALIASES, normalize_keys

ROOT, ITEMS = "ACCMEActivities", "MedicalEducationMetrics"


def parse(data: bytes) -> list[ParsedRecord]:
    aliased = any(alias.encode() in data for alias in KEY_ALIASES)  # rename keys only in files that need it
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise BatchFormatError(f"the JSON file is not UTF-8 text (byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise BatchFormatError(f"the file is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    if isinstance(document, list):
        return [_record(f"[{i}]", item, aliased) for i, item in enumerate(document)]
    if not isinstance(document, dict):
        raise BatchFormatError(f"the JSON document must be an object with {ROOT!r}, not a {type(document).__name__}")
    if ROOT not in document:
        if "Lom" in document or "healthcareMetadata" in document:  # one item on its own
            return [_record(ITEMS, document, aliased)]
        raise BatchFormatError(f"the JSON document has no {ROOT!r} object", [{"loc": [ROOT], "msg": "field required"}])
    root = document[ROOT]
    if not isinstance(root, dict) or ITEMS not in root:
        raise BatchFormatError(f"{ROOT} must be an object with a {ITEMS!r} list", [{"loc": [ROOT, ITEMS], "msg": "field required"}])
    items = root[ITEMS]
    if isinstance(items, dict):
        return [_record(f"{ROOT}.{ITEMS}", items, aliased)]
    if not isinstance(items, list):
        raise BatchFormatError(f"{ROOT}.{ITEMS} must be a list of activities", [{"loc": [ROOT, ITEMS], "msg": "must be a list"}])
    return [_record(f"{ROOT}.{ITEMS}[{i}]", item, aliased) for i, item in enumerate(items)]


def _record(ref: str, item: Any, aliased: bool) -> ParsedRecord:
    if not isinstance(item, dict):
        return ParsedRecord(ref, errors=[{"loc": [ref], "msg": f"an activity must be a JSON object, not {type(item).__name__}"}])
    return ParsedRecord(ref, item=normalize_keys(item) if aliased else item)


def render(items: list[dict[str, Any]]) -> bytes:
    return json.dumps({ROOT: {ITEMS: items}}, ensure_ascii=False, indent=1).encode("utf-8")
