"""Rows of any content are read into a report or into errors naming their columns; never an exception."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.batch.completion_files import parse_rows
from adapters.batch.completion_rows import COLUMNS, row_to_record

cells = st.one_of(
    st.none(), st.text(max_size=12), st.integers(-5, 10**10), st.floats(allow_nan=True), st.dates(), st.booleans()
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(row=st.fixed_dictionaries(dict.fromkeys(COLUMNS, cells)))
@example(
    row={**dict.fromkeys(COLUMNS), "CME Credits": float("nan"), "ABIM MOC Points": "inf", "Birth Month": float("inf")}
)
@example(
    row={
        **dict.fromkeys(COLUMNS),
        "ABTS MOC Points": 4.49423283715579e307,
        "CME Credits": "1e400",
        "ABP MOC Points": 10**400,
    }
)
def test_any_row_reads_as_a_report_or_as_errors_on_known_columns(row):
    record = row_to_record(row, 2, "0004444")
    assert record.ok or record.errors
    assert all(e["loc"][0] in COLUMNS and e["msg"] for e in record.errors)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rows=st.lists(st.lists(cells, max_size=len(COLUMNS) + 2), max_size=5))
def test_any_data_rows_under_the_header_are_read_row_by_row(rows):
    records = parse_rows([list(COLUMNS), *rows], "0004444")
    assert len(records) <= len(rows)
    assert all(r.row >= 2 for r in records)
