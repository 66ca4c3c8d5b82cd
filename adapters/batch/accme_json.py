"""ACCME JSON files (schema v0.1.2): `{"ACCMEActivities": {"MedicalEducationMetrics": [item, ...]}}`.

Also read: a bare list of items, a single item, and `MedicalEducationMetrics` given as one object
instead of a list. Values keep their JSON types; what an item must contain is the activity
registry's to check, so the parser only insists that each item is an object.
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from adapters.batch.json_items import Unstreamable
from adapters.batch.json_items import items as json_items
from adapters.batch.records import BatchFormatError, ParsedRecord, RecordStream, Source, Unclosed, as_stream
from adapters.batch.spec import KEY_ALIASES, normalize_keys

ROOT, ITEMS = "ACCMEActivities", "MedicalEducationMetrics"


def records(stream: BinaryIO) -> RecordStream[ParsedRecord]:
    """`{"ACCMEActivities": {"MedicalEducationMetrics": [...]}}` is read an item at a time, twice: the checking
    pass decodes and counts the items, the second hands each record out as it is decoded, so memory does not
    grow with the file. Any other shape (or a broken file) is parsed whole, which says what is wrong; its
    records are then handed out one at a time and let go."""
    held: list[ParsedRecord] = []
    whole = False

    def count() -> int:
        nonlocal whole
        try:
            return sum(1 for _ in _items(stream))
        except Unstreamable:
            whole = True
            held.extend(_parse(stream))
            return len(held)

    def produce() -> Iterator[ParsedRecord]:
        if not whole:
            for i, (item, aliased) in enumerate(_items(stream)):
                yield _record(f"{ROOT}.{ITEMS}[{i}]", item, aliased)
            return
        held.reverse()  # popped from the end, in file order: each record is let go once handed out
        while held:
            yield held.pop()

    return RecordStream(count, produce)


def _items(stream: BinaryIO) -> Iterator[tuple[Any, bool]]:
    """Each item, and whether its text holds a key alias (only those items are renamed)."""
    text = io.TextIOWrapper(Unclosed(stream), encoding="utf-8-sig")  # type: ignore[type-var]  # typeshed's buffer protocol asks for a name and a bytes-only read, which TextIOWrapper needs of no raw view
    return json_items(text, (ROOT, ITEMS), tuple(f'"{alias}"' for alias in KEY_ALIASES))


def parse(data: Source) -> list[ParsedRecord]:
    return list(records(as_stream(data)))


def read_text(stream: BinaryIO) -> str:
    """The file as UTF-8 text (a byte-order mark allowed), decoded from the file without a second copy in bytes."""
    try:
        return io.TextIOWrapper(Unclosed(stream), encoding="utf-8-sig").read()  # type: ignore[type-var]  # typeshed's buffer protocol asks for a name and a bytes-only read, which TextIOWrapper needs of no raw view
    except UnicodeDecodeError:
        raise BatchFormatError(f"the JSON file is not UTF-8 text (byte {_first_bad_byte(stream)})") from None


def _first_bad_byte(stream: BinaryIO) -> int:
    stream.seek(0)
    decoder, offset = codecs.getincrementaldecoder("utf-8")(), 0
    while chunk := stream.read(1024 * 1024):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as e:
            return offset + e.start - len(decoder.getstate()[0])
        offset += len(chunk)
    return offset


def _parse(stream: BinaryIO) -> list[ParsedRecord]:
    text = read_text(stream)
    aliased = any(alias in text for alias in KEY_ALIASES)  # rename keys only in files that need it
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        raise BatchFormatError(f"the file is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    del text
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
        raise BatchFormatError(
            f"{ROOT} must be an object with a {ITEMS!r} list", [{"loc": [ROOT, ITEMS], "msg": "field required"}]
        )
    items = root[ITEMS]
    if isinstance(items, dict):
        return [_record(f"{ROOT}.{ITEMS}", items, aliased)]
    if not isinstance(items, list):
        raise BatchFormatError(
            f"{ROOT}.{ITEMS} must be a list of activities", [{"loc": [ROOT, ITEMS], "msg": "must be a list"}]
        )
    return [_record(f"{ROOT}.{ITEMS}[{i}]", item, aliased) for i, item in enumerate(items)]


def _record(ref: str, item: Any, aliased: bool) -> ParsedRecord:
    if not isinstance(item, dict):
        return ParsedRecord(
            ref, errors=[{"loc": [ref], "msg": f"an activity must be a JSON object, not {type(item).__name__}"}]
        )
    return ParsedRecord(ref, item=normalize_keys(item) if aliased else item)


def render(items: list[dict[str, Any]]) -> bytes:
    return json.dumps({ROOT: {ITEMS: items}}, ensure_ascii=False, indent=1).encode("utf-8")
