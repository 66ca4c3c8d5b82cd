"""A learner from one `Member.UniqueID` (NPI, board ID or state licence number, bare or `DOMAIN:value`)
and the birth date, against the real directory on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from adapters.bootstrap import System
from domain.base import Acting, Channel
from domain.errors import InvalidValueError
from services.learner_matching import MatchStatus, UniqueId
from tests.learners.helpers import npi_with_check_digit, register

BY = Acting("cli:tester", Channel.CLI)
NPI = npi_with_check_digit("123456789")


@pytest.fixture
def directory(any_system: System) -> dict[str, str]:
    outcomes = any_system.learners.register_many(
        [
            register("Ana", "García-López", "03-07", licences={"TN": "MD44120"}, npi=NPI, boards={"ABIM": "123456"}),
            # The same licence number in another state, another birth date.
            register("Cleo", "Diaz", "04-12", licences={"KY": "md-44120"}),
            # The same licence number and birth date again: only the state tells them apart.
            register("Dan", "Evans", "04-12", licences={"OH": "MD44120"}),
        ],
        BY,
    )
    any_system.projections.catch_up(["learner_directory"])
    return {"ana": outcomes[0].learner_id, "cleo": outcomes[1].learner_id, "dan": outcomes[2].learner_id}


def test_a_bare_licence_number_is_told_apart_by_the_birth_date(any_system: System, directory: dict[str, str]) -> None:
    ana = any_system.matcher.match_unique_id(UniqueId.parse("MD44120"), "1972-03-07")
    assert (ana.status, ana.learner_id, ana.identifier) == (
        MatchStatus.MATCHED,
        directory["ana"],
        UniqueId("MD44120", "TN"),
    )
    several = any_system.matcher.match_unique_id(UniqueId.parse("MD44120"), "04-12")
    assert several.status is MatchStatus.SEVERAL_CANDIDATES and "STATE:number" in several.msg
    cleo = any_system.matcher.match_unique_id(UniqueId.parse("KY:MD44120"), "04-12")
    assert (cleo.learner_id, cleo.identifier) == (directory["cleo"], UniqueId("MD44120", "KY"))


def test_state_board_and_npi_domains_match_only_that_identifier(any_system: System, directory: dict[str, str]) -> None:
    m = any_system.matcher
    assert m.match_unique_id(UniqueId.parse("tn:md44120"), "03-07").learner_id == directory["ana"]
    assert m.match_unique_id(UniqueId.parse(f"NPI:{NPI}"), "03-07").identifier == UniqueId(NPI, "NPI")
    assert m.match_unique_id(UniqueId.parse(NPI), "03-07").identifier == UniqueId(NPI, "NPI")
    assert m.match_unique_id(UniqueId.parse("123456"), "03-07").identifier == UniqueId("123456", "ABIM")
    # A licence held in another state, and a board ID of another board, are not this identifier.
    assert m.match_unique_id(UniqueId.parse("NC:MD44120"), "03-07").status is MatchStatus.NO_MATCH
    assert m.match_unique_id(UniqueId.parse("ABP:123456"), "03-07").status is MatchStatus.NO_MATCH


def test_a_miss_names_the_identifier_tried_and_why(any_system: System, directory: dict[str, str]) -> None:
    m = any_system.matcher
    unknown = m.match_unique_id(UniqueId.parse("MD99999"), "03-07")
    assert unknown.status is MatchStatus.NO_MATCH
    assert (
        unknown.msg
        == "no learner in the directory has NPI, board ID or state licence number MD99999 and that birth date"
    )
    # A holder born on another day reads exactly like nobody holding it (no reply discloses a record).
    born = m.match_unique_id(UniqueId.parse("TN:MD44120"), "03-08")
    assert (
        born.status is MatchStatus.NO_MATCH
        and born.msg == "no learner in the directory has TN licence number MD44120 and that birth date"
    )
    assert "ABA" not in unknown.msg + born.msg


@pytest.mark.parametrize("text", ["XX:1", "ABIM:", "NPI:12345", "NPI:12345678901"])
def test_malformed_identifiers_are_refused(text: str) -> None:
    with pytest.raises(InvalidValueError):
        UniqueId.parse(text)
