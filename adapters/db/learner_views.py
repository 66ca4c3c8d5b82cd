"""SQL implementation of the learner directory read model (rows and position in one transaction)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from adapters.db.learner_tables import learner_board_ids, learner_counts, learner_directory, learner_licences
from adapters.db.views import SqlView
from projections.learner_directory import LearnerDirectoryView

LOOKUP_CHUNK = 500


class SqlLearnerDirectoryView(SqlView, LearnerDirectoryView):
    tables = (learner_directory, learner_licences, learner_board_ids, learner_counts)

    def put_learner(self, entry: dict[str, Any], tracking: Tracking) -> None:
        with self.transaction() as conn:
            if not entry.get("erased"):
                ident = entry["learner_id"]
                conn.execute(
                    insert(learner_directory).values(
                        learner_id=ident, name_key=entry["name_key"], birth_md=entry["birth_md"], npi=entry["npi"], doc=entry["doc"]
                    )
                )
                if entry["licences"]:
                    conn.execute(
                        insert(learner_licences),
                        [{"learner_id": ident, "state": s, "number_key": n} for s, n in entry["licences"]],
                    )
                if entry["board_ids"]:
                    conn.execute(
                        insert(learner_board_ids),
                        [{"learner_id": ident, "board": b, "board_id_key": k} for b, k in entry["board_ids"]],
                    )
            self._count(conn, "registered")
            self._track(conn, tracking)

    def delete_learner(self, learner_id: str, tracking: Tracking) -> None:
        with self.transaction() as conn:
            for table in (learner_licences, learner_board_ids, learner_directory):
                conn.execute(delete(table).where(table.c.learner_id == learner_id))
            self._count(conn, "erased")
            self._track(conn, tracking)

    def _count(self, conn: Connection, name: str) -> None:
        if not conn.execute(update(learner_counts).where(learner_counts.c.name == name).values(value=learner_counts.c.value + 1)).rowcount:
            conn.execute(insert(learner_counts).values(name=name, value=1))

    def get_learner(self, learner_id: str) -> dict[str, Any] | None:
        found = self._entries(learner_directory.c.learner_id.in_([learner_id]))
        return found[0] if found else None

    def by_name_keys(self, name_keys: Iterable[str]) -> list[dict[str, Any]]:
        keys = list(dict.fromkeys(name_keys))
        out: list[dict[str, Any]] = []
        for start in range(0, len(keys), LOOKUP_CHUNK):
            out += self._entries(learner_directory.c.name_key.in_(keys[start : start + LOOKUP_CHUNK]))
        return out

    def by_npis(self, npis: Iterable[str]) -> list[dict[str, Any]]:
        keys = list(dict.fromkeys(npis))
        out: list[dict[str, Any]] = []
        for start in range(0, len(keys), LOOKUP_CHUNK):
            out += self._entries(learner_directory.c.npi.in_(keys[start : start + LOOKUP_CHUNK]))
        return out

    def by_board_ids(self, pairs: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
        wanted = list(dict.fromkeys(pairs))
        ids: list[str] = []
        t = learner_board_ids.c
        with self.reading() as conn:
            for start in range(0, len(wanted), LOOKUP_CHUNK):
                chunk = wanted[start : start + LOOKUP_CHUNK]
                cond = or_(*(and_(t.board == b, t.board_id_key == k) for b, k in chunk))
                ids += list(conn.execute(select(t.learner_id).where(cond)).scalars())
        out: list[dict[str, Any]] = []
        for start in range(0, len(ids), LOOKUP_CHUNK):
            out += self._entries(learner_directory.c.learner_id.in_(ids[start : start + LOOKUP_CHUNK]))
        return out

    def _entries(self, where: Any) -> list[dict[str, Any]]:
        d = learner_directory.c
        with self.reading() as conn:
            rows = list(conn.execute(select(d.learner_id, d.name_key, d.birth_md, d.npi, d.doc).where(where)))
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
                "doc": r.doc,
            }
            for r in rows
        ]

    def counts(self) -> dict[str, int]:
        with self.reading() as conn:
            stored = {r.name: r.value for r in conn.execute(select(learner_counts))}
            listed = conn.execute(select(func.count()).select_from(learner_directory)).scalar_one()
        return {"registered": stored.get("registered", 0), "erased": stored.get("erased", 0), "listed": listed}
