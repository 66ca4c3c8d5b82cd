"""SQL implementation of the checklist view: report rows, deadlines and the position in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import insert, select, update

from adapters.db.annual_tables import annual_deadlines, annual_reports
from adapters.db.views import SqlView
from projections.base import chunks
from projections.checklist import ChecklistView


class SqlChecklistView(SqlView, ChecklistView):
    tables = (annual_reports, annual_deadlines)

    def get_report(self, accme_id: str, year: int) -> dict[str, Any] | None:
        t = annual_reports.c
        with self.reading() as conn:
            return conn.execute(select(t.doc).where(t.accme_id == accme_id, t.year == year)).scalar()

    def put_report(self, accme_id: str, year: int, doc: dict[str, Any], tracking: Tracking) -> None:
        t = annual_reports.c
        with self.transaction() as conn:
            if not conn.execute(update(annual_reports).where(t.accme_id == accme_id, t.year == year).values(doc=doc)).rowcount:
                conn.execute(insert(annual_reports).values(accme_id=accme_id, year=year, doc=doc))
            self._track(conn, tracking)

    def reports_for_year(self, year: int, accme_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        t = annual_reports.c
        found: dict[str, dict[str, Any]] = {}
        with self.reading() as conn:
            for batch in chunks(list(accme_ids), 500):
                for row in conn.execute(select(t.accme_id, t.doc).where(t.year == year, t.accme_id.in_(batch))):
                    found[row.accme_id] = row.doc
        return found

    def put_deadline(self, accreditor: str, year: int, deadline: date, tracking: Tracking) -> None:
        t = annual_deadlines.c
        with self.transaction() as conn:
            key = (t.accreditor == accreditor, t.year == year)
            if not conn.execute(update(annual_deadlines).where(*key).values(deadline=deadline)).rowcount:
                conn.execute(insert(annual_deadlines).values(accreditor=accreditor, year=year, deadline=deadline))
            self._track(conn, tracking)

    def deadlines_for_year(self, year: int) -> dict[str, date]:
        t = annual_deadlines.c
        with self.reading() as conn:
            return {r.accreditor: r.deadline for r in conn.execute(select(t.accreditor, t.deadline).where(t.year == year))}
