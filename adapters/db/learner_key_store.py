"""Per-learner data keys in the `learner_keys` table (same database, outside the event log).

Deleting a row erases that learner's personal data from every stored event."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import Column, DateTime, Index, LargeBinary, String, Table, delete, insert, select

from adapters.db.database import Database
from adapters.db.tables import metadata
from services.personal_data import PersonalKeys

learner_keys = Table(
    "learner_keys",
    metadata,
    Column("learner_id", String(36), primary_key=True),
    Column("key", LargeBinary, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_learner_keys_created_at", "created_at"),  # keys of one import chunk are read together
)

LOOKUP_CHUNK = 500
PREFETCH_LIMIT = 2000


class SqlPersonalKeys(PersonalKeys):
    """Keys cached in memory once read; a destroyed key is dropped from the cache at once."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._cache: dict[str, bytes | None] = {}
        self._lock = threading.Lock()

    def get(self, owner_id: UUID) -> bytes | None:
        ident = str(owner_id)
        if ident in self._cache:
            return self._cache[ident]
        k = learner_keys.c
        with self.db.read_engine.connect() as conn:
            # A cold process (a projection worker, a rebuild) reads learners in the order they were
            # loaded: fetch the whole import chunk the key was created with (at most 1,000 keys).
            created = select(k.created_at).where(k.learner_id == ident).scalar_subquery()
            rows = list(
                conn.execute(select(k.learner_id, k.key).where(k.created_at == created).limit(PREFETCH_LIMIT)).all()
            )
            if not any(r.learner_id == ident for r in rows):
                rows += conn.execute(select(k.learner_id, k.key).where(k.learner_id == ident)).all()
        for row in rows:
            self._cache.setdefault(row.learner_id, bytes(row.key))
        # An absent key is not cached: it may be provisioned by another process.
        return self._cache.get(ident)

    def provision(self, owner_ids: Iterable[UUID]) -> None:
        wanted = [str(i) for i in owner_ids if self._cache.get(str(i)) is None]
        if not wanted:
            return
        with self._lock, self.db.engine.begin() as conn:
            existing: dict[str, bytes] = {}
            for start in range(0, len(wanted), LOOKUP_CHUNK):
                chunk = wanted[start : start + LOOKUP_CHUNK]
                rows = conn.execute(
                    select(learner_keys.c.learner_id, learner_keys.c.key).where(learner_keys.c.learner_id.in_(chunk))
                )
                existing.update({r.learner_id: bytes(r.key) for r in rows})
            now = datetime.now(UTC).replace(tzinfo=None)
            new = {ident: self.new_key() for ident in dict.fromkeys(wanted) if ident not in existing}
            if new:
                conn.execute(
                    insert(learner_keys), [{"learner_id": i, "key": k, "created_at": now} for i, k in new.items()]
                )
        self._cache.update(existing)
        self._cache.update(new)

    def destroy(self, owner_id: UUID) -> bool:
        ident = str(owner_id)
        with self._lock, self.db.engine.begin() as conn:
            if self.db.url.is_sqlite:
                # Overwrite the freed page content instead of leaving the key bytes in the file.
                conn.exec_driver_sql("PRAGMA secure_delete = ON")
            deleted = conn.execute(delete(learner_keys).where(learner_keys.c.learner_id == ident)).rowcount
        self._cache.pop(ident, None)
        return bool(deleted)

    def forget(self, owner_id: UUID) -> None:
        self._cache.pop(str(owner_id), None)
