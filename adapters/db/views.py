"""SQLAlchemy views: rows and the tracked position written in one transaction."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking
from sqlalchemy import Connection, Table, and_, delete, func, insert, select, update

from adapters.db.database import Database
from adapters.db.tables import directory_entries, projection_tracking, provider_events, provider_profiles
from projections.base import ProjectionView
from projections.directory import DirectoryView
from projections.history import HistoryView
from projections.provider_profile import ProviderProfileView


class SqlView(ProjectionView):
    """Shared tracking for every SQL view: one row per (projection, application) holding its position."""

    tables: tuple[Table, ...] = ()

    def __init__(self, db: Database, projection_name: str) -> None:
        self.db = db
        self.projection_name = projection_name
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is not None:  # joined: the batch's transaction commits rows and position together
            yield conn
            return
        with self.db.engine.begin() as conn:
            self._local.conn = conn
            try:
                yield conn
            finally:
                self._local.conn = None

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            yield conn
            return
        with self.db.read_engine.connect() as conn:
            yield conn

    def insert_tracking(self, tracking: Tracking) -> None:
        with self.transaction() as conn:
            self._track(conn, tracking)

    def _track(self, conn: Connection, tracking: Tracking) -> None:
        key = and_(
            projection_tracking.c.projection == self.projection_name,
            projection_tracking.c.application_name == tracking.application_name,
        )
        moved = conn.execute(
            update(projection_tracking)
            .where(key, projection_tracking.c.notification_id < tracking.notification_id)
            .values(notification_id=tracking.notification_id)
        ).rowcount
        if moved:
            return
        current = conn.execute(select(projection_tracking.c.notification_id).where(key)).scalar()
        if current is not None:
            # Exactly once: a position at or behind the stored one was already applied.
            raise IntegrityError(
                f"{self.projection_name} already processed {tracking.application_name} "
                f"notification {tracking.notification_id} (at {current})"
            )
        conn.execute(
            insert(projection_tracking).values(
                projection=self.projection_name,
                application_name=tracking.application_name,
                notification_id=tracking.notification_id,
            )
        )

    def max_tracking_id(self, application_name: str) -> int | None:
        with self.reading() as conn:
            return conn.execute(
                select(projection_tracking.c.notification_id).where(
                    projection_tracking.c.projection == self.projection_name,
                    projection_tracking.c.application_name == application_name,
                )
            ).scalar()

    def wait(self, application_name: str, notification_id: int | None, timeout: float = 1.0, interrupt: Any = None) -> None:
        """Polls briefly (a read model is usually milliseconds behind), raising TimeoutError at the deadline."""
        deadline = time.monotonic() + timeout
        pause = 0.002
        while not self.has_tracking_id(application_name, notification_id):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.projection_name} did not reach notification {notification_id} in {timeout}s")
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    def reset(self) -> None:
        with self.transaction() as conn:
            for table in self.tables:
                conn.execute(delete(table))
            conn.execute(delete(projection_tracking).where(projection_tracking.c.projection == self.projection_name))


class SqlProviderProfileView(SqlView, ProviderProfileView):
    tables = (provider_profiles,)

    def get_profile(self, accme_id: str) -> dict[str, Any] | None:
        with self.reading() as conn:
            return conn.execute(select(provider_profiles.c.doc).where(provider_profiles.c.accme_id == accme_id)).scalar()

    def put_profile(self, accme_id: str, profile: dict[str, Any], tracking: Tracking) -> None:
        with self.transaction() as conn:
            values = {"accreditor": profile["accreditor"], "name": profile["name"], "doc": profile}
            if not conn.execute(update(provider_profiles).where(provider_profiles.c.accme_id == accme_id).values(**values)).rowcount:
                conn.execute(insert(provider_profiles).values(accme_id=accme_id, **values))
            self._track(conn, tracking)

    def list_profiles(self, accme_ids: list[str] | None = None, accreditors: list[str] | None = None) -> list[dict[str, Any]]:
        query = select(provider_profiles.c.doc).order_by(provider_profiles.c.accme_id)
        if accme_ids is not None:
            query = query.where(provider_profiles.c.accme_id.in_(accme_ids))
        if accreditors is not None:
            query = query.where(provider_profiles.c.accreditor.in_(accreditors))
        with self.reading() as conn:
            return list(conn.execute(query).scalars())


class SqlDirectoryView(SqlView, DirectoryView):
    tables = (directory_entries,)

    def get_entry(self, accme_id: str) -> dict[str, Any] | None:
        with self.reading() as conn:
            return conn.execute(select(directory_entries.c.doc).where(directory_entries.c.accme_id == accme_id)).scalar()

    def put_entry(self, accme_id: str, entry: dict[str, Any], listed: bool, tracking: Tracking) -> None:
        search_text = " ".join(
            [entry["accme_id"], entry["name"], entry["accreditor"], entry["accreditor_name"]]
        ).lower()
        values = {"name": entry["name"], "listed": listed, "search_text": search_text, "doc": entry}
        with self.transaction() as conn:
            if not conn.execute(update(directory_entries).where(directory_entries.c.accme_id == accme_id).values(**values)).rowcount:
                conn.execute(insert(directory_entries).values(accme_id=accme_id, **values))
            self._track(conn, tracking)

    def search(self, q: str, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        where = [directory_entries.c.listed.is_(True)]
        for word in q.lower().split():
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append(directory_entries.c.search_text.like(f"%{escaped}%", escape="\\"))
        with self.reading() as conn:
            total = conn.execute(select(func.count()).select_from(directory_entries).where(*where)).scalar_one()
            rows = conn.execute(
                select(directory_entries.c.doc)
                .where(*where)
                .order_by(directory_entries.c.name, directory_entries.c.accme_id)
                .limit(limit)
                .offset(offset)
            ).scalars()
            return list(rows), total


class SqlHistoryView(SqlView, HistoryView):
    tables = (provider_events,)

    def append(self, entry: dict[str, Any], tracking: Tracking) -> None:
        row = dict(entry)
        row["occurred_at"] = _utc_naive(row.pop("time"))
        with self.transaction() as conn:
            conn.execute(insert(provider_events).values(**row))
            self._track(conn, tracking)

    def events(
        self, accme_id: str, *, as_of: datetime | None = None, after: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]:
        t = provider_events.c
        query = select(provider_events).where(t.accme_id == accme_id, t.position > after).order_by(t.position)
        if as_of is not None:
            query = query.where(t.occurred_at <= _utc_naive(as_of))
        if limit is not None:
            query = query.limit(limit)
        with self.reading() as conn:
            return [
                {
                    "position": r.position,
                    "type": r.type,
                    "time": r.occurred_at.replace(tzinfo=UTC).isoformat(),
                    "actor": r.actor,
                    "channel": r.channel,
                    "stream_id": r.stream_id,
                    "version": r.version,
                    "data": r.data,
                }
                for r in conn.execute(query)
            ]


def _utc_naive(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


