"""A read-model column added after a database was made is added on start (create_all adds only tables)."""

from __future__ import annotations

from sqlalchemy import inspect

from projections.activity_summary import ActivitySummaryProjection
from tests.conftest import make_system


def test_a_missing_read_model_column_is_added_on_start(database_url: str) -> None:
    system = make_system(database_url)
    with system.db.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_activity_summaries_passport")
        conn.exec_driver_sql("ALTER TABLE activity_summaries DROP COLUMN for_public_list")
        assert "for_public_list" not in {c["name"] for c in inspect(conn).get_columns("activity_summaries")}
    system.close()
    again = make_system(database_url)
    try:
        with again.db.engine.begin() as conn:
            assert "for_public_list" in {c["name"] for c in inspect(conn).get_columns("activity_summaries")}
            assert "ix_activity_summaries_passport" in {
                i["name"] for i in inspect(conn).get_indexes("activity_summaries")
            }
        assert again.projections.get(ActivitySummaryProjection).view.catalog(None, None, 10, 0) == ([], 0)
    finally:
        again.close()
