"""SQL implementation of every record's status (rows, board statuses, kept counts and position in one
transaction). Within a batch, rows live in memory and are written once, when the batch commits; the counts
move by the board statuses the batch took away and put back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import delete, func, select

from adapters.db.learner_directory_tables import learner_directory
from adapters.db.record_status_tables import record_activities, record_board_counts, record_boards, record_statuses
from adapters.db.view_base import Batch, SqlView, insert_rows, upsert
from projections.base import chunks
from projections.record_status import RecordStatusView

R, B, C, A = record_statuses.c, record_boards.c, record_board_counts.c, record_activities.c
OPEN = ("pending", "rejected")


def _row(r: Any) -> dict[str, Any]:
    return {
        "key": r.key,
        "accme_id": r.accme_id,
        "activity_id": r.activity_id,
        "learner_id": r.learner_id,
        "credit_id": r.credit_id,
        "completion_date": r.completion_date,
        "deleted": bool(r.deleted),
        "consent": bool(r.consent),
        "doc": r.doc,
    }


def _board_rows(row: dict[str, Any]) -> list[dict[str, Any]]:
    if row["deleted"]:
        return []
    year = int(row["completion_date"][:4])
    return [
        {
            "key": row["key"],
            "board": board,
            "accme_id": row["accme_id"],
            "activity_id": row["activity_id"],
            "year": year,
            "status": facts["status"],
            "due": facts.get("due"),
        }
        for board, facts in row["doc"]["boards"].items()
    ]


class SqlRecordStatusView(SqlView, RecordStatusView):
    tables = (record_statuses, record_boards, record_board_counts, record_activities)

    def _activities(self) -> dict[str, Any]:
        """The batch's activities: {"by_key": {key: activity or None}, "claims": {number: claims}, "dirty": {key: row}}."""
        batch = self._batch
        assert batch is not None, "inside the view's transaction"
        if batch.pending is None:
            batch.pending = {"by_key": {}, "claims": {}, "dirty": {}}
        pending: dict[str, Any] = batch.pending
        return pending

    def get_activity(self, key: str) -> dict[str, Any] | None:
        cache = self._activities()["by_key"]
        if key not in cache:
            with self.reading() as conn:
                r = conn.execute(select(record_activities).where(A.key == key)).first()
            cache[key] = {"accme_id": r.accme_id, "activity_id": r.activity_id, "claims": r.claims} if r else None
        found: dict[str, Any] | None = cache[key]
        return found

    def prefetch_claims(self, activity_ids: set[str]) -> None:
        claims = self._activities()["claims"]
        wanted = sorted(a for a in activity_ids if a not in claims)
        with self.reading() as conn:
            for chunk in chunks(wanted, 500):
                found = {
                    r.activity_id: r.claims
                    for r in conn.execute(select(A.activity_id, A.claims).where(A.activity_id.in_(chunk)))
                }
                claims.update({a: found.get(a) or {} for a in chunk})

    def claims_of(self, activity_id: str) -> dict[str, str]:
        claims = self._activities()["claims"]
        if activity_id not in claims:
            self.prefetch_claims({activity_id})
        found: dict[str, str] = claims[activity_id]
        return found

    def put_activity(self, key: str, activity: dict[str, Any], tracking: Tracking) -> None:
        with self.transaction() as conn:
            pending = self._activities()
            pending["by_key"][key] = activity
            pending["claims"][activity["activity_id"]] = activity["claims"]
            pending["dirty"][key] = {"key": key, **activity}
            self._track(conn, tracking)

    def activity_records(self, accme_id: str, activity_id: str) -> list[dict[str, Any]]:
        batch = self._batch
        assert batch is not None
        query = select(record_statuses).where(R.accme_id == accme_id, R.activity_id == activity_id)
        rows = {r.key: _row(r) for r in batch.conn.execute(query)}
        for key, row in batch.docs.items():  # the batch's own changes come first
            if row is not None and row["activity_id"] == activity_id and row["accme_id"] == accme_id:
                rows[key] = row
        return [{**row, "key": key} for key, row in rows.items() if not row["deleted"]]

    def restate_record(self, key: str, row: dict[str, Any]) -> None:
        batch = self._batch
        assert batch is not None
        batch.docs[key] = batch.dirty[key] = {**row, "key": key}

    def get_record(self, key: str) -> dict[str, Any] | None:
        batch = self._batch
        if batch is not None and key in batch.docs:
            return batch.docs[key]
        if self._unwritten(key):
            return None
        with self.reading() as conn:
            r = conn.execute(select(record_statuses).where(R.key == key)).first()
        row = _row(r) if r else None
        if batch is not None:
            batch.docs[key] = row
        return row

    def prefetch(self, keys: set[str]) -> None:
        batch = self._batch
        assert batch is not None, "prefetched inside the view's transaction"
        wanted = sorted(k for k in keys if k not in batch.docs)
        batch.docs.update({k: None for k in wanted if self._unwritten(k)})
        wanted = [k for k in wanted if not self._unwritten(k)]
        for chunk in chunks(wanted, 500):
            found = {r.key: _row(r) for r in batch.conn.execute(select(record_statuses).where(R.key.in_(chunk)))}
            batch.docs.update({k: found.get(k) for k in chunk})

    def put_record(self, key: str, row: dict[str, Any], tracking: Tracking) -> None:
        with self.transaction() as conn:
            batch = self._batch
            assert batch is not None
            batch.docs[key] = batch.dirty[key] = {**row, "key": key}
            self._track(conn, tracking)

    def _flush(self, batch: Batch) -> None:
        activities = (batch.pending or {}).get("dirty")
        if activities:
            statement = upsert(self.db, record_activities)
            statement = statement.on_conflict_do_update(
                index_elements=["key"],
                set_={"activity_id": statement.excluded.activity_id, "claims": statement.excluded.claims},
            )
            batch.conn.execute(statement, list(activities.values()))
            activities.clear()
        if not batch.dirty:
            return
        conn, keys = batch.conn, [k for k in batch.dirty if not self._unwritten(k)]  # rows there may be to replace
        moved: Counter[tuple[str, int, str, str]] = Counter()
        for chunk in chunks(keys, 500):
            for r in conn.execute(select(B.accme_id, B.year, B.board, B.status).where(B.key.in_(chunk))):
                moved[(r.accme_id, r.year, r.board, r.status)] -= 1
            conn.execute(delete(record_boards).where(B.key.in_(chunk)))
            conn.execute(delete(record_statuses).where(R.key.in_(chunk)))
        insert_rows(conn, record_statuses, list(batch.dirty.values()))
        boards = [b for row in batch.dirty.values() for b in _board_rows(row)]
        if boards:
            insert_rows(conn, record_boards, boards)
        for b in boards:
            moved[(b["accme_id"], b["year"], b["board"], b["status"])] += 1
        self._wrote(batch.dirty)
        batch.dirty.clear()
        deltas = [{"accme_id": a, "year": y, "board": b, "status": s, "n": n} for (a, y, b, s), n in moved.items() if n]
        if deltas:
            statement = upsert(self.db, record_board_counts)
            statement = statement.on_conflict_do_update(
                index_elements=["accme_id", "year", "board", "status"], set_={"n": C.n + statement.excluded.n}
            )
            conn.execute(statement, deltas)
            # A count back to zero is no row at all, as a replay that never moved it has none.
            providers = sorted({a for (a, _, _, _), n in moved.items() if n})
            conn.execute(delete(record_board_counts).where(C.n == 0, C.accme_id.in_(providers)))

    def roster(
        self,
        accme_id: str,
        activity_id: str | None,
        *,
        statuses: Sequence[str] | None,
        board: str | None,
        due_from: str | None = None,
        due_to: str | None = None,
        year: int | None = None,
        sort: str,
        descending: bool,
        limit: int | None,
        offset: int,
    ) -> tuple[list[dict[str, Any]], int]:
        where = [R.accme_id == accme_id, R.deleted.is_(False)]
        if activity_id is not None:
            where.append(R.activity_id == activity_id)
        if year is not None:
            where.append(R.completion_date.between(f"{year:04d}-01-01", f"{year:04d}-12-31"))
        if statuses or board or due_from or due_to:
            boards = select(B.key).where(B.accme_id == accme_id)
            if activity_id is not None:
                boards = boards.where(B.activity_id == activity_id)
            if statuses:
                boards = boards.where(B.status.in_(list(statuses)))
            if board:
                boards = boards.where(B.board == board)
            if due_from:
                boards = boards.where(B.due >= due_from)
            if due_to:
                boards = boards.where(B.due <= due_to)
            where.append(R.key.in_(boards))
        d = learner_directory.c
        last = d.doc["last_name"].as_string()
        first = d.doc["first_name"].as_string()
        orders: dict[str, list[Any]] = {
            "completion_date": [R.completion_date],
            "learner": [func.lower(last), func.lower(first)],
            "credit_id": [R.credit_id],
            "activity": [R.activity_id, R.completion_date],
        }
        order = orders[sort]
        columns = [*(o.desc() if descending else o.asc() for o in order), R.credit_id, R.key]
        query = (
            select(record_statuses, d.doc.label("learner"))
            .select_from(record_statuses.outerjoin(learner_directory, d.learner_id == R.learner_id))
            .where(*where)
            .order_by(*columns)
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        with self.reading() as conn:
            total = int(conn.execute(select(func.count()).select_from(record_statuses).where(*where)).scalar_one())
            rows = [{**_row(r), "learner": r.learner} for r in conn.execute(query)]
        return rows, total

    def deadline_counts(self, accme_id: str, late_before: str, risk_to: str) -> dict[str, dict[str, int]]:
        base = select(B.board, func.count()).where(B.accme_id == accme_id, B.status.in_(OPEN)).group_by(B.board)
        out: dict[str, dict[str, int]] = {}
        with self.reading() as conn:
            for name, query in (
                ("late", base.where(B.due < late_before)),
                ("at_risk", base.where(B.due >= late_before, B.due <= risk_to)),
            ):
                for board, n in conn.execute(query):
                    out.setdefault(board, {"late": 0, "at_risk": 0})[name] = int(n)
        return dict(sorted(out.items()))

    def providers_with_open_records(self, due_to: str) -> list[str]:
        query = select(B.accme_id).where(B.status.in_(OPEN), B.due <= due_to).distinct().order_by(B.accme_id)
        with self.reading() as conn:
            return [r.accme_id for r in conn.execute(query)]

    def by_credit_id(self, accme_id: str, credit_id: str) -> list[dict[str, Any]]:
        query = select(record_statuses).where(R.accme_id == accme_id, R.credit_id == credit_id, R.deleted.is_(False))
        with self.reading() as conn:
            return [_row(r) for r in conn.execute(query)]

    def board_counts(self, accme_id: str, year: int) -> dict[str, dict[str, int]]:
        query = select(C.board, C.status, C.n).where(C.accme_id == accme_id, C.year == year, C.n > 0)
        out: dict[str, dict[str, int]] = {}
        with self.reading() as conn:
            for r in conn.execute(query.order_by(C.board)):
                out.setdefault(r.board, {})[r.status] = int(r.n)
        return out
