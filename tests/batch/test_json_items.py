"""The item-at-a-time JSON reader gives what parsing the document whole gives, or gives up (`Unstreamable`)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.batch import json_items
from adapters.batch.json_items import Unstreamable, items

PATH = ("Root", "Holder", "Items")
leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


def read(text: str, flags: tuple[str, ...] = ()) -> list[tuple[Any, bool]]:
    return list(items(io.StringIO(text), PATH, flags))


@settings(max_examples=150, deadline=None)
@given(
    listed=st.lists(values, max_size=6),
    before=st.dictionaries(st.text(max_size=4).filter(lambda k: k != "Items"), values, max_size=2),
    indent=st.sampled_from([None, 0, 2]),
    chunk=st.integers(1, 40),
)
def test_the_items_are_those_of_the_whole_document(
    listed: list[Any], before: dict[str, Any], indent: int | None, chunk: int
) -> None:
    """Whatever the chunk size (here down to one character, so every value is cut across chunks)."""
    document = {"Root": {"Holder": {**before, "Items": listed, "After": 1.5}}}
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    old = json_items.CHUNK
    json_items.CHUNK = chunk
    try:
        assert [item for item, _ in read(text)] == json.loads(text)["Root"]["Holder"]["Items"]
    finally:
        json_items.CHUNK = old


@pytest.mark.parametrize(
    "text",
    [
        '{"Root": {"Holder": {"Items": [1, 2,]}}}',  # a trailing comma
        '{"Root": {"Holder": {"Items": [1, 2]}}} x',  # something after the document
        '{"Root": {"Holder": {"Items": [1, 2]}, "Holder": {"Items": []}}}',  # a key twice: the whole parse keeps the last
        '{"Root": {"Holder": {"Items": {"one": 1}}}}',  # one item, not a list
        '{"Root": {"Other": {}}}',
        "[1, 2]",
        "",
        '{"Root": {"Holder": {"Items": [1, 2]}}',  # no closing brace
        '{"Root": {"Holder": {"Items": [{"a": "unterminated}]}}}',
        '{"Root": {"Holder": {"Items": [1 2]}}}',
    ],
)
def test_anything_else_is_left_to_the_whole_parse(text: str) -> None:
    with pytest.raises(Unstreamable):
        read(text)


def test_an_item_is_flagged_when_its_text_holds_a_flag() -> None:
    text = '{"Root": {"Holder": {"Items": [{"a ": 1}, {"a": 2}]}}}'
    assert read(text, ('"a "',)) == [({"a ": 1}, True), ({"a": 2}, False)]
