"""The MIPS report's totals and physicians' order, kept per year (of the activity's end), provider and physician so
the report reads a few indexed rows instead of every completion line of the year: a row's completions and CME
credits (in hundredths: credits are quarter steps, so the sums are exact integers) of the MIPS activities that
ended in the year, and the physician's sort key — the learner directory's last and first name, or none once
erased (listed last, named by no one). The rows under `accme_id` "" (ALL_PROVIDERS) sum every provider's, so all
of ACCME reads one range: the physicians of a year are its rows, their page an index range in name order.

Three read models move them, each in its own commit after taking the lock the REMS totals share
(oversight_counts.TOTALS_LOCK) so none reads what another is about to change: the transcripts' lines (a batch
adds its lines' difference to the buckets of its MIPS activities), the activity summary (an activity whose MIPS
bucket changed moves its lines from the old to the new), and the learner directory (a learner registered or
erased: their rows take the names it now holds). A rebuild's copy keeps none; they are summed again from the rows
after the swap or a reset (`resum`, from oversight_counts.resum_totals)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Boolean, Column, Connection, Index, Integer, String, Table, Text, bindparam, delete, select

from adapters.db import oversight_counts as kept
from adapters.db.database import Database
from adapters.db.learner_directory_tables import learner_directory
from adapters.db.tables import metadata
from adapters.db.view_base import insert_rows, upsert
from projections.base import chunks

# names compared by code point on both databases, as Python orders them (PostgreSQL's default collation would not)
NAME = Text().with_variant(Text(collation="C"), "postgresql")

mips_physicians = Table(
    "mips_physicians",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("accme_id", String(7), primary_key=True),  # "" (ALL_PROVIDERS): summed over every provider
    Column("learner_id", String(36), primary_key=True),
    Column("completions", Integer, nullable=False),
    Column("hundredths", Integer, nullable=False),  # CME credits × 100
    Column("erased", Boolean, nullable=False),  # not in the learner directory
    Column("last_name", NAME, nullable=False),  # the directory's ("" once erased): the page's order alone
    Column("first_name", NAME, nullable=False),
    Index("ix_mips_physicians_order", "year", "accme_id", "erased", "last_name", "first_name", "learner_id"),
    Index("ix_mips_physicians_learner", "learner_id"),
)
M = mips_physicians.c
# How many MIPS activities each provider ended in each year: the report's activities and providers totals read
# at most a row a provider. The activity summary alone moves it, in its commit.
mips_activities = Table(
    "mips_activities",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("accme_id", String(7), primary_key=True),
    Column("n", Integer, nullable=False),
)
N = mips_activities.c
# The physicians' rows summed per year and provider (and over every provider): the totals of all of ACCME and of
# one provider are one row. Moved with the physicians' rows, by how many rows each bucket gained or lost.
mips_line_totals = Table(
    "mips_line_totals",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("accme_id", String(7), primary_key=True),  # "" (ALL_PROVIDERS): summed over every provider
    Column("physicians", Integer, nullable=False),
    Column("completions", Integer, nullable=False),
    Column("hundredths", Integer, nullable=False),
)
S = mips_line_totals.c
Buckets = dict[tuple[int, str], tuple[int, int, int]]  # (year, accme_id) -> physicians, completions, hundredths
D = learner_directory.c
Key = tuple[int, str, str]  # year, accme_id, learner_id
Moved = dict[Key, tuple[int, int]]  # completions, hundredths


def hundredths(credits: float) -> int:
    return round(credits * 100)


def _plus(moved: Moved, key: Key, completions: int, cents: int) -> None:
    n, h = moved.get(key, (0, 0))
    moved[key] = (n + completions, h + cents)


def _names(conn: Connection, learner_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """The directory's last and first names of these learners (an erased one is not there)."""
    found: dict[str, tuple[str, str]] = {}
    last, first = D.doc["last_name"].as_string(), D.doc["first_name"].as_string()
    for chunk in chunks(sorted(set(learner_ids)), 500):
        for r in conn.execute(select(D.learner_id, last, first).where(D.learner_id.in_(chunk))):
            found[r[0]] = (r[1] or "", r[2] or "")
    return found


def _sort_key(names: dict[str, tuple[str, str]], learner_id: str) -> dict[str, Any]:
    last, first = names.get(learner_id, ("", ""))
    return {"erased": learner_id not in names, "last_name": last, "first_name": first}


def _add(db: Database, conn: Connection, moved: Moved) -> None:
    """Adds to the rows of each (year, provider, physician) and of its year's sums over every provider and over the
    providers of its accreditor, with the physician's names as the directory holds them now; rows left without
    completions go."""
    accreditors = kept.accreditors_of(conn, {a for _, a, _ in moved})
    summed: Moved = {}
    for (year, accme_id, learner_id), (n, h) in moved.items():
        sums = [kept.ALL_PROVIDERS] + (
            [kept.accreditor_bucket(accreditors[accme_id])] if accme_id in accreditors else []
        )
        for bucket in [accme_id, *sums]:
            _plus(summed, (year, bucket, learner_id), n, h)
    _add_rows(db, conn, summed)


def _add_rows(db: Database, conn: Connection, summed: Moved) -> None:
    """Adds to these rows exactly (no sum over providers added), keeping each bucket's physicians counted."""
    summed = {k: v for k, v in summed.items() if v != (0, 0)}
    if not summed:
        return
    learners = sorted({w for _, _, w in summed})
    stood: set[Key] = set()  # the touched rows there before
    for chunk in chunks(learners, 500):
        query = select(M.year, M.accme_id, M.learner_id).where(M.learner_id.in_(chunk))
        stood.update((y, a, w) for y, a, w in conn.execute(query) if (y, a, w) in summed)
    names = _names(conn, learners)
    statement = upsert(db, mips_physicians)
    x = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=["year", "accme_id", "learner_id"],
        set_={
            "completions": M.completions + x.completions,
            "hundredths": M.hundredths + x.hundredths,
            "erased": x.erased,
            "last_name": x.last_name,
            "first_name": x.first_name,
        },
    )
    rows = [
        {"year": y, "accme_id": a, "learner_id": w, "completions": n, "hundredths": h, **_sort_key(names, w)}
        for (y, a, w), (n, h) in summed.items()
    ]
    conn.execute(statement, rows)
    gone: set[Key] = set()
    for chunk in chunks(learners, 500):
        emptied = select(M.year, M.accme_id, M.learner_id).where(M.completions == 0, M.learner_id.in_(chunk))
        gone.update((y, a, w) for y, a, w in conn.execute(emptied))
        conn.execute(delete(mips_physicians).where(M.completions == 0, M.learner_id.in_(chunk)))
    buckets: Buckets = {}
    for (y, a, w), (n, h) in summed.items():
        people = (1 if (y, a, w) not in stood else 0) - (1 if (y, a, w) in gone else 0)
        p, c, t = buckets.get((y, a), (0, 0, 0))
        buckets[(y, a)] = (p + people, c + n, t + h)
    _add_buckets(db, conn, buckets)


def _add_buckets(db: Database, conn: Connection, buckets: Buckets) -> None:
    buckets = {k: v for k, v in buckets.items() if v != (0, 0, 0)}
    if not buckets:
        return
    statement = upsert(db, mips_line_totals)
    x = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=["year", "accme_id"],
        set_={
            "physicians": S.physicians + x.physicians,
            "completions": S.completions + x.completions,
            "hundredths": S.hundredths + x.hundredths,
        },
    )
    conn.execute(
        statement,
        [
            {"year": y, "accme_id": a, "physicians": p, "completions": c, "hundredths": h}
            for (y, a), (p, c, h) in buckets.items()
        ],
    )
    conn.execute(delete(mips_line_totals).where(S.physicians == 0))


def move_lines(db: Database, conn: Connection, before: kept.Lines, after: kept.Lines) -> None:
    """A transcripts batch's lines before and after it, added to the buckets of their MIPS activities."""
    if not kept.keeps_totals(db):
        return
    delta: dict[tuple[str, str], tuple[int, int]] = {}  # (activity, learner) -> completions, hundredths
    for sign, lines in ((-1, before), (1, after)):
        for (activity_id, learner_id, _), (_, credits) in lines.items():
            n, h = delta.get((activity_id, learner_id), (0, 0))
            delta[(activity_id, learner_id)] = (n + sign, h + sign * hundredths(credits))
    delta = {k: v for k, v in delta.items() if v != (0, 0)}
    if not delta:
        return
    db.lock_projection(conn, kept.TOTALS_LOCK)  # then read the activities: what another batch committed is seen
    buckets: dict[str, list[tuple[int, str]]] = {}
    for chunk in chunks(sorted({a for a, _ in delta}), 500):
        query = select(kept.A.activity_id, kept.A.end_date, kept.A.accme_id).where(
            kept.A.mips.is_(True), kept.A.activity_id.in_(chunk)
        )
        for r in conn.execute(query):
            buckets.setdefault(r.activity_id, []).append((int(r.end_date[:4]), r.accme_id))
    moved: Moved = {}
    for (activity_id, learner_id), (n, h) in delta.items():
        for year, accme_id in buckets.get(activity_id, []):
            _plus(moved, (year, accme_id, learner_id), n, h)
    _add(db, conn, moved)


def move_activities(db: Database, conn: Connection, old: list[Any], new: list[dict[str, Any]]) -> None:
    """An activity-summary batch's MIPS rows before and after: each activity's lines leave the buckets of its old
    rows and join those of its new ones (nothing moves for an activity whose bucket stayed)."""
    if not kept.keeps_totals(db):
        return
    gone = sorted((r.activity_id, int(r.end_date[:4]), r.accme_id) for r in old if r.mips)
    came = sorted((r["activity_id"], int(r["end_date"][:4]), r["accme_id"]) for r in new if r["mips"])
    if gone == came:
        return
    _count_activities(db, conn, gone, came)
    db.lock_projection(conn, kept.TOTALS_LOCK)  # then read the lines: what another batch committed is seen
    lines: dict[str, list[tuple[str, float]]] = {}
    L = kept.completion_lines.c
    for chunk in chunks(sorted({a for a, _, _ in gone + came}), 500):
        for r in conn.execute(select(L.activity_id, L.learner_id, L.credits).where(L.activity_id.in_(chunk))):
            lines.setdefault(r.activity_id, []).append((r.learner_id, r.credits))
    moved: Moved = {}
    for sign, rows in ((-1, gone), (1, came)):
        for activity_id, year, accme_id in rows:
            for learner_id, credits in lines.get(activity_id, []):
                _plus(moved, (year, accme_id, learner_id), sign, sign * hundredths(credits))
    _add(db, conn, moved)


def _count_activities(db: Database, conn: Connection, gone: list[Any], came: list[Any]) -> None:
    counted: dict[tuple[int, str], int] = {}
    for sign, rows in ((-1, gone), (1, came)):
        for _, year, accme_id in rows:
            counted[(year, accme_id)] = counted.get((year, accme_id), 0) + sign
    counted = {k: n for k, n in counted.items() if n}
    if not counted:
        return
    statement = upsert(db, mips_activities)
    statement = statement.on_conflict_do_update(
        index_elements=["year", "accme_id"], set_={"n": N.n + statement.excluded.n}
    )
    conn.execute(statement, [{"year": y, "accme_id": a, "n": n} for (y, a), n in counted.items()])
    conn.execute(delete(mips_activities).where(N.n == 0))


def move_accreditors(db: Database, conn: Connection, changed: dict[str, tuple[str | None, str | None]]) -> None:
    """The physicians' rows of these providers leave their old accreditor's sums and join the new one's (the caller
    holds the lock)."""
    moved: Moved = {}
    for chunk in chunks(sorted(changed), 500):
        query = select(M.year, M.accme_id, M.learner_id, M.completions, M.hundredths).where(M.accme_id.in_(chunk))
        for year, accme_id, learner_id, n, h in conn.execute(query):
            for sign, code in zip((-1, 1), changed[accme_id], strict=True):
                if code is not None:
                    _plus(moved, (year, kept.accreditor_bucket(code), learner_id), sign * n, sign * h)
    _add_rows(db, conn, moved)


def name_physicians(db: Database, conn: Connection, learner_ids: Iterable[str]) -> None:
    """After the learner directory wrote or deleted these learners' rows: their kept rows take the names it now
    holds (an erased learner's are blanked, so no name of theirs is kept)."""
    learner_ids = sorted(set(learner_ids))
    if not learner_ids or not kept.keeps_totals(db):
        return
    db.lock_projection(conn, kept.TOTALS_LOCK)  # then read the rows: what another batch committed is seen
    present: set[str] = set()
    for chunk in chunks(learner_ids, 500):
        present.update(conn.execute(select(M.learner_id).distinct().where(M.learner_id.in_(chunk))).scalars())
    if not present:
        return
    names = _names(conn, present)
    statement = (
        mips_physicians.update()
        .where(M.learner_id == bindparam("who"))
        .values(erased=bindparam("gone"), last_name=bindparam("last"), first_name=bindparam("first"))
    )
    keys = {w: _sort_key(names, w) for w in sorted(present)}
    conn.execute(
        statement,
        [{"who": w, "gone": k["erased"], "last": k["last_name"], "first": k["first_name"]} for w, k in keys.items()],
    )


def resum(conn: Connection) -> None:
    """The rows summed afresh from the MIPS activities' lines and the directory's names (the caller holds the
    lock)."""
    for table in (mips_physicians, mips_activities, mips_line_totals):
        conn.execute(delete(table))
    A, L = kept.A, kept.completion_lines.c
    counted: dict[tuple[int, str], int] = {}
    for end_date, provider in conn.execute(select(A.end_date, A.accme_id).where(A.mips.is_(True))):
        counted[(int(end_date[:4]), provider)] = counted.get((int(end_date[:4]), provider), 0) + 1
    insert_rows(conn, mips_activities, [{"year": y, "accme_id": a, "n": n} for (y, a), n in counted.items()])
    query = (
        select(A.end_date, A.accme_id, L.learner_id, L.credits)
        .select_from(kept.oversight_activities.join(kept.completion_lines, L.activity_id == A.activity_id))
        .where(A.mips.is_(True))
    )
    accreditors = kept.accreditors_of(conn)
    moved: Moved = {}
    for r in conn.execute(query):
        sums = [kept.ALL_PROVIDERS] + (
            [kept.accreditor_bucket(accreditors[r.accme_id])] if r.accme_id in accreditors else []
        )
        for accme_id in (r.accme_id, *sums):
            _plus(moved, (int(r.end_date[:4]), accme_id, r.learner_id), 1, hundredths(r.credits))
    names = _names(conn, {w for _, _, w in moved})
    rows = [
        {"year": y, "accme_id": a, "learner_id": w, "completions": n, "hundredths": h, **_sort_key(names, w)}
        for (y, a, w), (n, h) in moved.items()
    ]
    insert_rows(conn, mips_physicians, rows)
    buckets: Buckets = {}
    for (y, a, _), (n, h) in moved.items():
        p, c, t = buckets.get((y, a), (0, 0, 0))
        buckets[(y, a)] = (p + 1, c + n, t + h)
    insert_rows(
        conn,
        mips_line_totals,
        [
            {"year": y, "accme_id": a, "physicians": p, "completions": c, "hundredths": h}
            for (y, a), (p, c, h) in buckets.items()
        ],
    )


def unfilled(conn: Connection) -> bool:
    """Whether a table here is empty while what it sums is not (a database made before it): start-up sums them."""
    A, L = kept.A, kept.completion_lines.c
    mips = select(A.key).where(A.mips.is_(True)).limit(1)
    lined = (
        select(A.key)
        .select_from(kept.oversight_activities.join(kept.completion_lines, L.activity_id == A.activity_id))
        .where(A.mips.is_(True))
        .limit(1)
    )
    return (conn.execute(select(N.year).limit(1)).first() is None and conn.execute(mips).first() is not None) or (
        conn.execute(select(S.year).limit(1)).first() is None and conn.execute(lined).first() is not None
    )
