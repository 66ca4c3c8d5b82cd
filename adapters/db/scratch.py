"""Scratch read models for one as-of replay: the live SQL views on a private in-memory SQLite database.

The same view classes as the live read models (not look-alikes), so a replay answers every query
exactly as the live read model would have (less the REMS and MIPS reports' kept counts, which no as-of
route reads); the database vanishes when the replay is closed.
"""

from __future__ import annotations

import sqlite3
import sys
import types
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, create_engine, event
from sqlalchemy.pool import StaticPool

from adapters.db.activity_summary_view import SqlActivitySummaryView
from adapters.db.as_of_snapshots import code_version
from adapters.db.checklist_view import SqlChecklistView
from adapters.db.database import JSON_COLUMNS, Database, DatabaseUrl
from adapters.db.provider_profile_view import SqlProviderProfileView
from adapters.db.record_status_view import SqlRecordStatusView
from adapters.db.tables import metadata
from adapters.db.transcripts_view import SqlTranscriptView
from projections.activity_summary import ActivitySummaryProjection
from projections.checklist import ChecklistProjection
from projections.provider_profile import ProviderProfileProjection
from projections.record_status import RecordStatusProjection
from projections.transcripts import TranscriptProjection
from services.as_of import ScratchViews

CHANGES = "scratch_changes"  # the temporary table of rowids moved since the last delta


class ScratchActivitySummaryView(SqlActivitySummaryView):
    keeps_reports = False  # the REMS and MIPS reports are never read as of an instant


class ScratchTranscriptView(SqlTranscriptView):
    keeps_reports = False


class ScratchProviderProfileView(SqlProviderProfileView):
    keeps_reports = False


VIEWS = (SqlProviderProfileView, SqlActivitySummaryView, SqlTranscriptView, SqlChecklistView, SqlRecordStatusView)
PROJECTIONS = (
    ProviderProfileProjection,
    ActivitySummaryProjection,
    TranscriptProjection,
    ChecklistProjection,
    RecordStatusProjection,
)


def replay_code_version() -> str:
    """The version of the code a replay snapshot is built by: the projections' and scratch views' modules
    and PARS's modules they use (tables, dashboard counts, domain events), this one and services/as_of.py."""
    roots = {c.__module__ for c in (*VIEWS, *PROJECTIONS)} | {__name__, "services.as_of"}
    found = set(roots)
    for name in roots:
        for value in vars(sys.modules[name]).values():
            used = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
            if isinstance(used, str) and used.split(".")[0] in ("adapters", "projections", "domain", "services"):
                found.add(used)
    return code_version(found)


class InMemoryDatabase(Database):
    """One in-memory SQLite connection shared by the writing and the reading engine (StaticPool)."""

    def __init__(self) -> None:
        self.url = DatabaseUrl("sqlite:///:memory:")
        self.engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}, **JSON_COLUMNS
        )
        self.read_engine = self.views_engine = self.engine

        @event.listens_for(self.engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, as the file engines do

        @event.listens_for(self.engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN")

    def create_tables(self) -> None:
        metadata.create_all(self.engine)

    def image(self) -> bytes:
        """The whole database as bytes (sqlite3 serialize): a replay snapshot."""
        with self.engine.connect() as conn:
            return conn.connection.driver_connection.serialize()  # type: ignore[union-attr]

    def restore(self, image: bytes) -> None:
        with self.engine.connect() as conn:
            conn.connection.driver_connection.deserialize(image)  # type: ignore[union-attr]

    def _raw(self) -> sqlite3.Connection:
        with self.engine.connect() as conn:
            return conn.connection.driver_connection  # type: ignore[return-value]

    def track_changes(self) -> None:
        """From now on, notes the rowid of every row inserted, changed or deleted in any table (temporary
        triggers and table: never in an image), so `changes` can tell what moved since the last call."""
        raw = self._raw()
        raw.execute(f"CREATE TEMP TABLE {CHANGES} (tbl TEXT, rid INTEGER, PRIMARY KEY (tbl, rid)) WITHOUT ROWID")
        tables = [r[0] for r in raw.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")]
        for n, table in enumerate(t for t in tables if not t.startswith("sqlite_")):
            # not INSERT OR IGNORE: an upsert's ON CONFLICT would take the place of the trigger's OR IGNORE
            note = (
                f"INSERT INTO {CHANGES} SELECT '{table}', %(r)s.rowid WHERE NOT EXISTS "
                f"(SELECT 1 FROM {CHANGES} WHERE tbl = '{table}' AND rid = %(r)s.rowid);"
            )
            for when, rows in (("INSERT", ("NEW",)), ("DELETE", ("OLD",)), ("UPDATE", ("OLD", "NEW"))):
                body = " ".join(note % {"r": r} for r in rows)
                raw.execute(f'CREATE TEMP TRIGGER {CHANGES}_{n}_{when} AFTER {when} ON main."{table}" BEGIN {body} END')

    def changes(self) -> bytes:
        """The rows that moved since tracking began or the last call, as they stand now (a replay snapshot's
        delta): per table, the rowids touched and the rows those rowids hold now (none where deleted)."""
        raw = self._raw()
        if not raw.execute(f"SELECT 1 FROM temp.sqlite_master WHERE name = '{CHANGES}'").fetchone():
            raise RuntimeError("the scratch views were made without tracking changes: no delta to take")
        touched: dict[str, list[int]] = {}
        for table, rid in raw.execute(f"SELECT tbl, rid FROM {CHANGES} ORDER BY tbl, rid"):
            touched.setdefault(table, []).append(rid)
        delta: dict[str, Any] = {}
        for table, rids in touched.items():
            cursor = raw.execute(f'SELECT * FROM main."{table}" LIMIT 0')
            columns = [c[0] for c in cursor.description]
            rows: list[Any] = []
            for start in range(0, len(rids), 500):
                part = rids[start : start + 500]
                marks = ",".join("?" * len(part))
                rows += raw.execute(f'SELECT rowid, * FROM main."{table}" WHERE rowid IN ({marks})', part).fetchall()
            delta[table] = {"columns": columns, "touched": rids, "rows": rows}
        raw.execute(f"DELETE FROM {CHANGES}")
        return orjson.dumps(delta)

    def apply(self, deltas: Sequence[bytes]) -> None:
        """Brings the tables to where `changes` found them at the last of `deltas` (in order): merged first, so
        each table takes one DELETE of every rowid they touched and one INSERT of the rows those hold at the
        last delta that touched them (a row moved by several deltas is written once)."""
        merged: dict[str, tuple[list[str], dict[int, list[Any] | None]]] = {}
        for delta in deltas:
            for table, moved in orjson.loads(delta).items():
                columns, rows = merged.setdefault(table, (moved["columns"], {}))
                if columns != moved["columns"]:
                    raise RuntimeError(f"replay deltas of {table} disagree on its columns: not one code version")
                rows.update(dict.fromkeys(moved["touched"]))  # deleted unless the delta holds the row
                rows.update((row[0], row) for row in moved["rows"])
        raw = self._raw()
        raw.execute("BEGIN")
        for table, (columns, rows) in merged.items():
            rids = sorted(rows)
            for start in range(0, len(rids), 500):
                part = rids[start : start + 500]
                raw.execute(f'DELETE FROM main."{table}" WHERE rowid IN ({",".join("?" * len(part))})', part)
            names = ", ".join(f'"{c}"' for c in ["rowid", *columns])
            marks = ", ".join("?" * (len(columns) + 1))
            raw.executemany(
                f'INSERT INTO main."{table}" ({names}) VALUES ({marks})',
                [r for i in rids if (r := rows[i]) is not None],
            )
        raw.execute("COMMIT")


def scratch_views(image: bytes | None = None, deltas: Sequence[bytes] = (), track: bool = True) -> ScratchViews:
    """Empty views, or views holding what `image` (an earlier scratch database's copy) held, brought forward
    by `deltas` (what moved after it, in order); with `track`, what moves from here on is tracked for the next
    delta (a replay that takes no snapshot leaves it off: the triggers cost every write, and making them ~40 ms)."""
    db = InMemoryDatabase()
    if image is None:
        db.create_tables()
    else:
        db.restore(image)
    if deltas:
        db.apply(deltas)
    if track:
        db.track_changes()
    return ScratchViews(
        profiles=ScratchProviderProfileView(db, ProviderProfileProjection.name),
        activities=ScratchActivitySummaryView(db, ActivitySummaryProjection.name),
        transcripts=ScratchTranscriptView(db, TranscriptProjection.name),
        checklist=SqlChecklistView(db, ChecklistProjection.name),
        records=SqlRecordStatusView(db, RecordStatusProjection.name),
        close=db.dispose,
        image=db.image,
        changes=db.changes,
    )
