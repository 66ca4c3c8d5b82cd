"""Tables and SQL of the dashboard's counts, which the activity summary and transcripts read models keep
beside their rows in the same transaction (projections/dashboard_counts.py says what is counted).

`transcript_counts` holds, per provider and year, the standing completions (a learner, activity and
date, however many credit IDs it was reported under), changed by the difference between the standing
completions of a batch's learners before and after the batch is written. A database made before these
tables existed gets them filled once at start-up (`backfill`), from the rows already there."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Column, Connection, Integer, String, Table, delete, func, insert, select

from adapters.db.activity_summary_tables import activity_summaries
from adapters.db.checklist_view import backfill_counts as backfill_checklist_counts
from adapters.db.checklist_view import backfill_status_counts
from adapters.db.database import Database
from adapters.db.tables import Json, metadata
from adapters.db.transcripts_tables import transcript_entries
from projections import dashboard_counts

activity_counts = Table(
    "activity_counts",
    metadata,
    Column("accme_id", String(7), primary_key=True),
    Column("year", Integer, primary_key=True),  # the year the activities ended in
    Column("doc", Json, nullable=False),
)

transcript_counts = Table(
    "transcript_counts",
    metadata,
    Column("accme_id", String(7), primary_key=True),
    Column("year", Integer, primary_key=True),  # the completion date's
    Column("completions", Integer, nullable=False),
)

Standing = set[tuple[str, str, str, str]]  # (accme_id, learner_id, activity_id, completion_date)
T = transcript_entries.c


def add_activity_parts(
    conn: Connection, changes: Iterable[tuple[dict[str, Any] | None, dict[str, Any] | None]]
) -> None:
    """Moves the counts by each (old summary, new summary) pair: one read and one write per provider and year touched."""
    deltas: dict[tuple[str, int], list[tuple[dict[str, Any], int]]] = {}
    for old, new in changes:
        for summary, sign in ((old, -1), (new, 1)):
            made = dashboard_counts.contribution(summary)
            if made is not None:
                deltas.setdefault(made[0], []).append((made[1], sign))
    for (accme_id, year), parts in deltas.items():
        where = (activity_counts.c.accme_id == accme_id, activity_counts.c.year == year)
        counts = conn.execute(select(activity_counts.c.doc).where(*where)).scalar()
        counts = counts or dashboard_counts.empty()
        for part, sign in parts:
            dashboard_counts.add(counts, part, sign)
        conn.execute(delete(activity_counts).where(*where))
        conn.execute(insert(activity_counts).values(accme_id=accme_id, year=year, doc=counts))


def activity_counts_of(conn: Connection, accme_id: str, year: int) -> dict[str, Any] | None:
    where = (activity_counts.c.accme_id == accme_id, activity_counts.c.year == year)
    return conn.execute(select(activity_counts.c.doc).where(*where)).scalar()


def standing(rows: Iterable[dict[str, Any]]) -> Standing:
    """The standing (not deleted) completions these transcript rows make."""
    return {(r["accme_id"], r["learner_id"], r["activity_id"], r["completion_date"]) for r in rows if not r["deleted"]}


def add_completions(conn: Connection, before: Standing, after: Standing) -> None:
    """Moves the per-provider, per-year completion counts by what a batch made stand or fall."""
    deltas: dict[tuple[str, int], int] = {}
    for completions, sign in ((after - before, 1), (before - after, -1)):
        for accme_id, _, _, day in completions:
            key = (accme_id, int(day[:4]))
            deltas[key] = deltas.get(key, 0) + sign
    for (accme_id, year), n in deltas.items():
        if not n:
            continue
        where = (transcript_counts.c.accme_id == accme_id, transcript_counts.c.year == year)
        had = conn.execute(select(transcript_counts.c.completions).where(*where)).scalar()
        conn.execute(delete(transcript_counts).where(*where))
        conn.execute(insert(transcript_counts).values(accme_id=accme_id, year=year, completions=(had or 0) + n))


def completions_of(conn: Connection, accme_id: str, year: int) -> int:
    where = (transcript_counts.c.accme_id == accme_id, transcript_counts.c.year == year)
    return int(conn.execute(select(transcript_counts.c.completions).where(*where)).scalar() or 0)


def backfill(db: Database) -> None:
    """Fills counts tables that are empty while their read model has rows (a database made before them):
    these, and the checklist's (adapters/db/checklist_view.py)."""
    backfill_checklist_counts(db)
    with db.engine.begin() as conn:  # the year-end table's counts, beside the checklist's activity facts
        db.lock_projection(conn, "checklist")
        backfill_status_counts(conn)
    with db.engine.begin() as conn:
        db.lock_projection(conn, "activity_summary")  # then look: another process may have filled them meanwhile
        if conn.execute(select(activity_counts.c.year).limit(1)).first() is None:
            docs = conn.execute(select(activity_summaries.c.doc)).scalars()
            add_activity_parts(conn, ((None, doc) for doc in docs))
    with db.engine.begin() as conn:
        db.lock_projection(conn, "transcripts")
        if conn.execute(select(transcript_counts.c.year).limit(1)).first() is None:
            distinct = (
                select(T.accme_id, T.learner_id, T.activity_id, T.completion_date)
                .where(T.deleted.is_(False))
                .distinct()
                .subquery()
            )
            year = func.substr(distinct.c.completion_date, 1, 4)
            rows = conn.execute(
                select(distinct.c.accme_id, year, func.count()).group_by(distinct.c.accme_id, year)
            ).all()
            if rows:
                conn.execute(
                    insert(transcript_counts),
                    [{"accme_id": a, "year": int(y), "completions": n} for a, y, n in rows],
                )
