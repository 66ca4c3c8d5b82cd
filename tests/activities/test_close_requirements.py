"""DOMAIN-FACTS 1.3: a CME Passport listing needs fee, registration and URL to be active; a MOC-registered
activity needs the attestation and, per board, what the board asks for, to be closed. Closing names the
missing field exactly, and succeeds once it is given."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.formats.accme.activity_paths import item_loc
from adapters.formats.accme.activity_reading import parse_item
from adapters.formats.accme.activity_writing import to_item
from domain.activity import PRACTICE_AREA_BOARDS, Activity, ActivityNotReadyToCloseError
from tests.activities.test_domain import BY, TODAY, data

LISTING = {"fee": "No, it’s free", "registration": "Limited", "url": "https://cme.example.org/a"}


def moc_reg(board: str) -> dict[str, Any]:
    reg = {"board": board, "points": 2, "credit_types": ["MK"], "claim_date": "2025-12-31"}
    if board in PRACTICE_AREA_BOARDS:
        reg["practice_areas"] = ["Cardiovascular Disease"]
    return reg


BOARDS_BEFORE_2025 = ["ABA", "ABIM", "ABOHNS", "ABOS", "ABP", "ABPATH", "ABS", "ABTS"]


def complete(listed: bool, boards: list[str]) -> dict[str, Any]:
    return data(
        for_public_list=listed, **LISTING, moc=[moc_reg(b) for b in boards], moc_attestation=True if boards else None
    )


def required(d: dict[str, Any]) -> list[tuple[str, ...]]:
    """Every field the activity must have, as the loc closing names when it is missing."""
    fields: list[tuple[str, ...]] = []
    if d["for_public_list"] or d["moc"]:
        fields += [("fee",), ("registration",), ("url",)]
    if d["moc"]:
        fields.append(("moc_attestation",))
    for i, reg in enumerate(d["moc"]):
        fields += [("moc", str(i), k) for k in ("points", "credit_types", "claim_date")]
        if reg["board"] in PRACTICE_AREA_BOARDS:
            fields.append(("moc", str(i), "practice_areas"))
    return fields


def without(d: dict[str, Any], loc: tuple[str, ...]) -> dict[str, Any]:
    d = copy.deepcopy(d)
    if loc[0] == "moc":
        d["moc"][int(loc[1])][loc[2]] = [] if loc[2] in ("credit_types", "practice_areas") else None
    else:
        d[loc[0]] = None
    return d


cases = st.tuples(st.booleans(), st.lists(st.sampled_from(BOARDS_BEFORE_2025), unique=True, max_size=3)).filter(
    lambda c: c[0] or c[1]
)


@given(cases, st.data())
def test_closing_names_exactly_the_missing_field_and_succeeds_once_it_is_given(case, draw):
    listed, boards = case
    full = complete(listed, boards)
    loc = draw.draw(st.sampled_from(required(full)))
    activity = Activity.register("0001234", "P-1", "123456789", without(full, loc), BY)
    with pytest.raises(ActivityNotReadyToCloseError) as err:
        activity.close(TODAY, BY)
    assert err.value.loc == loc
    assert activity.revise(full, BY)
    assert activity.close(TODAY, BY)
    assert activity.status(TODAY) == "closed"


@given(st.sampled_from([("fee",), ("registration",), ("url",)]))
def test_a_listed_activity_without_fee_registration_or_url_is_a_draft(loc):
    activity = Activity.register("0001234", "P-1", "123456789", without(complete(True, []), loc), BY)
    assert activity.status(date(2025, 3, 1)) == "draft"
    assert Activity.register("0001234", "P-2", "123456789", complete(True, []), BY).status(date(2025, 3, 1)) == "active"


def test_an_unlisted_activity_without_moc_needs_no_fee_registration_or_url():
    activity = Activity.register("0001234", "P-1", "123456789", data(for_public_list=False), BY)
    assert activity.status(TODAY) == "ready_to_close"
    assert activity.close(TODAY, BY)


def test_an_unlisted_moc_activity_still_needs_them_to_close():
    full = complete(False, ["ABS"])
    activity = Activity.register("0001234", "P-1", "123456789", {**full, "url": None}, BY)
    assert activity.status(TODAY) == "ready_to_close"  # active without them: it is not listed
    with pytest.raises(ActivityNotReadyToCloseError) as err:
        activity.close(TODAY, BY)
    assert err.value.loc == ("url",)


@pytest.mark.parametrize(
    "loc,path",
    [
        (("fee",), ["XtensibleInfo", "FeeForParticipation"]),
        (("registration",), ["XtensibleInfo", "ActivityRegistration"]),
        (("url",), ["Lom", "general", "identifier"]),
        (("moc_attestation",), ["XtensibleInfo", "MOCAttestation"]),
        (
            ("moc", "0", "practice_areas"),
            ["XtensibleInfo", "MOCRegistrations", "MOCRegistration", 0, "MOCPracticeArea"],
        ),
    ],
)
def test_the_new_fields_round_trip_through_accme_json_and_errors_name_their_json_path(loc, path):
    full = complete(True, ["ABIM"])
    assert parse_item(to_item("123456789", "P-1", full, "0001234", False)).data == full
    assert item_loc(loc) == path


@given(cases, st.data())
def test_closing_names_every_missing_field_at_once(case, draw):
    full = complete(*case)
    missing = draw.draw(st.lists(st.sampled_from(required(full)), unique=True, min_size=1))
    incomplete = full
    for loc in missing:
        incomplete = without(incomplete, loc)
    activity = Activity.register("0001234", "P-1", "123456789", incomplete, BY)
    with pytest.raises(ActivityNotReadyToCloseError) as err:
        activity.close(TODAY, BY)
    assert sorted(loc for loc, _ in err.value.gaps) == sorted(missing)
    assert all(msg in err.value.message for _, msg in err.value.gaps)
    assert err.value.problems() == err.value.gaps
