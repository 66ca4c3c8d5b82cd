"""One rule decides the year an activity counts in, the year it ended (PRODUCT.md section 4), and every view
agrees on it: dashboard, activity search by year, program summary, data report, checklist and year-end table."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.activity import ENDURING, year_counted
from projections.checklist import activity_supports, commercial_support_totals
from tests.activities.counting import activity_counts
from tests.annual.activities import BY, add_activity, change, complete_data
from tests.annual.conftest import register, settle

TODAY = date(2027, 2, 1)
YEARS = range(2023, 2030)
_providers = itertools.count(1)

#: Longest span per format that the counting rules allow (an enduring material may run three years).
SPANS = {"Course": 20, "Regularly Scheduled Series": 360, ENDURING: 900}

activities = st.lists(
    st.fixed_dictionaries(
        {
            "format": st.sampled_from(sorted(SPANS)),
            "start": st.dates(date(2023, 6, 1), date(2026, 12, 31)),
            "span": st.integers(0, 900),
            "monetary": st.lists(
                st.tuples(st.sampled_from(["Pharma A", "Pharma B"]), st.integers(0, 50).map(lambda k: k * 1000)),
                max_size=2,
            ),
            "in_kind": st.lists(st.sampled_from(["Device B", "Space C"]), max_size=2),
            "physicians": st.integers(0, 90),
            "others": st.integers(0, 30),
            "closed": st.booleans(),
            "deleted": st.booleans(),
        }
    ),
    min_size=1,
    max_size=8,
)


def data_of(a: dict[str, Any], n: int) -> dict[str, Any]:
    end = a["start"] + timedelta(days=min(a["span"], SPANS[a["format"]]))
    supported = bool(a["monetary"] or a["in_kind"])
    return complete_data(
        f"Activity {n}",
        a["start"].isoformat(),
        end.isoformat(),
        a["format"],
        commercial_support=supported,
        monetary_support=[{"source": s, "amount": v} for s, v in a["monetary"]],
        in_kind_support=[{"source": s} for s in a["in_kind"]],
        learners={"physician": a["physicians"], "other": a["others"]},
    )


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(activities)
def test_every_view_counts_an_activity_in_the_year_it_ended(any_system, generated):
    system = any_system
    accme_id = f"{7000000 + next(_providers):07d}"  # a fresh provider per example, one store for all
    register(system, accme_id)
    stored: dict[str, dict[str, Any]] = {}
    for n, a in enumerate(generated):
        data = data_of(a, n)
        activity = add_activity(system, accme_id, f"K{n}", data)
        closed = a["closed"] and date.fromisoformat(data["end_date"]) < TODAY
        if closed:
            change(system, accme_id, f"K{n}", lambda act: act.close(TODAY, BY))
        elif a["deleted"]:
            change(system, accme_id, f"K{n}", lambda act: act.delete(BY))
            continue
        stored[activity.number] = {**data, "closed": closed}
    settle(system)
    system.annual.today = lambda: TODAY
    for year in YEARS:
        mine = {number: d for number, d in stored.items() if year_counted(d) == year}
        # Dashboard (what GET .../dashboard?year= answers) and the activity search by year.
        dashboard = activity_counts(system.reads.activities.summaries(accme_id, year), TODAY)
        rows, total = system.reads.activities.search(
            accme_id,
            year=year,
            fmt=None,
            status=None,
            q=None,
            moc=None,
            rems=None,
            mips=None,
            today=TODAY,
            limit=100,
            offset=0,
        )
        assert {r["activity_id"] for r in rows} == set(mine) and total == len(mine) == dashboard["activities"]["total"]
        # Commercial support: the dashboard, the program summary and the data report show the same figures.
        expected = commercial_support_totals([activity_supports(d) for d in mine.values()])
        data_report = system.annual.facts.activity_totals(year, [accme_id])
        assert dashboard["commercial_support"] == expected
        assert system.annual.program_summary(accme_id, year)["commercial_support"] == expected
        assert data_report["commercial_support"] == expected
        assert data_report["activities"] == len(mine)
        assert {f: v["activities"] for f, v in data_report["by_format"].items()} == dashboard["activities"]["by_format"]
        assert (data_report["physician_learners"], data_report["other_learners"]) == (
            dashboard["learners"]["physicians"],
            dashboard["learners"]["other_learners"],
        )
        # The checklist and the year-end table: the activities that ended in the year and are not closed.
        unclosed = sorted(n for n, d in mine.items() if not d["closed"])
        step = next(s for s in system.annual.checklist(accme_id, year)["steps"] if s["key"] == "activities_closed")
        assert sorted(m["activity_id"] for m in step["missing"]) == unclosed
        row = next(r for r in system.annual.year_end(year, None) if r["accme_id"] == accme_id)
        assert row["steps"]["activities_closed"] is (not unclosed)
