"""Licence renewal cycles and requirement progress: pure arithmetic over dates and a transcript.

A state's rule anchors its cycle one of three ways (`domain/licence_rules.py`): the licensee's birth month,
the licence's issue date, or a fixed date. Each comes down to one shape: a cycle of `years` years that ends
on a given day of a given month (the month's last day unless a day is named; 29 February only in a leap year)
in the years that leave a given remainder modulo `years`. The cycle holding a day runs from the day after the
previous end through the next end on or after it.

Progress toward a rule's requirements counts the CME credit of the transcript lines completed inside a
window: the cycle for the total hours and the AMA PRA Category 1 minimum; for a topic, the cycle, the last
`every_cycles` cycles, the last `every_years` years before the cycle ends, or the whole licence (one-time:
`every_cycles: 0`). A line counts toward a topic when one of its activity's state content tags (domain or
topic, case and spacing folded) is among the topic's tags.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain.errors import InvalidValueError

ANCHORS = ("birth_month", "issue_date", "fixed_date")
CATEGORY_1 = "AMA PRA Category 1"


@dataclass(frozen=True)
class CycleShape:
    """Cycles of `years` years ending on `day` (None: the last day) of `month`, in years ≡ `remainder` (mod years)."""

    years: int
    month: int
    day: int | None
    remainder: int

    def end_in(self, year: int) -> date:
        last = calendar.monthrange(year, self.month)[1]
        return date(year, self.month, min(self.day or last, last))

    def is_end_year(self, year: int) -> bool:
        return (year - self.remainder) % self.years == 0


@dataclass(frozen=True)
class Cycle:
    start: date  # first day counted
    end: date  # last day counted (the licence's renewal/expiry day)

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end

    def days_left(self, today: date) -> int:
        return max((self.end - today).days, 0)


def shape_for(cycle_rule: Mapping[str, Any], licence: Mapping[str, Any]) -> CycleShape:
    """The cycle shape of a rule's `cycle` for one licence ({issued_on, birth_month, birth_year})."""
    years = int(cycle_rule["years"])
    anchor = cycle_rule["anchor"]
    issued = date.fromisoformat(licence["issued_on"]) if licence.get("issued_on") else None
    if anchor == "birth_month":
        month = licence.get("birth_month")
        if not month:
            raise InvalidValueError(
                "this state's cycle follows the birth month, which is not known", loc=("birth_month",)
            )
        base = licence.get("birth_year") or (issued.year if issued else None)
        if base is None:
            raise InvalidValueError("the licence's issue date is needed to place its cycle", loc=("issued_on",))
        return CycleShape(years, int(month), None, int(base) % years)
    if anchor == "issue_date":
        if issued is None:
            raise InvalidValueError("this state's cycle follows the licence's issue date", loc=("issued_on",))
        return CycleShape(years, issued.month, None, issued.year % years)
    if anchor == "fixed_date":
        month, day = (int(p) for p in str(cycle_rule["month_day"]).split("-"))
        remainder = cycle_rule.get("year_remainder")
        if remainder is None:
            if issued is None:
                raise InvalidValueError("the licence's issue date is needed to place its cycle", loc=("issued_on",))
            remainder = issued.year
        return CycleShape(years, month, day, int(remainder) % years)
    raise InvalidValueError(f"{anchor!r} is not a cycle anchor ({', '.join(ANCHORS)})", loc=("cycle", "anchor"))


def cycle_containing(shape: CycleShape, day: date) -> Cycle:
    """The cycle holding `day`: from the day after the previous end through the first end on or after `day`."""
    year = day.year
    while not (shape.is_end_year(year) and shape.end_in(year) >= day):
        year += 1
    end = shape.end_in(year)
    return Cycle(shape.end_in(year - shape.years) + timedelta(days=1), end)


def cycle_after(shape: CycleShape, cycle: Cycle) -> Cycle:
    return cycle_containing(shape, cycle.end + timedelta(days=1))


def cycle_before(shape: CycleShape, cycle: Cycle) -> Cycle:
    return cycle_containing(shape, cycle.start - timedelta(days=1))


def _fold(text: str) -> str:
    return " ".join(str(text).lower().split())


@dataclass(frozen=True)
class Line:
    """One transcript line as requirements see it: the day, the CME credit it counts for state boards,
    how much of it is AMA PRA Category 1, and its activity's state content tags (folded)."""

    completion_date: date
    credits: float
    category1: float
    tags: frozenset[str] = frozenset()


def line_from(row: Mapping[str, Any]) -> Line:
    """A `Line` from a stored row {completion_date, credits, category1, tags}."""
    return Line(
        date.fromisoformat(row["completion_date"]),
        float(row["credits"]),
        float(row["category1"]),
        frozenset(_fold(t) for t in row.get("tags") or ()),
    )


def tags_of(state_content_tags: Iterable[Mapping[str, Any]]) -> list[str]:
    """The folded words an activity's state content tags offer: each tag's domain and topic."""
    words = {_fold(t.get(k) or "") for t in state_content_tags for k in ("domain", "topic")}
    return sorted(w for w in words if w)


def topic_window(
    topic: Mapping[str, Any], shape: CycleShape, cycle: Cycle, first_day: date | None
) -> tuple[date, date]:
    """The days whose credit counts toward a topic in `cycle`."""
    every_years = topic.get("every_years")
    every_cycles = topic.get("every_cycles")
    if every_years:
        start = _years_before(cycle.end, int(every_years)) + timedelta(days=1)
        return start, cycle.end
    if every_cycles == 0:  # one-time: anything since the licence was issued
        return (first_day or date.min), cycle.end
    start_cycle = cycle
    for _ in range(max(int(every_cycles or 1), 1) - 1):
        start_cycle = cycle_before(shape, start_cycle)
    return start_cycle.start, cycle.end


def _years_before(day: date, years: int) -> date:
    year = day.year - years
    last = calendar.monthrange(year, day.month)[1]
    return date(year, day.month, min(day.day, last))


@dataclass
class Tally:
    """Credit counted toward one rule in one cycle; lines can be added in any order (`add`)."""

    rule: Mapping[str, Any]
    shape: CycleShape
    cycle: Cycle
    first_day: date | None = None
    total: float = 0.0
    category1: float = 0.0
    topics: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.windows = [topic_window(t, self.shape, self.cycle, self.first_day) for t in self.rule.get("topics", [])]
        self.tag_sets = [frozenset(_fold(x) for x in t.get("tags", [])) for t in self.rule.get("topics", [])]
        if not self.topics:
            self.topics = [0.0] * len(self.windows)

    def add(self, line: Line, sign: int = 1) -> None:
        if self.cycle.holds(line.completion_date):
            self.total += sign * line.credits
            self.category1 += sign * line.category1
        for i, (start, end) in enumerate(self.windows):
            if start <= line.completion_date <= end and line.tags & self.tag_sets[i]:
                self.topics[i] += sign * line.credits


def _value(x: Any) -> Any:
    """A rule's scalar, plain or {value, uncertain}."""
    return x.get("value") if isinstance(x, Mapping) else x


def _uncertain(x: Any) -> bool:
    return bool(isinstance(x, Mapping) and x.get("uncertain"))


def progress(tally: Tally, today: date) -> dict[str, Any]:
    """Each requirement of the rule, met or the hours still missing, from a tally; and the cycle."""
    rule = tally.rule
    requirements: list[dict[str, Any]] = []

    def requirement(kind: str, name: str, needed: Any, counted: float, **extra: Any) -> None:
        hours = _value(needed)
        counted = round(counted, 2)
        if hours is None:
            met, missing = None, None  # hours not set: shown, not counted
        else:
            missing = round(max(float(hours) - counted, 0.0), 2)
            met = missing == 0
        requirements.append(
            {
                "kind": kind,
                "name": name,
                "hours": hours,
                "counted": counted,
                "met": met,
                "missing": missing,
                "uncertain": _uncertain(needed) or bool(extra.pop("uncertain", False)),
                **extra,
            }
        )

    requirement("total", "Total CME credit", rule.get("total_hours"), tally.total)
    requirement("category1", "AMA PRA Category 1 Credit™ minimum", rule.get("category1_min"), tally.category1)
    for topic, counted in zip(rule.get("topics", []), tally.topics, strict=True):
        requirement(
            "topic",
            topic["name"],
            topic.get("hours"),
            counted,
            applies_to=topic.get("applies_to"),
            uncertain=bool(topic.get("uncertain")),
        )
    decided = [r for r in requirements if r["met"] is not None]
    return {
        "cycle": {"start": tally.cycle.start.isoformat(), "end": tally.cycle.end.isoformat()},
        "days_left": tally.cycle.days_left(today),
        "met": all(r["met"] for r in decided),
        "requirements": requirements,
    }


def compute(
    rule: Mapping[str, Any],
    shape: CycleShape,
    cycle: Cycle,
    lines: Sequence[Line],
    today: date,
    first_day: date | None = None,
) -> dict[str, Any]:
    """Progress from scratch: every line of the transcript against the rule in the cycle."""
    tally = Tally(rule, shape, cycle, first_day)
    for line in lines:
        tally.add(line)
    return progress(tally, today)
