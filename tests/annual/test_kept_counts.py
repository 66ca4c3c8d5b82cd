"""The checklist's kept counts (`checklist_counts`, moved as each activity fact changes) equal counting the
facts from scratch (`year_facts`, the query the checklist's lists come from): for any facts written in any
batches, after a rebuild from the log, and when filled at start-up in a database made before them.
SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from eventsourcing.persistence import Tracking
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from adapters.bootstrap import System
from adapters.db.checklist_tables import checklist_counts
from adapters.db.checklist_view import backfill_counts
from commands.annual import AcceptAgreement
from domain.activity import ENDURING
from projections.checklist import ChecklistProjection, YearCounts
from tests.annual.activities import BY, add_activity, change, close, complete_data
from tests.annual.conftest import register
from tests.conftest import make_system

YEARS = range(2021, 2030)
_providers = itertools.count(1)
_positions = itertools.count(1)

day = st.dates(min_value=date(2022, 1, 1), max_value=date(2028, 12, 31))
maybe_day = st.one_of(day, day, day, st.none())  # mostly dated; before the start too: the SQL's rules decide
fact = st.fixed_dictionaries(
    {
        "stream": st.integers(min_value=0, max_value=5),  # few streams, so facts are rewritten
        "provider": st.integers(min_value=0, max_value=1),
        "enduring": st.booleans(),
        "start_date": maybe_day,
        "end_date": maybe_day,
        "closed": st.booleans(),
        "deleted": st.sampled_from([False, False, False, True]),
        "counted_years": st.lists(st.integers(min_value=2021, max_value=2029), max_size=4),
    }
)
batches = st.lists(st.lists(fact, min_size=1, max_size=8), min_size=1, max_size=4)


def enduring(start: date | None, end: date | None, closed: bool, counted: list[int], stream: int = 0) -> dict[str, Any]:
    return {
        "stream": stream,
        "provider": 0,
        "enduring": True,
        "start_date": start,
        "end_date": end,
        "closed": closed,
        "deleted": False,
        "counted_years": counted,
    }


#: The edges the rules turn on, tried every run: closed in its last year, closed without an end date, no start
#: date, a start after the end, a count outside the span, and a fact reopened within its batch.
EDGES = [
    [[enduring(date(2023, 3, 1), date(2025, 6, 1), True, [2024])]],
    [[enduring(date(2023, 3, 1), None, True, [])], [enduring(date(2023, 3, 1), None, False, [2022, 2024], 1)]],
    [[enduring(None, date(2025, 6, 1), False, [])], [enduring(date(2026, 1, 1), date(2025, 6, 1), False, [2025])]],
    [
        [
            enduring(date(2024, 1, 1), date(2024, 12, 31), True, []),
            enduring(date(2024, 1, 1), date(2025, 1, 1), False, []),
        ]
    ],
]


def counted_from_scratch(system: System, accme_id: str, year: int) -> YearCounts:
    facts = system.projections.get(ChecklistProjection).view.year_facts(accme_id, year)
    return YearCounts(len(facts.open_activities), len(facts.uncounted_enduring))


def assert_kept_equals_counted(system: System, accme_ids: list[str]) -> None:
    view = system.projections.get(ChecklistProjection).view
    for year in YEARS:
        kept = view.year_counts_for(accme_ids, year)
        for accme_id in accme_ids:
            assert kept[accme_id] == counted_from_scratch(system, accme_id, year), (accme_id, year)


def put_facts(system: System, written: list[list[dict[str, Any]]]) -> list[str]:
    """Writes each batch of facts through the view in one transaction, as a page of events would be."""
    view = system.projections.get(ChecklistProjection).view
    example = next(_providers)
    accme_ids = [f"{9000000 + example * 2 + n:07d}" for n in range(2)]
    for batch in written:
        with view.transaction():
            for f in batch:
                stream = f"{example:08d}-0000-0000-0000-{f['stream']:012d}"
                row = {
                    "stream_id": stream,
                    "activity_id": f"{f['stream']:09d}",
                    "accme_id": accme_ids[f["provider"]],
                    "title": "t",
                    "format": ENDURING if f["enduring"] else "Course",
                    **{k: f[k] for k in ("enduring", "start_date", "end_date", "closed", "deleted", "counted_years")},
                }
                view.put_activity_fact(row, Tracking("oracle", next(_positions)))
    return accme_ids


def test_kept_checklist_counts_equal_counting_the_facts(database_url: str) -> None:
    system = make_system(database_url)
    used: list[str] = []
    try:

        @settings(
            max_examples=60,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(written=batches)
        @example(written=EDGES[0])
        @example(written=EDGES[1])
        @example(written=EDGES[2])
        @example(written=EDGES[3])
        def kept_equals_counted(written: list[list[dict[str, Any]]]) -> None:
            accme_ids = put_facts(system, written)
            used.extend(accme_ids)
            assert_kept_equals_counted(system, accme_ids)

        kept_equals_counted()

        # a database made before the counts were kept: filled once, to the same figures
        with system.db.engine.begin() as conn:
            conn.execute(delete(checklist_counts))
        backfill_counts(system.db)
        assert_kept_equals_counted(system, used)
    finally:
        system.close()


def test_kept_checklist_counts_follow_the_events_and_a_rebuild(database_url: str) -> None:
    system = make_system(database_url)
    try:
        for accme_id in ("0001234", "0002345"):
            register(system, accme_id)
        add_activity(system, "0001234", "GR", complete_data("Grand Rounds", "2025-06-01", "2025-06-30"))
        add_activity(system, "0001234", "NEXT", complete_data("Next year", "2025-12-01", "2026-02-15"))
        add_activity(system, "0001234", "GONE", complete_data("Cancelled", "2025-05-01", "2025-05-02"))
        add_activity(
            system, "0001234", "POD", complete_data("Podcast", "2024-03-01", "2027-02-28", fmt="Enduring Material")
        )
        add_activity(
            system, "0002345", "OLD", complete_data("Old podcast", "2023-01-01", "2025-10-31", fmt="Enduring Material")
        )
        system.projections.catch_up()
        assert system.projections.get(ChecklistProjection).view.year_counts("0001234", 2025) == YearCounts(2, 1)
        assert_kept_equals_counted(system, ["0001234", "0002345"])

        close(system, "0001234", "GR")
        change(system, "0001234", "GONE", lambda a: a.delete(BY))
        change(system, "0001234", "POD", lambda a: a.report_enduring_learners(2025, {"physician": 4, "other": 1}, BY))
        for year in (2023, 2024, 2025):
            change(
                system,
                "0002345",
                "OLD",
                lambda a, y=year: a.report_enduring_learners(y, {"physician": y - 2000, "other": 1}, BY),
            )
        close(system, "0002345", "OLD")
        system.projections.catch_up()
        assert system.projections.get(ChecklistProjection).view.year_counts("0001234", 2025) == YearCounts(0, 0)
        assert system.projections.get(ChecklistProjection).view.year_counts("0001234", 2026) == YearCounts(1, 1)
        assert_kept_equals_counted(system, ["0001234", "0002345"])

        # the dashboard's brief checklist says what the full checklist says
        system.annual.handle(AcceptAgreement(accme_id="0001234", year=2026), BY)
        system.projections.catch_up()
        for accme_id, year in itertools.product(("0001234", "0002345"), YEARS):
            full = system.annual.checklist(accme_id, year)
            brief = system.annual.checklist_summary(accme_id, year)
            assert brief["complete"] == full["complete"]
            assert brief["missing_steps"] == [s["key"] for s in full["steps"] if not s["done"]]
            assert brief["late_steps"] == [s["key"] for s in full["steps"] if s["late"]]

        live = {
            year: system.projections.get(ChecklistProjection).view.year_counts_for(["0001234", "0002345"], year)
            for year in YEARS
        }
        system.projections.rebuild(["checklist"])
        assert {
            year: system.projections.get(ChecklistProjection).view.year_counts_for(["0001234", "0002345"], year)
            for year in YEARS
        } == live
    finally:
        system.close()
