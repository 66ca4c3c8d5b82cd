"""State licence CME rules as data, and the arithmetic of renewal cycles.

A state board's rule for one licence (MD or DO): the renewal cycle (how many years, and what anchors it), the
total hours, the AMA PRA Category 1 minimum, and topic requirements (hours, how often: each cycle, every Nth,
or once), each with the sources it was read from and the day they were seen; a value not confirmed from the
board, a statute or a rule is flagged `uncertain`, and stays visible as such. Recording and changing rules as
events, and progress toward them, build on this module.

Cycles. Four anchors cover the seeded states:

- `birth_month`: a cycle ends on the last day of the physician's birth month, every `years` years, in the
  years whose difference from the birth year is a multiple of `years` (Tennessee: the birth year's parity);
  without a birth year on record, the licence's issue year sets the parity;
- `issue_month`: it ends on the last day of the month the licence was issued, every `years` years (California,
  licences issued from July 2018);
- `fixed_date`: it ends on a month and day in the years whose difference from `base_year` is a multiple of
  `years` (Florida MDs: 31 January of even or odd years; DOs: 31 March of even years);
- `birthday`: a cycle of `years` years starts on each `years`-th birthday from the first birthday after the licence
  was issued (North Carolina), and ends the day before the next one.

A licence's first cycle (number 1) runs from its issue date to the first end after the month of issue (no cycle
ends in the month a licence is issued); for `birthday`, the days to the first birthday after issue are cycle 0,
and cycle 1 starts on that birthday. A 29 February anchor falls on 28 February in other years.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from domain.errors import InvalidValueError


class Anchor(StrEnum):
    BIRTH_MONTH = "birth_month"
    ISSUE_MONTH = "issue_month"
    FIXED_DATE = "fixed_date"
    BIRTHDAY = "birthday"


@dataclass(frozen=True)
class CycleRule:
    years: int
    anchor: Anchor
    month_day: tuple[int, int] | None = None  # fixed_date: (month, day)
    base_year: int | None = None  # fixed_date: a year in which a cycle ends

    def __post_init__(self) -> None:
        if not 1 <= self.years <= 10:
            raise InvalidValueError(f"a renewal cycle lasts 1 to 10 years (got {self.years})", loc=("cycle", "years"))
        if self.anchor is Anchor.FIXED_DATE:
            if self.month_day is None or self.base_year is None:
                raise InvalidValueError(
                    "a cycle that ends on a fixed date needs the month and day, and a year in which a cycle ends",
                    loc=("cycle", "month_day"),
                )
            month, day = self.month_day
            if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(2024, month)[1]):
                raise InvalidValueError(f"{month:02d}-{day:02d} is not a day of the year", loc=("cycle", "month_day"))


@dataclass(frozen=True)
class LicenceFacts:
    """What places a physician's cycles: when the licence was issued, the birth month and day, maybe the year."""

    issued: date
    birth_month_day: str  # MM-DD
    birth_year: int | None = None

    @property
    def birth_month(self) -> int:
        return int(self.birth_month_day[:2])

    @property
    def birth_day(self) -> int:
        return int(self.birth_month_day[3:])


@dataclass(frozen=True)
class Cycle:
    """One renewal cycle, both days included, numbered from 1 (the first renewal); a `birthday`-anchored licence's
    days before its first birthday after issue are cycle 0, in which nothing is due."""

    number: int
    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def days_left(self, on: date) -> int:
        """Days from `on` to the cycle's last day (0 on the last day)."""
        return (self.end - on).days


def on_day(year: int, month: int, day: int) -> date:
    """The day in that year; 29 February is 28 February outside leap years."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _ending(rule: CycleRule, licence: LicenceFacts) -> tuple[int, Callable[[int], date]]:
    """For end-anchored cycles: a year in which a cycle ends, and the end day in a year."""
    if rule.anchor is Anchor.BIRTH_MONTH:
        base = licence.birth_year if licence.birth_year is not None else licence.issued.year
        return base, lambda y: _month_end(y, licence.birth_month)
    if rule.anchor is Anchor.ISSUE_MONTH:
        return licence.issued.year, lambda y: _month_end(y, licence.issued.month)
    assert rule.month_day is not None and rule.base_year is not None
    month, day = rule.month_day
    return rule.base_year, lambda y: on_day(y, month, day)


def first_cycle(rule: CycleRule, licence: LicenceFacts) -> Cycle:
    issued = licence.issued
    if rule.anchor is Anchor.BIRTHDAY:
        birthday = on_day(issued.year, licence.birth_month, licence.birth_day)
        if birthday <= issued:
            birthday = on_day(issued.year + 1, licence.birth_month, licence.birth_day)
        return Cycle(0, issued, birthday - timedelta(days=1))  # before the first cycle
    base, end_in = _ending(rule, licence)
    issue_month_end = _month_end(issued.year, issued.month)
    year = issued.year + (base - issued.year) % rule.years
    while end_in(year) <= issue_month_end:
        year += rule.years
    return Cycle(1, issued, end_in(year))


def next_cycle(rule: CycleRule, licence: LicenceFacts, cycle: Cycle) -> Cycle:
    start = cycle.end + timedelta(days=1)
    if rule.anchor is Anchor.BIRTHDAY:
        # start is a birthday (28 February standing for 29 February): the next is `years` birthdays on.
        end = on_day(start.year + rule.years, licence.birth_month, licence.birth_day) - timedelta(days=1)
        return Cycle(cycle.number + 1, start, end)
    _, end_in = _ending(rule, licence)
    return Cycle(cycle.number + 1, start, end_in(cycle.end.year + rule.years))


def cycle_on(rule: CycleRule, licence: LicenceFacts, day: date) -> Cycle:
    """The cycle `day` falls in (refused before the licence was issued)."""
    if day < licence.issued:
        raise InvalidValueError(
            f"the licence was issued on {licence.issued.isoformat()}, after {day.isoformat()}", loc=("on",)
        )
    cycle = first_cycle(rule, licence)
    while day > cycle.end:  # a few dozen steps for a licence of the 1970s: no shortcut worth its risk
        cycle = next_cycle(rule, licence, cycle)
    return cycle


@dataclass(frozen=True)
class Source:
    key: str  # TN1, CA3, ...
    url: str
    seen: date


@dataclass(frozen=True)
class Topic:
    """A topic requirement: `hours` of it, `every_cycles` 1 each cycle, N every Nth, 0 once."""

    name: str
    hours: float | None
    every_cycles: int | None
    applies_to: str
    counts_toward_total: bool = True
    uncertain: bool = False


@dataclass(frozen=True)
class LicenceRule:
    """A state's CME requirements to renew one kind of physician licence."""

    state: str  # two letters
    profession: str  # MD or DO
    cycle: CycleRule
    total_hours: float | None
    category1_hours: float | None
    topics: tuple[Topic, ...] = ()
    sources: tuple[Source, ...] = ()
    uncertain: frozenset[str] = field(default_factory=frozenset)  # which fields: "cycle", "total_hours", ...

    def __post_init__(self) -> None:
        if len(self.state) != 2 or not self.state.isalpha() or not self.state.isupper():
            raise InvalidValueError(f"a state is two capital letters (got {self.state!r})", loc=("state",))
        if self.profession not in ("MD", "DO"):
            raise InvalidValueError(f"the licence is MD or DO (got {self.profession!r})", loc=("profession",))
        for name, value in (("total_hours", self.total_hours), ("category1_hours", self.category1_hours)):
            if value is not None and not 0 <= value <= 1000:
                raise InvalidValueError(f"{value} hours is not a number of CME hours", loc=(name,))
        if (
            self.total_hours is not None
            and self.category1_hours is not None
            and self.category1_hours > self.total_hours
        ):
            raise InvalidValueError(
                "the AMA PRA Category 1 minimum is more than the total hours", loc=("category1_hours",)
            )
        for i, topic in enumerate(self.topics):
            if topic.every_cycles is not None and not 0 <= topic.every_cycles <= 10:
                raise InvalidValueError(
                    "a topic is due each cycle (1), every Nth cycle (N) or once (0)",
                    loc=("topics", str(i), "every_cycles"),
                )
        if not self.sources:
            raise InvalidValueError("a rule names the source it was read from", loc=("sources",))

    def topics_due(self, cycle: Cycle) -> tuple[Topic, ...]:
        """The topics due in this cycle: each-cycle ones, every-Nth ones in cycles 1, N+1, 2N+1 ..., and one-time
        ones in cycle 1; nothing in cycle 0."""
        due: list[Topic] = []
        number = cycle.number
        if number < 1:
            return ()
        for topic in self.topics:
            n = topic.every_cycles
            if n is None:
                continue
            if n == 1 or (n == 0 and number == 1) or (n > 1 and (number - 1) % n == 0):
                due.append(topic)
        return tuple(due)
