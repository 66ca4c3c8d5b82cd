"""Property, on SQLite and PostgreSQL: for any rules, licences, transcripts and day, a state board's compliance view
(the `licences` read model, written by the projection's own steps) answers for every licensee what the physician's
own requirements view computes afresh from the transcript — and its counts and met/unmet pages agree with its items.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from typing import Any

from eventsourcing.persistence import Tracking
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.licence_rules import validate_rules
from projections.licences import LicencesProjection, lines_with_tags
from services.queries.licences import licence_answer
from tests.conftest import make_system

STATE = "TN"
TODAY = date(2025, 6, 1)
TAGS = ("opioids", "ethics", "implicit bias")
#: ACCME activity ID -> its state content tags (folded)
ACTIVITIES = {"100000001": ["opioids"], "100000002": ["ethics", "implicit bias"], "100000003": []}

days = st.dates(min_value=date(1995, 1, 1), max_value=date(2035, 12, 31))
hours = st.one_of(st.none(), st.integers(0, 30))
topics = st.builds(
    lambda name, h, every, tags: {"name": name, "hours": h, **every, "tags": tags},
    st.sampled_from(("opioid prescribing", "ethics", "implicit bias")),
    st.one_of(st.none(), st.integers(0, 10)),
    st.one_of(
        st.builds(lambda n: {"every_cycles": n}, st.integers(0, 3)),
        st.builds(lambda n: {"every_years": n}, st.integers(1, 6)),
    ),
    st.lists(st.sampled_from(TAGS), min_size=1, max_size=2, unique=True),
)
cycles = st.one_of(
    st.builds(lambda y: {"years": y, "anchor": "birth_month"}, st.integers(1, 4)),
    st.builds(lambda y: {"years": y, "anchor": "issue_date"}, st.integers(1, 4)),
    st.integers(1, 4).flatmap(
        lambda y: st.builds(
            lambda md, rem: {"years": y, "anchor": "fixed_date", "month_day": md, "year_remainder": rem},
            st.sampled_from(("01-31", "02-29", "06-30", "12-31", "03-15")),
            st.one_of(st.none(), st.integers(0, y - 1)),
        )
    ),
)
rules = st.builds(
    lambda types, cycle, total, cat1, tops: {
        "board": "Board of Medical Examiners",
        "licence_types": types,
        "cycle": cycle,
        "total_hours": total,
        "category1_min": cat1,
        "topics": tops,
        "sources": [{"url": "https://example.org/rules"}],
        "seen_on": "2026-11-29",
    },
    st.sampled_from((["MD"], ["MD", "DO"])),
    cycles,
    hours,
    hours,
    st.lists(topics, max_size=3),
)
licences = st.fixed_dictionaries(
    {
        "licence_type": st.sampled_from(("MD", "MD", "DO")),
        "issued_on": st.one_of(st.none(), days.map(date.isoformat)),
        "birth_month": st.one_of(st.none(), st.integers(1, 12)),
        "birth_year": st.one_of(st.none(), st.integers(1940, 1995)),
    }
)
completions = st.lists(
    st.fixed_dictionaries(
        {
            "activity_id": st.sampled_from(sorted(ACTIVITIES)),
            "completion_date": days.map(date.isoformat),
            "cme": st.lists(
                st.builds(
                    lambda t, c: {"type": t, "credits": c},
                    st.sampled_from(("AMA PRA Category 1", "AAFP Prescribed")),
                    st.sampled_from((0.25, 1.0, 2.5, 6.0, 12.0)),
                ),
                max_size=2,
                unique_by=lambda c: c["type"],
            ),
            "moc": st.lists(
                st.builds(lambda c: {"board": "ABIM", "type": "MK", "credits": c}, st.sampled_from((1.0, 4.0))),
                max_size=1,
            ),
            "deleted": st.booleans(),
        }
    ),
    max_size=8,
)
learners = st.lists(st.tuples(licences, completions), min_size=1, max_size=3)


class Feed:
    """Writes the read model as the projection's handlers do (the same view calls, then its `refresh` at the end
    of the page's transaction), from positions of an application of its own."""

    def __init__(self, system: Any) -> None:
        self.view = system.projections.get(LicencesProjection).view
        self.positions = itertools.count(1)

    def tracking(self) -> Tracking:
        return Tracking("licence-property", next(self.positions))

    def page(self, state_rules: list[dict[str, Any]] | None, people: list[tuple[str, dict, list[dict]]]) -> None:
        with self.view.transaction():
            if state_rules is not None:
                self.view.put_rules(STATE, state_rules, self.tracking())
                self.view.touched().states.add(STATE)
            for learner_id, licence, rows in people:
                self.view.put_licence(learner_id, STATE, licence, self.tracking())
                self.view.touched().learners.add(learner_id)
                for row in rows:
                    self.view.put_completion(str(uuid.uuid4()), row, self.tracking())

    def activities(self) -> None:
        with self.view.transaction():
            for number, tags in ACTIVITIES.items():
                self.view.put_activity(str(uuid.uuid4()), number, tags, self.tracking())


def _row(learner_id: str, i: int, c: dict[str, Any]) -> dict[str, Any]:
    return {
        "accme_id": "0004444",
        "learner_id": learner_id,
        "activity_id": c["activity_id"],
        "credit_id": f"ccid:0004444:{i}",
        "completion_date": c["completion_date"],
        "doc": {"activity_title": "A", "cme": c["cme"], "moc": c["moc"], "late": False, "rems": None},
        "deleted": c["deleted"],
    }


def _board(system: Any, on: date, met: bool | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Every page of the board's view (pages of 2, following `next`), and its counts."""
    items, after = [], None
    while True:
        page = system.queries.licences.compliance(STATE, on, after, 2, met)
        items += page["items"]
        after = page["next"]
        if after is None:
            return page, items


def test_the_boards_view_equals_the_physicians_own_for_every_licensee(database_url: str) -> None:
    system = make_system(database_url)
    try:
        system.queries.licences.today = lambda: TODAY
        feed = Feed(system)
        feed.activities()
        known: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}  # learner_id -> (licence, rows)

        @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(rule=rules, people=learners, on=days, change_rules=st.booleans())
        def check(rule: dict[str, Any], people: list[Any], on: date, change_rules: bool) -> None:
            state_rules = validate_rules(STATE, [rule])
            first = not known
            added = []
            for licence, cs in people:
                learner_id = str(uuid.uuid4())
                rows = [_row(learner_id, i, c) for i, c in enumerate(cs)]
                known[learner_id] = (licence, rows)
                added.append((learner_id, licence, rows))
            feed.page(state_rules if change_rules or first else None, added)
            in_force = system.queries.licences.rules(STATE)[STATE]
            counts, items = _board(system, on)
            assert [i["learner_id"] for i in items] == sorted(known)
            for item in items:
                licence, rows = known[item["learner_id"]]
                standing = sorted(
                    (r for r in rows if not r["deleted"]),
                    key=lambda r: (r["completion_date"], r["activity_id"], r["credit_id"]),
                )
                lines = lines_with_tags(standing, ACTIVITIES)
                mine = licence_answer(STATE, in_force, licence, lines, on, TODAY)  # the physician's own view
                assert (item["progress"], item["problem"]) == (mine["progress"], mine["problem"])
            meeting = [i["learner_id"] for i in items if i["progress"] and i["progress"]["met"]]
            assert counts["licensees"] == len(known) and counts["meeting"] == len(meeting)
            assert [i["learner_id"] for i in _board(system, on, True)[1]] == meeting
            assert [i["learner_id"] for i in _board(system, on, False)[1]] == sorted(set(known) - set(meeting))

        check()
    finally:
        system.close()
