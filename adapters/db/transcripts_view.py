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


class SqlTranscriptView(SqlView, TranscriptView):
    """Within a batch, rows live in memory (reads see them) and are written once, when the batch commits:
    one delete and one insert per batch instead of two statements per event (catch-up and as-of replays)."""

    tables = (
        transcript_entries,
        dashboard_counts.transcript_counts,
        oversight_counts.oversight_counts,
        oversight_counts.completion_lines,
    )
    #: Whether the REMS and MIPS reports' counts and lines are kept beside the rows: those reports are never
    #: read as of an instant, so an as-of replay's scratch view (adapters/db/scratch.py) leaves them out.
    keeps_reports = True

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
        keys = [k for k in batch.dirty if not self._unwritten(k)]  # rows there may be to replace
        learners = [row["learner_id"] for row in batch.dirty.values()]  # a completion's learner never changes
        before = dashboard_counts.standing(batch.conn, learners)
        activities = {row["activity_id"] for row in batch.dirty.values()}  # nor does its activity
        counted = oversight_counts.counted(batch.conn, activities) if self.keeps_reports else None
        for chunk in chunks(keys, 500):
            batch.conn.execute(delete(transcript_entries).where(T.key.in_(chunk)))
        insert_rows(batch.conn, transcript_entries, list(batch.dirty.values()))
        self._wrote(batch.dirty)
        batch.dirty.clear()
        # the dashboard's completion counts move by what this batch made stand or fall, in the same commit
        dashboard_counts.add_completions(batch.conn, before, dashboard_counts.standing(batch.conn, learners))
        if counted is not None:  # and the REMS and MIPS reports' counts per activity move the same way
            oversight_counts.move(self.db, batch.conn, counted, activities)

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

    def oversight_counts(self, activity_ids: list[str]) -> dict[str, dict[tuple[str, str], int]]:
        with self.reading() as conn:
            return oversight_counts.of_activities(conn, activity_ids)

    def completion_lines(self, activity_ids: list[str]) -> list[dict[str, Any]]:
        with self.reading() as conn:
            return oversight_counts.lines_of(conn, activity_ids)

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
