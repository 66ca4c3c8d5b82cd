"""Reads of the stored log the library's recorders do not offer, in SQLite's or PostgreSQL's own SQL
(services/store.py `LogReads`): the event tables' names and id encodings are the library's."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Notification, StoredEvent

from services.store import LogReads


class SqlLogReads(LogReads):
    """On the recorder's own connections: the store's table (`stored_events` or `pars_events`) as it is."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self.recorder = recorder

    def existing(self, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these aggregates are stored (have a first event): one query per 500 ids, not one per id."""
        wanted = list(dict.fromkeys(ids))
        found: set[uuid.UUID] = set()
        recorder: Any = self.recorder
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            if hasattr(recorder.datastore, "schema"):  # PostgreSQL
                from psycopg.sql import SQL, Composed, Identifier

                statement: Composed | str = SQL(
                    "SELECT originator_id FROM {schema}.{table} WHERE originator_version = 1 AND originator_id = ANY(%s)"
                ).format(schema=Identifier(recorder.datastore.schema), table=Identifier(recorder.events_table_name))
                with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
                    curs.execute(statement, [chunk])
                    found.update(uuid.UUID(str(row["originator_id"])) for row in curs.fetchall())
            else:  # SQLite stores the id as hex text
                statement = (
                    f"SELECT originator_id FROM {recorder.events_table_name} "
                    f"WHERE originator_version=1 AND originator_id IN ({','.join('?' * len(chunk))})"
                )
                with recorder.datastore.transaction(commit=False) as c:
                    c.execute(statement, [u.hex for u in chunk])
                    found.update(uuid.UUID(str(row["originator_id"])) for row in c.fetchall())
        return found

    def notifications_at(self, positions: Iterable[int]) -> list[Notification]:
        """The stored events at these log positions, in position order: one query per 500 positions
        (an as-of replay reads one provider's events scattered through a large log)."""
        wanted = sorted(set(positions))
        found: list[Notification] = []
        recorder: Any = self.recorder
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            if hasattr(recorder.datastore, "schema"):  # PostgreSQL
                from psycopg.sql import SQL, Composed, Identifier

                statement: Composed | str = SQL(
                    "SELECT notification_id, originator_id, originator_version, topic, state "
                    "FROM {schema}.{table} WHERE notification_id = ANY(%s) ORDER BY notification_id"
                ).format(schema=Identifier(recorder.datastore.schema), table=Identifier(recorder.events_table_name))
                with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
                    curs.execute(statement, [chunk])
                    rows = [
                        (r["notification_id"], r["originator_id"], r["originator_version"], r["topic"], r["state"])
                        for r in curs.fetchall()
                    ]
            else:
                statement = (
                    f"SELECT rowid, originator_id, originator_version, topic, state FROM {recorder.events_table_name} "
                    f"WHERE rowid IN ({','.join('?' * len(chunk))}) ORDER BY rowid"
                )
                with recorder.datastore.transaction(commit=False) as c:
                    c.execute(statement, chunk)
                    rows = [
                        (r["rowid"], uuid.UUID(r["originator_id"]), r["originator_version"], r["topic"], r["state"])
                        for r in c.fetchall()
                    ]
            found.extend(
                Notification(id=n, originator_id=o, originator_version=v, topic=t, state=bytes(s))
                for n, o, v, t, s in rows
            )
        return found

    def events_of(self, ids: Iterable[uuid.UUID]) -> list[StoredEvent]:
        """Every stored event of these aggregates, each one's in version order: one query per 500 ids."""
        wanted = list(dict.fromkeys(ids))
        found: list[StoredEvent] = []
        recorder: Any = self.recorder
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            if hasattr(recorder.datastore, "schema"):  # PostgreSQL
                from psycopg.sql import SQL, Composed, Identifier

                statement: Composed | str = SQL(
                    "SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
                    "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
                ).format(schema=Identifier(recorder.datastore.schema), table=Identifier(recorder.events_table_name))
                with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
                    curs.execute(statement, [chunk])
                    found.extend(
                        StoredEvent(
                            originator_id=r["originator_id"],
                            originator_version=r["originator_version"],
                            topic=r["topic"],
                            state=bytes(r["state"]),
                        )
                        for r in curs.fetchall()
                    )
            else:  # SQLite stores the id as hex text
                statement = (
                    f"SELECT originator_id, originator_version, topic, state FROM {recorder.events_table_name} "
                    f"WHERE originator_id IN ({','.join('?' * len(chunk))}) ORDER BY originator_id, originator_version"
                )
                with recorder.datastore.transaction(commit=False) as c:
                    c.execute(statement, [u.hex for u in chunk])
                    found.extend(
                        StoredEvent(
                            originator_id=uuid.UUID(r["originator_id"]),
                            originator_version=r["originator_version"],
                            topic=r["topic"],
                            state=bytes(r["state"]),
                        )
                        for r in c.fetchall()
                    )
        return found
