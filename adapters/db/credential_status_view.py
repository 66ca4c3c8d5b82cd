"""SQL implementation of the credential status read model (rows and position in one transaction).

Within a page, new indexes, revocations and what was read live in the batch (`pending`) and are written
once when it commits: one insert of the new indexes and one update per kind of revocation, whatever the
page holds (a 100,000-completion batch takes 100 inserts, not 100,000)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import func, select, update

from adapters.db.credential_status_tables import credential_erased_learners, credential_indexes
from adapters.db.view_base import Batch, SqlView, insert_rows
from projections.base import chunks
from projections.credential_status import LIST_SIZE, CredentialStatusView

C = credential_indexes.c


@dataclass
class _Pending:
    next_index: int
    current: dict[str, tuple[int, str] | None] = field(default_factory=dict)  # subject -> (index, learner)
    erased: dict[str, bool] = field(default_factory=dict)
    new: dict[int, dict[str, Any]] = field(default_factory=dict)  # index -> row, written at the commit
    revoke: set[int] = field(default_factory=set)
    erase: set[str] = field(default_factory=set)


class SqlCredentialStatusView(SqlView, CredentialStatusView):
    tables = (credential_indexes, credential_erased_learners)

    def _pending(self) -> _Pending:
        batch = self._batch
        assert batch is not None, "inside the view's transaction"
        if batch.pending is None:
            top = batch.conn.execute(select(func.max(C.idx))).scalar()
            batch.pending = _Pending(next_index=0 if top is None else int(top) + 1)
        pending: _Pending = batch.pending
        return pending

    def prefetch(self, subjects: Iterable[str], learners: Iterable[str]) -> None:
        with self.transaction() as conn:
            pending = self._pending()
            wanted = [s for s in set(subjects) if s not in pending.current]
            for chunk in chunks(wanted, 500):
                found: dict[str, tuple[int, str]] = {}
                rows = conn.execute(
                    select(C.subject, func.max(C.idx), func.min(C.learner_id))
                    .where(C.subject.in_(chunk))
                    .group_by(C.subject)
                )
                for subject, idx, learner_id in rows:
                    found[subject] = (int(idx), learner_id)
                for subject in chunk:
                    pending.current[subject] = found.get(subject)
            asked = [learner for learner in set(learners) if learner not in pending.erased]
            for chunk in chunks(asked, 500):
                erased = set(
                    conn.execute(
                        select(credential_erased_learners.c.learner_id).where(
                            credential_erased_learners.c.learner_id.in_(chunk)
                        )
                    ).scalars()
                )
                for learner in chunk:
                    pending.erased[learner] = learner in erased

    def _current(self, subject: str) -> tuple[int, str] | None:
        pending = self._pending()
        if subject not in pending.current:
            self.prefetch([subject], [])
        return pending.current[subject]

    def _erased(self, learner_id: str) -> bool:
        pending = self._pending()
        if learner_id not in pending.erased:
            self.prefetch([], [learner_id])
        return pending.erased[learner_id]

    def allocate(self, subject: str, learner_id: str, tracking: Tracking) -> None:
        with self.transaction() as conn:
            pending = self._pending()
            index = pending.next_index
            pending.next_index += 1
            revoked = self._erased(learner_id)
            pending.new[index] = {"idx": index, "subject": subject, "learner_id": learner_id, "revoked": revoked}
            pending.current[subject] = (index, learner_id)
            self._track(conn, tracking)

    def learner_of(self, subject: str) -> str | None:
        with self.transaction():
            found = self._current(subject)
        return found[1] if found else None

    def revoke_subject(self, subject: str, tracking: Tracking) -> None:
        with self.transaction() as conn:
            found = self._current(subject)
            if found is not None:
                pending = self._pending()
                if found[0] in pending.new:
                    pending.new[found[0]]["revoked"] = True
                else:
                    pending.revoke.add(found[0])
            self._track(conn, tracking)

    def revoke_learner(self, learner_id: str, tracking: Tracking) -> None:
        with self.transaction() as conn:
            pending = self._pending()
            pending.erased[learner_id] = True
            pending.erase.add(learner_id)
            for row in pending.new.values():
                if row["learner_id"] == learner_id:
                    row["revoked"] = True
            self._track(conn, tracking)

    def _flush(self, batch: Batch) -> None:
        pending: _Pending | None = batch.pending
        if pending is None:
            return
        conn = batch.conn
        # Erasures first: rows this page adds for an erased learner were marked revoked as they were made.
        for chunk in chunks(sorted(pending.erase), 500):
            conn.execute(update(credential_indexes).where(C.learner_id.in_(chunk)).values(revoked=True))
            existing = set(
                conn.execute(
                    select(credential_erased_learners.c.learner_id).where(
                        credential_erased_learners.c.learner_id.in_(chunk)
                    )
                ).scalars()
            )
            fresh = [{"learner_id": learner} for learner in chunk if learner not in existing]
            if fresh:
                insert_rows(conn, credential_erased_learners, fresh)
        for index_chunk in chunks(sorted(pending.revoke), 500):
            conn.execute(update(credential_indexes).where(C.idx.in_(index_chunk)).values(revoked=True))
        insert_rows(conn, credential_indexes, list(pending.new.values()))
        batch.pending = None

    # --- queries -------------------------------------------------------------------------------------

    def current(self, subject: str) -> tuple[int, bool] | None:
        with self.reading() as conn:
            row = conn.execute(
                select(C.idx, C.revoked).where(C.subject == subject).order_by(C.idx.desc()).limit(1)
            ).first()
        return (int(row.idx), bool(row.revoked)) if row else None

    def current_of(self, subjects: list[str]) -> dict[str, tuple[int, bool]]:
        out: dict[str, tuple[int, bool]] = {}
        with self.reading() as conn:
            for chunk in chunks(sorted(set(subjects)), 500):
                rows = conn.execute(
                    select(C.subject, C.idx, C.revoked).where(C.subject.in_(chunk)).order_by(C.subject, C.idx)
                )
                for subject, idx, revoked in rows:  # the highest index of a subject comes last: its current one
                    out[subject] = (int(idx), bool(revoked))
        return out

    def revoked(self, list_number: int) -> list[int]:
        start = list_number * LIST_SIZE
        with self.reading() as conn:
            return [
                int(i)
                for i in conn.execute(
                    select(C.idx).where(C.revoked.is_(True), C.idx >= start, C.idx < start + LIST_SIZE)
                ).scalars()
            ]

    def is_revoked(self, index: int) -> bool:
        with self.reading() as conn:
            return bool(conn.execute(select(C.revoked).where(C.idx == index)).scalar())

    def lists(self) -> int:
        with self.reading() as conn:
            top = conn.execute(select(func.max(C.idx))).scalar()
        return 1 if top is None else int(top) // LIST_SIZE + 1
