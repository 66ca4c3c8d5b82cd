"""The year-end table's follow-up columns: the year's activities open, ready to close and closed, enduring
materials without a count, days to or past the deadline; kept by the checklist projection (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from projections.activity_summary import ActivitySummaryProjection, status_of
from tests.annual.activities import BY, add_activity, change, close, complete_data
from tests.annual.conftest import at, register


def row(system, accme_id="0001234", year=2025):
    system.projections.catch_up()
    return next(r for r in system.annual.year_end(year, None) if r["accme_id"] == accme_id)


def follow_up(r):
    keys = ("activities_open", "activities_ready_to_close", "activities_closed", "enduring_without_count")
    return tuple(r[k] for k in keys)


def draft(title, start, end):
    return {"title": title, "format": "Course", "start_date": start, "end_date": end}


def test_the_year_end_row_counts_the_years_activities_by_status(any_system):
    system = any_system
    register(system, "0001234")
    register(system, "0002345")
    at(system, 2025, 11, 1)
    add_activity(system, "0001234", "DRAFT", draft("Draft course", "2025-05-01", "2025-05-02"))
    add_activity(system, "0001234", "ACTIVE", complete_data("Active course", "2025-10-01", "2025-12-15"))
    add_activity(system, "0001234", "READY", complete_data("Ready course", "2025-06-01", "2025-06-30"))
    add_activity(system, "0001234", "CLOSED", complete_data("Closed course", "2025-03-01", "2025-03-02"))
    add_activity(system, "0001234", "GONE", complete_data("Cancelled", "2025-03-01", "2025-03-02"))
    add_activity(system, "0001234", "NEXT", complete_data("Next year", "2025-12-01", "2026-01-10"))
    add_activity(
        system, "0001234", "POD", complete_data("Podcast", "2025-01-01", "2027-01-01", fmt="Enduring Material")
    )
    add_activity(system, "0002345", "OTHER", complete_data("Other provider", "2025-06-01", "2025-06-30"))
    close(system, "0001234", "CLOSED", date(2025, 10, 1))
    change(system, "0001234", "GONE", lambda a: a.delete(BY))
    r = row(system)
    assert follow_up(r) == (2, 1, 1, 1)  # open: the draft and the active course; the podcast ends in 2027
    assert r["days_to_deadline"] == 150 and r["days_past_deadline"] == 0
    assert follow_up(row(system, "0002345")) == (0, 1, 0, 0)
    at(system, 2025, 12, 20)  # the active course's end date passes: it is ready to close, nothing was stored
    assert follow_up(row(system)) == (1, 2, 1, 1)
    change(
        system, "0001234", "DRAFT", lambda a: a.revise(complete_data("Draft course", "2025-05-01", "2025-05-02"), BY)
    )
    close(system, "0001234", "READY", date(2025, 12, 20))
    change(system, "0001234", "POD", lambda a: a.report_enduring_learners(2025, {"physician": 4, "other": 1}, BY))
    assert follow_up(row(system)) == (0, 2, 2, 0)
    at(system, 2026, 4, 3)
    r = row(system)
    assert r["days_to_deadline"] == -3 and r["days_past_deadline"] == 3
    before = system.annual.year_end(2025, None)
    system.projections.rebuild("checklist")
    assert system.annual.year_end(2025, None) == before
    by_ready = system.annual.year_end(2025, None, sort="-activities_ready_to_close")
    assert [x["accme_id"] for x in by_ready] == ["0001234", "0002345"]


FRESH = itertools.count(1000000)
ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["add_draft", "add_complete", "close", "delete", "revise_draft", "revise_complete"]),
        st.integers(0, 4),  # which activity
        st.integers(1, 12),  # end month
        st.sampled_from([2024, 2025]),  # end year
    ),
    max_size=25,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS, today=st.dates(date(2025, 1, 1), date(2026, 2, 1)))
def test_kept_counts_equal_counting_every_summary(system, actions, today):
    """Whatever order activities are added, revised, closed and deleted in, the kept counts are what counting the
    activity summaries (the search page's status rule) gives."""
    accme_id = f"{next(FRESH):07d}"  # a provider of its own for each example (the store lives across examples)
    register(system, accme_id)
    at(system, today.year, today.month, today.day)
    made: set[int] = set()
    for action, which, month, year in actions:
        key = f"A{which}"
        end = f"{year}-{month:02d}-28"
        data = (complete_data if action.endswith("complete") else draft)(key, f"{year}-{month:02d}-01", end)
        try:
            if action.startswith("add") and which not in made:
                add_activity(system, accme_id, key, data)
                made.add(which)
            elif which in made and action == "close":
                close(system, accme_id, key, date(2026, 3, 1))
            elif which in made and action == "delete":
                change(system, accme_id, key, lambda a: a.delete(BY))
            elif which in made and action.startswith("revise"):
                change(system, accme_id, key, lambda a, d=data: a.revise(d, BY))
        except DomainError:
            continue  # a refused change (closing a draft, revising a closed activity) changes nothing
    system.projections.catch_up()
    for year in (2024, 2025):
        expected = {"open": 0, "ready_to_close": 0, "closed": 0}
        for s in system.projections.get(ActivitySummaryProjection).view.summaries(accme_id, year):
            status = status_of(s, system.annual.today())
            expected["open" if status in ("draft", "active") else status] += 1
        got = row(system, accme_id, year)
        assert (got["activities_open"], got["activities_ready_to_close"], got["activities_closed"]) == tuple(
            expected.values()
        )


def test_a_database_made_before_the_counts_gets_them_at_start_up(any_system):
    """`annual_activity_counts` empty beside stored activity facts (an older database): start-up fills it."""
    from sqlalchemy import delete

    from adapters.db.checklist_tables import annual_activity_counts
    from adapters.db.dashboard_counts import backfill

    system = any_system
    register(system, "0001234")
    at(system, 2026, 2, 1)
    add_activity(system, "0001234", "DRAFT", draft("Draft course", "2025-05-01", "2025-05-02"))
    add_activity(system, "0001234", "READY", complete_data("Ready course", "2025-06-01", "2025-06-30"))
    add_activity(system, "0001234", "CLOSED", complete_data("Closed course", "2025-03-01", "2025-03-02"))
    close(system, "0001234", "CLOSED", date(2025, 10, 1))
    before = row(system)
    assert follow_up(before) == (1, 1, 1, 0) and before["steps"]["activities_closed"] is False
    with system.db.engine.begin() as conn:
        conn.execute(delete(annual_activity_counts))
    backfill(system.db)
    assert row(system) == before
    backfill(system.db)  # a second start changes nothing
    assert row(system) == before
