"""The year-end table's figures read in one query (`SqlChecklistView.year_end_figures`) equal the same figures
gathered by the view's separate reads (`ChecklistView.year_end_figures`: profiles, reports, the checklist's kept
counts, the status counts), for any reports and activity facts, any year, day and accreditors; and the marks read
straight off a stored report (`doc_marks`) equal the checklist's (`checklist_marks`). SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from eventsourcing.persistence import Tracking
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from domain.activity import ENDURING
from domain.annual_report import SUMMARY_FIELDS, ReportState, StepState
from projections.checklist import (
    ChecklistProjection,
    ChecklistView,
    YearCounts,
    checklist_marks,
    doc_marks,
    state_to_doc,
)
from tests.annual.conftest import register
from tests.conftest import make_system

PROVIDERS = (("0007001", "ACCME"), ("0007002", "CA"), ("0007003", "CA"), ("0007004", "TX"))
_positions = itertools.count(1)
FACT_FIELDS = ("enduring", "start_date", "end_date", "closed", "complete", "deleted", "counted_years")

day = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))
near = st.dates(min_value=date(2025, 6, 1), max_value=date(2025, 6, 4))  # end dates on, before and after today
step = st.one_of(st.none(), st.builds(StepState, day, st.booleans()))
state = st.builds(
    ReportState,
    agreement=step,
    summary=st.fixed_dictionaries({f: st.one_of(st.none(), st.integers(0, 10)) for f in SUMMARY_FIELDS}),
    summary_step=step,
    contacts=step,
    attestation=step,
)
fact = st.fixed_dictionaries(
    {
        "stream": st.integers(min_value=0, max_value=7),
        "provider": st.integers(min_value=0, max_value=len(PROVIDERS) - 1),
        "enduring": st.booleans(),
        "start_date": st.one_of(day, st.none()),
        "end_date": st.one_of(day, near, st.none()),
        "closed": st.booleans(),
        "complete": st.booleans(),
        "deleted": st.sampled_from([False, False, True]),
        "counted_years": st.lists(st.integers(min_value=2024, max_value=2026), max_size=2),
    }
)

#: The edge the status counts turn on, tried every run: an active activity whose end date is today (still open).
ENDS_TODAY = {
    "stream": 0,
    "provider": 0,
    "enduring": False,
    "start_date": date(2025, 6, 1),
    "end_date": date(2025, 6, 2),
    "closed": False,
    "complete": True,
    "deleted": False,
    "counted_years": [],
}


@settings(max_examples=200, deadline=None)
@given(state=state, open_activities=st.integers(0, 2), uncounted=st.integers(0, 2), stored=st.booleans())
def test_marks_read_off_the_stored_report_equal_the_checklists(
    state: ReportState, open_activities: int, uncounted: int, stored: bool
) -> None:
    counts = YearCounts(open_activities, uncounted)
    marks = checklist_marks(state if stored else ReportState(), counts, date(2026, 3, 31))["steps"]
    done, late = doc_marks(state_to_doc(state) if stored else None, counts)
    assert done == tuple(m["done"] for m in marks)
    assert late == tuple(m["late"] for m in marks)


def test_year_end_figures_in_one_query_equal_the_separate_reads(database_url: str) -> None:
    system = make_system(database_url)
    try:
        for accme_id, accreditor in PROVIDERS:
            register(system, accme_id, accreditor)
        view = system.projections.get(ChecklistProjection).view
        written = itertools.count()

        @settings(
            max_examples=40,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(
            reports=st.lists(st.tuples(st.integers(0, len(PROVIDERS) - 1), st.sampled_from([2024, 2025]), state)),
            facts=st.lists(fact, max_size=10),
            year=st.sampled_from([2025, 2025, 2024, 2026]),
            today=st.one_of(near, day),
            accreditors=st.sampled_from([None, ["CA"], ["ACCME", "TX"], ["JA"]]),
        )
        @example(reports=[], facts=[ENDS_TODAY], year=2025, today=date(2025, 6, 2), accreditors=None)
        def one_query_equals_separate_reads(
            reports: list[tuple[int, int, ReportState]],
            facts: list[dict[str, Any]],
            year: int,
            today: date,
            accreditors: list[str] | None,
        ) -> None:
            example = next(written)
            with view.transaction():
                for provider, report_year, report in reports:
                    view.put_report(
                        PROVIDERS[provider][0], report_year, state_to_doc(report), Tracking("oracle", next(_positions))
                    )
                for f in facts:
                    row = {
                        "stream_id": f"{example:08d}-0000-0000-0000-{f['stream']:012d}",
                        "activity_id": f"{f['stream']:09d}",
                        "accme_id": PROVIDERS[f["provider"]][0],
                        "title": "t",
                        "format": ENDURING if f["enduring"] else "Course",
                        **{k: f[k] for k in FACT_FIELDS},
                    }
                    view.put_activity_fact(row, Tracking("oracle", next(_positions)))
            assert view.year_end_figures(year, accreditors, today) == ChecklistView.year_end_figures(
                view, year, accreditors, today
            )

        one_query_equals_separate_reads()
    finally:
        system.close()
