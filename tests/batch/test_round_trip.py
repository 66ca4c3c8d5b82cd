"""Generated ACCME activity items → render → parse gives the same items, in every batch format."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import adapters.batch as batch
from tests.batch.strategies import items

FORMATS = list(batch.FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(generated=st.lists(items, min_size=1, max_size=4))
def test_render_then_parse_gives_the_same_items(fmt, generated):
    data = batch.render(fmt, generated)
    detected, records = batch.read_file(data, f"activities.{batch.EXTENSIONS[fmt]}")
    assert detected == fmt
    assert [r.errors for r in records] == [[] for _ in generated]
    assert [r.item for r in records] == generated


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_export_reads_back_as_no_activities(fmt):
    assert batch.read_file(batch.render(fmt, []))[1] == []
