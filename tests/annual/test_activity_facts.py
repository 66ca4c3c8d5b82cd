"""The checklist follows the activity events: open activities, enduring counts, deletions, commercial support."""

from __future__ import annotations

import pytest

from commands.annual import AcceptAgreement, Attest, ReviewContacts, SubmitProgramSummary
from domain.annual_report import AttestationIncompleteError
from tests.annual.activities import BY, add_activity, change, close, complete_data
from tests.annual.conftest import at, register

FULL = {"advertising_exhibit_income": 0, "registration_fees": 1200, "government_grants": 0, "private_donations": 50}


def steps(system, accme_id="0001234", year=2025):
    system.projections.catch_up()
    return {s["key"]: s for s in system.annual.checklist(accme_id, year)["steps"]}


def test_activities_ended_in_the_year_must_be_closed_before_attesting(any_system):
    system = any_system
    register(system, "0001234")
    at(system, 2026, 2, 1)
    rounds = add_activity(system, "0001234", "GR-1", complete_data("Grand Rounds", "2025-06-01", "2025-06-30"))
    add_activity(system, "0001234", "LATER", complete_data("Next year", "2025-12-01", "2026-02-15"))
    add_activity(system, "0002345", "OTHER", complete_data("Other provider", "2025-06-01", "2025-06-30"))
    assert steps(system)["activities_closed"]["missing"] == [
        {"activity_id": rounds.number, "title": "Grand Rounds", "end_date": "2025-06-30"}
    ]
    for cmd in (AcceptAgreement, ReviewContacts):
        system.annual.handle(cmd(accme_id="0001234", year=2025), BY)
    system.annual.handle(SubmitProgramSummary(accme_id="0001234", year=2025, **FULL), BY)
    with pytest.raises(AttestationIncompleteError) as refused:
        system.annual.handle(Attest(accme_id="0001234", year=2025), BY)
    assert list(refused.value.missing) == ["activities_closed"]
    close(system, "0001234", "GR-1")
    assert steps(system)["activities_closed"] == {
        "key": "activities_closed",
        "done": True,
        "missing": [],
        "late": False,
    }
    system.annual.handle(Attest(accme_id="0001234", year=2025), BY)
    system.projections.catch_up()
    assert system.annual.checklist("0001234", 2025)["complete"] is True


def test_enduring_materials_need_a_learner_count_as_of_31_december(any_system):
    system = any_system
    register(system, "0001234")
    podcast = add_activity(
        system, "0001234", "POD", complete_data("Podcast", "2025-03-01", "2027-02-28", fmt="Enduring Material")
    )
    assert steps(system)["enduring_counts"]["missing"] == [{"activity_id": podcast.number, "title": "Podcast"}]
    assert steps(system, year=2024)["enduring_counts"]["missing"] == []
    change(system, "0001234", "POD", lambda a: a.report_enduring_learners(2025, {"physician": 40, "other": 12}, BY))
    assert steps(system)["enduring_counts"]["done"] is True
    assert steps(system, year=2026)["enduring_counts"]["missing"] == [
        {"activity_id": podcast.number, "title": "Podcast"}
    ]


def test_deleted_activities_are_not_missing_and_revising_brings_them_back(any_system):
    system = any_system
    register(system, "0001234")
    add_activity(system, "0001234", "DRAFT", complete_data("Cancelled course", "2025-05-01", "2025-05-02"))
    change(system, "0001234", "DRAFT", lambda a: a.delete(BY))
    assert steps(system)["activities_closed"]["done"] is True
    change(
        system,
        "0001234",
        "DRAFT",
        lambda a: a.revise(complete_data("Rescheduled course", "2025-05-01", "2025-05-03"), BY),
    )
    assert [m["title"] for m in steps(system)["activities_closed"]["missing"]] == ["Rescheduled course"]


def test_commercial_support_is_summed_from_the_years_activities(any_system):
    system = any_system
    register(system, "0001234")
    support = {
        "commercial_support": True,
        "monetary_support": [{"source": "Pharma A", "amount": 5000}],
        "in_kind_support": [{"source": "Device B"}],
    }
    add_activity(system, "0001234", "S1", complete_data("Supported", "2025-04-01", "2025-04-02", **support))
    add_activity(
        system,
        "0001234",
        "S2",
        complete_data(
            "Also",
            "2025-09-01",
            "2025-09-02",
            commercial_support=True,
            monetary_support=[{"source": "Pharma A", "amount": 250}],
        ),
    )
    add_activity(system, "0001234", "S3", complete_data("Next year", "2026-01-10", "2026-01-11", **support))
    system.projections.catch_up()
    assert system.annual.program_summary("0001234", 2025)["commercial_support"] == {
        "activities_supported": 2,
        "monetary_total": 5250,
        "monetary_by_source": {"Pharma A": 5250},
        "in_kind_count": 1,
        "in_kind_sources": ["Device B"],
    }


def test_the_rebuilt_facts_equal_the_incremental_ones(any_system):
    system = any_system
    register(system, "0001234")
    add_activity(system, "0001234", "A", complete_data("A", "2025-06-01", "2025-06-30"))
    add_activity(system, "0001234", "B", complete_data("B", "2025-07-01", "2025-07-30"))
    close(system, "0001234", "B")
    add_activity(system, "0001234", "E", complete_data("E", "2024-03-01", "2026-02-28", fmt="Enduring Material"))
    system.projections.catch_up()
    before = system.annual.checklist("0001234", 2025)
    system.projections.rebuild("checklist")
    assert system.annual.checklist("0001234", 2025) == before
    assert len(before["steps"][1]["missing"]) == 1 and len(before["steps"][2]["missing"]) == 1


def test_the_data_report_counts_activities_credits_and_learners_by_format(any_system):
    system = any_system
    register(system, "0001234", "CA")
    register(system, "0002345", "ACCME")
    add_activity(
        system,
        "0001234",
        "C1",
        complete_data(
            "Course", "2025-04-01", "2025-04-02", credits=2.5, learners={"physician": 10, "nurse": 4, "other": 1}
        ),
    )
    add_activity(system, "0002345", "C2", complete_data("Course 2", "2025-05-01", "2025-05-02", credits=1.0))
    add_activity(
        system,
        "0002345",
        "E1",
        complete_data(
            "Podcast",
            "2024-05-01",
            "2025-05-02",
            fmt="Enduring Material",
            commercial_support=True,
            in_kind_support=[{"source": "Device B"}],
        ),
    )
    add_activity(system, "0002345", "X", complete_data("Deleted", "2025-05-01", "2025-05-02"))
    change(system, "0002345", "X", lambda a: a.delete(BY))
    add_activity(system, "0002345", "N", complete_data("Next year", "2026-01-05", "2026-01-06"))
    system.projections.catch_up()
    report = system.annual.data_report(2025, None)
    assert report["activities"] == 3 and report["providers"] == 2
    assert report["by_format"] == {
        "Course": {"activities": 2, "credits": 3.5},
        "Enduring Material": {"activities": 1, "credits": 1.0},
    }
    assert report["physician_learners"] == 16 and report["other_learners"] == 9
    assert report["commercial_support"]["in_kind_count"] == 1
    ca = system.annual.data_report(2025, ["CA"])
    assert ca["activities"] == 1 and ca["physician_learners"] == 10 and ca["other_learners"] == 5
