"""The Learner aggregate: validation, NPI check digit, erasure; no I/O."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.base import Acting, Channel
from domain.errors import InvalidValueError
from domain.learner import ERASED, Learner, LearnerErasedError, identifier_key, npi_is_valid
from tests.learners.helpers import npi_with_check_digit

BY = Acting("cli:test", Channel.CLI)


def make(**overrides):  # type: ignore[no-untyped-def]
    fields = {
        "first_name": "Ana",
        "last_name": "García",
        "birth_month_day": "03-07",
        "licences": [{"state": "TN", "number": "MD1"}],
    }
    fields.update(overrides)
    return Learner.register(by=BY, today=date(2026, 11, 23), **fields)


def test_registered_event_carries_the_identity_and_no_provider() -> None:
    learner = make(
        npi="1234567893", board_ids=[{"board": "abim", "id": "123456"}], licences=[{"state": "tn", "number": " MD1 "}]
    )
    [registered] = learner.collect_events()
    assert isinstance(registered, Learner.Registered)
    assert registered.licences == [{"state": "TN", "number": "MD1"}] and registered.board_ids == [
        {"board": "ABIM", "id": "123456"}
    ]
    assert not hasattr(registered, "accme_id")  # not a provider's event: never in a provider's history
    assert (registered.actor, registered.channel) == ("cli:test", "cli")


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"first_name": " "}, ("first_name",)),
        ({"birth_month_day": "02-30"}, ("birth_date",)),
        ({"birth_month_day": "3-7"}, ("birth_date",)),
        ({"birth_year": 1971, "birth_month_day": "02-29"}, ("birth_date",)),
        ({"birth_year": 2030}, ("birth_year",)),
        ({"npi": "1234567890"}, ("npi",)),
        ({"licences": [{"state": "XX", "number": "1"}]}, ("licences", "0", "state")),
        ({"licences": [{"state": "TN", "number": "1"}, {"state": "TN", "number": "2"}]}, ("licences", "1", "state")),
        ({"licences": [{"state": "TN", "number": "bad;number"}]}, ("licences", "0", "number")),
        ({"board_ids": [{"board": "ABC", "id": "1"}]}, ("board_ids", "0", "board")),
        ({"licences": []}, ("licences",)),
    ],
)
def test_invalid_identities_are_refused_with_where(overrides, loc) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidValueError) as raised:
        make(**overrides)
    assert raised.value.loc == loc


def test_leap_day_is_a_birthday_and_npi_alone_identifies() -> None:
    assert make(birth_month_day="02-29", birth_year=1972).public()["birth_date"] == "1972-02-29"
    assert make(licences=[], npi="1234567893").npi == "1234567893"


def test_erase_redacts_and_is_not_repeatable() -> None:
    learner = make(npi="1234567893")
    learner.erase(BY)
    assert (learner.first_name, learner.npi, learner.licences, learner.erased) == (ERASED, None, [], True)
    with pytest.raises(LearnerErasedError):
        learner.erase(BY)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_npi_check_digit(first_nine: str) -> None:
    valid = npi_with_check_digit(first_nine)
    assert npi_is_valid(valid)
    wrong = first_nine + str((int(valid[-1]) + 1) % 10)
    assert not npi_is_valid(wrong)


def test_replaying_the_events_rebuilds_the_same_learner() -> None:
    learner = make(npi="1234567893", birth_year=1980)
    learner.erase(BY)
    events = learner.collect_events()
    replayed = None
    for e in events:
        replayed = e.mutate(replayed)
    assert replayed is not None and vars(replayed) == vars(learner)


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text())
def test_identifier_key_keeps_every_letter_and_digit_and_only_those_upper_cased(value: str) -> None:
    assert identifier_key(value) == "".join(ch for ch in value.upper() if ch.isalnum())
