"""SQL implementation of the learner directory read model (rows and position in one transaction)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import (
    BindParameter,
    Connection,
    String,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal_column,
    null,
    select,
    text,
    union_all,
    update,
)

from adapters.db import mips_totals, oversight_counts
from adapters.db.learner_directory_tables import learner_board_ids, learner_counts, learner_directory, learner_licences
from adapters.db.view_base import Batch, SqlView, insert_rows
from domain.geography import US_STATES
from projections.learner_directory import LearnerDirectoryView

LOOKUP_CHUNK = 500
#: A chunk's keys, bound as one list when the statement runs: each lookup's statement is compiled once (the
#: statement cache) and its keys are not coerced one by one for every chunk.
KEYS: BindParameter[list[str]] = bindparam("keys", expanding=True)


@dataclass
class _Pending:
    """Rows of one batch, written with one executemany per table when the batch commits."""

    directory: list[dict[str, Any]] = field(default_factory=list)
    licences: list[dict[str, Any]] = field(default_factory=list)
    boards: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


class SqlLearnerDirectoryView(oversight_counts.KeepsReportTotals, SqlView, LearnerDirectoryView):
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
            if self.keeps_reports:  # the MIPS report's kept order: their name goes with them
                mips_totals.name_physicians(self.db, conn, [learner_id])
            self._pending().counts["erased"] += 1
            self._track(conn, tracking)

    def _flush(self, batch: Batch) -> None:
        if batch.pending is not None:
            self._write_pending(batch.conn)

    def _write_pending(self, conn: Connection) -> None:
        pending = self._pending()
        named = [row["learner_id"] for row in pending.directory]
        for table, rows in (
            (learner_directory, pending.directory),
            (learner_licences, pending.licences),
            (learner_board_ids, pending.boards),
        ):
            if rows:
                insert_rows(conn, table, rows)
                rows.clear()
        if named and self.keeps_reports:  # the MIPS report's kept order by name, in the same commit
            mips_totals.name_physicians(self.db, conn, named)
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
        return self._chunked(learner_directory.c.learner_id, list(dict.fromkeys(learner_ids)), True)

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
        return self._chunked(learner_directory.c.name_key, list(dict.fromkeys(name_keys)), docs)

    def by_npis(self, npis: Iterable[str], *, docs: bool = True) -> list[dict[str, Any]]:
        return self._chunked(learner_directory.c.npi, list(dict.fromkeys(npis)), docs)

    def by_learner_ids(self, learner_ids: Iterable[str]) -> list[dict[str, Any]]:
        keys = list(dict.fromkeys(learner_ids))
        out: list[dict[str, Any]] = []
        d = learner_directory.c
        with self.reading() as conn:
            for start in range(0, len(keys), LOOKUP_CHUNK):
                out += conn.execute(select(d.doc).where(d.learner_id.in_(keys[start : start + LOOKUP_CHUNK]))).scalars()
        return out

    def by_board_ids(self, pairs: Iterable[tuple[str, str]], *, docs: bool = True) -> list[dict[str, Any]]:
        t = learner_board_ids.c
        by_board: dict[str, list[str]] = defaultdict(list)
        for board, key in dict.fromkeys(pairs):
            by_board[board].append(key)
        found: dict[str, dict[str, Any]] = {}
        # One IN list per board, not an OR of (board, id) pairs: a 1,000-term OR is slow to compile and plan.
        for board, keys in by_board.items():
            for start in range(0, len(keys), LOOKUP_CHUNK):
                holders = (
                    select(t.learner_id).where(t.board == board, t.board_id_key.in_(KEYS)).correlate(None)
                )  # its own scan of the table, not the outer one's row
                for entry in self._entries(
                    learner_directory.c.learner_id.in_(holders), docs, keys[start : start + LOOKUP_CHUNK]
                ):
                    found.setdefault(entry["learner_id"], entry)  # a learner holding two of the pairs, once
        return list(found.values())

    def by_licence_numbers(self, number_keys: Iterable[str], *, docs: bool = True) -> list[dict[str, Any]]:
        keys = list(dict.fromkeys(number_keys))
        t = learner_licences.c
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), LOOKUP_CHUNK):
            # Every state listed, so the (state, number_key) index serves a number given without its state.
            cond = and_(t.state.in_(list(US_STATES)), t.number_key.in_(KEYS))
            for entry in self._entries(
                learner_directory.c.learner_id.in_(select(t.learner_id).where(cond).correlate(None)),
                docs,
                keys[start : start + LOOKUP_CHUNK],
            ):
                found.setdefault(entry["learner_id"], entry)
        return list(found.values())

    def _chunked(self, column: Any, keys: list[str], docs: bool) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for start in range(0, len(keys), LOOKUP_CHUNK):
            out += self._entries(column.in_(KEYS), docs, keys[start : start + LOOKUP_CHUNK])
        return out

    def _entries(self, where: Any, docs: bool = True, keys: list[str] | None = None) -> list[dict[str, Any]]:
        """The entries of the learners `where` selects, read in one statement: their directory rows, licences and
        board IDs as plain tuples (kind, learner_id, a, b, npi), a learner's rows together and its directory row first,
        its licences and board IDs in state and board order; the documents, when asked for, in one more."""
        d, lic, brd = learner_directory.c, learner_licences.c, learner_board_ids.c
        none = cast(null(), String)
        rows = union_all(
            select(
                literal_column("0").label("kind"), d.learner_id.label("lid"), d.name_key.label("a"), d.birth_md, d.npi
            ).where(where),
            select(literal_column("1"), lic.learner_id, lic.state, lic.number_key, none)
            .select_from(learner_licences.join(learner_directory, lic.learner_id == d.learner_id))
            .where(where),
            select(literal_column("2"), brd.learner_id, brd.board, brd.board_id_key, none)
            .select_from(learner_board_ids.join(learner_directory, brd.learner_id == d.learner_id))
            .where(where),
        ).order_by(text("lid"), text("kind"), text("a"))
        out: list[dict[str, Any]] = []
        entry: dict[str, Any] = {}
        with self.reading() as conn:
            for kind, ident, a, b, npi in conn.execute(rows, {} if keys is None else {"keys": keys}).all():
                if kind == 0:
                    entry = {
                        "learner_id": ident,
                        "name_key": a,
                        "birth_md": b,
                        "npi": npi,
                        "licences": [],
                        "board_ids": [],
                        "doc": None,
                    }
                    out.append(entry)
                else:
                    entry["licences" if kind == 1 else "board_ids"].append((a, b))
            if docs and out:
                found = dict(
                    conn.execute(
                        select(d.learner_id, d.doc).where(d.learner_id.in_([e["learner_id"] for e in out]))
                    ).all()
                )
                for e in out:
                    e["doc"] = found[e["learner_id"]]
        return out

    def counts(self) -> dict[str, int]:
        with self.reading() as conn:
            stored = {r.name: r.value for r in conn.execute(select(learner_counts))}
            listed = conn.execute(select(func.count()).select_from(learner_directory)).scalar_one()
        return {"registered": stored.get("registered", 0), "erased": stored.get("erased", 0), "listed": listed}
