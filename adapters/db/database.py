"""Engines for the read models, from PARS_DATABASE_URL; and the event store's environment from the same URL."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.schema import CreateColumn

from adapters.db import json_columns
from adapters.db.tables import metadata

log = logging.getLogger(__name__)
#: How long an erasure waits for the learner tables' exclusive lock to rewrite them (PostgreSQL).
FULL_VACUUM_LOCK_TIMEOUT = "2s"
# orjson for the library's JSON format: events written by the plain JSONTranscoder load alike (adapters/db/orjson_transcoder.py).
TRANSCODER_TOPIC = "adapters.db.orjson_transcoder:OrjsonTranscoder"
PG_RECORDER_TOPIC = "adapters.db.pg_recorder:ParsPostgresRecorder"
SQLITE_RECORDER_TOPIC = "adapters.db.sqlite_recorder:ParsSQLiteRecorder"
JSON_COLUMNS: dict[str, Any] = {"json_serializer": json_columns.dumps, "json_deserializer": json_columns.loads}


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed `sqlite:///PATH` or `postgresql://USER@HOST:PORT/DB`."""

    raw: str

    def __post_init__(self) -> None:
        if not (self.is_sqlite or self.is_postgres):
            raise ValueError(
                f"PARS_DATABASE_URL must be sqlite:///PATH or postgresql://USER@HOST:PORT/DB (got {self.raw!r})"
            )
        if self.is_sqlite and not self.sqlite_path:
            raise ValueError("PARS_DATABASE_URL sqlite:/// needs a file path")
        if self.is_postgres and not self.parts.path.strip("/"):
            raise ValueError("PARS_DATABASE_URL postgresql:// needs a database name")

    @property
    def is_sqlite(self) -> bool:
        return self.raw.startswith("sqlite:///")

    @property
    def is_postgres(self) -> bool:
        return self.raw.startswith(("postgresql://", "postgres://"))

    @property
    def parts(self) -> SplitResult:
        return urlsplit(self.raw)

    @property
    def sqlite_path(self) -> str:
        return self.raw[len("sqlite:///") :]

    def event_store_env(self) -> dict[str, str]:
        """Environment for eventsourcing's persistence modules."""
        if self.is_sqlite:
            Path(self.sqlite_path).parent.mkdir(parents=True, exist_ok=True)
            return {
                "TRANSCODER_TOPIC": TRANSCODER_TOPIC,
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "APPLICATION_RECORDER_TOPIC": SQLITE_RECORDER_TOPIC,  # a Kafka consumer's positions with its events
                "SQLITE_DBNAME": self.sqlite_path,
                "SQLITE_LOCK_TIMEOUT": "30",
            }
        p = self.parts
        return {
            "TRANSCODER_TOPIC": TRANSCODER_TOPIC,
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "APPLICATION_RECORDER_TOPIC": PG_RECORDER_TOPIC,  # batches sent as column arrays (pg_recorder.py)
            "POSTGRES_DBNAME": p.path.strip("/"),
            "POSTGRES_HOST": p.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(p.port or 5432),
            "POSTGRES_USER": unquote(p.username or "postgres"),
            # The library requires a password even under trust authentication.
            "POSTGRES_PASSWORD": unquote(p.password or "unused"),
            "POSTGRES_POOL_SIZE": "5",
            "POSTGRES_MAX_OVERFLOW": "10",
        }

    def sqlalchemy_url(self) -> str:
        if self.is_sqlite:
            return f"sqlite:///{self.sqlite_path}"
        return "postgresql+psycopg://" + self.raw.split("://", 1)[1]


def lock_key(name: str) -> int:
    """A PostgreSQL advisory lock key (signed 64-bit) for a name: the same in every process."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class Database:
    """Engines on one database: one for writing (serialised), one for reading, and on SQLite a third for the
    read models' pages (`views_engine`): not synced at each commit (WAL, `synchronous=NORMAL`). A power cut
    may undo the last pages, rows and position together, and the runner applies them again; everything
    else (the log, secrets, credentials, the sender's queue) is written through `engine`, synced. The fsync of
    every read model's page was most of the projections' time while a board's answers streamed in."""

    #: Prefixes the advisory lock names of this database's projections; a rebuild's scratch copy
    #: (adapters/db/rebuild.py) has its own, so building it never waits for the live read model.
    lock_namespace = ""

    def __init__(self, url: DatabaseUrl) -> None:
        self.url = url
        if url.is_sqlite:
            Path(url.sqlite_path).parent.mkdir(parents=True, exist_ok=True)
            self.engine = _sqlite_engine(url.sqlalchemy_url(), immediate=True)
            self.read_engine = _sqlite_engine(url.sqlalchemy_url(), immediate=False)
            self.views_engine = _sqlite_engine(url.sqlalchemy_url(), immediate=True, synchronous="NORMAL")
        else:
            self.engine = create_engine(
                url.sqlalchemy_url(), pool_pre_ping=True, pool_size=5, max_overflow=10, **JSON_COLUMNS
            )
            self.read_engine = self.views_engine = self.engine

    @contextmanager
    def schema_lock(self) -> Iterator[None]:
        """Held while a process creates or alters tables: processes started together (the API, several
        workers, a CLI command) would otherwise race on PostgreSQL's catalog (`tuple concurrently
        updated`, `duplicate key ... pg_type`). SQLite needs none: DDL runs in BEGIN IMMEDIATE."""
        if self.url.is_sqlite:
            yield
            return
        key = lock_key("pars:schema")
        with self.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.commit()

    def lock_projection(self, conn: Connection, name: str, *, wait: bool = True) -> bool:
        """Takes the projection's write lock until `conn`'s transaction ends; False when `wait` is off
        and another process holds it. Every writer of a read model takes it first, so two processes
        never apply pages of one read model at once (see SqlView.claim).

        SQLite: the view's transaction began with BEGIN IMMEDIATE, which already holds the file's one
        write lock. PostgreSQL: a transaction-scoped advisory lock named after the projection."""
        if self.url.is_sqlite:
            return True
        key = lock_key(f"pars:projection:{self.lock_namespace}:{name}")
        if wait:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
            return True
        return bool(conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}).scalar())

    def create_tables(self) -> None:
        with self.schema_lock():
            metadata.create_all(self.engine)
            self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """Columns (and their indexes) added to a read-model table since the database was made (create_all adds only tables).
        Old rows get the column's default until `pars projections rebuild` refills them."""
        with self.engine.begin() as conn:  # one connection: an inspector of its own would hold SQLite's write lock
            existing = inspect(conn)
            for table in metadata.sorted_tables:
                if not existing.has_table(table.name):
                    continue
                have = {c["name"] for c in existing.get_columns(table.name)}
                for column in table.columns:
                    if column.name not in have:
                        ddl = CreateColumn(column).compile(dialect=self.engine.dialect)
                        conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {ddl}")
                        if not table.info.get("cache"):  # a cache's old rows are simply not used (as_of_snapshots)
                            log.warning(
                                "added column %s.%s; run `pars projections rebuild` to fill it", table.name, column.name
                            )
                for index in table.indexes:
                    index.create(conn, checkfirst=True)

    def purge_deleted(self, tables: Sequence[str], attempts: int = 50) -> bool:
        """Makes rows already deleted from `tables` unreadable in the database's own files, as far as the
        engine allows; True when done. SQLite: every connection overwrites deleted content with zeros
        (`secure_delete`, set on connect), so what is left are the older page images in the WAL: a TRUNCATE
        checkpoint copies the newest pages into the database and empties the WAL file; it waits (retries)
        while a reader still uses an older snapshot. PostgreSQL: VACUUM of the tables, so dead tuples are
        removed. Plain VACUUM only marks a dead tuple's space free: its bytes stay in the page until new rows
        overwrite them, so each table is rewritten (VACUUM FULL: new files holding live rows only) when its lock
        is granted within `FULL_VACUUM_LOCK_TIMEOUT`, and only vacuumed otherwise (a long reader holds it); WAL
        segments and backups keep old pages until they are recycled."""
        if self.url.is_sqlite:
            raw = self.engine.raw_connection()
            try:
                for attempt in range(attempts):
                    cursor = raw.cursor()
                    busy, _, _ = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                    cursor.close()
                    if not busy:
                        return True
                    time.sleep(min(0.2, 0.01 * 2**attempt))
                log.warning(
                    "the WAL checkpoint after an erasure waited for readers %d times; it will complete at a later checkpoint",
                    attempts,
                )
                return False
            finally:
                raw.close()
        for table in tables:
            if table not in metadata.tables:
                raise ValueError(f"no table {table!r}")
        rewritten = True
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # A row deleted while an older transaction still runs is only "recently dead": VACUUM (FULL too) keeps
            # it. Wait until every transaction that began before now has ended (projection batches are short).
            now = conn.exec_driver_sql("SELECT pg_current_xact_id()::text::bigint").scalar_one()
            for attempt in range(attempts):
                oldest = conn.exec_driver_sql(
                    "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
                ).scalar_one()
                if oldest > now:
                    break
                time.sleep(min(0.2, 0.01 * 2**attempt))
            else:
                log.warning("a transaction older than the erasure is still running; its rows may survive this VACUUM")
                rewritten = False
            conn.exec_driver_sql(f"SET lock_timeout = '{FULL_VACUUM_LOCK_TIMEOUT}'")
            try:
                for table in tables:
                    try:
                        # ACCESS EXCLUSIVE while it runs: matching waits (bench/erasure.py: 1.8 s with 50,000 learners).
                        conn.exec_driver_sql(f"VACUUM FULL {table}")
                    except OperationalError:  # lock_not_available: a long reader; leave the rewrite to a later one
                        log.warning(
                            "VACUUM FULL %s waited longer than %s; vacuumed only", table, FULL_VACUUM_LOCK_TIMEOUT
                        )
                        conn.exec_driver_sql(f"VACUUM {table}")
                        rewritten = False
            finally:
                conn.exec_driver_sql("RESET lock_timeout")  # the connection goes back to the pool
        return rewritten

    def dispose(self) -> None:
        self.engine.dispose()
        for other in {self.read_engine, self.views_engine} - {self.engine}:
            other.dispose()


def _sqlite_engine(url: str, *, immediate: bool, synchronous: str | None = None) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **JSON_COLUMNS)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # Deleted rows (an erased learner's directory rows and key) are overwritten with zeros, not left
        # readable in free space; see purge_deleted for the WAL.
        cursor.execute("PRAGMA secure_delete=ON")
        if synchronous is not None:
            cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # Writers take the lock up front, so a read-then-write batch never fails to upgrade.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
