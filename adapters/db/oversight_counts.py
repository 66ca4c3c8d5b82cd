"""The table and SQL of the REMS and MIPS reports' kept counts per activity (projections/oversight_counts.py says
what is counted), which the transcripts read model keeps beside its rows in the same transaction: a batch moves
them by the difference between its activities' counts before and after it is written, in one upsert that adds to
each row. A database made before the table existed gets it filled once at start-up (`backfill`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Column, Connection, Integer, String, Table, delete, select

from adapters.db.database import Database
from adapters.db.tables import metadata
from adapters.db.transcripts_tables import transcript_entries
from adapters.db.view_base import upsert
from projections.base import chunks
from projections.oversight_counts import Counts, activity_counts, difference

oversight_counts = Table(
    "oversight_counts",
    metadata,
    Column("activity_id", String(9), primary_key=True),
    Column("measure", String(20), primary_key=True),  # completions, rems, prescriber, profession, practice_type/area
    Column("value", String(60), primary_key=True),  # "" for the measures without values and for not stated
    Column("n", Integer, nullable=False),
)
T = transcript_entries.c
C = oversight_counts.c


def counted(conn: Connection, activity_ids: Iterable[str]) -> Counts:
    """The counts these activities' transcript rows make, 500 activities a query (the write side only)."""
    rows: list[dict[str, Any]] = []
    query = select(T.key, T.learner_id, T.activity_id, T.completion_date, T.doc, T.deleted)
    for chunk in chunks(sorted(set(activity_ids)), 500):
        rows.extend(dict(r._mapping) for r in conn.execute(query.where(T.activity_id.in_(chunk))))
    return activity_counts(rows)


def add(db: Database, conn: Connection, moved: Counts) -> None:
    """Moves the kept counts: one upsert that adds to each row touched; rows left at zero go."""
    if not moved:
        return
    statement = upsert(db, oversight_counts)
    statement = statement.on_conflict_do_update(
        index_elements=["activity_id", "measure", "value"], set_={"n": C.n + statement.excluded.n}
    )
    conn.execute(statement, [{"activity_id": a, "measure": m, "value": v, "n": n} for (a, m, v), n in moved.items()])
    for chunk in chunks(sorted({a for a, _, _ in moved}), 500):
        conn.execute(delete(oversight_counts).where(C.n == 0, C.activity_id.in_(chunk)))


def move(db: Database, conn: Connection, before: Counts, activity_ids: Iterable[str]) -> None:
    """After a batch is written: moves the counts by what it changed for its activities (counted before it)."""
    add(db, conn, difference(before, counted(conn, activity_ids)))


def of_activities(conn: Connection, activity_ids: Iterable[str]) -> dict[str, dict[tuple[str, str], int]]:
    """The kept counts of each of these activities, by (measure, value)."""
    found: dict[str, dict[tuple[str, str], int]] = {}
    for chunk in chunks(sorted(set(activity_ids)), 500):
        for r in conn.execute(select(C.activity_id, C.measure, C.value, C.n).where(C.activity_id.in_(chunk))):
            found.setdefault(r.activity_id, {})[(r.measure, r.value)] = r.n
    return found


def backfill(db: Database) -> None:
    """Fills the counts once in a database made before they were kept: empty while completions exist."""
    with db.engine.begin() as conn:
        db.lock_projection(conn, "transcripts")  # then look: another process may have filled them meanwhile
        if conn.execute(select(C.activity_id).limit(1)).first() is not None:
            return
        activities = list(conn.execute(select(T.activity_id).distinct()).scalars())
        for chunk in chunks(activities, 2000):
            add(db, conn, counted(conn, chunk))
