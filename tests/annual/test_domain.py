"""The annual report and the deadlines as pure domain objects: which events each command emits, and the rules."""

from __future__ import annotations

from datetime import date

import pytest

from domain.annual_report import (
    AnnualReport,
    AttestationIncompleteError,
    NotAttestedError,
    ProgramSummaryLockedError,
    YearFacts,
    missing_items,
)
from domain.base import Acting, Channel
from domain.deadlines import ReportingDeadline, default_deadline
from domain.errors import InvalidValueError

BY = Acting("provider:0001234:t", Channel.WEB)
ON = date(2026, 2, 1)
DEADLINE = date(2026, 3, 31)
FULL = {"advertising_exhibit_income": 0, "registration_fees": 1200, "government_grants": 0, "private_donations": 50}


def report() -> AnnualReport:
    return AnnualReport.start("0001234", 2025, BY)


def ready() -> AnnualReport:
    r = report()
    r.accept_agreement(ON, DEADLINE, BY)
    r.submit_program_summary(FULL, ON, DEADLINE, BY)
    r.review_contacts(ON, DEADLINE, BY)
    return r


def types(r: AnnualReport) -> list[str]:
    return [type(e).__name__ for e in r.collect_events()]


def test_one_stream_per_provider_and_year():
    assert report().id == AnnualReport.create_id("0001234", 2025)
    assert AnnualReport.create_id("0001234", 2025) != AnnualReport.create_id("0001234", 2024)
    assert AnnualReport.create_id("0001234", 2025) != AnnualReport.create_id("0001235", 2025)


def test_steps_emit_events_carrying_provider_year_actor_and_channel():
    r = ready()
    events = r.collect_events()
    assert [type(e).__name__ for e in events] == [
        "Started",
        "AgreementAccepted",
        "ProgramSummarySubmitted",
        "ContactsReviewed",
    ]
    assert {(e.accme_id, e.year, e.actor, e.channel) for e in events} == {("0001234", 2025, BY.actor, "web")}


def test_repeating_a_done_step_changes_nothing():
    r = ready()
    r.collect_events()
    assert r.accept_agreement(ON, DEADLINE, BY) is False
    assert r.review_contacts(ON, DEADLINE, BY) is False
    assert r.submit_program_summary(FULL, ON, DEADLINE, BY) is False
    assert r.collect_events() == []


def test_attestation_is_refused_listing_exactly_what_is_missing():
    r = report()
    r.submit_program_summary({"registration_fees": 10}, ON, DEADLINE, BY)
    facts = YearFacts(open_activities=({"activity_id": "a1", "title": "Grand Rounds", "end_date": "2025-06-01"},))
    with pytest.raises(AttestationIncompleteError) as refused:
        r.attest(facts, ON, DEADLINE, BY)
    assert refused.value.missing == {
        "agreement": ["agreement"],
        "activities_closed": [{"activity_id": "a1", "title": "Grand Rounds", "end_date": "2025-06-01"}],
        "program_summary": ["advertising_exhibit_income", "government_grants", "private_donations"],
        "contacts_reviewed": ["contacts_reviewed"],
    }


def test_attestation_succeeds_when_every_other_step_is_done():
    r = ready()
    assert r.attest(YearFacts(), ON, DEADLINE, BY) is True
    assert r.state.attestation and not r.state.attestation.late
    assert all(not v for v in missing_items(r.state, YearFacts()).values())


def test_uncounted_enduring_material_blocks_attestation():
    r = ready()
    with pytest.raises(AttestationIncompleteError) as refused:
        r.attest(YearFacts(uncounted_enduring=({"activity_id": "e1", "title": "Podcast"},)), ON, DEADLINE, BY)
    assert list(refused.value.missing) == ["enduring_counts"]


def test_an_attested_summary_changes_only_after_the_accreditor_reopens_it():
    r = ready()
    r.attest(YearFacts(), ON, DEADLINE, BY)
    with pytest.raises(ProgramSummaryLockedError):
        r.submit_program_summary({**FULL, "registration_fees": 1}, ON, DEADLINE, BY)
    accreditor = Acting("accreditor:a1", Channel.WEB_SERVICE)
    with pytest.raises(InvalidValueError):
        r.reopen("  ", accreditor)
    r.reopen("registration fees misreported", accreditor)
    assert r.state.attestation is None and r.reopenings == ["registration fees misreported"]
    assert r.submit_program_summary({**FULL, "registration_fees": 1}, ON, DEADLINE, BY) is True
    assert r.attest(YearFacts(), ON, DEADLINE, BY) is True


def test_reopening_a_year_not_attested_is_a_conflict():
    with pytest.raises(NotAttestedError):
        ready().reopen("why", BY)


@pytest.mark.parametrize("value", [-1, 1.5, "100", True, 10**13])
def test_program_summary_takes_whole_non_negative_dollars(value):
    with pytest.raises(InvalidValueError) as bad:
        report().submit_program_summary({"registration_fees": value}, ON, DEADLINE, BY)
    assert bad.value.loc == ("registration_fees",)


def test_unknown_summary_field_is_refused():
    with pytest.raises(InvalidValueError) as bad:
        report().submit_program_summary({"commercial_support": 1}, ON, DEADLINE, BY)
    assert bad.value.loc == ("commercial_support",)


def test_steps_after_the_deadline_are_recorded_as_late():
    r = report()
    r.accept_agreement(DEADLINE, DEADLINE, BY)  # on the day: on time
    r.review_contacts(date(2026, 4, 1), DEADLINE, BY)
    assert r.state.agreement and not r.state.agreement.late
    assert r.state.contacts and r.state.contacts.late


@pytest.mark.parametrize("year", [1999, 2101, "2025", True])
def test_years_are_four_digit_years(year):
    with pytest.raises(InvalidValueError) as bad:
        AnnualReport.start("0001234", year, BY)
    assert bad.value.loc == ("year",)


def test_default_deadline_is_31_march_or_the_monday_after():
    assert default_deadline(2022) == date(2023, 3, 31)
    assert default_deadline(2023) == date(2024, 4, 1)  # 31 March 2024 was a Sunday
    assert default_deadline(2024) == date(2025, 3, 31)


def test_a_state_accreditor_may_set_an_earlier_deadline_but_not_a_later_one():
    d = ReportingDeadline.set("CA", 2024, date(2025, 3, 14), BY)
    assert d.id == ReportingDeadline.create_id("CA", 2024) and d.deadline == date(2025, 3, 14)
    with pytest.raises(InvalidValueError):
        ReportingDeadline.set("CA", 2024, date(2025, 4, 14), BY)
    with pytest.raises(InvalidValueError):
        ReportingDeadline.set("CA", 2024, date(2024, 12, 1), BY)  # before the year ends
    assert ReportingDeadline.set("ACCME", 2019, date(2020, 4, 30), BY).deadline == date(2020, 4, 30)  # COVID extension
    assert d.change(date(2025, 3, 14), BY) is False
    assert d.change(date(2025, 3, 10), BY) is True and d.deadline == date(2025, 3, 10)
