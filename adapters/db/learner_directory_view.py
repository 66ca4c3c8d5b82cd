"""SQL implementation of the learner directory read model (rows and position in one transaction)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import Connection, and_, delete, func, insert, select, update

from adapters.db.learner_directory_tables import learner_board_ids, learner_counts, learner_directory, learner_licences
from adapters.db.view_base import Batch, SqlView, insert_rows
from domain.geography import US_STATES
from projections.learner_directory import LearnerDirectoryView

LOOKUP_CHUNK = 500


@dataclass
class _Pending:
    """Rows of one batch, written with one executemany per table when the batch commits."""

    directory: list[dict[str, Any]] = field(default_factory=list)
    licences: list[dict[str, Any]] = field(default_factory=list)
    boards: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


class SqlLearnerDirectoryView(SqlView, LearnerDirectoryView):
    """Buffers a batch's rows and writes them when the batch commits (SqlView's `_flush` hook).

    Directory loads come in tens of thousands of events: one INSERT per table per batch instead
    of several statements per event; rows and position still commit together.
    """

    tables = (learner_directory, learner_licences, learner_board_ids, learner_counts)

    def _pending(self) -> _Pending:
        batch = self._batch
        assert batch is not None, "learner rows are written inside the view's transaction"
        pending: _Pending | None = batch.pending
        if pending is None:
            pending = batch.pending = _Pending()
        return pending

    def put_learner(self, entry: dict[str, Any], tracking: Tracking) -> None:
        with self.transaction() as conn:
            pending = self._pending()
            if not entry.get("erased"):
                ident = entry["learner_id"]
                pending.directory.append(
                    {
                        "learner_id": ident,
                        "name_key": entry["name_key"],
                        "birth_md": entry["birth_md"],
                        "npi": entry["npi"],
                        "doc": entry["doc"],
                    }
                )
                pending.licences += [{"learner_id": ident, "state": s, "number_key": n} for s, n in entry["licences"]]
                pending.boards += [{"learner_id": ident, "board": b, "board_id_key": k} for b, k in entry["board_ids"]]
            pending.counts["registered"] += 1
            self._track(conn, tracking)

    def delete_learner(self, learner_id: str, tracking: Tracking) -> None:
        with self.transaction() as conn:
            self._write_pending(conn)  # the learner may have been registered in this very batch
            for table in (learner_licences, learner_board_ids, learner_directory):
                conn.execute(delete(table).where(table.c.learner_id == learner_id))
            self._pending().counts["erased"] += 1
            self._track(conn, tracking)

    def _flush(self, batch: Batch) -> None:
        if batch.pending is not None:
            self._write_pending(batch.conn)

    def _write_pending(self, conn: Connection) -> None:
        pending = self._pending()
        for table, rows in (
            (learner_directory, pending.directory),
            (learner_licences, pending.licences),
            (learner_board_ids, pending.boards),
        ):
            if rows:
                insert_rows(conn, table, rows)
                rows.clear()
        for name, n in pending.counts.items():
            if not conn.execute(
                update(learner_counts).where(learner_counts.c.name == name).values(value=learner_counts.c.value + n)
            ).rowcount:
                conn.execute(insert(learner_counts).values(name=name, value=n))
        pending.counts.clear()

    def get_learner(self, learner_id: str) -> dict[str, Any] | None:
        found = self._entries(learner_directory.c.learner_id.in_([learner_id]))
        return found[0] if found else None

    def get_learners(self, learner_ids: Iterable[str]) -> list[dict[str, Any]]:
        ids = list(dict.fromkeys(learner_ids))
        out: list[dict[str, Any]] = []
        for start in range(0, len(ids), LOOKUP_CHUNK):
            out += self._entries(learner_directory.c.learner_id.in_(ids[start : start + LOOKUP_CHUNK]))
        return out

    def docs(self, learner_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        ids = list(dict.fromkeys(learner_ids))
        d = learner_directory.c
        out: dict[str, dict[str, Any]] = {}
        with self.reading() as conn:
            for start in range(0, len(ids), LOOKUP_CHUNK):
                chunk = select(d.learner_id, d.doc).where(d.learner_id.in_(ids[start : start + LOOKUP_CHUNK]))
                out.update((r.learner_id, r.doc) for r in conn.execute(chunk))
        return out

    def by_name_keys(self, name_keys: Iterable[str], *, docs: bool = True) -> list[dict[str, Any]]:
        keys = list(dict.fromkeys(name_keys))
        out: list[dict[str, Any]] = []
        for start in range(0, len(keys), LOOKUP_CHUNK):
            out += self._entries(learner_directory.c.name_key.in_(keys[start : start + LOOKUP_CHUNK]), docs)
        return out

    def by_npis(self, npis: Iterable[str], *, docs: bool = True) -> list[dict[str, Any]]:
        keys = list(dict.fromkeys(npis))
        out: list[dict[str, Any]] = []
        for start in range(0, len(keys), LOOKUP_CHUNK):
            out += self._entries(learner_directory.c.npi.in_(keys[start : start + LOOKUP_CHUNK]), docs)
        return out

    def by_learner_ids(self, learner_ids: Iterable[str]) -> list[dict[str, Any]]:
        keys = list(dict.fromkeys(learner_ids))
        out: list[dict[str, Any]] = []
        d = learner_directory.c
        with self.reading() as conn:
            for start in range(0, len(keys), LOOKUP_CHUNK):
                out += conn.execute(select(d.doc).where(d.learner_id.in_(keys[start : start + LOOKUP_CHUNK]))).scalars()
        return out

    def by_board_ids(self, pairs: Iterable[tuple[str, str]], *, docs: bool = True) -> list[dict[str, Any]]:
        wanted = list(dict.fromkeys(pairs))
        ids: list[str] = []
        t = learner_board_ids.c
        by_board: dict[str, list[str]] = defaultdict(list)
        for board, key in wanted:
            by_board[board].append(key)
        with self.reading() as conn:
            # One IN list per board, not an OR of (board, id) pairs: a 1,000-term OR is slow to compile and plan.
            for board, keys in by_board.items():
                for start in range(0, len(keys), LOOKUP_CHUNK):
                    cond = and_(t.board == board, t.board_id_key.in_(keys[start : start + LOOKUP_CHUNK]))
                    ids += list(conn.execute(select(t.learner_id).where(cond)).scalars())
        ids = list(dict.fromkeys(ids))
        out: list[dict[str, Any]] = []
        for start in range(0, len(ids), LOOKUP_CHUNK):
            out += self._entries(learner_directory.c.learner_id.in_(ids[start : start + LOOKUP_CHUNK]), docs)
        return out

    def by_licence_numbers(self, number_keys: Iterable[str], *, docs: bool = True) -> list[dict[str, Any]]:
        keys = list(dict.fromkeys(number_keys))
        t = learner_licences.c
        ids: list[str] = []
        with self.reading() as conn:
            # Every state listed, so the (state, number_key) index serves a number given without its state.
            for start in range(0, len(keys), LOOKUP_CHUNK):
                cond = and_(t.state.in_(list(US_STATES)), t.number_key.in_(keys[start : start + LOOKUP_CHUNK]))
                ids += list(conn.execute(select(t.learner_id).where(cond)).scalars())
        ids = list(dict.fromkeys(ids))
        out: list[dict[str, Any]] = []
        for start in range(0, len(ids), LOOKUP_CHUNK):
            out += self._entries(learner_directory.c.learner_id.in_(ids[start : start + LOOKUP_CHUNK]), docs)
        return out

    def _entries(self, where: Any, docs: bool = True) -> list[dict[str, Any]]:
        d = learner_directory.c
        columns = [d.learner_id, d.name_key, d.birth_md, d.npi] + ([d.doc] if docs else [])
        with self.reading() as conn:
            rows = list(conn.execute(select(*columns).where(where)))
            if not rows:
                return []
            ids = [r.learner_id for r in rows]
            licences: dict[str, list[tuple[str, str]]] = defaultdict(list)
            boards: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for lic in conn.execute(select(learner_licences).where(learner_licences.c.learner_id.in_(ids))):
                licences[lic.learner_id].append((lic.state, lic.number_key))
            for b in conn.execute(select(learner_board_ids).where(learner_board_ids.c.learner_id.in_(ids))):
                boards[b.learner_id].append((b.board, b.board_id_key))
        return [
            {
                "learner_id": r.learner_id,
                "name_key": r.name_key,
                "birth_md": r.birth_md,
                "npi": r.npi,
                "licences": licences[r.learner_id],
                "board_ids": boards[r.learner_id],
                "doc": r.doc if docs else None,
            }
            for r in rows
        ]

    def counts(self) -> dict[str, int]:
        with self.reading() as conn:
            stored = {r.name: r.value for r in conn.execute(select(learner_counts))}
            listed = conn.execute(select(func.count()).select_from(learner_directory)).scalar_one()
        return {"registered": stored.get("registered", 0), "erased": stored.get("erased", 0), "listed": listed}
