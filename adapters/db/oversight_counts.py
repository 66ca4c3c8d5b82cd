"""The tables and SQL of the REMS and MIPS reports' kept counts per activity (projections/oversight_counts.py says
what is counted) and of the completions' lines (one per learner, activity and date, with the CME credit it counts
for: the MIPS report's physicians), which the transcripts read model keeps beside its rows in the same
transaction: a batch moves the counts by the difference between its activities' counts before and after it is
written, in one upsert that adds to each row, and writes the lines it changed. A database made before the tables
existed gets them filled once at start-up (`backfill`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    delete,
    or_,
    select,
)

from adapters.db.activity_summary_tables import activity_summaries as s
from adapters.db.database import Database
from adapters.db.tables import metadata
from adapters.db.transcripts_tables import transcript_entries
from adapters.db.view_base import insert_rows, upsert
from projections.base import chunks
from projections.oversight_counts import Counts, activity_counts, difference
from projections.transcripts import transcript_lines

oversight_counts = Table(
    "oversight_counts",
    metadata,
    Column("activity_id", String(9), primary_key=True),
    Column("measure", String(20), primary_key=True),  # completions, rems, prescriber, profession, practice_type/area
    Column("value", String(60), primary_key=True),  # "" for the measures without values and for not stated
    Column("n", Integer, nullable=False),
)
completion_lines = Table(
    "completion_lines",
    metadata,
    Column("activity_id", String(9), primary_key=True),
    Column("learner_id", String(36), primary_key=True),
    Column("completion_date", String(10), primary_key=True),
    Column("accme_id", String(7), nullable=False),
    Column("credits", Float, nullable=False),  # the CME credit it counts for (transcript_lines' cme_credits)
    Index("ix_completion_lines_learner", "learner_id"),
)
T = transcript_entries.c
C = oversight_counts.c
L = completion_lines.c
Lines = dict[tuple[str, str, str], tuple[str, float]]  # (activity, learner, date) -> (accme_id, credits)
Kept = tuple[Counts, Lines]


def counted(conn: Connection, activity_ids: Iterable[str]) -> Kept:
    """The counts and lines these activities' transcript rows make, 500 activities a query (the backfill)."""
    rows: list[dict[str, Any]] = []
    query = select(T.key, T.accme_id, T.learner_id, T.activity_id, T.credit_id, T.completion_date, T.doc, T.deleted)
    for chunk in chunks(sorted(set(activity_ids)), 500):
        rows.extend(dict(r._mapping) for r in conn.execute(query.where(T.activity_id.in_(chunk))))
    return kept(rows)


def kept(rows: Iterable[dict[str, Any]]) -> Kept:
    """The counts and lines these transcript rows make. Both are sums over completions (learner, activity and
    date), so rows holding every row of some completions give exactly those completions' part."""
    rows = list(rows)
    # by key within a completion: its line adds its rows' credits in one order, whoever reads them
    standing = sorted(
        (r for r in rows if not r["deleted"]), key=lambda r: (r["learner_id"], r["completion_date"], r["key"])
    )
    lines: Lines = {
        (line["activity_id"], line["learner_id"], line["completion_date"]): (line["accme_id"], line["cme_credits"])
        for line in transcript_lines(standing)
    }
    return activity_counts(rows), lines


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


def write_lines(conn: Connection, before: Lines, after: Lines) -> None:
    """Deletes the lines that fell or changed and inserts those that stand anew or changed."""
    gone = [k for k, v in before.items() if after.get(k) != v]
    if gone:
        where = (L.activity_id == bindparam("a"), L.learner_id == bindparam("w"), L.completion_date == bindparam("d"))
        conn.execute(delete(completion_lines).where(*where), [{"a": a, "w": w, "d": d} for a, w, d in gone])
    new = [
        {"activity_id": a, "learner_id": who, "completion_date": day, "accme_id": accme_id, "credits": credits}
        for (a, who, day), (accme_id, credits) in after.items()
        if before.get((a, who, day)) != (accme_id, credits)
    ]
    insert_rows(conn, completion_lines, new)


def move(db: Database, conn: Connection, before: Kept, after: Kept) -> None:
    """Moves the counts and lines from what some completions' rows made before a batch to what they make after."""
    add(db, conn, difference(before[0], after[0]))
    write_lines(conn, before[1], after[1])


def backfill(db: Database) -> None:
    backfill_activities(db)
    backfill_lines(db)


def backfill_lines(db: Database) -> None:
    """Fills the counts and lines once in a database made before they were kept: empty while completions exist."""
    with db.engine.begin() as conn:
        db.lock_projection(conn, "transcripts")  # then look: another process may have filled them meanwhile
        had_counts = conn.execute(select(C.activity_id).limit(1)).first() is not None
        had_lines = conn.execute(select(L.activity_id).limit(1)).first() is not None
        if had_counts and had_lines:
            return
        activities = list(conn.execute(select(T.activity_id).distinct()).scalars())
        for chunk in chunks(activities, 2000):
            counts, lines = counted(conn, chunk)
            if not had_counts:
                add(db, conn, counts)
            if not had_lines:
                write_lines(conn, {}, lines)


oversight_activities = Table(
    "oversight_activities",
    metadata,
    Column("key", String(36), primary_key=True),  # the activity's aggregate id
    Column("accme_id", String(7), nullable=False),
    Column("activity_id", String(9), nullable=False),
    Column("title", Text, nullable=False),
    Column("format", String(60), nullable=True),
    Column("start_date", String(10), nullable=False),
    Column("end_date", String(10), nullable=False),
    Column("credits", Float, nullable=True),
    Column("physician_learners", Integer, nullable=False),
    Column("other_learners", Integer, nullable=False),
    Column("rems", Boolean, nullable=False),
    Column("mips", Boolean, nullable=False),
    Column("rems_type", String(40), nullable=True),
    Column("compliance", String(20), nullable=True),
    Column("blueprint_sections", Text, nullable=False),  # one a line, in the registration's order
    Column("rpc_id", String(60), nullable=True),
    Index("ix_oversight_activities_rems", "rems", "end_date"),
    Index("ix_oversight_activities_mips", "mips", "end_date"),
    Index("ix_oversight_activities_activity", "activity_id"),  # a MIPS page's physicians' activities
)
A = oversight_activities.c


def activity_row(key: str, summary: dict[str, Any]) -> dict[str, Any] | None:
    """The REMS and MIPS reports' row of an activity summary: None unless it stands registered for either."""
    if summary["deleted"] or not (summary["rems"] or summary["mips"]):
        return None
    rems = summary.get("rems_registration") or {}
    return {
        "key": key,
        "accme_id": summary["accme_id"],
        "activity_id": summary["activity_id"],
        "title": summary["title"],
        "format": summary["format"],
        "start_date": summary["start_date"],
        "end_date": summary["end_date"],
        "credits": summary.get("credits"),
        "physician_learners": summary["physician_learners"],
        "other_learners": summary["other_learners"],
        "rems": bool(summary["rems"]),
        "mips": bool(summary["mips"]),
        "rems_type": rems.get("type"),
        "compliance": rems.get("compliance"),
        "blueprint_sections": "\n".join(rems.get("blueprint_sections") or []),
        "rpc_id": rems.get("identifier"),
    }


def write_activities(conn: Connection, summaries: dict[str, dict[str, Any]]) -> None:
    """Replaces the rows of these activity summaries (by aggregate id) with what they now make."""
    for chunk in chunks(list(summaries), 500):
        conn.execute(delete(oversight_activities).where(A.key.in_(chunk)))
    rows = [r for key, doc in summaries.items() if (r := activity_row(key, doc)) is not None]
    insert_rows(conn, oversight_activities, rows)


def backfill_activities(db: Database) -> None:
    """Fills the reports' activity rows once in a database made before they were kept."""
    with db.engine.begin() as conn:
        db.lock_projection(conn, "activity_summary")
        if conn.execute(select(A.key).limit(1)).first() is not None:
            return
        query = select(s.c.key, s.c.doc).where(or_(s.c.rems.is_(True), s.c.mips.is_(True)))
        write_activities(conn, {r.key: r.doc for r in conn.execute(query)})
