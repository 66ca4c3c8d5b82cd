"""SQL implementation of the transcripts read model (rows and position in one transaction)."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import delete, func, select

from adapters.db import dashboard_counts, oversight_counts
from adapters.db.transcripts_tables import transcript_entries
from adapters.db.view_base import SqlView, insert_rows
from projections.base import chunks
from projections.transcripts import TranscriptView

T = transcript_entries.c


def _row(r: Any) -> dict[str, Any]:
    return {
        "key": r.key,
        "accme_id": r.accme_id,
        "learner_id": r.learner_id,
        "activity_id": r.activity_id,
        "credit_id": r.credit_id,
        "completion_date": r.completion_date,
        "doc": r.doc,
        "deleted": bool(r.deleted),
    }


def _completion(row: dict[str, Any]) -> tuple[str, str, str]:
    """A completion: a learner, activity and date, however many credit IDs (rows) it was reported under."""
    return (row["learner_id"], row["activity_id"], row["completion_date"])


class SqlTranscriptView(oversight_counts.KeepsReportTotals, SqlView, TranscriptView):
    """Within a batch, rows live in memory (reads see them) and are written once, when the batch commits:
    one delete and one insert per batch instead of two statements per event (catch-up and as-of replays)."""

    tables = (
        transcript_entries,
        dashboard_counts.transcript_counts,
        oversight_counts.oversight_counts,
        oversight_counts.completion_lines,
    )

    def put_entry(self, key: str, row: dict[str, Any], tracking: Tracking) -> None:
        self._stage(key, {"key": key, **row}, tracking)

    def get_entry(self, key: str) -> dict[str, Any] | None:
        batch = self._batch
        if batch is not None and key in batch.docs:
            return batch.docs[key]
        if self._unwritten(key):
            return None
        with self.reading() as conn:
            r = conn.execute(select(transcript_entries).where(T.key == key)).first()
        return _row(r) if r else None

    def _stage(self, key: str, row: dict[str, Any], tracking: Tracking) -> None:
        with self.transaction() as conn:
            batch = self._batch
            assert batch is not None
            batch.docs[key] = row
            batch.dirty[key] = row
            self._track(conn, tracking)

    def _flush(self, batch: Any) -> None:
        if not batch.dirty:
            return
        conn, dirty = batch.conn, batch.dirty
        # The kept counts and lines are sums over completions (learner, activity, date): they move by what the
        # completions this batch touches made before and make after. Those are the batch's learners' (a
        # completion's learner never changes), read once, as stored before the batch.
        stored = self._rows_of_learners(conn, {row["learner_id"] for row in dirty.values()})
        touched = {_completion(row) for row in dirty.values()} | {_completion(stored[k]) for k in dirty if k in stored}
        before = [row for row in stored.values() if _completion(row) in touched]
        after = [row for row in {**stored, **dirty}.values() if _completion(row) in touched]
        replaced = [k for k in dirty if k in stored]
        for chunk in chunks(replaced, 500):
            conn.execute(delete(transcript_entries).where(T.key.in_(chunk)))
        insert_rows(conn, transcript_entries, list(dirty.values()))
        self._wrote(dirty)
        dirty.clear()
        # the dashboard's completion counts, and the REMS and MIPS reports' counts and lines, in the same commit
        dashboard_counts.add_completions(conn, dashboard_counts.standing(before), dashboard_counts.standing(after))
        if self.keeps_reports:  # as-of replays leave the reports out (no as-of route reads them)
            oversight_counts.move(self.db, conn, oversight_counts.kept(before), oversight_counts.kept(after))

    def _rows_of_learners(self, conn: Any, learners: set[str]) -> dict[str, dict[str, Any]]:
        """Every stored row of these learners by key, 500 learners a query (none to read on a rebuild's copy
        for learners it never wrote)."""
        written = self._written
        if written is not None:
            unseen = {w for w in learners if ("learner", w) not in written}
            written.update(("learner", w) for w in unseen)  # this batch writes them
            learners = learners - unseen
        found: dict[str, dict[str, Any]] = {}
        for chunk in chunks(sorted(learners), 500):
            found.update(
                (r.key, _row(r)) for r in conn.execute(select(transcript_entries).where(T.learner_id.in_(chunk)))
            )
        return found

    def for_learner(self, learner_id: str, start: date | None, end: date | None) -> list[dict[str, Any]]:
        q = select(transcript_entries).where(T.learner_id == learner_id, T.deleted.is_(False))
        if start:
            q = q.where(T.completion_date >= start.isoformat())
        if end:
            q = q.where(T.completion_date <= end.isoformat())
        with self.reading() as conn:
            return [_row(r) for r in conn.execute(q.order_by(T.completion_date, T.activity_id, T.credit_id))]

    def for_activities(self, activity_ids: list[str]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        with self.reading() as conn:
            for chunk in chunks(sorted(set(activity_ids)), 500):
                q = select(transcript_entries).where(T.activity_id.in_(chunk), T.deleted.is_(False))
                found.extend(_row(r) for r in conn.execute(q))
        return found

    def by_credit_id(self, accme_id: str, credit_id: str) -> list[dict[str, Any]]:
        with self.reading() as conn:
            q = select(transcript_entries).where(T.accme_id == accme_id, T.credit_id == credit_id, T.deleted.is_(False))
            return [_row(r) for r in conn.execute(q)]

    def count(self, accme_id: str | None = None, year: int | None = None) -> int:
        if accme_id and year:  # the dashboard's question: kept by the batches that change it, not counted here
            with self.reading() as conn:
                return dashboard_counts.completions_of(conn, accme_id, year)
        # A completion is a learner, activity and date, however many credit IDs it was reported under.
        q = select(T.learner_id, T.activity_id, T.completion_date).where(T.deleted.is_(False)).distinct()
        if accme_id:
            q = q.where(T.accme_id == accme_id)
        if year:
            q = q.where(T.completion_date >= f"{year:04d}-01-01", T.completion_date <= f"{year:04d}-12-31")
        with self.reading() as conn:
            return int(conn.execute(select(func.count()).select_from(q.subquery())).scalar_one())
