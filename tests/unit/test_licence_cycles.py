"""Renewal cycle arithmetic (domain/licence_rules.py): any licence date, any birthday (29 February too), every
anchor; the cycle found for a day agrees with a from-scratch enumeration of the cycle boundaries."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidValueError
from domain.licence_rules import (
    Anchor,
    Cycle,
    CycleRule,
    LicenceFacts,
    LicenceRule,
    Source,
    Topic,
    cycle_on,
    first_cycle,
    next_cycle,
    on_day,
)

month_days = st.builds(
    lambda m, d: f"{m:02d}-{d:02d}",
    st.integers(1, 12),
    st.integers(1, 31),
).filter(lambda md: int(md[3:]) <= calendar.monthrange(2024, int(md[:2]))[1])


@st.composite
def rules(draw: st.DrawFn) -> CycleRule:
    anchor = draw(st.sampled_from(list(Anchor)))
    years = draw(st.integers(1, 5))
    if anchor is Anchor.FIXED_DATE:
        md = draw(month_days)
        return CycleRule(years, anchor, (int(md[:2]), int(md[3:])), draw(st.integers(1990, 2040)))
    return CycleRule(years, anchor)


licences = st.builds(
    LicenceFacts,
    issued=st.dates(date(1960, 1, 1), date(2035, 12, 31)),
    birth_month_day=month_days,
    birth_year=st.one_of(st.none(), st.integers(1930, 2000)),
)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def boundaries(rule: CycleRule, licence: LicenceFacts, until: date) -> list[date]:
    """From scratch: the last day of every cycle up to `until` and one beyond, by listing every candidate year."""
    issued = licence.issued
    month, day = int(licence.birth_month_day[:2]), int(licence.birth_month_day[3:])
    ends: list[date] = []
    if rule.anchor is Anchor.BIRTHDAY:
        birthdays = [on_day(y, month, day) for y in range(issued.year, until.year + 20)]
        first = min(b for b in birthdays if b > issued)
        starts = [on_day(first.year + k * rule.years, month, day) for k in range(40)]
        ends = [s - timedelta(days=1) for s in starts]
    else:
        if rule.anchor is Anchor.BIRTH_MONTH:
            base = licence.birth_year if licence.birth_year is not None else issued.year
            end_of = lambda y: _month_end(y, month)  # noqa: E731
        elif rule.anchor is Anchor.ISSUE_MONTH:
            base, end_of = issued.year, lambda y: _month_end(y, issued.month)
        else:
            assert rule.month_day and rule.base_year is not None
            base = rule.base_year
            end_of = lambda y: on_day(y, rule.month_day[0], rule.month_day[1])  # type: ignore[index]  # noqa: E731
        candidates = [end_of(y) for y in range(issued.year - 12, until.year + 25) if (y - base) % rule.years == 0]
        ends = sorted(e for e in candidates if e > _month_end(issued.year, issued.month))
    return ends


@settings(max_examples=400)
@given(rule=rules(), licence=licences, offset=st.integers(0, 40 * 366))
def test_the_cycle_of_a_day_holds_it_and_agrees_with_the_boundaries_counted_from_scratch(
    rule: CycleRule, licence: LicenceFacts, offset: int
) -> None:
    day = licence.issued + timedelta(days=offset)
    cycle = cycle_on(rule, licence, day)
    assert cycle.contains(day) and 0 <= cycle.days_left(day) <= rule.years * 366 + 31
    ends = boundaries(rule, licence, day)
    end = min(e for e in ends if e >= day)
    before = [e for e in ends if e < end]
    assert cycle.end == end
    assert cycle.start == (
        max(before) + timedelta(days=1) if before and max(before) >= licence.issued else licence.issued
    )


@settings(max_examples=200)
@given(rule=rules(), licence=licences)
def test_cycles_follow_each_other_without_gap_or_overlap_and_full_ones_last_the_rule_s_years(
    rule: CycleRule, licence: LicenceFacts
) -> None:
    cycle = first_cycle(rule, licence)
    assert cycle.start == licence.issued and cycle.end >= licence.issued
    assert cycle.end > _month_end(licence.issued.year, licence.issued.month) or rule.anchor is Anchor.BIRTHDAY
    for _ in range(8):
        following = next_cycle(rule, licence, cycle)
        assert following.start == cycle.end + timedelta(days=1) and following.number == cycle.number + 1
        after = following.end + timedelta(days=1)
        months = (after.year - following.start.year) * 12 + after.month - following.start.month
        if rule.anchor is Anchor.BIRTHDAY:
            month, day = int(licence.birth_month_day[:2]), int(licence.birth_month_day[3:])
            assert following.start == on_day(following.start.year, month, day)
            assert after == on_day(following.start.year + rule.years, month, day)
        else:
            assert months == rule.years * 12  # from the day after one end to the day after the next
        assert cycle_on(rule, licence, following.start) == following
        assert cycle_on(rule, licence, following.end) == following
        cycle = following


def test_the_seeded_anchors_by_example() -> None:
    # Tennessee MD: birth month, the birth year's parity (born 1972: cycles end in even years).
    tn = CycleRule(2, Anchor.BIRTH_MONTH)
    ana = LicenceFacts(date(2019, 5, 10), "03-07", 1972)
    assert cycle_on(tn, ana, date(2026, 11, 29)) == Cycle(5, date(2026, 4, 1), date(2028, 3, 31))
    # Florida MD, odd-year group: 31 January.
    fl = CycleRule(2, Anchor.FIXED_DATE, (1, 31), 2027)
    assert cycle_on(fl, ana, date(2026, 11, 29)) == Cycle(4, date(2025, 2, 1), date(2027, 1, 31))
    # California, issued after July 2018: the last day of the issue month.
    ca = CycleRule(2, Anchor.ISSUE_MONTH)
    assert first_cycle(ca, ana) == Cycle(1, date(2019, 5, 10), date(2021, 5, 31))
    # North Carolina: 3 years from the birthday after issue; a 29 February birthday is 28 February in other years.
    nc = CycleRule(3, Anchor.BIRTHDAY)
    leap = LicenceFacts(date(2019, 5, 10), "02-29", 1972)
    assert first_cycle(nc, leap) == Cycle(0, date(2019, 5, 10), date(2020, 2, 28))
    assert cycle_on(nc, leap, date(2023, 2, 27)) == Cycle(1, date(2020, 2, 29), date(2023, 2, 27))
    assert cycle_on(nc, leap, date(2023, 2, 28)).start == date(2023, 2, 28)
    with pytest.raises(InvalidValueError) as before:
        cycle_on(nc, leap, date(2019, 5, 9))
    assert before.value.loc == ("on",)


@given(every=st.integers(0, 5), cycles=st.integers(1, 30))
def test_a_topic_every_nth_cycle_is_due_in_one_of_each_n_and_a_one_time_topic_once(every: int, cycles: int) -> None:
    topic = Topic("opioid prescribing", 2, every, "all")
    rule = LicenceRule("TX", "MD", CycleRule(2, Anchor.BIRTH_MONTH), 48, 24, (topic,), (SOURCE,))
    due = [n for n in range(cycles + 1) if rule.topics_due(Cycle(n, date(2020, 1, 1), date(2021, 12, 31)))]
    if every == 0:
        assert due == [1]
    else:
        assert due == [n for n in range(1, cycles + 1) if (n - 1) % every == 0]
        assert len(due) == -(-cycles // every)


SOURCE = Source("TX3", "https://www.tmb.state.tx.us/page/cme", date(2026, 11, 29))


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"state": "Texas"}, ("state",)),
        ({"profession": "PA"}, ("profession",)),
        ({"total_hours": -1}, ("total_hours",)),
        ({"category1_hours": 50}, ("category1_hours",)),
        ({"sources": ()}, ("sources",)),
        ({"topics": (Topic("ethics", 2, 11, "all"),)}, ("topics", "0", "every_cycles")),
    ],
)
def test_a_rule_refuses_what_is_not_a_rule_naming_the_field(changes: dict[str, object], loc: tuple[str, ...]) -> None:
    fields: dict[str, object] = {
        "state": "TX",
        "profession": "MD",
        "cycle": CycleRule(2, Anchor.BIRTH_MONTH),
        "total_hours": 48,
        "category1_hours": 24,
        "sources": (SOURCE,),
    }
    with pytest.raises(InvalidValueError) as refused:
        LicenceRule(**{**fields, **changes})  # type: ignore[arg-type]
    assert refused.value.loc == loc
    with pytest.raises(InvalidValueError) as cycle:
        CycleRule(2, Anchor.FIXED_DATE, (2, 30), 2026)
    assert cycle.value.loc == ("cycle", "month_day")
