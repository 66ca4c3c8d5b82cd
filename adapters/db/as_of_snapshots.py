"""Replay snapshots kept in the database (services/as_of.py): a cold as-of read, in any process, starts
from the latest snapshot at or before its instant and replays only the provider's later events.

One row per provider, set of read models, projection code version and log position: the scratch
database's image (adapters/db/scratch.py) compressed, or a delta: the rows that moved since the snapshot
at `previous` (a chain of them leads from an image to each snapshot between images). A snapshot is a cache: deleting any row changes
no answer. Rows of another code `version` are never read (and are deleted when a new one is kept), so
a change to a projection, its view or its tables cannot serve state the new code would not have built.
The images hold only what the scratch read models hold (provider profile, activity summaries,
transcripts, checklist, record status): a learner appears as a learner_id only, as in the live read
models an erasure leaves (tests/audit/test_as_of_snapshots.py searches the images for the identifiers).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import sys
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import BigInteger, Column, ColumnElement, LargeBinary, String, Table, and_, delete, select
from sqlalchemy.exc import OperationalError

from adapters.db.database import Database
from adapters.db.tables import metadata
from adapters.db.view_base import insert_rows
from services.as_of import ReplaySnapshot

as_of_snapshots = Table(
    "as_of_snapshots",
    metadata,
    Column("accme_id", String(20), primary_key=True),
    Column("read_models", String(200), primary_key=True),  # the projection names, comma-separated
    Column("version", String(64), primary_key=True),  # the projection code's (code_version)
    Column("position", BigInteger, primary_key=True),  # the provider's events up to here are applied
    Column("last_recorded", BigInteger, nullable=False),  # µs since the epoch, UTC: serves instants from here
    Column("image", LargeBinary, nullable=False),  # zlib of the scratch database's image, or of a delta
    Column("previous", BigInteger, nullable=True),  # a delta's: the snapshot it moves forward (NULL: an image)
    info={"cache": True},  # rows of other code are never read: nothing to rebuild when a column is added
)
S = as_of_snapshots.c
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
log = logging.getLogger(__name__)


def code_version(modules: Iterable[str]) -> str:
    """A digest of the source of `modules` (the projections, their views and tables) and of the SQLite
    library that writes the images: any change to either makes earlier snapshots unusable."""
    digest = hashlib.sha256(sqlite3.sqlite_version.encode())
    for name in sorted(set(modules)):
        path = getattr(sys.modules[name], "__file__", None)
        digest.update(name.encode())
        if path:
            digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:32]


def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


class SqlReplaySnapshots:
    def __init__(self, db: Database, version: str) -> None:
        self.db = db
        self.version = version

    def _key(self, key: tuple[str, ...]) -> ColumnElement[bool]:
        return and_(S.accme_id == key[0], S.read_models == ",".join(key[1:]), S.version == self.version)

    def latest(self, key: tuple[str, ...], as_of: datetime, after: int = 0) -> list[ReplaySnapshot] | None:
        links = select(S.position, S.previous, S.last_recorded).where(self._key(key))
        with self.db.read_engine.connect() as conn:
            found = {r.position: r for r in conn.execute(links)}
            usable = sorted(
                (p for p, r in found.items() if r.last_recorded <= _micros(as_of) and p > after), reverse=True
            )
            for position in usable:
                chain = [position]
                while (previous := found[chain[-1]].previous) and previous in found:
                    chain.append(previous)
                if previous:
                    continue  # a link is missing (not kept when the database was busy): another chain may serve
                query = select(S.position, S.last_recorded, S.previous, S.image).where(
                    self._key(key), S.position.in_(chain)
                )
                rows = sorted(conn.execute(query), key=lambda r: r.position)
                if len(rows) != len(chain):
                    continue  # dropped meanwhile (a newer code version's replay)
                return [
                    ReplaySnapshot(
                        r.position,
                        EPOCH + timedelta(microseconds=r.last_recorded),
                        zlib.decompress(r.image),
                        r.previous or 0,
                        stored=True,
                    )
                    for r in rows
                ]
        return None

    def keep(self, key: tuple[str, ...], snapshot: ReplaySnapshot) -> None:
        row = {
            "accme_id": key[0],
            "read_models": ",".join(key[1:]),
            "version": self.version,
            "position": snapshot.position,
            "last_recorded": _micros(snapshot.last_recorded),
            "image": zlib.compress(snapshot.image, 1),
            "previous": snapshot.previous or None,
        }
        try:
            with self.db.engine.begin() as conn:
                # Another process may have kept the same one; older code's snapshots are of no more use.
                conn.execute(delete(as_of_snapshots).where(self._key(key), S.position == snapshot.position))
                conn.execute(delete(as_of_snapshots).where(S.version != self.version))
                insert_rows(conn, as_of_snapshots, [row])
        except OperationalError as e:  # a cache: a busy database costs a later read time, never this answer
            log.warning("as-of snapshot of %s at %s not kept: %s", key[0], snapshot.position, e)

    def clear(self) -> int:
        """Drops every snapshot (they are a cache): the next as-of reads replay from the start."""
        with self.db.engine.begin() as conn:
            return int(conn.execute(delete(as_of_snapshots)).rowcount)
