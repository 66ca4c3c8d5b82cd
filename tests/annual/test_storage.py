"""The annual report, deadlines and checklist read model on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from commands.annual import (
    AcceptAgreement,
    Attest,
    ReopenYear,
    ReviewContacts,
    SetReportingDeadline,
    SubmitProgramSummary,
)
from domain.annual_report import AnnualReport, AttestationIncompleteError
from domain.base import Acting, Channel
from projections.checklist import ChecklistProjection
from tests.annual.conftest import at, register

BY = Acting("provider:0001234:t", Channel.WEB)
STAFF = Acting("accreditor:CA:t", Channel.WEB)
FULL = {"advertising_exhibit_income": 5, "registration_fees": 1200, "government_grants": 0, "private_donations": 50}


def test_a_year_end_round_trip_is_stored_and_projected(any_system):
    system = any_system
    register(system, "0001234", "CA")
    register(system, "0002345", "ACCME")
    at(system, 2026, 3, 12)
    system.annual.set_deadline(SetReportingDeadline(accreditor="CA", year=2025, deadline=date(2026, 3, 13)), STAFF)
    system.annual.handle(AcceptAgreement(accme_id="0001234", year=2025), BY)
    system.annual.handle(SubmitProgramSummary(accme_id="0001234", year=2025, **FULL), BY)
    with pytest.raises(AttestationIncompleteError):
        system.annual.handle(Attest(accme_id="0001234", year=2025), BY)
    at(system, 2026, 3, 16)
    system.annual.handle(ReviewContacts(accme_id="0001234", year=2025), BY)
    system.annual.handle(Attest(accme_id="0001234", year=2025), BY)

    stored = system.store.repository.get(AnnualReport.create_id("0001234", 2025))
    assert stored.state.summary == FULL and stored.state.attestation and stored.state.attestation.late
    assert stored.state.agreement and not stored.state.agreement.late

    system.projections.catch_up()
    checklist = system.annual.checklist("0001234", 2025)
    assert checklist["complete"] is True and checklist["deadline"] == "2026-03-13"
    assert [s["key"] for s in checklist["steps"] if s["late"]] == ["contacts_reviewed", "attestation"]
    table = {r["accme_id"]: r for r in system.annual.year_end(2025, None)}
    assert table["0001234"]["late_count"] == 2 and table["0001234"]["status"] == "complete"
    assert table["0002345"]["missing_count"] == 4 and table["0002345"]["deadline"] == "2026-03-31"
    assert [r["accme_id"] for r in system.annual.year_end(2025, ["CA"])] == ["0001234"]

    # the history shows the annual report's events among the provider's
    types = [e["type"] for e in system.queries.audit.events("0001234")]
    assert types[-5:] == [
        "AnnualReport.Started",
        "AnnualReport.AgreementAccepted",
        "AnnualReport.ProgramSummarySubmitted",
        "AnnualReport.ContactsReviewed",
        "AnnualReport.Attested",
    ]


def test_the_rebuilt_checklist_equals_the_incremental_one(any_system):
    system = any_system
    register(system, "0001234")
    at(system, 2026, 2, 1)
    system.annual.handle(AcceptAgreement(accme_id="0001234", year=2024), BY)
    system.annual.handle(SubmitProgramSummary(accme_id="0001234", year=2025, registration_fees=3), BY)
    system.annual.handle(AcceptAgreement(accme_id="0001234", year=2025), BY)
    system.annual.handle(SubmitProgramSummary(accme_id="0001234", year=2025, **FULL), BY)
    system.annual.handle(ReviewContacts(accme_id="0001234", year=2025), BY)
    system.annual.handle(Attest(accme_id="0001234", year=2025), BY)
    system.annual.handle(ReopenYear(accme_id="0001234", year=2025, reason="typo"), STAFF)
    system.projections.catch_up()
    before = [system.annual.checklist("0001234", y) for y in (2024, 2025)]
    assert before[1]["complete"] is False
    system.projections.rebuild("checklist")
    assert [system.annual.checklist("0001234", y) for y in (2024, 2025)] == before


def test_a_deadline_changed_twice_keeps_the_latest(any_system):
    system = any_system
    for day in (14, 10, 10):
        system.annual.set_deadline(SetReportingDeadline(accreditor="CA", year=2025, deadline=date(2026, 3, day)), STAFF)
    system.projections.catch_up()
    assert system.projections.get(ChecklistProjection).view.deadlines_for_year(2025) == {"CA": date(2026, 3, 10)}
    assert system.annual.deadline("CA", 2025) == date(2026, 3, 10)


def test_concurrent_steps_on_a_new_year_all_land(any_system):
    from concurrent.futures import ThreadPoolExecutor

    system = any_system
    register(system, "0001234")
    at(system, 2026, 2, 1)
    cmds = [
        AcceptAgreement(accme_id="0001234", year=2025),
        SubmitProgramSummary(accme_id="0001234", year=2025, **FULL),
        ReviewContacts(accme_id="0001234", year=2025),
    ] * 2
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda c: system.annual.handle(c, BY), cmds))
    events = list(system.store.events.get(AnnualReport.create_id("0001234", 2025)))
    assert sorted(type(e).__name__ for e in events) == [
        "AgreementAccepted",
        "ContactsReviewed",
        "ProgramSummarySubmitted",
        "Started",
    ]
    system.projections.catch_up()
    summary = system.annual.checklist_summary("0001234", 2025)
    assert (
        summary["missing_steps"] == ["attestation"] and summary["steps_done"] == 5 and summary["days_to_deadline"] == 58
    )


def test_activity_facts_answer_which_activities_are_open_and_which_enduring_lack_a_count(any_system):
    from eventsourcing.persistence import Tracking

    view = any_system.projections.get(ChecklistProjection).view
    base = {
        "accme_id": "0001234",
        "enduring": False,
        "start_date": date(2025, 1, 1),
        "closed": False,
        "counted_years": [],
    }
    facts = [
        {**base, "activity_id": "ended-open", "title": "Grand Rounds", "end_date": date(2025, 6, 30)},
        {**base, "activity_id": "ended-closed", "title": "Closed", "end_date": date(2025, 5, 1), "closed": True},
        {**base, "activity_id": "ends-next-year", "title": "Later", "end_date": date(2026, 2, 1)},
        {
            **base,
            "activity_id": "other-provider",
            "title": "Other",
            "end_date": date(2025, 6, 1),
            "accme_id": "0002345",
        },
        {**base, "activity_id": "podcast", "title": "Podcast", "enduring": True, "end_date": date(2027, 1, 1)},
        {
            **base,
            "activity_id": "counted",
            "title": "Counted",
            "enduring": True,
            "end_date": None,
            "counted_years": [2025],
        },
        {
            **base,
            "activity_id": "expired",
            "title": "Expired",
            "enduring": True,
            "start_date": date(2021, 1, 1),
            "end_date": date(2024, 1, 1),
        },
        {
            **base,
            "activity_id": "future",
            "title": "Future",
            "enduring": True,
            "start_date": date(2026, 1, 5),
            "end_date": None,
        },
    ]
    for fact in facts:
        fact["stream_id"] = "s-" + fact["activity_id"]
    facts.append(
        {
            **base,
            "activity_id": "gone",
            "stream_id": "s-gone",
            "title": "Deleted",
            "end_date": date(2025, 6, 30),
            "deleted": True,
        }
    )
    for position, fact in enumerate(facts, start=1):
        view.put_activity_fact(fact, Tracking("PARS", position))
    year = view.year_facts("0001234", 2025)
    assert [a["activity_id"] for a in year.open_activities] == ["ended-open"]
    assert year.open_activities[0] == {"activity_id": "ended-open", "title": "Grand Rounds", "end_date": "2025-06-30"}
    assert [a["activity_id"] for a in year.uncounted_enduring] == ["podcast"]
    both = view.year_facts_for(["0001234", "0002345", "0003456"], 2025)
    assert [a["activity_id"] for a in both["0002345"].open_activities] == ["other-provider"]
    assert both["0003456"].open_activities == () and both["0001234"] == year
    view.put_activity_fact(
        {
            **facts[1],
            "commercial_support": [
                {"source": "Pharma A", "monetary": True, "amount": 1000},
                {"source": "Device B", "monetary": False, "amount": None},
            ],
        },
        Tracking("PARS", 99),
    )
    view.put_activity_fact(
        {**facts[0], "commercial_support": [{"source": "Pharma A", "monetary": True, "amount": 250}]},
        Tracking("PARS", 100),
    )
    assert view.commercial_support("0001234", 2025) == {
        "activities_supported": 2,
        "monetary_total": 1250,
        "monetary_by_source": {"Pharma A": 1250},
        "in_kind_count": 1,
        "in_kind_sources": ["Device B"],
    }
    assert view.commercial_support("0001234", 2026)["monetary_total"] == 0
    view.put_activity_fact({**facts[4], "counted_years": [2025]}, Tracking("PARS", 101))
    assert view.year_facts("0001234", 2025).uncounted_enduring == ()
    assert view.get_activity_fact("s-podcast")["counted_years"] == [2025]
