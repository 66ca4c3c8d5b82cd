"""`insert_rows` (the views' driver-level executemany) stores exactly what SQLAlchemy's `insert()` stores."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select

from adapters.db.database import Database, DatabaseUrl
from adapters.db.history_tables import provider_events
from adapters.db.record_status_tables import record_statuses
from adapters.db.view_base import insert_rows

texts = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12
)  # PostgreSQL text has no NUL
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1))


def history_row(position: int, text: str, moment: datetime, data: Any) -> dict[str, Any]:
    return {
        "position": position,
        "accme_id": "0001234",
        "stream_id": text[:36],
        "version": position % 7,
        "type": "Provider.Registered",
        "occurred_at": moment,
        "actor": text,
        "channel": "web",
        "data": {"value": data, "text": text},
    }


def status_row(n: int, text: str, deleted: bool, data: Any) -> dict[str, Any]:
    return {
        "key": f"k{n}",
        "accme_id": "0001234",
        "activity_id": text[:9],
        "learner_id": f"l{n}",
        "credit_id": text,
        "completion_date": f"{2000 + n % 50}-01-31",
        "deleted": deleted,
        "consent": not deleted,
        "doc": {"boards": {}, "data": data},
    }


def read_back(db: Database, table: Any, order: Any) -> list[dict[str, Any]]:
    with db.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(table).order_by(order))]


def same_as_insert(db: Database, table: Any, rows: list[dict[str, Any]], order: Any) -> None:
    with db.engine.begin() as conn:
        conn.execute(delete(table))
        conn.execute(insert(table), rows)
    expected = read_back(db, table, order)
    with db.engine.begin() as conn:
        conn.execute(delete(table))
        insert_rows(conn, table, rows)
    assert read_back(db, table, order) == expected


def test_insert_rows_stores_what_insert_stores(database_url: str) -> None:
    db = Database(DatabaseUrl(database_url))
    db.create_tables()
    try:

        @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(
            st.lists(st.tuples(texts, moments, json_values, st.booleans()), min_size=1, max_size=12),
        )
        def check(values: list[tuple[str, datetime, Any, bool]]) -> None:
            history = [history_row(n + 1, t, m, d) for n, (t, m, d, _) in enumerate(values)]
            same_as_insert(db, provider_events, history, provider_events.c.position)
            statuses = [status_row(n, t, b, d) for n, (t, _, d, b) in enumerate(values)]
            same_as_insert(db, record_statuses, statuses, record_statuses.c.key)

        check()
    finally:
        db.dispose()
