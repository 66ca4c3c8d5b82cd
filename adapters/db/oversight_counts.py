"""The tables and SQL of the REMS and MIPS reports' kept counts per activity (projections/oversight_counts.py says
what is counted) and of the completions' lines (one per learner, activity and date, with the CME credit it counts
for: the MIPS report's physicians), which the transcripts read model keeps beside its rows in the same
transaction: a batch moves the counts by the difference between its activities' counts before and after it is
written, in one upsert that adds to each row, and writes the lines it changed. A database made before the tables
existed gets them filled once at start-up (`backfill`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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
    func,
    or_,
    select,
)

from adapters.db import mips_totals
from adapters.db.activity_summary_tables import activity_summaries as s
from adapters.db.database import Database
from adapters.db.provider_profile_tables import provider_profiles
from adapters.db.tables import metadata
from adapters.db.transcripts_tables import transcript_entries
from adapters.db.view_base import insert_rows, upsert
from projections.base import ProjectionView, chunks
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
    moved = difference(before[0], after[0])
    add(db, conn, moved)
    add_to_totals(db, conn, moved)
    write_lines(conn, before[1], after[1])
    mips_totals.move_lines(db, conn, before[1], after[1])


def backfill(db: Database) -> None:
    backfill_activities(db)
    backfill_lines(db)
    backfill_totals(db)


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
                add(db, conn, counts)  # the totals are summed from these afterwards (backfill_totals)
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
    Index("ix_oversight_activities_provider", "accme_id", "mips", "end_date"),  # an accreditor's providers'
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


def write_activities(db: Database, conn: Connection, summaries: dict[str, dict[str, Any]]) -> None:
    """Replaces the rows of these activity summaries (by aggregate id) with what they now make, and moves the
    kept totals of those whose REMS or MIPS bucket changed."""
    old: list[Any] = []
    for chunk in chunks(list(summaries), 500):
        query = select(A.activity_id, A.end_date, A.accme_id, A.rems_type, A.rems, A.mips, *FIGURE_COLUMNS).where(
            A.key.in_(chunk)
        )
        old.extend(conn.execute(query).all())
        conn.execute(delete(oversight_activities).where(A.key.in_(chunk)))
    rows = [r for key, doc in summaries.items() if (r := activity_row(key, doc)) is not None]
    insert_rows(conn, oversight_activities, rows)
    _move_totals(db, conn, old, rows)
    mips_totals.move_activities(db, conn, old, rows)


def backfill_activities(db: Database) -> None:
    """Fills the reports' activity rows once in a database made before they were kept."""
    with db.engine.begin() as conn:
        db.lock_projection(conn, "activity_summary")
        if conn.execute(select(A.key).limit(1)).first() is not None:
            return
        query = select(s.c.key, s.c.doc).where(or_(s.c.rems.is_(True), s.c.mips.is_(True)))
        write_activities(db, conn, {r.key: r.doc for r in conn.execute(query)})


# The REMS report's kept counts summed per year, provider and REMS type, so its totals read at most a few rows per
# provider however many activities the year holds. Both read models feed them: a transcripts batch adds its counts'
# difference to the buckets of the activities it touched, an activity-summary batch moves the counts of an activity
# whose bucket changed (or that came or went) from the old bucket to the new. Both take the one lock below before
# reading the other's rows, in the same transaction as their own, so neither adds to a bucket the other has moved
# meanwhile. A rebuild's copy (another schema or file, without the other read model's rows) keeps none: they are
# summed again from the rows once the copy is swapped in, and after a reset (`resum_totals`).
oversight_count_totals = Table(
    "oversight_count_totals",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("accme_id", String(7), primary_key=True),  # "" (ALL_PROVIDERS): summed over every provider
    Column("rems_type", String(40), primary_key=True),  # "" without one
    Column("measure", String(20), primary_key=True),
    Column("value", String(60), primary_key=True),
    Column("n", Integer, nullable=False),
    Index("ix_oversight_count_totals_measure", "year", "measure", "accme_id"),  # the providers with activities
)
Q = oversight_count_totals.c

# The REMS report's activity figures, kept in the same buckets as the participants' counts under measures of their
# own ("a:"), so its activity totals read at most a few rows a provider too: each REMS activity row adds one to
# `a:activities`, its learners to `a:physician_learners` and `a:other_learners`, one to `a:rpc_funded` when it has a
# REMS program identifier, to `a:compliance` under its compliance ("" not stated) and to `a:section` under each
# blueprint section it covers. Only the activity-summary read model moves them (they are its rows' figures).
ACTIVITIES = "a:activities"
FIGURE_MEASURES = (ACTIVITIES, "a:physician_learners", "a:other_learners", "a:rpc_funded", "a:compliance", "a:section")
FIGURE_COLUMNS = (A.physician_learners, A.other_learners, A.rpc_id, A.compliance, A.blueprint_sections)
TOTALS_LOCK = "oversight_count_totals"
Bucket = tuple[int, str, str]  # year, accme_id, REMS type ("" without one)
Totals = dict[tuple[int, str, str, str, str], int]


def _bucket(end_date: str, accme_id: str, rems_type: str | None) -> Bucket:
    return int(end_date[:4]), accme_id, rems_type or ""


def figures(row: Mapping[str, Any]) -> dict[tuple[str, str], int]:
    """The activity figures one REMS activity row (of oversight_activities) adds to its bucket."""
    get = row.get
    found = {
        (ACTIVITIES, ""): 1,
        ("a:physician_learners", ""): int(get("physician_learners") or 0),
        ("a:other_learners", ""): int(get("other_learners") or 0),
        ("a:rpc_funded", ""): 1 if get("rpc_id") else 0,
        ("a:compliance", get("compliance") or ""): 1,
    }
    for section in set((get("blueprint_sections") or "").split("\n")) - {""}:
        found[("a:section", section)] = 1
    return found


def keeps_totals(db: Database) -> bool:
    from adapters.db.rebuild import ScratchDatabase

    return not isinstance(db, ScratchDatabase)


ALL_PROVIDERS = ""  # the accme_id of a year's and REMS type's total over every provider (all of ACCME reads these)
ACCREDITOR = (
    "@"  # "@" + an accreditor's code (ACCME, JA, a state's two letters): the sum over the providers it oversees
)


def accreditor_bucket(code: str) -> str:
    """The accme_id of the kept sums over the providers an accreditor oversees (a state accreditor's report reads
    these rows, not each provider's); no ACCME ID begins with "@"."""
    return ACCREDITOR + code


def accreditors_of(conn: Connection, accme_ids: Iterable[str] | None = None) -> dict[str, str]:
    """The providers' accreditors as the provider profiles hold them (the caller holds the totals' lock, so a
    profile batch that moves a provider's sums waits or has committed); None: every provider's."""
    P = provider_profiles.c
    if accme_ids is None:
        return {r.accme_id: r.accreditor for r in conn.execute(select(P.accme_id, P.accreditor))}
    found: dict[str, str] = {}
    for chunk in chunks(sorted(set(accme_ids) - {ALL_PROVIDERS}), 500):
        found.update((a, c) for a, c in conn.execute(select(P.accme_id, P.accreditor).where(P.accme_id.in_(chunk))))
    return found


def _with_all(totals: Totals, accreditors: Mapping[str, str]) -> Totals:
    """These per-provider totals and their sums over every provider and over the providers of their accreditor."""
    summed = dict(totals)
    for (year, accme_id, rems_type, measure, value), n in totals.items():
        sums = [ALL_PROVIDERS] + ([accreditor_bucket(accreditors[accme_id])] if accme_id in accreditors else [])
        for bucket in sums:
            key = (year, bucket, rems_type, measure, value)
            summed[key] = summed.get(key, 0) + n
    return summed


def _add_totals(db: Database, conn: Connection, moved: Totals) -> None:
    moved = _with_all(moved, accreditors_of(conn, {a for _, a, _, _, _ in moved}))
    _add_rows(db, conn, moved)


def _add_rows(db: Database, conn: Connection, moved: Totals) -> None:
    moved = {k: n for k, n in moved.items() if n}
    if not moved:
        return
    statement = upsert(db, oversight_count_totals)
    statement = statement.on_conflict_do_update(
        index_elements=["year", "accme_id", "rems_type", "measure", "value"], set_={"n": Q.n + statement.excluded.n}
    )
    conn.execute(
        statement,
        [
            {"year": y, "accme_id": a, "rems_type": t, "measure": m, "value": v, "n": n}
            for (y, a, t, m, v), n in moved.items()
        ],
    )
    conn.execute(delete(oversight_count_totals).where(Q.n == 0))


def add_to_totals(db: Database, conn: Connection, moved: Counts) -> None:
    """A transcripts batch's counts' difference, added to the buckets of its REMS activities."""
    if not moved or not keeps_totals(db):
        return
    db.lock_projection(conn, TOTALS_LOCK)  # then read the activities: what another batch committed is seen
    buckets: dict[str, list[Bucket]] = {}
    for chunk in chunks(sorted({a for a, _, _ in moved}), 500):
        query = select(A.activity_id, A.end_date, A.accme_id, A.rems_type).where(
            A.rems.is_(True), A.activity_id.in_(chunk)
        )
        for r in conn.execute(query):
            buckets.setdefault(r.activity_id, []).append(_bucket(r.end_date, r.accme_id, r.rems_type))
    totals: Totals = {}
    for (activity_id, measure, value), n in moved.items():
        for year, accme_id, rems_type in buckets.get(activity_id, []):
            key = (year, accme_id, rems_type, measure, value)
            totals[key] = totals.get(key, 0) + n
    _add_totals(db, conn, totals)


def _move_totals(db: Database, conn: Connection, old: list[Any], new: list[dict[str, Any]]) -> None:
    """An activity-summary batch's REMS rows before and after: each activity's counts leave the buckets of its old
    rows and join those of its new ones (nothing moves for an activity whose bucket stayed), and its activity
    figures leave with the old row and come with the new (nothing moves for a row that stayed the same)."""
    if not keeps_totals(db):
        return
    before = [dict(r._mapping) for r in old if r.rems]
    after = [r for r in new if r["rems"]]
    gone = sorted((r["activity_id"], _bucket(r["end_date"], r["accme_id"], r["rems_type"])) for r in before)
    came = sorted((r["activity_id"], _bucket(r["end_date"], r["accme_id"], r["rems_type"])) for r in after)
    totals: Totals = {}
    for sign, rows in ((-1, before), (1, after)):
        for row in rows:
            bucket = _bucket(row["end_date"], row["accme_id"], row["rems_type"])
            for (measure, value), n in figures(row).items():
                key = (*bucket, measure, value)
                totals[key] = totals.get(key, 0) + sign * n
    totals = {k: n for k, n in totals.items() if n}
    if gone == came and not totals:
        return
    db.lock_projection(conn, TOTALS_LOCK)  # then read the counts: what another batch committed is seen
    if gone != came:
        counts: dict[str, list[tuple[str, str, int]]] = {}
        for chunk in chunks(sorted({a for a, _ in gone + came}), 500):
            query = select(C.activity_id, C.measure, C.value, C.n).where(C.activity_id.in_(chunk))
            for r in conn.execute(query):
                counts.setdefault(r.activity_id, []).append((r.measure, r.value, r.n))
        for sign, moved in ((-1, gone), (1, came)):
            for activity_id, (year, accme_id, rems_type) in moved:
                for measure, value, n in counts.get(activity_id, []):
                    key = (year, accme_id, rems_type, measure, value)
                    totals[key] = totals.get(key, 0) + sign * n
    _add_totals(db, conn, totals)


def resum_totals(db: Database) -> None:
    """The kept totals, REMS and MIPS, summed afresh from the rows (after a rebuild's swap or a reset, and at
    start-up when empty)."""
    if not keeps_totals(db):
        return
    with db.engine.begin() as conn:
        db.lock_projection(conn, TOTALS_LOCK)
        conn.execute(delete(oversight_count_totals))
        query = (
            select(A.end_date, A.accme_id, A.rems_type, C.measure, C.value, func.sum(C.n))
            .select_from(oversight_activities.join(oversight_counts, C.activity_id == A.activity_id))
            .where(A.rems.is_(True))
            .group_by(A.end_date, A.accme_id, A.rems_type, C.measure, C.value)
        )
        totals: Totals = {}
        for end_date, accme_id, rems_type, measure, value, n in conn.execute(query):
            key = (*_bucket(end_date, accme_id, rems_type), measure, value)
            totals[key] = totals.get(key, 0) + int(n)
        rows_query = select(A.end_date, A.accme_id, A.rems_type, *FIGURE_COLUMNS).where(A.rems.is_(True))
        for row in conn.execute(rows_query):
            for (measure, value), n in figures(dict(row._mapping)).items():
                key = (*_bucket(row.end_date, row.accme_id, row.rems_type), measure, value)
                totals[key] = totals.get(key, 0) + n
        rows = [
            {"year": y, "accme_id": a, "rems_type": t, "measure": m, "value": v, "n": n}
            for (y, a, t, m, v), n in _with_all(totals, accreditors_of(conn)).items()
            if n
        ]
        insert_rows(conn, oversight_count_totals, rows)
        mips_totals.resum(conn)


def move_accreditors(db: Database, conn: Connection, changed: Mapping[str, tuple[str | None, str | None]]) -> None:
    """A provider-profile batch's providers whose accreditor changed (old, new; None: no profile): their kept REMS
    and MIPS rows leave the old accreditor's sums and join the new one's, in the profiles' commit."""
    changed = {a: (old, new) for a, (old, new) in changed.items() if old != new}
    if not changed or not keeps_totals(db):
        return
    db.lock_projection(conn, TOTALS_LOCK)  # then read the providers' rows: what another batch committed is seen
    totals: Totals = {}
    for chunk in chunks(sorted(changed), 500):
        query = select(Q.year, Q.accme_id, Q.rems_type, Q.measure, Q.value, Q.n).where(Q.accme_id.in_(chunk))
        for year, accme_id, rems_type, measure, value, n in conn.execute(query):
            for sign, code in zip((-1, 1), changed[accme_id], strict=True):
                if code is not None:
                    key = (year, accreditor_bucket(code), rems_type, measure, value)
                    totals[key] = totals.get(key, 0) + sign * n
    _add_rows(db, conn, totals)
    mips_totals.move_accreditors(db, conn, changed)


def backfill_totals(db: Database) -> None:
    """Fills the kept totals once in a database made before they were kept (or before the activity figures were:
    REMS activities stand but no figure is kept; or before the accreditors' sums were)."""
    with db.engine.begin() as conn:
        counted = conn.execute(select(C.activity_id).limit(1)).first() is not None
        summed = conn.execute(select(Q.year).where(Q.measure.not_in(FIGURE_MEASURES)).limit(1)).first() is not None
        registered = conn.execute(select(A.key).where(A.rems.is_(True)).limit(1)).first() is not None
        figured = conn.execute(select(Q.year).where(Q.measure == ACTIVITIES).limit(1)).first() is not None
        mips = mips_totals.unfilled(conn)
        P = provider_profiles.c
        overseen = select(Q.year).select_from(oversight_count_totals.join(provider_profiles, P.accme_id == Q.accme_id))
        bucketed = select(Q.year).where(Q.accme_id.like(ACCREDITOR + "%"))
        unbucketed = (
            conn.execute(overseen.limit(1)).first() is not None and conn.execute(bucketed.limit(1)).first() is None
        )
    if (counted and not summed) or (registered and not figured) or mips or unbucketed:
        resum_totals(db)


class KeepsReportTotals:
    """Mixed into the read models the REMS and MIPS totals are kept across (transcripts, activity summaries, for
    the MIPS physicians' names the learner directory, and for the accreditors' sums the provider profiles): their rows for the REMS and MIPS reports
    (`keeps_reports`; an as-of replay's scratch view turns it off), and the totals summed afresh after a reset or a
    rebuild's swap (a copy lacks the other read models' rows)."""

    db: Database
    keeps_reports = True

    def reset(self) -> None:
        super().reset()  # type: ignore[misc]
        resum_totals(self.db)

    def replace_with(self, copy: ProjectionView, application_name: str, finish: Callable[[], object]) -> bool:
        swapped: bool = super().replace_with(copy, application_name, finish)  # type: ignore[misc]
        if swapped:
            resum_totals(self.db)
        return swapped
