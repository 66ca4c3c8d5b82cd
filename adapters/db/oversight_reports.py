"""The REMS and MIPS reports read set-wise from their kept rows (adapters/db/oversight_counts.py): a page of a
list in the database's order, the totals as aggregate queries over the same filter (never a sum of the page), and
every row in the list's order a page of 1,000 at a time (the CSV downloads: one short read a page)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, and_, distinct, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from adapters.db.database import Database
from adapters.db.learner_directory_tables import learner_directory
from adapters.db.mips_totals import mips_activities, mips_line_totals, mips_physicians
from adapters.db.oversight_counts import (
    ACCREDITOR,
    ACTIVITIES,
    ALL_PROVIDERS,
    FIGURE_MEASURES,
    accreditor_bucket,
    completion_lines,
    oversight_activities,
    oversight_count_totals,
    oversight_counts,
)
from adapters.db.provider_profile_tables import provider_profiles
from domain.activity import BLUEPRINT_SECTIONS, REMS_COMPLIANCE, REMS_TYPES, year_bounds
from projections.base import chunks
from projections.oversight_counts import OversightReads, ReportFilter

A = oversight_activities.c
C = oversight_counts.c
Q = oversight_count_totals.c
L = completion_lines.c
P = provider_profiles.c
D = learner_directory.c
M = mips_physicians.c
N = mips_activities.c
S = mips_line_totals.c
STREAM_PAGE = 1000


@dataclass(frozen=True)
class _Where:
    """The activities a report reads: registered for REMS or MIPS, ended in the year, of the providers overseen."""

    flag: str
    year: int
    filters: ReportFilter

    @property
    def joined(self) -> Any:
        return oversight_activities

    @property
    def clauses(self) -> list[ColumnElement[bool]]:
        first, last = year_bounds(self.year)
        where: list[ColumnElement[bool]] = [A[self.flag].is_(True), A.end_date >= first, A.end_date <= last]
        f = self.filters
        if f.rems_type is not None:
            where.append(A.rems_type == f.rems_type)
        if f.provider is not None:
            where.append(A.accme_id == f.provider)
        if f.accreditors is not None:  # the providers they oversee, as a semi-join (no row of theirs doubles)
            where.append(A.accme_id.in_(select(P.accme_id).where(P.accreditor.in_(f.accreditors))))
        return where


def _activity(r: Any) -> dict[str, Any]:
    return {
        "accme_id": r.accme_id,
        "provider": r.provider_name or "",
        "activity_id": r.activity_id,
        "title": r.title,
        "format": r.format,
        "start_date": r.start_date,
        "end_date": r.end_date,
        "credits": r.credits,
        "physician_learners": r.physician_learners,
        "other_learners": r.other_learners,
        "rems_type": r.rems_type,
        "compliance": r.compliance,
        "blueprint_sections": r.blueprint_sections.split("\n") if r.blueprint_sections else [],
        "rpc_id": r.rpc_id,
    }


def _listed(where: _Where, limit: int, offset: int = 0, *after: ColumnElement[bool]) -> Select[Any]:
    """A page of the activities in the list's order, each with its provider's name ("" without a profile): the
    page is cut first and only its rows are named (naming every row of the year before the sort cost more than
    the sort)."""
    order = (A.accme_id, A.activity_id, A.key)
    page = (
        select(oversight_activities)
        .select_from(where.joined)
        .where(*where.clauses, *after)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    names = provider_profiles.alias("names")
    return (
        select(page, names.c.name.label("provider_name"))
        .select_from(page.outerjoin(names, names.c.accme_id == page.c.accme_id))
        .order_by(page.c.accme_id, page.c.activity_id, page.c.key)
    )


def _scoped(query: Select[Any], f: ReportFilter, *, every: bool = True) -> Select[Any]:
    """A read of the kept REMS totals narrowed to the filter's buckets: its REMS type, its provider, the sums over
    the providers of each accreditor (`every`; else those providers' own rows), or the sums over every provider
    (`every`; else every provider's own rows)."""
    if f.rems_type is not None:
        query = query.where(Q.rems_type == f.rems_type)
    if f.provider is not None:
        query = query.where(Q.accme_id == f.provider)
    if f.accreditors is not None and every and f.provider is None:
        query = query.where(Q.accme_id.in_([accreditor_bucket(a) for a in f.accreditors]))
    elif f.accreditors is not None:  # their providers (one of them: its rows if they oversee it)
        query = query.where(Q.accme_id.in_(select(P.accme_id).where(P.accreditor.in_(f.accreditors))))
    if every and f.provider is None and f.accreditors is None:
        query = query.where(Q.accme_id == ALL_PROVIDERS)
    return query


class SqlOversightReads(OversightReads):
    def __init__(self, db: Database) -> None:
        self.db = db

    def _read(self) -> Any:
        return self.db.read_engine.connect()

    def activities(self, flag: str, year: int, filters: ReportFilter, limit: int, offset: int) -> list[dict[str, Any]]:
        with self._read() as conn:
            return [_activity(r) for r in conn.execute(_listed(_Where(flag, year, filters), limit, offset))]

    def every_activity(self, flag: str, year: int, filters: ReportFilter) -> Iterator[list[dict[str, Any]]]:
        where = _Where(flag, year, filters)
        after: tuple[str, str, str] | None = None
        while True:
            keyset: list[ColumnElement[bool]] = []
            if after is not None:  # keyset: the next page begins after the last row read
                a, n, k = after
                keyset.append(
                    or_(
                        A.accme_id > a,
                        and_(A.accme_id == a, A.activity_id > n),
                        and_(A.accme_id == a, A.activity_id == n, A.key > k),
                    )
                )
            query = _listed(where, STREAM_PAGE, 0, *keyset)
            with self._read() as conn:
                rows = conn.execute(query).all()
            if rows:
                yield [_activity(r) for r in rows]
            if len(rows) < STREAM_PAGE:
                return
            after = (rows[-1].accme_id, rows[-1].activity_id, rows[-1].key)

    def activity_totals(self, flag: str, year: int, filters: ReportFilter) -> dict[str, Any]:
        if flag == "rems":  # kept per year, provider and REMS type, like the participants' counts
            return self.rems_totals(year, filters)[0]
        # the MIPS report counts activities and providers alone: kept per year and provider
        query = select(func.coalesce(func.sum(N.n), 0), func.count()).where(*self._kept(N, year, filters))
        with self._read() as conn:
            activities, providers = conn.execute(query).one()
        return {"activities": int(activities), "providers": int(providers)}

    def _rems_kept(self, year: int, filters: ReportFilter) -> list[tuple[str, str, str, int]]:
        """The kept REMS totals of the filter's buckets summed by REMS type, measure and value: read by the primary
        key's year and provider alone (a few dozen rows a provider), the measures told apart here."""
        query = select(Q.rems_type, Q.measure, Q.value, func.sum(Q.n)).where(Q.year == year)
        with self._read() as conn:
            found = conn.execute(_scoped(query.group_by(Q.rems_type, Q.measure, Q.value), filters)).all()
        return [(t, m, v, int(n)) for t, m, v, n in found]

    def rems_totals(self, year: int, filters: ReportFilter) -> tuple[dict[str, Any], dict[tuple[str, str], int]]:
        by_type: dict[str, int] = {}
        kept: dict[tuple[str, str], int] = {}
        counts: dict[tuple[str, str], int] = {}
        for rems_type, measure, value, n in self._rems_kept(year, filters):
            if measure not in FIGURE_MEASURES:
                counts[(measure, value)] = counts.get((measure, value), 0) + n
                continue
            kept[(measure, value)] = kept.get((measure, value), 0) + n
            if measure == ACTIVITIES:
                by_type[rems_type] = by_type.get(rems_type, 0) + n
        providers = _scoped(
            select(func.count(distinct(Q.accme_id))).where(
                Q.year == year,
                Q.measure == ACTIVITIES,
                Q.accme_id != ALL_PROVIDERS,
                Q.accme_id.not_like(f"{ACCREDITOR}%"),
            ),
            filters,
            every=False,
        )
        with self._read() as conn:
            provider_count = int(conn.execute(providers).scalar() or 0)
        totals = {
            "activities": kept.get((ACTIVITIES, ""), 0),
            "providers": provider_count,
            "physician_learners": kept.get(("a:physician_learners", ""), 0),
            "other_learners": kept.get(("a:other_learners", ""), 0),
            "rpc_funded": kept.get(("a:rpc_funded", ""), 0),
            "by_type": {t: by_type.get(t, 0) for t in REMS_TYPES},
            "by_compliance": {
                **{c: kept.get(("a:compliance", c), 0) for c in REMS_COMPLIANCE},
                "Not stated": kept.get(("a:compliance", ""), 0),
            },
            "blueprint_coverage": {s: kept.get(("a:section", s), 0) for s in BLUEPRINT_SECTIONS},
        }
        return totals, counts

    def counts_of(self, activity_ids: list[str]) -> dict[str, dict[tuple[str, str], int]]:
        found: dict[str, dict[tuple[str, str], int]] = {}
        with self._read() as conn:
            for chunk in chunks(sorted(set(activity_ids)), 500):
                query = select(C.activity_id, C.measure, C.value, C.n).where(C.activity_id.in_(chunk))
                for activity_id, measure, value, n in conn.execute(query):
                    found.setdefault(activity_id, {})[(measure, value)] = n
        return found

    def _kept(self, kept: Any, year: int, filters: ReportFilter) -> list[ColumnElement[bool]]:
        """The kept MIPS rows (adapters/db/mips_totals.py: `kept` the columns of a table of them) of the year the
        filters take: one provider's; accreditors' the sums over the providers of each (a physician of several of
        them is on several rows) of the physicians and line totals, and their providers' activity counts; all of
        ACCME the sums over every provider (ALL_PROVIDERS) of the physicians and line totals, and every provider's
        activity counts."""
        where: list[ColumnElement[bool]] = [kept.year == year]
        if filters.provider is not None:
            where.append(kept.accme_id == filters.provider)
        if filters.accreditors is not None and filters.provider is None and kept is not N:
            where.append(kept.accme_id.in_([accreditor_bucket(a) for a in filters.accreditors]))
        elif filters.accreditors is not None:
            where.append(kept.accme_id.in_(select(P.accme_id).where(P.accreditor.in_(filters.accreditors))))
        if filters.provider is None and filters.accreditors is None and kept is not N:
            where.append(kept.accme_id == ALL_PROVIDERS)
        return where

    def line_totals(self, year: int, filters: ReportFilter) -> dict[str, Any]:
        sums = (func.coalesce(func.sum(S.completions), 0), func.coalesce(func.sum(S.hundredths), 0))
        with self._read() as conn:
            if (
                filters.accreditors is None or filters.provider is not None or len(filters.accreditors) == 1
            ):  # one kept row (ACCME's, a provider's
                query = select(*sums, func.coalesce(func.sum(S.physicians), 0))  # or an accreditor's)
                completions, hundredths, people = conn.execute(query.where(*self._kept(S, year, filters))).one()
            else:  # their sums' rows, and a physician of several of them counted once
                completions, hundredths = conn.execute(select(*sums).where(*self._kept(S, year, filters))).one()
                distinct_people = select(func.count(distinct(M.learner_id))).where(*self._kept(M, year, filters))
                people = conn.execute(distinct_people).scalar_one()
        return {"completions": int(completions), "physicians": int(people), "credits": int(hundredths) / 100}

    def physicians(self, year: int, filters: ReportFilter, limit: int, offset: int) -> list[dict[str, Any]]:
        # the page in the kept order (an index range for all of ACCME, one accreditor and one provider), named in
        # the same read
        order = (M.erased, M.last_name, M.first_name, M.learner_id)
        page = select(*order).where(*self._kept(M, year, filters)).order_by(*order).limit(limit).offset(offset)
        if filters.accreditors is not None and len(filters.accreditors) > 1:  # one physician of several is listed once
            page = page.distinct()
        cut = page.subquery()
        query = (
            select(
                cut.c.learner_id,
                D.learner_id.is_not(None).label("known"),
                D.doc["last_name"].as_string().label("last"),
                D.doc["first_name"].as_string().label("first"),
                D.doc["npi"].as_string().label("npi"),
            )
            .select_from(cut.outerjoin(learner_directory, D.learner_id == cut.c.learner_id))
            .order_by(cut.c.erased, cut.c.last_name, cut.c.first_name, cut.c.learner_id)
        )
        with self._read() as conn:
            people = conn.execute(query).all()
            lines = self._lines(conn, _Where("mips", year, filters), [p.learner_id for p in people]) if people else {}
        return [
            {
                "learner_id": p.learner_id,
                "first_name": p.first if p.known else None,
                "last_name": p.last if p.known else None,
                "npi": p.npi if p.known else None,
                "erased": not p.known,
                "completions": lines.get(p.learner_id, []),
            }
            for p in people
        ]

    def _lines(self, conn: Connection, where: _Where, learner_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        # the page's physicians' lines by the learner index, then those of their activities the report takes by
        # the activity index: both small, where one join would probe every activity of the year for each of them
        lines = conn.execute(
            select(L.learner_id, L.activity_id, L.completion_date, L.credits)
            .where(L.learner_id.in_(learner_ids))
            .order_by(L.learner_id, L.completion_date, L.activity_id)
        ).all()
        names = provider_profiles.alias("names")
        taken = {
            r.activity_id: r
            for r in conn.execute(
                select(A.activity_id, A.accme_id, A.title, names.c.name)
                .select_from(where.joined.outerjoin(names, names.c.accme_id == A.accme_id))
                .where(*where.clauses, A.activity_id.in_(sorted({line.activity_id for line in lines})))
            )
        }
        found: dict[str, list[dict[str, Any]]] = {}
        for line in lines:
            a = taken.get(line.activity_id)
            if a is not None:
                found.setdefault(line.learner_id, []).append(
                    {
                        "accme_id": a.accme_id,
                        "provider": a.name or "",
                        "activity_id": line.activity_id,
                        "title": a.title,
                        "completion_date": line.completion_date,
                        "credits": line.credits,
                    }
                )
        return found

    def lines_with_names(self, activity_ids: list[str]) -> list[dict[str, Any]]:
        query = (
            select(
                L.activity_id,
                L.completion_date,
                L.credits,
                D.doc["last_name"].as_string().label("last"),
                D.doc["first_name"].as_string().label("first"),
                D.doc["npi"].as_string().label("npi"),
                D.learner_id.is_not(None).label("known"),
            )
            .select_from(completion_lines.outerjoin(learner_directory, D.learner_id == L.learner_id))
            .where(L.activity_id.in_(activity_ids))
        )
        if not activity_ids:
            return []
        with self._read() as conn:
            return [
                {
                    "activity_id": r.activity_id,
                    "completion_date": r.completion_date,
                    "credits": r.credits,
                    "last_name": r.last if r.known else None,
                    "first_name": r.first if r.known else None,
                    "npi": r.npi if r.known else None,
                    "erased": not r.known,
                }
                for r in conn.execute(query)
            ]
