"""The REMS report's kept totals (`oversight_count_totals`: the participants' counts and the activities' figures per
year, provider and REMS type, and their sums over every provider and over each accreditor's providers) move with
each batch of the three read models that feed them — activity-summary batches through `write_activities`,
transcripts batches through `move`, provider-profile batches that change a provider's accreditor through
`move_accreditors` — and equal summing them afresh from the rows (`resum_totals`, what start-up and a rebuild do),
whatever the batches' order; on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from adapters.bootstrap import System
from adapters.db.oversight_counts import (
    ALL_PROVIDERS,
    move,
    move_accreditors,
    oversight_activities,
    oversight_count_totals,
    oversight_counts,
    resum_totals,
    write_activities,
)
from adapters.db.provider_profile_tables import provider_profiles
from domain.activity import BLUEPRINT_SECTIONS, REMS_COMPLIANCE, REMS_TYPES
from projections.oversight_counts import ReportFilter
from tests.conftest import make_system

ACTIVITIES = 4
PROFILES = {"0000001": "CA", "0000002": "TX"}  # "0000003" has no profile until a batch gives it one
MEASURES = [("completions", ""), ("rems", ""), ("prescriber", ""), ("profession", "Nurse"), ("profession", "")]

summary = st.fixed_dictionaries(
    {
        "deleted": st.booleans(),
        "rems": st.booleans(),
        "mips": st.booleans(),
        "accme_id": st.sampled_from(["0000001", "0000002", "0000003"]),
        "end_date": st.sampled_from(["2024-12-31", "2025-01-01", "2025-12-31"]),
        "physician_learners": st.integers(0, 30),
        "other_learners": st.integers(0, 30),
        "rems_registration": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from([*REMS_TYPES, None]),
                    "compliance": st.sampled_from([*REMS_COMPLIANCE, None]),
                    "blueprint_sections": st.lists(st.sampled_from(BLUEPRINT_SECTIONS), max_size=3),
                    "identifier": st.sampled_from([None, "", "RPC-1"]),
                }
            ),
        ),
    }
)
batch = st.one_of(
    # an activity-summary batch: these activities' summaries as they now stand
    st.tuples(st.just("summaries"), st.dictionaries(st.integers(0, ACTIVITIES - 1), summary, min_size=1)),
    # a transcripts batch: completions counted for these activities, or every count of one of them gone
    st.tuples(
        st.just("counts"),
        st.dictionaries(st.tuples(st.integers(0, ACTIVITIES - 1), st.sampled_from(MEASURES)), st.integers(1, 3)),
    ),
    st.tuples(st.just("uncount"), st.integers(0, ACTIVITIES - 1)),
    # an activity-summary batch that changes an activity's learners alone (its bucket stays)
    st.tuples(st.just("learners"), st.tuples(st.integers(0, ACTIVITIES - 1), st.integers(0, 30), st.integers(0, 30))),
    # a provider-profile batch: a provider now overseen by this accreditor
    st.tuples(
        st.just("accredit"),
        st.tuples(st.sampled_from(["0000001", "0000002", "0000003"]), st.sampled_from(["CA", "TX"])),
    ),
)


def _number(i: int) -> str:
    return f"{100000000 + i}"


def _summary(i: int, s: dict[str, Any]) -> dict[str, Any]:
    return {
        **s,
        "activity_id": _number(i),
        "title": f"Activity {i}",
        "format": "Course",
        "start_date": s["end_date"],
        "credits": 1.0,
    }


def _totals(system: System) -> dict[tuple[Any, ...], int]:
    q = oversight_count_totals.c
    with system.db.engine.connect() as conn:
        return {(r.year, r.accme_id, r.rems_type, r.measure, r.value): r.n for r in conn.execute(select(q))}


def test_kept_rems_totals_equal_summing_them_afresh(database_url: str) -> None:
    system = make_system(database_url)
    db = system.db
    try:

        @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(st.lists(batch, min_size=1, max_size=8))
        def kept_as_summed(batches: list[tuple[str, Any]]) -> None:
            with db.engine.begin() as conn:
                for table in (oversight_activities, oversight_counts, oversight_count_totals, provider_profiles):
                    conn.execute(delete(table))
                conn.execute(
                    provider_profiles.insert(),
                    [{"accme_id": a, "accreditor": c, "name": a, "doc": {}} for a, c in PROFILES.items()],
                )
            accreditors = dict(PROFILES)
            counts: dict[tuple[str, str, str], int] = {}  # what the transcripts have counted so far
            summaries: dict[int, dict[str, Any]] = {}  # the activities' summaries as they stand
            for kind, what in batches:
                with db.engine.begin() as conn:
                    if kind == "learners":
                        i, physicians, others = what
                        if i not in summaries:
                            continue
                        what = {i: {**summaries[i], "physician_learners": physicians, "other_learners": others}}
                        kind = "summaries"
                    if kind == "accredit":
                        accme_id, code = what
                        move_accreditors(db, conn, {accme_id: (accreditors.get(accme_id), code)})
                        P = provider_profiles.c
                        conn.execute(delete(provider_profiles).where(P.accme_id == accme_id))
                        conn.execute(
                            provider_profiles.insert(),
                            [{"accme_id": accme_id, "accreditor": code, "name": accme_id, "doc": {}}],
                        )
                        accreditors[accme_id] = code
                        continue
                    if kind == "summaries":
                        summaries.update(what)
                        write_activities(db, conn, {f"key-{i}": _summary(i, s) for i, s in what.items()})
                        continue
                    before = dict(counts)
                    if kind == "counts":
                        for (i, (measure, value)), n in what.items():
                            key = (_number(i), measure, value)
                            counts[key] = counts.get(key, 0) + n
                    else:
                        counts = {k: n for k, n in counts.items() if k[0] != _number(what)}
                    move(db, conn, (before, {}), (counts, {}))
            kept = _totals(system)
            assert all(kept.values())  # a total at zero goes
            resum_totals(db)
            assert kept == _totals(system)
            for code in ("CA", "TX"):  # an accreditor's report reads its sums: its providers' rows summed
                theirs: dict[tuple[Any, ...], int] = {}
                for (year, accme_id, rems_type, measure, value), n in kept.items():
                    if year == 2025 and accme_id != ALL_PROVIDERS and accreditors.get(accme_id) == code:
                        theirs[(rems_type, measure, value)] = theirs.get((rems_type, measure, value), 0) + n
                read = system.queries.oversight.reads._rems_kept(2025, ReportFilter((code,)))
                assert {(t, m, v): n for t, m, v, n in read} == theirs
                one = system.queries.oversight.reads._rems_kept(2025, ReportFilter((code,), "0000001"))
                assert bool(one) == any(  # one provider of theirs: its own rows, none if they do not oversee it
                    y == 2025 and a == "0000001" and accreditors.get(a) == code for y, a, *_ in kept
                )

        kept_as_summed()
    finally:
        system.close()
