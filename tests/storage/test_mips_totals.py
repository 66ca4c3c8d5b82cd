"""The MIPS report's kept rows (adapters/db/mips_totals.py) equal summing them from scratch, on SQLite and
PostgreSQL: random sequences of what the three read models that move them write — a completion line recorded,
changed or gone (transcripts), an activity registered for MIPS or not, moved to another year or provider
(activity summary), a learner registered or erased (learner directory), a provider's accreditor changed (provider
profiles) — each in its own commit as the read models do, leave exactly the rows, sums (per provider, per
accreditor and over every provider) and names that the lines, activities, profiles and directory make at the end;
the report's totals and physicians' order read them."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select

from adapters.bootstrap import System
from adapters.db import mips_totals
from adapters.db.learner_directory_tables import learner_directory
from adapters.db.oversight_counts import (
    accreditor_bucket,
    backfill_totals,
    completion_lines,
    move_accreditors,
    oversight_activities,
    oversight_count_totals,
    oversight_counts,
    write_activities,
    write_lines,
)
from adapters.db.provider_profile_tables import provider_profiles
from projections.oversight_counts import ReportFilter
from tests.conftest import make_system

ACTIVITIES = ["100000001", "100000002", "100000003"]
PROVIDERS = {"0000001": "CA", "0000002": "CA", "0000003": "TX"}
NAMES = [("Zoë", "ana"), ("Ana", "Émile"), ("ana", "bo"), ("van Dyk", "Ana")]  # last, first: code point order
L = completion_lines.c


op = st.one_of(
    st.tuples(
        st.just("line"),
        st.integers(0, 2),  # activity
        st.integers(0, 3),  # learner
        st.sampled_from(["2025-02-01", "2025-03-01"]),
        st.sampled_from([None, 0.25, 1.0, 6.75]),  # None: the line goes
    ),
    st.tuples(
        st.just("activity"),
        st.integers(0, 2),
        st.booleans(),  # registered for MIPS
        st.sampled_from(["2024-12-31", "2025-06-30", "2025-12-31"]),
        st.sampled_from(list(PROVIDERS)),
    ),
    st.tuples(st.just("register"), st.integers(0, 3)),
    st.tuples(st.just("erase"), st.integers(0, 3)),
    st.tuples(st.just("accredit"), st.sampled_from(list(PROVIDERS)), st.sampled_from(["CA", "TX", "JA"])),
)


def _summary(n: int, mips: bool, end_date: str, accme_id: str) -> dict[str, Any]:
    return {
        "deleted": False,
        "rems": False,
        "mips": mips,
        "accme_id": accme_id,
        "activity_id": ACTIVITIES[n],
        "title": f"Activity {n}",
        "format": "Course",
        "start_date": end_date,
        "end_date": end_date,
        "credits": 1.0,
        "physician_learners": 0,
        "other_learners": 0,
    }


def _apply(system: System, step: tuple[Any, ...]) -> None:
    db = system.db
    with db.engine.begin() as conn:
        if step[0] == "line":  # as a transcripts batch writes its lines and moves the kept rows
            _, n, w, day, credits = step
            key = (ACTIVITIES[n], f"learner-{w}", day)
            found = conn.execute(
                select(L.accme_id, L.credits).where(
                    L.activity_id == key[0], L.learner_id == key[1], L.completion_date == day
                )
            ).first()
            before = {key: (found.accme_id, found.credits)} if found else {}
            after = {key: ("0000001", credits)} if credits is not None else {}
            write_lines(conn, before, after)
            mips_totals.move_lines(db, conn, before, after)
        elif step[0] == "activity":  # as an activity-summary batch rewrites its registered activities
            _, n, mips, end_date, accme_id = step
            write_activities(db, conn, {f"key-{n}": _summary(n, mips, end_date, accme_id)})
        elif step[0] == "register":  # as the learner directory writes a learner and names their kept rows
            w = step[1]
            conn.execute(delete(learner_directory).where(learner_directory.c.learner_id == f"learner-{w}"))
            last, first = NAMES[w]
            conn.execute(
                insert(learner_directory),
                [
                    {
                        "learner_id": f"learner-{w}",
                        "name_key": "x",
                        "birth_md": "0101",
                        "npi": None,
                        "doc": {"last_name": last, "first_name": first, "npi": None},
                    }
                ],
            )
            mips_totals.name_physicians(db, conn, [f"learner-{w}"])
        elif step[0] == "accredit":  # as the provider profiles write a provider now overseen by another accreditor
            _, accme_id, code = step
            P = provider_profiles.c
            old = conn.execute(select(P.accreditor).where(P.accme_id == accme_id)).scalar_one()
            move_accreditors(db, conn, {accme_id: (old, code)})
            conn.execute(provider_profiles.update().where(P.accme_id == accme_id).values(accreditor=code))
        else:  # an erasure: the directory's row goes, and the name with it
            conn.execute(delete(learner_directory).where(learner_directory.c.learner_id == f"learner-{step[1]}"))
            mips_totals.name_physicians(db, conn, [f"learner-{step[1]}"])


def kept_rows(system: System) -> dict[tuple[int, str, str], tuple[int, int, bool, str, str]]:
    with system.db.engine.connect() as conn:
        return {
            (r.year, r.accme_id, r.learner_id): (r.completions, r.hundredths, r.erased, r.last_name, r.first_name)
            for r in conn.execute(select(mips_totals.mips_physicians))
        }


def kept_activities(system: System) -> dict[tuple[int, str], int]:
    with system.db.engine.connect() as conn:
        return {(r.year, r.accme_id): r.n for r in conn.execute(select(mips_totals.mips_activities))}


def activities_from_scratch(system: System) -> dict[tuple[int, str], int]:
    """The MIPS activities counted by the year they ended and their provider."""
    with system.db.engine.connect() as conn:
        activities = conn.execute(select(oversight_activities).where(oversight_activities.c.mips.is_(True))).all()
    counted: dict[tuple[int, str], int] = {}
    for a in activities:
        counted[(int(a.end_date[:4]), a.accme_id)] = counted.get((int(a.end_date[:4]), a.accme_id), 0) + 1
    return counted


def _accreditors(system: System) -> dict[str, str]:
    with system.db.engine.connect() as conn:
        return {r.accme_id: r.accreditor for r in conn.execute(select(provider_profiles))}


def from_scratch(system: System) -> dict[tuple[int, str, str], tuple[int, int, bool, str, str]]:
    """Every line of a MIPS activity, summed by the activity's year and provider, over the providers of its
    provider's accreditor and over every provider, each physician named as the directory names them now (none once
    erased)."""
    accreditors = _accreditors(system)
    with system.db.engine.connect() as conn:
        activities = conn.execute(select(oversight_activities).where(oversight_activities.c.mips.is_(True))).all()
        lines = conn.execute(select(completion_lines)).all()
        names = {r.learner_id: r.doc for r in conn.execute(select(learner_directory))}
    sums: dict[tuple[int, str, str], tuple[int, int]] = {}
    for a in activities:
        for line in lines:
            if line.activity_id == a.activity_id:
                for accme_id in (a.accme_id, "", accreditor_bucket(accreditors[a.accme_id])):
                    key = (int(a.end_date[:4]), accme_id, line.learner_id)
                    n, h = sums.get(key, (0, 0))
                    sums[key] = (n + 1, h + round(line.credits * 100))
    out = {}
    for (year, accme_id, w), (n, h) in sums.items():
        doc = names.get(w)
        out[(year, accme_id, w)] = (
            n,
            h,
            doc is None,
            doc["last_name"] if doc else "",
            doc["first_name"] if doc else "",
        )
    return out


def test_the_kept_mips_rows_equal_summing_them_from_scratch(database_url: str) -> None:
    system = make_system(database_url)
    try:

        @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(st.lists(op, min_size=1, max_size=25))
        def kept_equals_scratch(steps: list[tuple[Any, ...]]) -> None:
            with system.db.engine.begin() as conn:
                for table in (
                    oversight_activities,
                    completion_lines,
                    oversight_counts,
                    oversight_count_totals,
                    learner_directory,
                    mips_totals.mips_physicians,
                    mips_totals.mips_activities,
                    mips_totals.mips_line_totals,
                    provider_profiles,
                ):
                    conn.execute(delete(table))
                conn.execute(
                    insert(provider_profiles),
                    [
                        {"accme_id": a, "accreditor": c, "name": f"Provider {a}", "doc": {}}
                        for a, c in PROVIDERS.items()
                    ],
                )
            for n, accme_id in enumerate(PROVIDERS):  # each activity registered for MIPS, so lines count at once
                _apply(system, ("activity", n, True, "2025-06-30", accme_id))
            for step in steps:
                _apply(system, step)
            want = from_scratch(system)
            assert kept_rows(system) == want
            activities = activities_from_scratch(system)
            assert kept_activities(system) == activities
            assert all(n > 0 for n, *_ in want.values())  # a physician without completions has no row
            reads = system.queries.oversight.reads
            line_totals = reads.line_totals(2025, ReportFilter())
            accreditors = _accreditors(system)
            for filters, providers in (
                (ReportFilter(), None),
                (ReportFilter(("CA",)), {a for a, c in accreditors.items() if c == "CA"}),
                (ReportFilter(("CA", "TX")), {a for a, c in accreditors.items() if c in ("CA", "TX")}),
                (ReportFilter(None, "0000003"), {"0000003"}),
                (ReportFilter(("CA",), "0000001"), {"0000001"} if accreditors["0000001"] == "CA" else set()),
            ):
                rows = {
                    k: v
                    for k, v in want.items()
                    if k[0] == 2025 and (k[1] in providers if providers is not None else not k[1])
                }
                totals = reads.line_totals(2025, filters)
                assert totals["completions"] == sum(v[0] for v in rows.values())
                assert totals["credits"] * 100 == sum(v[1] for v in rows.values())  # exact: hundredths summed
                assert totals["physicians"] == len({w for _, _, w in rows})
                counted = {
                    a: n for (y, a), n in activities.items() if y == 2025 and (providers is None or a in providers)
                }
                assert reads.activity_totals("mips", 2025, filters) == {
                    "activities": sum(counted.values()),
                    "providers": len(counted),
                }
                order = sorted({(v[2], v[3], v[4], w) for (_, _, w), v in rows.items()})
                assert [p["learner_id"] for p in reads.physicians(2025, filters, 100, 0)] == [o[3] for o in order]
            with system.db.engine.begin() as conn:  # a rebuild's sum gives the same rows
                mips_totals.resum(conn)
            assert kept_rows(system) == want and kept_activities(system) == activities
            with system.db.engine.begin() as conn:  # a database made before them: start-up fills them
                for table in (mips_totals.mips_physicians, mips_totals.mips_line_totals, mips_totals.mips_activities):
                    conn.execute(delete(table))
            backfill_totals(system.db)
            assert kept_rows(system) == want and kept_activities(system) == activities
            assert reads.line_totals(2025, ReportFilter()) == line_totals

        kept_equals_scratch()
    finally:
        system.close()
