"""SQL implementation of the checklist view: report rows, deadlines and the position in one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import Connection, and_, case, delete, func, insert, or_, select, update

from adapters.db.checklist_tables import (
    annual_activity_counts,
    annual_activity_facts,
    annual_deadlines,
    annual_enduring_counts,
    annual_reports,
    checklist_counts,
)
from adapters.db.database import Database
from adapters.db.provider_profile_tables import provider_profiles
from adapters.db.view_base import SqlView, upsert
from domain.annual_report import YearFacts
from projections.base import chunks
from projections.checklist import (
    ChecklistView,
    FactCounts,
    YearCounts,
    YearEndFigures,
    activity_state,
    commercial_support_totals,
    fact_counts,
    statuses,
)


class SqlChecklistView(SqlView, ChecklistView):
    tables = (
        annual_reports,
        annual_deadlines,
        annual_activity_facts,
        annual_enduring_counts,
        checklist_counts,
        annual_activity_counts,
    )

    def get_report(self, accme_id: str, year: int) -> dict[str, Any] | None:
        t = annual_reports.c
        with self.reading() as conn:
            return conn.execute(select(t.doc).where(t.accme_id == accme_id, t.year == year)).scalar()

    def put_report(self, accme_id: str, year: int, doc: dict[str, Any], tracking: Tracking) -> None:
        t = annual_reports.c
        with self.transaction() as conn:
            if not conn.execute(
                update(annual_reports).where(t.accme_id == accme_id, t.year == year).values(doc=doc)
            ).rowcount:
                conn.execute(insert(annual_reports).values(accme_id=accme_id, year=year, doc=doc))
            self._track(conn, tracking)

    def reports_for_year(self, year: int, accme_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        t = annual_reports.c
        found: dict[str, dict[str, Any]] = {}
        with self.reading() as conn:
            for batch in _batches(accme_ids):
                query = select(t.accme_id, t.doc).where(t.year == year, t.accme_id.in_(batch))
                for row in conn.execute(query):
                    found[row.accme_id] = row.doc
        return found

    def providers(self, accreditors: Sequence[str] | None) -> list[dict[str, str]]:
        p = provider_profiles.c
        query = select(p.accme_id, p.name, p.accreditor).order_by(p.accme_id)
        if accreditors is not None:
            query = query.where(p.accreditor.in_(list(accreditors)))
        with self.reading() as conn:
            return [{"accme_id": a, "name": n, "accreditor": c} for a, n, c in conn.execute(query)]

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
            return {
                r.accreditor: r.deadline for r in conn.execute(select(t.accreditor, t.deadline).where(t.year == year))
            }

    # --- activity facts ------------------------------------------------------------------------

    # Within a batch, facts live in memory (reads see them) and are written once, when the batch commits:
    # one upsert of the facts and one rewrite of their counted years, not four statements per event.

    def get_activity_fact(self, stream_id: str) -> dict[str, Any] | None:
        batch = self._batch
        if batch is not None and stream_id in batch.docs:
            return batch.docs[stream_id]
        if self._unwritten(stream_id):
            return None
        t = annual_activity_facts.c
        with self.reading() as conn:
            row = conn.execute(select(annual_activity_facts).where(t.stream_id == stream_id)).mappings().first()
        return dict(row) if row else None

    def put_activity_fact(self, fact: dict[str, Any], tracking: Tracking) -> None:
        values: dict[str, Any] = {k: fact.get(k, FACT_DEFAULTS.get(k)) for k in FACT_FIELDS}
        values["counted_years"] = sorted(set(values["counted_years"]))
        row = {"stream_id": fact["stream_id"], **values}
        with self.transaction() as conn:
            batch = self._batch
            assert batch is not None
            batch.docs[row["stream_id"]] = batch.dirty[row["stream_id"]] = row
            self._track(conn, tracking)

    def _flush(self, batch: Any) -> None:
        if not batch.dirty:
            return
        rows = list(batch.dirty.values())
        # Both kept counts move by each fact's old part out and new part in, in the same commit as the facts; the
        # old parts are the stored facts, read once before this page's facts are written.
        old: dict[str, Any] = {}
        facts = annual_activity_facts.c
        for chunk in chunks([k for k in batch.dirty if not self._unwritten(k)], 500):
            query = select(*(facts[c] for c in COUNTED_FIELDS)).where(facts.stream_id.in_(chunk))
            old.update((r.stream_id, r._mapping) for r in batch.conn.execute(query))
        add_counts(self.db, batch.conn, ((old.get(r["stream_id"]), r) for r in rows))
        self._move_status_counts(batch.conn, ((old.get(r["stream_id"]), r) for r in rows))
        statement = upsert(self.db, annual_activity_facts)
        statement = statement.on_conflict_do_update(
            index_elements=["stream_id"], set_={c: statement.excluded[c] for c in FACT_FIELDS}
        )
        batch.conn.execute(statement, rows)
        counts = annual_enduring_counts.c
        for chunk in chunks([r["stream_id"] for r in rows if not self._unwritten(r["stream_id"])], 500):
            batch.conn.execute(delete(annual_enduring_counts).where(counts.stream_id.in_(chunk)))
        counted = [{"stream_id": r["stream_id"], "year": y} for r in rows for y in r["counted_years"]]
        if counted:
            batch.conn.execute(insert(annual_enduring_counts), counted)
        self._wrote(batch.dirty)
        batch.dirty.clear()

    def _move_status_counts(
        self, conn: Connection, changes: Iterable[tuple[Mapping[str, Any] | None, Mapping[str, Any]]]
    ) -> None:
        """Moves the year-end table's status counts by each (old fact, new fact) pair: one upsert that adds to each
        row touched, then the rows back at zero go (a replay that never moved them has none)."""
        deltas: Counter[tuple[str, int, str, str]] = Counter()
        for before, after in changes:
            for fact, sign in ((before, -1), (after, 1)):
                part = activity_state(fact)
                if part is not None:
                    deltas[part] += sign
        rows = [
            {"accme_id": a, "year": y, "state": st, "end_date": e, "n": n} for (a, y, st, e), n in deltas.items() if n
        ]
        if not rows:
            return
        c = annual_activity_counts.c
        statement = upsert(self.db, annual_activity_counts)
        statement = statement.on_conflict_do_update(
            index_elements=["accme_id", "year", "state", "end_date"], set_={"n": c.n + statement.excluded.n}
        )
        conn.execute(statement, rows)
        providers = sorted({a for (a, _, _, _), n in deltas.items() if n})
        conn.execute(delete(annual_activity_counts).where(c.n == 0, c.accme_id.in_(providers)))

    def activity_statuses_for(self, accme_ids: Sequence[str], year: int, today: date) -> dict[str, dict[str, int]]:
        c = annual_activity_counts.c
        found: dict[str, list[tuple[str, str, int]]] = {a: [] for a in accme_ids}
        # summed in the database on either side of today, each group with its earliest end date: `statuses` tells
        # the groups apart by it as it would each row (a few rows a provider, not one per end date)
        past = c.end_date < today.isoformat()
        with self.reading() as conn:
            for batch in _batches(accme_ids):
                query = (
                    select(c.accme_id, c.state, func.min(c.end_date), func.sum(c.n))
                    .where(c.year == year, c.accme_id.in_(batch))
                    .group_by(c.accme_id, c.state, past)
                )
                for accme_id, state, end, n in conn.execute(query):
                    found[accme_id].append((state, end, int(n)))
        return {a: statuses(rows, today) for a, rows in found.items()}

    def year_end_figures(self, year: int, accreditors: Sequence[str] | None, today: date) -> list[YearEndFigures]:
        """One set-based query: the overseen profiles joined to their year's report, the checklist's kept counts
        summed up to the year and the status counts summed either side of today (no per-provider IN lists, no
        per-row reads; what `ChecklistView.year_end_figures` builds from four reads, bench.annual)."""
        p, r, k, a = provider_profiles.c, annual_reports.c, checklist_counts.c, annual_activity_counts.c
        overseen = [] if accreditors is None else [p.accreditor.in_(list(accreditors))]
        scope = select(p.accme_id).where(*overseen)
        kept = (
            select(
                k.accme_id,
                func.sum(case((k.year == year, k.open_activities), else_=0)).label("open_activities"),
                (func.sum(k.enduring_spans) - func.sum(case((k.year == year, k.enduring_counted), else_=0))).label(
                    "uncounted"
                ),
            )
            .where(k.year <= year, *([k.accme_id.in_(scope)] if overseen else []))
            .group_by(k.accme_id)
            .subquery()
        )
        ready = and_(a.state == "open", a.end_date < today.isoformat())
        by_status = (
            select(
                a.accme_id,
                func.sum(case((a.state == "closed", a.n), else_=0)).label("closed"),
                func.sum(case((ready, a.n), else_=0)).label("ready"),
                func.sum(case((or_(a.state == "closed", ready), 0), else_=a.n)).label("open"),
            )
            .where(a.year == year, *([a.accme_id.in_(scope)] if overseen else []))
            .group_by(a.accme_id)
            .subquery()
        )
        query = (
            select(
                p.accme_id,
                p.name,
                p.accreditor,
                r.doc,
                kept.c.open_activities,
                kept.c.uncounted,
                by_status.c.open,
                by_status.c.ready,
                by_status.c.closed,
            )
            .select_from(
                provider_profiles.outerjoin(annual_reports, and_(r.accme_id == p.accme_id, r.year == year))
                .outerjoin(kept, kept.c.accme_id == p.accme_id)
                .outerjoin(by_status, by_status.c.accme_id == p.accme_id)
            )
            .where(*overseen)
            .order_by(p.accme_id)
        )
        with self.reading() as conn:
            return [
                YearEndFigures(
                    accme_id,
                    name,
                    accreditor,
                    doc,
                    YearCounts(int(open_ or 0), int(uncounted or 0)),
                    {"open": int(n_open or 0), "ready_to_close": int(n_ready or 0), "closed": int(n_closed or 0)},
                )
                for accme_id, name, accreditor, doc, open_, uncounted, n_open, n_ready, n_closed in conn.execute(query)
            ]

    def unclosed_ended_in(self, accme_id: str, year: int) -> list[dict[str, Any]]:
        return [dict(a) for a in self.year_facts(accme_id, year).open_activities]

    def enduring_without_count(self, accme_id: str, year: int) -> list[dict[str, Any]]:
        return [dict(a) for a in self.year_facts(accme_id, year).uncounted_enduring]

    def year_facts(self, accme_id: str, year: int) -> YearFacts:
        return self.year_facts_for([accme_id], year)[accme_id]

    def year_counts_for(self, accme_ids: Sequence[str], year: int) -> dict[str, YearCounts]:
        """From the kept counts: a few rows per provider (one per year it has activities in, up to `year`)."""
        c = checklist_counts.c
        found = dict.fromkeys(accme_ids, YearCounts())
        with self.reading() as conn:
            for batch in _batches(accme_ids):
                query = (
                    select(
                        c.accme_id,
                        func.sum(case((c.year == year, c.open_activities), else_=0)),
                        func.sum(c.enduring_spans) - func.sum(case((c.year == year, c.enduring_counted), else_=0)),
                    )
                    .where(c.accme_id.in_(batch), c.year <= year)
                    .group_by(c.accme_id)
                )
                for accme_id, open_activities, uncounted in conn.execute(query):
                    found[accme_id] = YearCounts(int(open_activities or 0), int(uncounted or 0))
        return found

    def commercial_support(self, accme_id: str, year: int) -> dict[str, Any]:
        t = annual_activity_facts.c
        query = select(t.commercial_support).where(
            t.accme_id == accme_id,
            t.deleted.is_(False),
            t.end_date >= date(year, 1, 1),
            t.end_date <= date(year, 12, 31),
        )
        with self.reading() as conn:
            return commercial_support_totals(list(conn.execute(query).scalars()))

    def activity_totals(self, year: int, accme_ids: Sequence[str] | None) -> dict[str, Any]:
        t = annual_activity_facts.c
        where = [t.deleted.is_(False), t.end_date >= date(year, 1, 1), t.end_date <= date(year, 12, 31)]
        by_format: dict[str, dict[str, float]] = {}
        physicians = others = 0
        supports: list[Any] = []
        batches = [None] if accme_ids is None else list(chunks(list(accme_ids), 500))
        with self.reading() as conn:
            for batch in batches:
                scoped = where if batch is None else [*where, t.accme_id.in_(batch)]
                grouped = (
                    select(
                        t.format,
                        func.count(),
                        func.coalesce(func.sum(t.credits), 0),
                        func.coalesce(func.sum(t.physician_learners), 0),
                        func.coalesce(func.sum(t.other_learners), 0),
                    )
                    .where(*scoped)
                    .group_by(t.format)
                )
                for fmt, count, credits, phys, other in conn.execute(grouped):
                    entry = by_format.setdefault(fmt or "Unknown", {"activities": 0, "credits": 0.0})
                    entry["activities"] += count
                    entry["credits"] += float(credits)
                    physicians += int(phys)
                    others += int(other)
                supports.extend(conn.execute(select(t.commercial_support).where(*scoped)).scalars())
        return {
            "activities": sum(int(v["activities"]) for v in by_format.values()),
            "by_format": {
                k: {"activities": int(v["activities"]), "credits": v["credits"]} for k, v in sorted(by_format.items())
            },
            "physician_learners": physicians,
            "other_learners": others,
            "commercial_support": commercial_support_totals(supports),
        }

    def year_facts_for(self, accme_ids: Sequence[str], year: int) -> dict[str, YearFacts]:
        t = annual_activity_facts.c
        first, last = date(year, 1, 1), date(year, 12, 31)
        open_: dict[str, list[dict[str, Any]]] = {a: [] for a in accme_ids}
        uncounted: dict[str, list[dict[str, Any]]] = {a: [] for a in accme_ids}
        with self.reading() as conn:
            for batch in _batches(accme_ids):
                scope = [t.accme_id.in_(batch)]
                ended = (
                    select(t.accme_id, t.activity_id, t.title, t.end_date)
                    .where(*scope, t.deleted.is_(False), t.closed.is_(False), t.end_date >= first, t.end_date <= last)
                    .order_by(t.accme_id, t.end_date, t.activity_id)
                )
                for r in conn.execute(ended):
                    if r.accme_id not in open_:
                        continue
                    open_[r.accme_id].append(
                        {"activity_id": r.activity_id, "title": r.title, "end_date": r.end_date.isoformat()}
                    )
                enduring = (
                    select(t.accme_id, t.activity_id, t.title)
                    .where(*scope, *_uncounted_enduring(year))
                    .order_by(t.accme_id, t.activity_id)
                )
                for e in conn.execute(enduring):
                    if e.accme_id in uncounted:
                        uncounted[e.accme_id].append({"activity_id": e.activity_id, "title": e.title})
        return {a: YearFacts(tuple(open_[a]), tuple(uncounted[a])) for a in accme_ids}


def add_counts(
    db: Database,
    conn: Connection,
    changes: Iterable[tuple[Mapping[str, Any] | None, Mapping[str, Any]]],
    *,
    keep_zero: bool = False,
) -> None:
    """Moves the kept counts by each (old fact, new fact) pair: one upsert that adds to each row touched
    (`keep_zero`: also writes the rows that stay at zero)."""
    deltas: FactCounts = {}
    for before, after in changes:
        for fact, sign in ((before, -1), (after, 1)):
            for key, part in fact_counts(fact).items():
                had = deltas.setdefault(key, [0, 0, 0])
                for i, n in enumerate(part):
                    had[i] += sign * n
    rows = [
        {"accme_id": a, "year": y, "open_activities": d[0], "enduring_spans": d[1], "enduring_counted": d[2]}
        for (a, y), d in deltas.items()
        if keep_zero or any(d)
    ]
    if not rows:
        return
    c = checklist_counts.c
    statement = upsert(db, checklist_counts)
    statement = statement.on_conflict_do_update(
        index_elements=["accme_id", "year"], set_={n: c[n] + statement.excluded[n] for n in COUNT_COLUMNS}
    )
    conn.execute(statement, rows)


def backfill_counts(db: Database) -> None:
    """Fills `checklist_counts` once in a database made before it was kept: empty while facts exist."""
    with db.engine.begin() as conn:
        db.lock_projection(conn, "checklist")  # then look: another process may have filled it meanwhile
        if conn.execute(select(checklist_counts.c.year).limit(1)).first() is not None:
            return
        facts = annual_activity_facts.c
        rows = conn.execute(select(*(facts[c] for c in COUNTED_FIELDS))).mappings()
        add_counts(db, conn, ((None, dict(r)) for r in rows), keep_zero=True)  # so a filled table is never empty


def backfill_status_counts(conn: Any) -> None:
    """Fills `annual_activity_counts` from the activity facts when it is empty while they are not (a database made
    before the counts were kept; the caller holds the checklist's lock). Facts projected before `complete` was kept
    count as draft (open) until `pars projections rebuild checklist`."""
    if conn.execute(select(annual_activity_counts.c.year).limit(1)).first() is not None:
        return
    t = annual_activity_facts.c
    counts: dict[tuple[str, int, str, str], int] = {}
    for r in conn.execute(select(t.accme_id, t.end_date, t.closed, t.complete, t.deleted)):
        part = activity_state(dict(r._mapping))
        if part is not None:
            counts[part] = counts.get(part, 0) + 1
    rows = [{"accme_id": a, "year": y, "state": s, "end_date": e, "n": n} for (a, y, s, e), n in counts.items()]
    for chunk in chunks(rows, 1000):
        conn.execute(insert(annual_activity_counts), chunk)


def _uncounted_enduring(year: int) -> list[Any]:
    """Enduring materials active in the year, not closed with their final count, without a count for the year."""
    t = annual_activity_facts.c
    first, last = date(year, 1, 1), date(year, 12, 31)
    counted = select(annual_enduring_counts.c.stream_id).where(
        annual_enduring_counts.c.stream_id == t.stream_id, annual_enduring_counts.c.year == year
    )
    return [
        t.deleted.is_(False),
        t.enduring.is_(True),
        t.start_date <= last,
        or_(t.end_date.is_(None), t.end_date >= first),
        ~and_(t.closed.is_(True), t.end_date <= last),  # closed with its final count
        ~counted.exists(),
    ]


def _batches(accme_ids: Sequence[str]) -> list[list[str]]:
    """IN-list batches: index probes per provider beat one scan of the year even for 1,000 providers (bench.annual)."""
    return list(chunks(list(accme_ids), 500))


COUNT_COLUMNS = ("open_activities", "enduring_spans", "enduring_counted")
#: The facts' columns `fact_counts` and `activity_state` read.
COUNTED_FIELDS = (
    "stream_id",
    "accme_id",
    "enduring",
    "start_date",
    "end_date",
    "closed",
    "complete",
    "deleted",
    "counted_years",
)
FACT_DEFAULTS: dict[str, Any] = {"deleted": False, "counted_years": [], "commercial_support": []}
FACT_FIELDS = (
    "activity_id",
    "deleted",
    "accme_id",
    "title",
    "enduring",
    "format",
    "credits",
    "physician_learners",
    "other_learners",
    "start_date",
    "end_date",
    "closed",
    "complete",
    "counted_years",
    "commercial_support",
)
