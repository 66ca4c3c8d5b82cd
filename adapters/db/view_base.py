"""What every SQL view shares: rows and the tracked position written in one transaction (SqlView),
one JSON document per key (SqlDocumentView), and the dialect's upsert."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking
from sqlalchemy import Column, Connection, Table, and_, delete, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

from adapters.db.database import Database, lock_key
from adapters.db.tables import projection_tracking
from projections.base import ProjectionView


class Batch:
    """One open transaction of a view: its connection, the first and last positions applied in it,
    documents read or written during it and rows appended (flushed once, at the end), and `pending`:
    what a view buffers of its own kind (feeds, the learner directory), which its `_flush` writes."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.first: Tracking | None = None
        self.last: Tracking | None = None
        self.docs: dict[str, dict[str, Any] | None] = {}
        self.dirty: dict[str, dict[str, Any]] = {}
        self.rows: list[dict[str, Any]] = []
        self.pending: Any = None


class _PageOfThread(threading.local):
    """The batch open in this thread (None between pages): a class default, so reading it needs no getattr."""

    batch: Batch | None = None


class _Joined:
    """The open batch's connection as a context manager that does nothing on exit (the batch commits)."""

    __slots__ = ("conn",)

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def __enter__(self) -> Connection:
        return self.conn

    def __exit__(self, *_: object) -> None:
        return None


class SqlView(ProjectionView):
    """Shared tracking for every SQL view: one row per (projection, application) holding its position.

    Inside a transaction, `_track` only notes the position; the position is written once, when the
    transaction ends, in the same commit as the rows, and only if nothing in this batch had been
    applied before (compare-and-set on the first position), so each event is applied exactly once.
    Several processes may run one projection: the runner first `claim`s the page (the read model's
    lock, then the position read again), so the compare-and-set is only the last guard.
    """

    tables: tuple[Table, ...] = ()

    def __init__(self, db: Database, projection_name: str) -> None:
        self.db = db
        self.projection_name = projection_name
        self._local = _PageOfThread()
        #: None for a live view. For a rebuild's copy, which starts empty (`aside`), the keys it has
        #: written so far: a read of any other key is answered "none" without a query (`_unwritten`),
        #: so a rebuild inserts final documents without a SELECT per key.
        self._written: set[Any] | None = None

    def _unwritten(self, key: Any) -> bool:
        """True when the view is known to hold no row of `key` (a rebuild's copy that never wrote it)."""
        written = self._written
        return written is not None and key not in written

    def _wrote(self, keys: Any) -> None:
        """Notes keys written in this batch (a copy's; a failed batch leaves keys noted that were not
        written, which only costs a query that finds nothing)."""
        if self._written is not None:
            self._written.update(keys)

    def upsert_rows(self, conn: Connection, table: Table, key: str, rows: list[dict[str, Any]]) -> None:
        """Writes rows (each with the first row's columns) by their one-column key, replacing the rows there: on a
        rebuild's copy, the rows of keys it never wrote go in with `insert_rows` (COPY on PostgreSQL), no upsert."""
        written = self._written
        if written is not None and rows:
            name = table.name
            fresh = [(name, row[key]) not in written for row in rows]
            insert_rows(conn, table, [row for row, new in zip(rows, fresh, strict=True) if new])
            written.update((name, row[key]) for row in rows)
            rows = [row for row, new in zip(rows, fresh, strict=True) if not new]
        if not rows:
            return
        statement = upsert(self.db, table)
        statement = statement.on_conflict_do_update(
            index_elements=[key], set_={c: statement.excluded[c] for c in rows[0] if c != key}
        )
        conn.execute(statement, rows)

    @property
    def _batch(self) -> Batch | None:
        return self._local.batch

    def transaction(self) -> AbstractContextManager[Connection]:
        batch = self._local.batch  # not the property: every event of a page comes here
        if batch is not None:  # joined: the batch's transaction commits rows and position together
            # A plain object, not a generator: every event of a page joins its batch (once or twice per
            # read model), and a @contextmanager costs several times as much to enter and leave.
            return _Joined(batch.conn)
        return self._begin()

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        with self.db.views_engine.begin() as conn:
            batch = self._local.batch = Batch(conn)
            try:
                yield conn
                self._flush(batch)
                if batch.first is not None and batch.last is not None:
                    self._write_position(conn, batch.first, batch.last)
            finally:
                self._local.batch = None

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        batch = self._batch
        if batch is not None:
            yield batch.conn
            return
        with self.db.read_engine.connect() as conn:
            yield conn

    def _flush(self, batch: Batch) -> None:
        """Writes what the batch kept in memory (documents, appended rows); views that cache override it."""

    def insert_tracking(self, tracking: Tracking) -> None:
        with self.transaction() as conn:
            self._track(conn, tracking)

    def _track(self, conn: Connection, tracking: Tracking) -> None:
        batch = self._local.batch
        assert batch is not None and batch.conn is conn, "tracking is recorded inside the view's transaction"
        if batch.last is not None and tracking.notification_id <= batch.last.notification_id:
            raise IntegrityError(f"{self.projection_name}: notification {tracking.notification_id} out of order")
        if batch.first is None:
            batch.first = tracking
        batch.last = tracking

    def _write_position(self, conn: Connection, first: Tracking, last: Tracking) -> None:
        key = and_(
            projection_tracking.c.projection == self.projection_name,
            projection_tracking.c.application_name == last.application_name,
        )
        moved = conn.execute(
            update(projection_tracking)
            .where(key, projection_tracking.c.notification_id < first.notification_id)
            .values(notification_id=last.notification_id)
        ).rowcount
        if moved:
            return
        current = conn.execute(select(projection_tracking.c.notification_id).where(key)).scalar()
        if current is not None:
            # Exactly once: part of this batch was already applied (by us before, or another worker).
            raise IntegrityError(
                f"{self.projection_name} already processed {last.application_name} "
                f"notification {first.notification_id} (at {current})"
            )
        conn.execute(
            insert(projection_tracking).values(
                projection=self.projection_name,
                application_name=last.application_name,
                notification_id=last.notification_id,
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

    def tracking_key(self) -> object:
        return self.db

    def positions(self, names: Sequence[str], application_name: str) -> dict[str, int]:
        with self.reading() as conn:
            rows = conn.execute(
                select(projection_tracking.c.projection, projection_tracking.c.notification_id).where(
                    projection_tracking.c.projection.in_(list(names)),
                    projection_tracking.c.application_name == application_name,
                )
            ).all()
        found: dict[str, int | None] = {row[0]: row[1] for row in rows}
        return {name: found.get(name) or 0 for name in names}

    def skip_to(self, names: Sequence[str], application_name: str, after: int, last: int) -> set[str]:
        if not names:
            return set()
        with self.db.views_engine.begin() as conn:
            if self.db.url.is_sqlite:  # BEGIN IMMEDIATE holds the file's one write lock: no page of theirs runs
                moved = conn.execute(
                    update(projection_tracking)
                    .where(
                        projection_tracking.c.projection.in_(list(names)),
                        projection_tracking.c.application_name == application_name,
                        projection_tracking.c.notification_id >= after,
                        projection_tracking.c.notification_id < last,
                    )
                    .values(notification_id=last)
                    .returning(projection_tracking.c.projection)
                ).scalars()
                return set(moved)
            # Each read model's advisory lock only tried (as the serving loop does): one another process holds
            # is left to it. Taken in this statement's transaction, so the other's page waits for the commit
            # and then reads the moved position (SqlView.claim).
            keys = [lock_key(f"pars:projection:{self.db.lock_namespace}:{name}") for name in names]
            moved = conn.execute(
                text(
                    "UPDATE projection_tracking AS t SET notification_id = :last"
                    " FROM unnest(CAST(:names AS text[]), CAST(:keys AS bigint[])) AS k(name, key)"
                    " WHERE t.projection = k.name AND t.application_name = :app"
                    " AND t.notification_id >= :after AND t.notification_id < :last"
                    " AND pg_try_advisory_xact_lock(k.key)"
                    " RETURNING t.projection"
                ),
                {"last": last, "names": list(names), "keys": keys, "app": application_name, "after": after},
            ).scalars()
            return set(moved)

    def wait(
        self, application_name: str, notification_id: int | None, timeout: float = 1.0, interrupt: Any = None
    ) -> None:
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
            self.db.lock_projection(conn, self.projection_name)  # not in the middle of another process's page
            for table in self.tables:
                conn.execute(delete(table))
            conn.execute(delete(projection_tracking).where(projection_tracking.c.projection == self.projection_name))

    def claim(self, application_name: str, *, wait: bool = True) -> int | None:
        batch = self._batch
        assert batch is not None, "a page is claimed inside the view's transaction"
        if not self.db.lock_projection(batch.conn, self.projection_name, wait=wait):
            return None
        # Read after the lock, in the same transaction: what another process committed is seen.
        return self.max_tracking_id(application_name) or 0

    @contextmanager
    def aside(self) -> Iterator[SqlView]:
        from adapters.db.rebuild import ScratchDatabase

        scratch = ScratchDatabase(self.db, self.projection_name, self.tables)
        try:
            copy = type(self)(scratch, self.projection_name)
            copy._written = set()  # empty: nothing to read back but what the copy writes
            yield copy
        finally:
            scratch.drop()

    def replace_with(self, copy: ProjectionView, application_name: str, finish: Callable[[], object]) -> bool:
        from adapters.db.rebuild import ScratchDatabase, replace

        assert isinstance(copy, SqlView) and isinstance(copy.db, ScratchDatabase), "a copy made by aside()"
        return replace(self.db, copy.db, self.projection_name, application_name, finish)


class SqlDocumentView(SqlView):
    """A view of one JSON document per key: reads within a batch come from memory, writes are
    upserted once per key when the batch commits (many events of one provider, one write)."""

    table: Table

    def _key_column(self) -> Column[Any]:
        return self.table.c[self.table.primary_key.columns.keys()[0]]

    def _columns(self, key: str, doc: dict[str, Any]) -> dict[str, Any]:
        """The row's columns besides the key, for filtering and search."""
        return {"doc": doc}

    def _get_doc(self, key: str) -> dict[str, Any] | None:
        batch = self._batch
        # No copies: a batch that fails is discarded whole, cache included, with its transaction.
        if batch is not None and key in batch.docs:
            return batch.docs[key]
        if self._unwritten(key):
            return None
        with self.reading() as conn:
            doc = conn.execute(select(self.table.c.doc).where(self._key_column() == key)).scalar()
        if batch is not None:
            batch.docs[key] = doc
        return doc

    def _put_doc(self, key: str, doc: dict[str, Any], tracking: Tracking) -> None:
        with self.transaction() as conn:
            batch = self._batch
            assert batch is not None
            batch.docs[key] = batch.dirty[key] = doc
            self._track(conn, tracking)

    def _flush(self, batch: Batch) -> None:
        if not batch.dirty:
            return
        key_name = self._key_column().name
        rows = [{key_name: key, **self._columns(key, doc)} for key, doc in batch.dirty.items()]
        fresh = [self._unwritten(key) for key in batch.dirty]  # a rebuild's copy: no row of these keys to replace
        insert_rows(batch.conn, self.table, [row for row, new in zip(rows, fresh, strict=True) if new])
        rows = [row for row, new in zip(rows, fresh, strict=True) if not new]
        if rows:
            statement = upsert(self.db, self.table)
            statement = statement.on_conflict_do_update(
                index_elements=[key_name], set_={c: statement.excluded[c] for c in rows[0] if c != key_name}
            )
            batch.conn.execute(statement, rows)
        self._wrote(batch.dirty)
        batch.dirty.clear()


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERTs the rows (each with the first row's columns) as one driver-level executemany (COPY on
    PostgreSQL): each value
    goes through its column type's own bind processor (JSON encoded, dates and booleans as the dialect
    stores them), as `conn.execute(insert(table), rows)` would, without the ORM core's per-row work
    (most of the cost of writing a page's rows). Falls back to that when a column left out has a
    Python-side default."""
    if not rows:
        return
    names = list(rows[0])
    if any(c.default is not None for c in table.columns if c.name not in rows[0]):
        conn.execute(insert(table), rows)
        return
    dialect = conn.dialect
    columns = [table.c[name] for name in names]
    processors = [c.type._cached_bind_processor(dialect) for c in columns]
    quote = dialect.identifier_preparer.quote
    into = f"{dialect.identifier_preparer.format_table(table)} ({', '.join(quote(n) for n in names)})"
    # Column by column (a list comprehension and a map each), then zipped into rows: a generator per row was
    # most of the Python time of writing a page.
    columns_values = []
    for name, process in zip(names, processors, strict=True):
        column = [row[name] for row in rows]
        columns_values.append(list(map(process, column)) if process else column)
    values = list(zip(*columns_values, strict=True))
    if dialect.name == "postgresql":
        # COPY: the rows stream in one statement, parsed by the server without a statement per row (an
        # executemany, even pipelined, was most of a PostgreSQL rebuild's time).
        driver = conn.connection.driver_connection
        assert driver is not None, "an open connection"
        sql = f"COPY {into} FROM STDIN"
        try:
            with driver.cursor() as cursor, cursor.copy(sql) as copy:
                for value in values:
                    copy.write_row(value)
        except dialect.loaded_dbapi.Error as error:  # raised as SQLAlchemy raises a statement's: callers catch those
            raise DBAPIError.instance(sql, None, error, dialect.loaded_dbapi.Error) from error
        return
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(f"INSERT INTO {into} VALUES ({', '.join([marker] * len(names))})", values)


def upsert(db: Database, table: Table) -> Any:  # the two dialects' Insert, each with on_conflict_do_update
    """An INSERT in the database's dialect, so it can take ON CONFLICT DO UPDATE."""
    return sqlite_insert(table) if db.url.is_sqlite else pg_insert(table)
