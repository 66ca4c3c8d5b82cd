"""Scratch read models for one as-of replay: the live SQL views on a private in-memory SQLite database.

The same view classes as the live read models (not look-alikes), so a replay answers every query
exactly as the live read model would have (less the REMS and MIPS reports' kept counts, which no as-of
route reads); the database vanishes when the replay is closed.
"""

from __future__ import annotations

import sys
import types
from typing import Any

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


class ScratchActivitySummaryView(SqlActivitySummaryView):
    keeps_reports = False  # the REMS and MIPS reports are never read as of an instant


class ScratchTranscriptView(SqlTranscriptView):
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
        self.read_engine = self.engine

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


def scratch_views(image: bytes | None = None) -> ScratchViews:
    """Empty views, or views holding what `image` (an earlier scratch database's copy) held."""
    db = InMemoryDatabase()
    if image is None:
        db.create_tables()
    else:
        db.restore(image)
    return ScratchViews(
        profiles=SqlProviderProfileView(db, ProviderProfileProjection.name),
        activities=ScratchActivitySummaryView(db, ActivitySummaryProjection.name),
        transcripts=ScratchTranscriptView(db, TranscriptProjection.name),
        checklist=SqlChecklistView(db, ChecklistProjection.name),
        records=SqlRecordStatusView(db, RecordStatusProjection.name),
        close=db.dispose,
        image=db.image,
    )
