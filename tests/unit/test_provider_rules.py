"""Provider rules: any sequence of contact commands keeps one primary, right fallbacks, and replays equal."""

from __future__ import annotations

import copy
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from domain.base import Acting, Channel, require_accme_id
from domain.errors import (
    ContactNotFoundError,
    DomainError,
    DuplicateStaffContactError,
    InvalidValueError,
    PrimaryContactRequiredError,
    RoleAlreadyFilledError,
)
from domain.provider import SINGLE_ROLES, Contact, Provider, normalise_accreditor

BY = Acting("accreditor:test", Channel.WEB)
NAMES = ["Ann Lee", "Bo Chen", "Cy Diaz", "Di Evans"]
EMAILS = ["ann@acme.org", "bo@acme.org", "cy@acme.org", "di@acme.org"]
ROLE_NAMES = [r.value for r in SINGLE_ROLES] + ["staff", "boss", "", "PRIMARY"]

contacts = st.builds(
    Contact, name=st.sampled_from(NAMES), email=st.sampled_from(EMAILS), title=st.sampled_from(["", "Dr"])
)
actors = st.builds(
    Acting, actor=st.sampled_from(["provider:0001234:t1", "cli:root"]), channel=st.sampled_from(list(Channel))
)


def new_provider(accme_id: str = "0001234") -> Provider:
    return Provider.register(accme_id, "Acme CME", "ACCME", Contact("Pat Prime", "pat@acme.org"), BY)


def state(p: Provider) -> dict:
    return copy.deepcopy(
        {
            "id": p.id,
            "version": p.version,
            "accme_id": p.accme_id,
            "name": p.name,
            "accreditor": p.accreditor,
            "contacts": p.contacts,
            "staff": p.staff,
            "decisions": p.decisions,
            "api_tokens": p.api_tokens,
        }
    )


def replay(events) -> Provider:
    aggregate = None
    for e in events:
        aggregate = e.mutate(aggregate)
    return aggregate


class ContactRules(RuleBasedStateMachine):
    """Model: a dict of single roles and a dict of staff; the aggregate must agree with it."""

    def __init__(self) -> None:
        super().__init__()
        self.provider = new_provider()
        self.events = list(self.provider.collect_events())
        self.roles: dict[str, dict] = {"primary": Contact("Pat Prime", "pat@acme.org").as_dict()}
        self.staff: dict[str, dict] = {}

    def _attempt(self, change, expected_error: type[DomainError] | None):
        before = state(self.provider)
        try:
            result = change()
        except DomainError as error:
            assert expected_error is not None, f"refused unexpectedly: {error!r}"
            assert isinstance(error, expected_error), f"{error!r} is not a {expected_error.__name__}"
            assert error.loc, "a refusal names where the problem lies"
            assert state(self.provider) == before, "a refused command changed the provider"
            assert not self.provider.pending_events, "a refused command left pending events"
            return None
        assert expected_error is None, f"expected {expected_error.__name__}, but the command was accepted"
        self.events.extend(self.provider.collect_events())
        return result

    @rule(role=st.sampled_from(ROLE_NAMES), contact=contacts, by=actors)
    def assign(self, role, contact, by):
        valid = role in {r.value for r in SINGLE_ROLES}
        changed = self._attempt(
            lambda: self.provider.assign_contact(role, contact, by), None if valid else InvalidValueError
        )
        if valid:
            assert changed == (self.roles.get(role) != contact.as_dict())
            self.roles[role] = contact.as_dict()

    @rule(role=st.sampled_from(ROLE_NAMES), contact=contacts, by=actors)
    def add(self, role, contact, by):
        if role == "staff":
            expected = (
                DuplicateStaffContactError if any(s["email"] == contact.email for s in self.staff.values()) else None
            )
        elif role not in {r.value for r in SINGLE_ROLES}:
            expected = InvalidValueError
        else:
            expected = RoleAlreadyFilledError if role in self.roles else None
        if role not in {r.value for r in SINGLE_ROLES} and role != "staff":
            # ContactRole(role) raises ValueError before _single_role: it must still be a DomainError
            expected = InvalidValueError
        result = self._attempt(lambda: self.provider.add_contact(role, contact, by), expected)
        if expected is None:
            if role == "staff":
                assert result not in self.staff
                self.staff[result] = contact.as_dict()
            else:
                self.roles[role] = contact.as_dict()

    @rule(role=st.sampled_from(ROLE_NAMES), by=actors)
    def remove(self, role, by):
        if role not in {r.value for r in SINGLE_ROLES}:
            expected = InvalidValueError
        elif role == "primary":
            expected = PrimaryContactRequiredError
        elif role not in self.roles:
            expected = ContactNotFoundError
        else:
            expected = None
        self._attempt(lambda: self.provider.remove_contact(role, by), expected)
        if expected is None:
            del self.roles[role]

    @rule(contact=contacts, by=actors)
    def add_staff(self, contact, by):
        duplicate = any(s["email"] == contact.email for s in self.staff.values())
        result = self._attempt(
            lambda: self.provider.add_staff_contact(contact, by), DuplicateStaffContactError if duplicate else None
        )
        if not duplicate:
            self.staff[result] = contact.as_dict()

    @rule(index=st.integers(0, 4), by=actors)
    def remove_staff(self, index, by):
        # staff ids are random: choose by position (in order added); past the end, an id nobody has
        ids = list(self.staff)
        contact_id = ids[index] if index < len(ids) else "nosuchid0000"
        expected = None if contact_id in self.staff else ContactNotFoundError
        self._attempt(lambda: self.provider.remove_staff_contact(contact_id, by), expected)
        if expected is None:
            del self.staff[contact_id]

    @invariant()
    def exactly_one_primary_and_the_model_agrees(self):
        assert "primary" in self.provider.contacts
        assert self.provider.contacts == self.roles
        assert self.provider.staff == self.staff
        assert "staff" not in self.provider.contacts

    @invariant()
    def fallbacks_follow_billing_and_website(self):
        p = self.provider
        assert p.invoice_recipient == self.roles.get("billing", self.roles["primary"])
        assert p.directory_contact == self.roles.get("website", self.roles["primary"])

    @invariant()
    def replaying_the_events_rebuilds_the_same_provider(self):
        assert state(replay(self.events)) == state(self.provider)

    @invariant()
    def every_event_says_which_provider_who_how_and_when(self):
        for e in self.events:
            assert e.accme_id == "0001234"
            assert e.actor and e.channel in {c.value for c in Channel}
            assert isinstance(e.timestamp, datetime) and e.timestamp.tzinfo is not None
        versions = [e.originator_version for e in self.events]
        assert versions == list(range(1, len(self.events) + 1))


ContactRules.TestCase.settings = settings(
    max_examples=60, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_any_sequence_of_contact_commands_keeps_the_rules = ContactRules.TestCase


# --- examples of the same rules, by name ---------------------------------------------------


def test_removing_the_primary_contact_is_refused_and_changes_nothing():
    p = new_provider()
    p.collect_events()
    with pytest.raises(PrimaryContactRequiredError):
        p.remove_contact("primary", BY)
    assert p.primary_contact["email"] == "pat@acme.org" and not p.pending_events


def test_adding_a_second_primary_is_refused_but_replacing_it_is_one_event():
    p = new_provider()
    p.collect_events()
    with pytest.raises(RoleAlreadyFilledError):
        p.add_contact("primary", Contact("New", "new@acme.org"), BY)
    assert p.assign_contact("primary", Contact("New", "new@acme.org"), BY) is True
    events = p.collect_events()
    assert [type(e).__name__ for e in events] == ["ContactAssigned"]
    assert p.primary_contact["email"] == "new@acme.org"


def test_assigning_the_same_contact_again_records_nothing():
    p = new_provider()
    p.collect_events()
    assert p.assign_contact("primary", Contact("Pat Prime", "PAT@acme.org"), BY) is False
    assert not p.pending_events


def test_invoices_go_to_billing_else_primary_and_the_directory_shows_website_else_primary():
    p = new_provider()
    assert p.invoice_recipient == p.directory_contact == p.primary_contact
    p.assign_contact("billing", Contact("Bill", "bill@acme.org"), BY)
    p.assign_contact("website", Contact("Web", "web@acme.org"), BY)
    assert p.invoice_recipient["email"] == "bill@acme.org"
    assert p.directory_contact["email"] == "web@acme.org"
    p.remove_contact("billing", BY)
    p.remove_contact("website", BY)
    assert p.invoice_recipient == p.directory_contact == p.primary_contact


@pytest.mark.parametrize("role", ["boss", "staff", "", "Primary "])
def test_an_unknown_or_staff_role_is_refused_as_invalid_naming_the_role(role):
    p = new_provider()
    with pytest.raises(InvalidValueError) as refused:
        p.assign_contact(role, Contact("X", "x@acme.org"), BY)
    assert refused.value.loc[-1] == "role"


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize("accme_id", ["0000001", "0001234", "1234567", "0000000"])
def test_a_seven_digit_accme_id_is_kept_with_its_leading_zeros(accme_id):
    assert require_accme_id(accme_id) == accme_id
    assert new_provider(accme_id).accme_id == accme_id


@pytest.mark.parametrize(
    "accme_id", ["1234", "12345678", "123456a", " 0001234", "0001234 ", "", "١٢٣٤٥٦٧", None, 1234567]
)
def test_an_accme_id_that_is_not_exactly_seven_ascii_digits_is_refused(accme_id):
    with pytest.raises(InvalidValueError) as refused:
        require_accme_id(accme_id)
    assert refused.value.loc == ("accme_id",)
    with pytest.raises(InvalidValueError):
        Provider.register(accme_id, "Acme", "ACCME", Contact("A", "a@acme.org"), BY)


def test_each_accme_id_has_its_own_stable_stream():
    assert Provider.create_id("0001234") == Provider.create_id("0001234") != Provider.create_id("1234000")


@pytest.mark.parametrize("email", ["a@b.co", "First.Last+cme@Example.ORG", "x_y@sub.domain.edu"])
def test_valid_emails_are_accepted_and_lowercased(email):
    assert Contact("Ann", email).email == email.lower()


@pytest.mark.parametrize(
    "email", ["", "ann", "ann@", "@acme.org", "ann@acme", "ann lee@acme.org", "ann@@acme.org", "ann@acme.c"]
)
def test_malformed_emails_are_refused_naming_the_email_field(email):
    with pytest.raises(InvalidValueError) as refused:
        Contact("Ann", email)
    assert refused.value.loc == ("email",)


@pytest.mark.parametrize("phone", ["", "615-555-0100", "+1 (615) 555-0100", "615.555.0100 x12", "6155550100 ext. 7"])
def test_valid_phone_numbers_are_accepted(phone):
    assert Contact("Ann", "ann@acme.org", phone=phone).phone == phone


@pytest.mark.parametrize("phone", ["call me", "12", "555-CALL-NOW", "1" * 40])
def test_malformed_phone_numbers_are_refused_naming_the_phone_field(phone):
    with pytest.raises(InvalidValueError) as refused:
        Contact("Ann", "ann@acme.org", phone=phone)
    assert refused.value.loc == ("phone",)


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_a_contact_needs_a_name_of_at_most_200_characters(name):
    with pytest.raises(InvalidValueError) as refused:
        Contact(name, "ann@acme.org")
    assert refused.value.loc == ("name",)


def test_contact_fields_are_trimmed():
    c = Contact("  Ann  ", "  Ann@Acme.org ", title=" Dr ", phone=" 615-555-0100 ")
    assert c.as_dict() == {"name": "Ann", "email": "ann@acme.org", "title": "Dr", "phone": "615-555-0100"}


@pytest.mark.parametrize(
    "given, code",
    [("ACCME", "ACCME"), ("accme", "ACCME"), (" JA ", "JA"), ("Joint Accreditation", "JA"), ("tn", "TN"), ("NC", "NC")],
)
def test_accreditors_are_normalised_to_accme_ja_or_a_state_code(given, code):
    assert normalise_accreditor(given) == code


@pytest.mark.parametrize("given", ["", "XX", "American Medical Association", None])
def test_unknown_accreditors_are_refused_naming_the_accreditor_field(given):
    with pytest.raises(InvalidValueError) as refused:
        normalise_accreditor(given)
    assert refused.value.loc == ("accreditor",)


@pytest.mark.parametrize("name", ["", "  ", "x" * 301])
def test_a_provider_needs_a_name_of_at_most_300_characters(name):
    with pytest.raises(InvalidValueError) as refused:
        Provider.register("0001234", name, "ACCME", Contact("A", "a@acme.org"), BY)
    assert refused.value.loc == ("name",)


@pytest.mark.parametrize(
    "decision, years",
    [
        ("Provisional Accreditation", 2),
        ("Accreditation", 4),
        ("Accreditation with Commendation", 6),
    ],
)
def test_a_decision_without_a_term_gets_its_default_term(decision, years):
    p = new_provider()
    p.record_decision(decision, date(2024, 7, 15), BY)
    assert p.decisions[-1]["term_ends"] == date(2024 + years, 7, 15)
    assert p.accreditation_status == decision


@pytest.mark.parametrize("decision", ["Probation", "Nonaccreditation"])
def test_probation_and_nonaccreditation_have_no_default_term(decision):
    p = new_provider()
    p.record_decision(decision, date(2024, 7, 15), BY)
    assert p.decisions[-1]["term_ends"] is None


def test_a_term_from_29_february_ends_on_28_february():
    p = new_provider()
    p.record_decision("Accreditation", date(2024, 2, 29), BY)  # 2028 is a leap year too: 4 years keeps the 29th
    assert p.decisions[-1]["term_ends"] == date(2028, 2, 29)
    p.record_decision("Provisional Accreditation", date(2024, 2, 29), BY)  # 2026 is not
    assert p.decisions[-1]["term_ends"] == date(2026, 2, 28)
    p.record_decision("Accreditation with Commendation", date(2028, 2, 29), BY)
    assert p.decisions[-1]["term_ends"] == date(2034, 2, 28)


def test_an_explicit_term_is_kept():
    p = new_provider()
    p.record_decision("Accreditation", date(2024, 1, 1), BY, term_ends=date(2025, 6, 30))
    assert p.decisions[-1]["term_ends"] == date(2025, 6, 30)


@pytest.mark.parametrize(
    "decision, decided_on, term_ends, loc",
    [
        ("Accredited!", date(2024, 1, 1), None, "decision"),
        ("Accreditation", date(2024, 1, 1), date(2024, 1, 1), "term_ends"),
        ("Accreditation", date(2024, 1, 1), date(2023, 1, 1), "term_ends"),
        ("Accreditation", date(2019, 1, 1), None, "decided_on"),  # before the latest decision
    ],
)
def test_invalid_decisions_are_refused_and_change_nothing(decision, decided_on, term_ends, loc):
    p = new_provider()
    p.record_decision("Provisional Accreditation", date(2020, 1, 1), BY)
    p.collect_events()
    before = state(p)
    with pytest.raises(InvalidValueError) as refused:
        p.record_decision(decision, decided_on, BY, term_ends=term_ends)
    assert refused.value.loc[-1] == loc
    assert state(p) == before and not p.pending_events


def test_a_provider_awaits_its_initial_decision_until_one_is_recorded():
    assert new_provider().accreditation_status == "Pending initial accreditation"


def test_decisions_and_tokens_replay_to_the_same_state():
    p = new_provider()
    p.record_decision("Accreditation", date(2024, 2, 29), BY)
    p.issue_api_token("t1", "LMS", BY)
    p.revoke_api_token("t1", BY)
    p.revoke_api_token("t1", BY)  # twice is once
    events = p.collect_events()
    assert len(events) == 4
    assert state(replay(events)) == state(p)
