"""Cycle arithmetic and requirement progress (pure), with Hypothesis properties."""

from __future__ import annotations

import calendar
import random
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValueError
from domain.licence_cycles import (
    CycleShape,
    Line,
    Tally,
    compute,
    cycle_after,
    cycle_containing,
    progress,
    shape_for,
)

days = st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31))
shapes = st.builds(
    lambda years, month, day, rem: CycleShape(years, month, day, rem % years),
    st.integers(1, 5),
    st.integers(1, 12),
    st.one_of(st.none(), st.integers(1, 31)),
    st.integers(0, 9),
)


@given(shapes, days)
def test_the_cycle_holds_the_day_and_ends_on_an_anchor_day(shape: CycleShape, day: date) -> None:
    cycle = cycle_containing(shape, day)
    assert cycle.holds(day)
    assert cycle.end.month == shape.month
    assert shape.is_end_year(cycle.end.year)
    last = calendar.monthrange(cycle.end.year, shape.month)[1]
    assert cycle.end.day == min(shape.day or last, last)
    # exactly `years` years long: the previous end is the same anchor `years` earlier
    assert cycle.start - timedelta(days=1) == shape.end_in(cycle.end.year - shape.years)


@given(shapes, days)
def test_cycles_follow_each_other_without_gap_or_overlap(shape: CycleShape, day: date) -> None:
    cycle = cycle_containing(shape, day)
    following = cycle_after(shape, cycle)
    assert following.start == cycle.end + timedelta(days=1)
    assert cycle_containing(shape, cycle.start) == cycle == cycle_containing(shape, cycle.end)


@given(st.integers(1950, 2090).filter(calendar.isleap))
def test_a_february_birth_month_ends_on_the_29th_in_leap_years(year: int) -> None:
    shape = shape_for({"years": 2, "anchor": "birth_month"}, {"birth_month": 2, "birth_year": year})
    cycle = cycle_containing(shape, date(year, 1, 15))
    assert cycle.end == date(year, 2, 29)
    assert cycle_after(shape, cycle).end == date(year + 2, 2, 28 + calendar.isleap(year + 2))


def test_anchors() -> None:
    # Tennessee: birth month, the birth year's parity sets the year
    tn = shape_for({"years": 2, "anchor": "birth_month"}, {"birth_month": 7, "birth_year": 1971, "issued_on": None})
    assert cycle_containing(tn, date(2026, 11, 29)).end == date(2027, 7, 31)
    # California: last day of the issue month
    ca = shape_for({"years": 2, "anchor": "issue_date"}, {"issued_on": "2020-03-10"})
    assert cycle_containing(ca, date(2026, 11, 29)).end == date(2028, 3, 31)
    # Florida DO: 31 March of even years
    fl = shape_for({"years": 2, "anchor": "fixed_date", "month_day": "03-31", "year_remainder": 0}, {})
    assert cycle_containing(fl, date(2027, 4, 1)).end == date(2028, 3, 31)
    assert cycle_containing(fl, date(2026, 3, 31)).start == date(2024, 4, 1)
    with pytest.raises(InvalidValueError) as caught:
        shape_for({"years": 2, "anchor": "issue_date"}, {"birth_month": 2})
    assert caught.value.loc == ("issued_on",)


RULE = {
    "total_hours": 40.0,
    "category1_min": {"value": 20.0, "uncertain": True},
    "topics": [
        {"name": "opioid prescribing", "hours": 3.0, "every_cycles": 1, "tags": ["opioids"]},
        {"name": "domestic violence", "hours": 2.0, "every_cycles": 3, "tags": ["domestic violence"]},
        {"name": "HIV/AIDS", "hours": 1.0, "every_cycles": 0, "tags": ["hiv/aids"]},
        {"name": "infection control", "hours": None, "every_years": 4, "tags": ["infection control"]},
    ],
}
TAGS = ["opioids", "domestic violence", "hiv/aids", "infection control", "ethics"]
lines = st.lists(
    st.builds(
        lambda d, c, cat, tags: Line(d, c, min(cat, c), frozenset(tags)),
        st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
        st.sampled_from([0.25, 0.5, 1.0, 2.0, 3.0, 10.0]),
        st.sampled_from([0.0, 0.5, 1.0, 2.0, 10.0]),
        st.sets(st.sampled_from(TAGS), max_size=2),
    ),
    max_size=40,
)


def _scratch(rule: dict, shape: CycleShape, cycle, transcript: list[Line], first_day: date) -> dict:
    """The requirements computed afresh, line by line, with no tally."""

    def window(topic: dict) -> tuple[date, date]:
        if topic.get("every_years"):
            end = cycle.end
            return date(end.year - topic["every_years"], end.month, end.day) + timedelta(days=1), end
        if topic["every_cycles"] == 0:
            return first_day, cycle.end
        start = cycle
        for _ in range(topic["every_cycles"] - 1):
            start = cycle_containing(shape, start.start - timedelta(days=1))
        return start.start, cycle.end

    total = sum(x.credits for x in transcript if cycle.start <= x.completion_date <= cycle.end)
    cat1 = sum(x.category1 for x in transcript if cycle.start <= x.completion_date <= cycle.end)
    counted = []
    for topic in rule["topics"]:
        lo, hi = window(topic)
        counted.append(
            sum(x.credits for x in transcript if lo <= x.completion_date <= hi and x.tags & set(topic["tags"]))
        )
    return {"total": round(total, 2), "category1": round(cat1, 2), "topics": [round(c, 2) for c in counted]}


@given(lines, st.integers(0, 1000), days)
def test_progress_equals_a_computation_from_scratch_in_any_order(
    transcript: list[Line], seed: int, today: date
) -> None:
    shape = CycleShape(2, 1, None, 1)  # 31 January of odd years (Florida MD's odd group)
    cycle = cycle_containing(shape, date(2024, 6, 1))
    first_day = date(2017, 5, 1)
    shuffled = list(transcript)
    random.Random(seed).shuffle(shuffled)
    # added in any order, some added and taken away again (a deleted completion)
    tally = Tally(RULE, shape, cycle, first_day)
    for line in shuffled:
        tally.add(line)
    for line in shuffled[: len(shuffled) // 3]:
        tally.add(line, -1)
        tally.add(line)
    answer = progress(tally, today)
    assert answer == compute(RULE, shape, cycle, transcript, today, first_day)
    expected = _scratch(RULE, shape, cycle, transcript, first_day)
    by_kind = {r["kind"]: r for r in answer["requirements"] if r["kind"] != "topic"}
    assert by_kind["total"]["counted"] == expected["total"]
    assert by_kind["category1"]["counted"] == expected["category1"]
    topics = [r for r in answer["requirements"] if r["kind"] == "topic"]
    assert [t["counted"] for t in topics] == expected["topics"]
    for req in answer["requirements"]:
        if req["hours"] is None:
            assert req["met"] is None and req["missing"] is None
        else:
            assert req["met"] == (req["counted"] >= req["hours"] - 1e-9)
            assert req["missing"] == round(max(req["hours"] - req["counted"], 0), 2)
    assert answer["met"] == all(r["met"] for r in answer["requirements"] if r["met"] is not None)
    assert answer["days_left"] == max((cycle.end - today).days, 0)
    assert by_kind["category1"]["uncertain"] is True and by_kind["total"]["uncertain"] is False
