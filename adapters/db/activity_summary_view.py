"""SQL implementation of the activity summary view (SQLite and PostgreSQL alike)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import ColumnElement, and_, case, func, or_, select

from adapters.db import dashboard_counts, oversight_counts
from adapters.db.activity_summary_tables import activity_summaries as t
from adapters.db.provider_profile_tables import provider_profiles
from adapters.db.record_status_tables import record_statuses
from adapters.db.view_base import SqlDocumentView
from domain.activity import year_bounds
from projections.activity_summary import ActivitySummaryView
from projections.base import chunks
from projections.dashboard_counts import dashboard_figures as figures_from_counts


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class SqlActivitySummaryView(oversight_counts.KeepsReportTotals, SqlDocumentView, ActivitySummaryView):
    tables = (t, dashboard_counts.activity_counts, oversight_counts.oversight_activities)
    table = t

    def _flush(self, batch: Any) -> None:
        if batch.dirty:  # the dashboard's counts move by each summary's old and new part, in the same commit
            old: dict[str, Any] = {}
            for chunk in chunks(list(batch.dirty), 500):
                old.update(batch.conn.execute(select(t.c.key, t.c.doc).where(t.c.key.in_(chunk))).all())
            dashboard_counts.add_activity_parts(batch.conn, ((old.get(k), doc) for k, doc in batch.dirty.items()))
            if self.keeps_reports:  # the REMS and MIPS reports' rows
                oversight_counts.write_activities(self.db, batch.conn, batch.dirty)
        super()._flush(batch)

    def dashboard_figures(self, accme_id: str, year: int, today: date) -> dict[str, Any]:
        with self.reading() as conn:
            return figures_from_counts(dashboard_counts.activity_counts_of(conn, accme_id, year), today)

    def _columns(self, key: str, doc: dict[str, Any]) -> dict[str, Any]:
        text = " ".join(
            [
                doc["activity_id"],
                doc["provider_activity_id"],
                doc["title"],
                doc["format"] or "",
                doc.get("description") or "",
                *(doc.get("specialties") or []),
            ]
        ).lower()
        return {
            "accme_id": doc["accme_id"],
            "activity_id": doc["activity_id"],
            "format": doc["format"],
            "start_date": doc["start_date"],
            "end_date": doc["end_date"],
            "complete": doc["complete"],
            "closed": doc["closed"],
            "deleted": doc["deleted"],
            "rems": doc["rems"],
            "mips": doc["mips"],
            "moc_boards": " " + " ".join(doc["moc_boards"]) + " ",
            "physician_learners": doc["physician_learners"],
            "for_public_list": doc.get("for_public_list") is True,
            "search_text": text,
            "doc": doc,
        }

    def get_summary(self, key: str) -> dict[str, Any] | None:
        return self._get_doc(key)

    def put_summary(self, key: str, summary: dict[str, Any], tracking: Tracking) -> None:
        self._put_doc(key, summary, tracking)

    def _where(self, accme_id: str, year: int | None) -> list[Any]:
        where = [t.c.accme_id == accme_id, t.c.deleted.is_(False)]
        if year is not None:  # the year an activity counts in is the year it ended (domain.activity.year_counted)
            first, last = year_bounds(year)
            where += [t.c.end_date >= first, t.c.end_date <= last]
        return where

    def search(
        self,
        accme_id: str,
        *,
        year: int | None,
        fmt: str | None,
        status: str | None,
        q: str | None,
        moc: str | None,
        rems: bool | None,
        mips: bool | None,
        today: date,
        limit: int,
        offset: int,
        sort: str = "start_date",
        descending: bool = True,
        with_completions: bool = False,
    ) -> tuple[list[dict[str, Any]], int]:
        where = self._where(accme_id, year)
        if fmt:
            where.append(t.c.format == fmt)
        day = today.isoformat()
        if status == "closed":
            where.append(t.c.closed.is_(True))
        elif status == "draft":
            where += [t.c.closed.is_(False), t.c.complete.is_(False)]
        elif status == "active":
            where += [t.c.closed.is_(False), t.c.complete.is_(True), t.c.end_date >= day]
        elif status == "ready_to_close":
            where += [t.c.closed.is_(False), t.c.complete.is_(True), t.c.end_date < day]
        if moc == "any":
            where.append(t.c.moc_boards != "  ")
        elif moc == "none":
            where.append(t.c.moc_boards == "  ")
        elif moc:
            where.append(t.c.moc_boards.like(_like(f" {moc.upper()} "), escape="\\"))
        if rems is not None:
            where.append(t.c.rems.is_(rems))
        if mips is not None:
            where.append(t.c.mips.is_(mips))
        for word in (q or "").lower().split():
            where.append(t.c.search_text.like(_like(word), escape="\\"))
        with self.reading() as conn:
            total = conn.execute(select(func.count()).select_from(t).where(and_(*where))).scalar_one()
            completions = self._completions()
            key = self._sort_key(sort, day, completions)
            columns = [t.c.doc, completions] if with_completions else [t.c.doc]
            found = conn.execute(
                select(*columns)
                .where(and_(*where))
                .order_by(key.desc() if descending else key.asc(), t.c.activity_id)
                .limit(limit)
                .offset(offset)
            ).all()
            if with_completions:
                return [{**row[0], "completions": row[1]} for row in found], total
            return [row[0] for row in found], total

    @staticmethod
    def _completions() -> Any:
        """The activity's standing completions (the record_status read model's rows, in the same database)."""
        r = record_statuses
        return (
            select(func.count())
            .where(r.c.accme_id == t.c.accme_id, r.c.activity_id == t.c.activity_id, r.c.deleted.is_(False))
            .scalar_subquery()
            .label("completions")
        )

    @staticmethod
    def _sort_key(sort: str, day: str, completions: Any) -> Any:
        """What the list is sorted by (SEARCH_SORTS): a column, a field of the summary, or the status as of `day`
        in the lifecycle's order (draft, active, ready to close, closed)."""
        if sort == "status":
            return case(
                (t.c.closed.is_(True), 3),
                (t.c.complete.is_(False), 0),
                (t.c.end_date >= day, 1),
                else_=2,
            )
        if sort == "completions":
            return completions
        if sort == "learners":
            return t.c.physician_learners + func.coalesce(t.c.doc["other_learners"].as_integer(), 0)
        if sort == "credits":
            return func.coalesce(t.c.doc["credits"].as_float(), -1.0)
        if sort in ("title", "provider_activity_id"):
            return func.lower(t.c.doc[sort].as_string())
        columns = {
            "activity_id": t.c.activity_id,
            "format": t.c.format,
            "end_date": t.c.end_date,
            "moc": t.c.moc_boards,
        }
        return columns.get(sort, t.c.start_date)

    def catalog(self, q: str | None, since: date | None, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        where: list[ColumnElement[bool]] = [t.c.for_public_list.is_(True), t.c.deleted.is_(False)]
        if since is not None:
            where.append(t.c.end_date >= since.isoformat())
        p = provider_profiles
        for word in (q or "").lower().split():
            # A word of the title, description, format, a specialty, or the provider's name.
            named = select(p.c.accme_id).where(func.lower(p.c.name).like(_like(word), escape="\\"))
            where.append(or_(t.c.search_text.like(_like(word), escape="\\"), t.c.accme_id.in_(named)))
        with self.reading() as conn:
            total = conn.execute(select(func.count()).select_from(t).where(and_(*where))).scalar_one()
            rows = conn.execute(
                select(t.c.doc)
                .where(and_(*where))
                .order_by(t.c.start_date, t.c.activity_id)
                .limit(limit)
                .offset(offset)
            ).scalars()
            return list(rows), total

    def summaries(self, accme_id: str, year: int | None) -> list[dict[str, Any]]:
        with self.reading() as conn:
            return list(conn.execute(select(t.c.doc).where(and_(*self._where(accme_id, year)))).scalars())

    def ended_in(self, year: int, page: int = 2000) -> Iterator[dict[str, Any]]:
        first, last = year_bounds(year)
        doc = t.c.doc
        columns = (
            t.c.key,
            t.c.accme_id,
            t.c.format,
            t.c.end_date,
            t.c.closed,
            t.c.rems,
            t.c.mips,
            (func.trim(t.c.moc_boards) != "").label("moc"),
            t.c.physician_learners,
            # the few fields without a column of their own, read in the database: no document decoded in Python
            doc["other_learners"].as_integer().label("other_learners"),
            doc["credits"].as_string().label("credits"),  # as the document writes it: 2, 1.5
            doc["commercial_support"].as_boolean().label("commercial_support"),
        )
        after = ""
        while True:
            query = (
                select(*columns)
                .where(t.c.deleted.is_(False), t.c.end_date >= first, t.c.end_date <= last, t.c.key > after)
                .order_by(t.c.key)
                .limit(page)
            )
            with self.reading() as conn:  # one short read a page: writers and checkpoints are not held up
                result = conn.execute(query)
                names = tuple(result.keys())
                rows = result.all()
            for row in rows:  # a plain dict from the tuple: Row._asdict costs more than the rest of a row's work
                yield dict(zip(names, row, strict=True))
            if len(rows) < page:
                return
            after = rows[-1].key

    def mips_activity_ids(self, activity_ids: list[str]) -> set[str]:
        found: set[str] = set()
        with self.reading() as conn:
            for chunk in chunks(sorted(set(activity_ids)), 500):
                q = select(t.c.activity_id).where(
                    t.c.activity_id.in_(chunk), t.c.mips.is_(True), t.c.deleted.is_(False)
                )
                found.update(conn.execute(q).scalars())
        return found

    def by_activity_id(self, accme_id: str, activity_id: str) -> dict[str, Any] | None:
        where = [*self._where(accme_id, None), t.c.activity_id == activity_id]
        with self.reading() as conn:
            return conn.execute(select(t.c.doc).where(and_(*where))).scalar()
