"""The one event-sourced application that stores every PARS aggregate in one ordered log.

One log (not one application per bounded context) because a provider's history spans
its contacts, activities, completions and annual reports and must read back in one order,
and because SQLite gives each file exactly one event table.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder, Mapper, Notification, Transcoding

from domain.account import Account
from domain.activity import Activity, ActivityCatalog
from domain.provider import Provider
from services.personal_data import PersonalDataMapper, PersonalKeys


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ParsStore(Application[Any]):
    """The event store: aggregates in, ordered notifications out."""

    name = "PARS"
    # Accounts gain an event per sign-in and are loaded on every page request.
    snapshotting_intervals = {Provider: 100, Activity: 100, ActivityCatalog: 50, Account: 50}

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        self._appended = threading.Condition()

    def construct_mapper(self) -> Mapper[Any]:
        # Seals learners' personal fields with per-learner keys (services/personal_data.py).
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=PersonalDataMapper)

    def use_personal_keys(self, keys: PersonalKeys) -> None:
        """Gives the mapper the key table that seals and erases learners' personal data."""
        mapper = self.mapper
        assert isinstance(mapper, PersonalDataMapper)
        mapper.keys = keys

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def _notify(self, recordings: Any) -> None:
        super()._notify(recordings)
        with self._appended:
            self._appended.notify_all()

    def wait_for_append(self, timeout: float) -> None:
        """Wakes in-process projection runners as soon as something is saved here."""
        with self._appended:
            self._appended.wait(timeout)

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

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
