"""Rebuilding a read model aside while other processes serve it, then swapping it in at once.

`pars projections rebuild` replays the whole log into an empty copy of the read model's tables
(a scratch SQLite file beside the database, or a scratch PostgreSQL schema), while the API and the
workers go on reading and updating the live tables. The copy then replaces the live rows and
position in one transaction under the read model's lock (see `Database.lock_projection`): a reader
sees the old read model or the new one, never a half-built one, and live writers of that read
model wait for the swap, then carry on from the copy's position.
"""

from __future__ import annotations

import fcntl
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, event, text
from sqlalchemy.pool import NullPool

from adapters.db.database import JSON_COLUMNS, Database, DatabaseUrl, lock_key
from adapters.db.tables import metadata, projection_tracking

SQLITE_ALIAS = "pars_rebuild"
SQLITE_MARK = ".rebuild-"  # scratch files: <database file>.rebuild-<projection>-<random>
PG_PREFIX = "pars_rebuild_"  # scratch schemas: pars_rebuild_<random>


class ScratchDatabase(Database):
    """Empty copies of some read-model tables (and `projection_tracking`) beside the live database.

    The same view classes run on it unchanged: on PostgreSQL its connections' search_path is the
    scratch schema alone, so every table name, raw SQL included, means the copy (and a table the
    copy lacks is an error, never a write to the live one)."""

    def __init__(self, live: Database, name: str, tables: Sequence[Table]) -> None:
        self.live = live
        suffix = uuid.uuid4().hex[:12]  # one scratch per rebuild: two rebuilds at once do not collide
        self.schema: str | None = None
        self.path: Path | None = None
        # Held while the scratch lives (the process's death releases it): a scratch whose hold is free
        # was left by a rebuild that died, and the next rebuild drops it.
        self._hold: Any = None
        if live.url.is_sqlite:
            live_path = Path(live.url.sqlite_path)
            _sweep_sqlite(live_path)
            self.path = live_path.with_name(f"{live_path.name}{SQLITE_MARK}{name}-{suffix}")
            self._hold = open(f"{self.path}.lock", "a")  # noqa: SIM115 - held until drop()
            fcntl.flock(self._hold, fcntl.LOCK_EX)
            super().__init__(DatabaseUrl(f"sqlite:///{self.path}"))
            for engine in (self.engine, self.read_engine, self.views_engine):
                event.listen(engine, "connect", _no_sync)
        else:
            self.url = live.url
            self.schema = f"{PG_PREFIX}{suffix}"
            self.lock_namespace = self.schema
            _sweep_postgres(live)
            # The hold is a session of its own, outside the live engine's pool: a rebuild of every read model holds
            # one per read model, which would otherwise take the whole pool (5 + 10) and leave none to swap or drop.
            self._hold_engine = create_engine(live.url.sqlalchemy_url(), poolclass=NullPool)
            self._hold = self._hold_engine.connect()
            self._hold.execute(text("SELECT pg_advisory_lock(:key)"), {"key": lock_key(f"pars:rebuild:{self.schema}")})
            self._hold.commit()
            with live.engine.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            self.engine = create_engine(
                live.url.sqlalchemy_url(),
                pool_pre_ping=True,
                pool_size=2,
                max_overflow=2,
                # The copy needs no durability: a rebuild that dies leaves a scratch the next one drops.
                connect_args={"options": f"-csearch_path={self.schema} -csynchronous_commit=off"},
                **JSON_COLUMNS,
            )
            self.read_engine = self.views_engine = self.engine
        self.tables = list(tables)
        metadata.create_all(self.engine, tables=[projection_tracking, *self.tables])
        if self.schema is not None:
            # UNLOGGED: the copy's rows and indexes are written without WAL (a rebuild that dies leaves a scratch
            # the next one drops), which was most of the server's work while a copy was built; the swap's
            # INSERT … SELECT into the live tables is logged as every write of theirs is.
            with self.engine.begin() as conn:
                for table in [projection_tracking, *self.tables]:
                    conn.execute(text(f'ALTER TABLE "{table.name}" SET UNLOGGED'))

    def create_tables(self) -> None:  # pragma: no cover - made in __init__, for the copy's tables only
        raise NotImplementedError

    def drop(self) -> None:
        self.dispose()
        if self.path is not None:
            _remove_sqlite(self.path)
            self._hold.close()
        else:
            with self.live.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            self._hold.close()  # ends the session: its advisory lock goes with it
            self._hold_engine.dispose()


def _no_sync(dbapi_connection: Any, _record: Any) -> None:
    """A scratch file is not synced at each commit: a rebuild that dies leaves it for the next to remove."""
    dbapi_connection.execute("PRAGMA synchronous=OFF")


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".lock"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _sweep_sqlite(live_path: Path) -> None:
    """Removes scratch files of rebuilds that died (their lock file is not held by anyone)."""
    for lock in live_path.parent.glob(f"{live_path.name}{SQLITE_MARK}*.lock"):
        with open(lock, "a") as probe:
            try:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a rebuild is using it
            _remove_sqlite(Path(str(lock).removesuffix(".lock")))


def _sweep_postgres(live: Database) -> None:
    """Drops scratch schemas of rebuilds that died (their session lock is free)."""
    with live.engine.connect() as conn:
        schemas = (
            conn.execute(
                text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"),
                {"p": PG_PREFIX.replace("_", "\\_") + "%"},
            )
            .scalars()
            .all()
        )
        conn.commit()
        for schema in schemas:
            key = lock_key(f"pars:rebuild:{schema}")
            if conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar():
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            conn.commit()


def _columns(table: Table) -> str:
    return ", ".join(f'"{c.name}"' for c in table.columns)


def replace(
    live: Database, scratch: ScratchDatabase, projection: str, application_name: str, finish: Callable[[], object]
) -> bool:
    """The copy's rows and position replace the live ones in one transaction; False if the copy is
    behind the live read model (nothing changed)."""
    if live.url.is_sqlite:
        return _replace_sqlite(live, scratch, projection, application_name, finish)
    with live.engine.begin() as conn:
        live.lock_projection(conn, projection)  # live writers of this read model wait from here on
        finish()  # the copy has its own lock and connections: it reaches the head while they wait
        where = "WHERE projection = :p AND application_name = :a"
        args = {"p": projection, "a": application_name}
        at = conn.execute(text(f"SELECT notification_id FROM projection_tracking {where}"), args).scalar() or 0
        copied = (
            conn.execute(
                text(f'SELECT notification_id FROM "{scratch.schema}".projection_tracking {where}'), args
            ).scalar()
            or 0
        )
        if copied < at:
            return False
        for table in scratch.tables:
            # DELETE, not TRUNCATE: readers keep reading the old rows (MVCC) until the commit.
            conn.execute(text(f'DELETE FROM "{table.name}"'))
            cols = _columns(table)
            conn.execute(
                text(f'INSERT INTO "{table.name}" ({cols}) SELECT {cols} FROM "{scratch.schema}"."{table.name}"')
            )
        conn.execute(text("DELETE FROM projection_tracking WHERE projection = :p"), args)
        conn.execute(
            text(
                "INSERT INTO projection_tracking (projection, application_name, notification_id) "
                f'SELECT projection, application_name, notification_id FROM "{scratch.schema}".projection_tracking WHERE projection = :p'
            ),
            args,
        )
    return True


def _replace_sqlite(
    live: Database, scratch: ScratchDatabase, projection: str, application_name: str, finish: Callable[[], object]
) -> bool:
    """SQLite has one write lock per file and the copy is another file: attached to a live
    connection, BEGIN IMMEDIATE holds both, so the copy cannot be finished inside the swap. It is
    finished just before; while the swap holds the write lock nothing is appended and no live
    writer moves, so a copy at or past the live position is a complete replacement."""
    finish()
    raw = live.engine.raw_connection()
    try:
        db = raw.driver_connection
        assert db is not None  # a pooled connection that is open has its driver's
        db.execute(f"ATTACH DATABASE ? AS {SQLITE_ALIAS}", (str(scratch.path),))
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                where = "WHERE projection = ? AND application_name = ?"
                at = db.execute(
                    f"SELECT notification_id FROM main.projection_tracking {where}", (projection, application_name)
                ).fetchone()
                copied = db.execute(
                    f"SELECT notification_id FROM {SQLITE_ALIAS}.projection_tracking {where}",
                    (projection, application_name),
                ).fetchone()
                if (copied[0] if copied else 0) < (at[0] if at else 0):
                    db.execute("ROLLBACK")
                    return False
                for table in scratch.tables:
                    cols = _columns(table)
                    db.execute(f'DELETE FROM main."{table.name}"')
                    db.execute(
                        f'INSERT INTO main."{table.name}" ({cols}) SELECT {cols} FROM {SQLITE_ALIAS}."{table.name}"'
                    )
                db.execute("DELETE FROM main.projection_tracking WHERE projection = ?", (projection,))
                db.execute(
                    "INSERT INTO main.projection_tracking (projection, application_name, notification_id) "
                    f"SELECT projection, application_name, notification_id FROM {SQLITE_ALIAS}.projection_tracking WHERE projection = ?",
                    (projection,),
                )
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        finally:
            db.execute(f"DETACH DATABASE {SQLITE_ALIAS}")
    finally:
        raw.close()
    return True
