"""SQL view of the public directory (Find a CME Provider)."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import func, select

from adapters.db.directory_tables import directory_entries
from adapters.db.view_base import SqlDocumentView
from projections.directory import DirectoryView


class SqlDirectoryView(SqlDocumentView, DirectoryView):
    tables = (directory_entries,)
    table = directory_entries

    def _columns(self, key: str, doc: dict[str, Any]) -> dict[str, Any]:
        search_text = " ".join([doc["accme_id"], doc["name"], doc["accreditor"], doc["accreditor_name"]]).lower()
        return {"name": doc["name"], "listed": doc["listed"], "search_text": search_text, "doc": doc}

    def get_entry(self, accme_id: str) -> dict[str, Any] | None:
        return self._get_doc(accme_id)

    def put_entry(self, accme_id: str, entry: dict[str, Any], listed: bool, tracking: Tracking) -> None:
        self._put_doc(accme_id, {**entry, "listed": listed}, tracking)

    def search(self, q: str, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        where = [directory_entries.c.listed.is_(True)]
        for word in q.lower().split():
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append(directory_entries.c.search_text.like(f"%{escaped}%", escape="\\"))
        with self.reading() as conn:
            total = conn.execute(select(func.count()).select_from(directory_entries).where(*where)).scalar_one()
            rows = conn.execute(
                select(directory_entries.c.doc)
                .where(*where)
                .order_by(directory_entries.c.name, directory_entries.c.accme_id)
                .limit(limit)
                .offset(offset)
            ).scalars()
            return list(rows), total
