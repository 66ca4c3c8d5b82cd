"""Activity rules without storage: draft minimum, counting rules, lifecycle and close rules, corrections."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.activity import (
    Activity,
    ActivityClosedError,
    ActivityNotReadyToCloseError,
    ActivityRuleError,
    canonical_format,
    empty_data,
)
from domain.base import Acting, Channel

BY = Acting("tester", Channel.WEB)
TODAY = date(2026, 6, 1)


def data(**over):  # type: ignore[no-untyped-def]
    d = {
        **empty_data(),
        "title": "Grand rounds",
        "description": "Weekly grand rounds.",
        "format": "Course",
        "start_date": "2025-03-01",
        "end_date": "2025-03-02",
        "delivery_methods": ["In-Person"],
        "location": {"city": "Nashville", "state": "TN", "country": "USA"},
        "credits": 2.0,
        "for_public_list": False,
        "sponsorship": "direct",
        "commercial_support": False,
        "outcomes": [{"outcome": "Learner Competence", "measurement_types": ["Objective"]}],
        "learners": {"physician": 10, "other": 0},
    }
    d.update(over)
    return d


def make(**over):  # type: ignore[no-untyped-def]
    return Activity.register("0001234", "P-1", "123456789", data(**over), BY)


def test_draft_needs_only_title_format_and_dates():
    a = Activity.register(
        "0001234",
        "P-1",
        "123456789",
        {"title": "T", "format": "Course", "start_date": "2025-01-01", "end_date": "2025-01-01"},
        BY,
    )
    assert a.status(TODAY) == "draft"


@pytest.mark.parametrize(
    "field,value,loc",
    [
        ("title", "", ("title",)),
        ("description", "x" * 2501, ("description",)),
        ("end_date", None, ("end_date",)),
        ("end_date", "2025-02-28", ("end_date",)),
        ("credits", 1.1, ("credits",)),
        ("format", "Webinar", ("activity_format",)),
    ],
)
def test_rules_name_the_field(field, value, loc):
    with pytest.raises(ActivityRuleError) as err:
        make(**{field: value})
    assert err.value.loc == loc


def test_rss_and_test_item_writing_span_at_most_twelve_months():
    make(format="Regularly Scheduled Series", start_date="2025-01-01", end_date="2025-12-31")
    for fmt in ("Regularly Scheduled Series", "Test-Item Writing"):
        with pytest.raises(ActivityRuleError, match="12 months"):
            make(format=fmt, start_date="2025-01-01", end_date="2026-01-01")


def test_enduring_material_is_reported_once_for_at_most_three_years():
    make(format="Enduring Material", start_date="2024-02-29", end_date="2027-02-28")
    with pytest.raises(ActivityRuleError, match="3 years"):
        make(format="Enduring Material", start_date="2024-01-01", end_date="2027-01-02")


def test_abpmr_registers_only_activities_from_2025():
    reg = {"board": "ABPMR", "points": 2, "credit_types": ["LL"], "claim_date": "2025-12-31"}
    make(moc=[reg])
    with pytest.raises(ActivityRuleError) as err:
        make(moc=[reg], start_date="2024-12-30", end_date="2024-12-31")
    assert err.value.loc == ("moc", "0", "board")


def test_old_format_names_map_to_the_streamlined_ones():
    assert canonical_format("Internet Live Course") == ("Course", "Live-Streamed")
    assert canonical_format("IEM") == ("Enduring Material", "Online")
    assert canonical_format("regularly scheduled series") == ("Regularly Scheduled Series", None)


def test_lifecycle_active_then_ready_to_close_then_closed():
    a = make(start_date="2026-06-01", end_date="2026-06-02")
    assert a.status(TODAY) == "active"
    assert a.status(date(2026, 6, 3)) == "ready_to_close"
    with pytest.raises(ActivityNotReadyToCloseError):
        a.close(TODAY, BY)
    assert a.close(date(2026, 6, 3), BY)
    assert a.status(date(2026, 6, 3)) == "closed"
    assert not a.close(date(2026, 6, 3), BY)  # closing again changes nothing


@pytest.mark.parametrize(
    "over,loc",
    [
        ({"sponsorship": "joint"}, ("joint_providers",)),
        ({"outcomes": []}, ("outcomes",)),
        ({"commercial_support": None}, ("commercial_support",)),
        ({"commercial_support": True}, ("commercial_support",)),
        (
            {"monetary_support": [{"source": "Pharma", "amount": None}], "commercial_support": True},
            ("monetary_support", "0", "amount"),
        ),
        ({"learners": {"other": 3}}, ("learners", "physician")),
        ({"learners": {"physician": 3}}, ("learners", "other")),
        (
            {
                "moc": [
                    {
                        "board": "ABIM",
                        "points": 2,
                        "credit_types": [],
                        "claim_date": "2025-12-31",
                        "practice_areas": ["Cardiology"],
                    }
                ],
                "moc_attestation": True,
                "fee": "Yes",
                "registration": "Limited",
                "url": "https://cme.example.org/a",
            },
            ("moc", "0", "credit_types"),
        ),
    ],
)
def test_close_rules_name_what_is_missing(over, loc):
    a = make(**over)
    with pytest.raises(ActivityNotReadyToCloseError) as err:
        a.close(TODAY, BY)
    assert err.value.loc == loc


def test_changes_after_closing_are_corrections_with_a_reason():
    a = make()
    a.close(TODAY, BY)
    with pytest.raises(ActivityClosedError):
        a.revise(data(title="Renamed"), BY)
    assert a.revise(data(title="Renamed"), BY, reason="typo in title")
    assert isinstance(a.pending_events[-1], Activity.Corrected)
    assert a.pending_events[-1].reason == "typo in title"
    with pytest.raises(ActivityClosedError):
        a.delete(BY)


def test_enduring_learner_counts_per_year_as_of_31_december_are_cumulative():
    a = make(
        format="Enduring Material",
        start_date="2024-05-01",
        end_date="2026-04-30",
        location=None,
        delivery_methods=["Online"],
    )
    a.report_enduring_learners(2024, {"physician": 10, "other": 2}, BY)
    a.report_enduring_learners(2025, {"physician": 25, "other": 2}, BY)
    assert a.data["learners"] == {"physician": 25, "other": 2}
    with pytest.raises(ActivityRuleError):
        a.report_enduring_learners(2026, {"physician": 5, "other": 2}, BY)
    with pytest.raises(ActivityRuleError):
        a.report_enduring_learners(2027, {"physician": 30, "other": 2}, BY)


@given(
    start=st.dates(date(2020, 1, 1), date(2030, 1, 1)),
    days=st.integers(0, 1200),
    fmt=st.sampled_from(["Course", "Regularly Scheduled Series", "Test-Item Writing", "Enduring Material"]),
)
def test_counting_rules_accept_exactly_the_allowed_spans(start, days, fmt):
    end = start + timedelta(days=days)
    limit = 3 if fmt == "Enduring Material" else 1
    try:
        allowed_end = start.replace(year=start.year + limit)
    except ValueError:
        allowed_end = start.replace(year=start.year + limit, day=28)
    allowed = end <= allowed_end if limit == 3 else end < allowed_end
    try:
        make(format=fmt, start_date=start.isoformat(), end_date=end.isoformat())
    except ActivityRuleError:
        assert not allowed
    else:
        assert allowed


@given(today=st.dates(date(2024, 1, 1), date(2028, 1, 1)), complete=st.booleans())
def test_an_activity_closes_exactly_when_its_end_date_passed_and_it_is_complete(today, complete):
    a = make(start_date="2026-01-01", end_date="2026-06-30", outcomes=[] if not complete else data()["outcomes"])
    should = complete and today > date(2026, 6, 30)
    try:
        a.close(today, BY)
    except ActivityNotReadyToCloseError:
        assert not should
    else:
        assert should and a.status(today) == "closed"


@given(st.lists(st.sampled_from(["title", "close", "delete"]), max_size=6))
def test_replaying_the_events_rebuilds_the_same_activity(steps):
    a = make()
    for step in steps:
        try:
            if step == "title":
                a.revise(data(title=f"T{len(a.pending_events)}"), BY, reason="fix")
            elif step == "close":
                a.close(TODAY, BY)
            else:
                a.delete(BY)
        except Exception:  # noqa: BLE001 - any refusal leaves the events as they were: the test checks their replay
            pass
    events = a.collect_events()
    copy = None
    for e in events:
        copy = e.mutate(copy)
    assert copy.data == a.data and copy.closed == a.closed and copy.deleted == a.deleted
