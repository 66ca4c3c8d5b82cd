"""Completion reports → file → read back gives the same reports, in every completion batch format."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.batch.completion_files import FORMATS, read_completion_file, render, template
from tests.completion_batches.strategies import reports

EXTENSIONS = {"json": "json", "tab": "txt", "xlsx": "xlsx"}


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated=st.lists(reports(), min_size=1, max_size=4))
def test_render_then_read_gives_the_same_reports(fmt, generated):
    data = render(fmt, generated, "0004444")
    detected, records = read_completion_file(data, f"completions.{EXTENSIONS[fmt]}", "0004444")
    assert detected == fmt
    assert [r.errors for r in records] == [[] for _ in generated]
    assert [r.report for r in records] == generated


@pytest.mark.parametrize("fmt", ["tab", "xlsx"])
def test_the_blank_template_reads_back_as_no_completions(fmt):
    assert read_completion_file(template(fmt), None, "0004444") == (fmt, [])
