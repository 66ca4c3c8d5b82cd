"""The timelines an as-of replay keeps in the process (services/as_of_timeline.py) answer exactly what the
`history` query answers: the events after a position recorded up to an instant, and the first one recorded
later, also when the clock stepped back (an event later in the log, earlier in time) and when the timeline
was read in pieces as the history grew."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.as_of_timeline import KeptTimeline

T0 = datetime(2025, 1, 1, tzinfo=UTC)


@given(
    steps=st.lists(st.integers(-3, 5), min_size=0, max_size=40),
    gaps=st.lists(st.integers(1, 3), min_size=40, max_size=40),
    cuts=st.lists(st.integers(0, 40), max_size=3),
    after=st.integers(0, 120),
    until=st.integers(-5, 60),
)
def test_a_kept_timeline_answers_as_the_history_query_does(
    steps: list[int], gaps: list[int], cuts: list[int], after: int, until: int
) -> None:
    entries, position, minute = [], 0, 0
    for step, gap in zip(steps, gaps, strict=False):
        position += gap
        minute += step  # a negative step: the clock stepped back
        entries.append((position, T0 + timedelta(minutes=minute)))
    instant = T0 + timedelta(minutes=until)
    expected = [(p, t) for p, t in entries if p > after and t <= instant]
    later = [p for p, t in entries if p > after and t > instant]
    kept = KeptTimeline()
    start = 0
    for cut in sorted(cuts) + [len(entries)]:  # read as the history grew
        kept.extend(entries[start:cut])
        start = max(start, cut)
    assert kept.between(after, instant) == (expected, min(later) if later else None)
