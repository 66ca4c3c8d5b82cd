"""Matching against the learner directory: reasons, and hypothesis properties of name folding."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from commands.learners import MatchQuery
from domain.errors import InvalidValueError
from domain.learner import fold_name, identifier_key, month_day_key, name_key
from services.learner_matching import LearnerMatcher, MatchStatus
from tests.learners.helpers import npi_with_check_digit


class FakeDirectory:
    """The three lookups the matcher uses, over a list of entries."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def add(
        self,
        learner_id: str,
        first: str,
        last: str,
        md: str,
        *,
        licences: dict[str, str] | None = None,
        npi: str | None = None,
        boards: dict[str, str] | None = None,
    ) -> None:
        self.entries.append(
            {
                "learner_id": learner_id,
                "name_key": name_key(first, last),
                "birth_md": month_day_key(md),
                "npi": npi,
                "licences": [(s, identifier_key(n)) for s, n in (licences or {}).items()],
                "board_ids": [(b, identifier_key(i)) for b, i in (boards or {}).items()],
            }
        )

    def by_name_keys(self, keys: Iterable[str], *, docs: bool = True) -> list[dict[str, Any]]:
        wanted = set(keys)
        return [e for e in self.entries if e["name_key"] in wanted]

    def by_npis(self, npis: Iterable[str], *, docs: bool = True) -> list[dict[str, Any]]:
        wanted = set(npis)
        return [e for e in self.entries if e["npi"] in wanted]

    def by_board_ids(self, pairs: Iterable[tuple[str, str]], *, docs: bool = True) -> list[dict[str, Any]]:
        wanted = set(pairs)
        return [e for e in self.entries if wanted & set(e["board_ids"])]


NPI_A = npi_with_check_digit("123456789")


@pytest.fixture
def matcher() -> LearnerMatcher:
    return directory_matcher()


def directory_matcher() -> LearnerMatcher:
    d = FakeDirectory()
    d.add(
        "a",
        "José",
        "García-López",
        "03-07",
        licences={"TN": "MD12345", "NC": "2009-01234"},
        npi=NPI_A,
        boards={"ABIM": "123456"},
    )
    d.add("b", "Mary", "O'Neil", "12-01", licences={"CA": "A1"})
    d.add("c", "John", "Smith", "05-05", licences={"TX": "K100"})
    d.add("d", "John", "Smith", "05-05", licences={"TX": "K200"})
    return LearnerMatcher(d)  # type: ignore[arg-type]


def q(**kw: str) -> MatchQuery:
    return MatchQuery(**kw)


def test_matches_on_name_birth_date_and_state_with_tolerant_names(matcher: LearnerMatcher) -> None:
    r = matcher.match(q(first_name="jose", last_name="GARCIA LOPEZ", birth_date="1970-03-07", state="tn"))
    assert (r.status, r.learner_id) == (MatchStatus.MATCHED, "a")
    assert matcher.match(q(first_name="Mary", last_name="ONeil", birth_date="12-01", state="CA")).learner_id == "b"


def test_each_reason(matcher: LearnerMatcher) -> None:
    def status(**kw: str) -> MatchStatus:
        return matcher.match(q(**kw)).status

    assert status(first_name="Josie", last_name="García-López", birth_date="03-07", state="TN") is MatchStatus.NO_MATCH
    assert status(first_name="José", last_name="García-López", birth_date="03-08", state="TN") is MatchStatus.NO_MATCH
    assert status(first_name="José", last_name="García-López", birth_date="03-07", state="NY") is MatchStatus.NO_MATCH
    assert (
        status(first_name="José", last_name="García-López", birth_date="03-07", state="TN", licence_number="MD999")
        is MatchStatus.NO_MATCH
    )
    assert (
        status(first_name="John", last_name="Smith", birth_date="05-05", state="TX") is MatchStatus.SEVERAL_CANDIDATES
    )
    assert (
        matcher.match(
            q(first_name="John", last_name="Smith", birth_date="05-05", state="TX", licence_number="k-200")
        ).learner_id
        == "d"
    )
    assert status(board="ABIM", board_id="999") is MatchStatus.NO_MATCH
    assert status(npi=npi_with_check_digit("111111111")) is MatchStatus.NO_MATCH


def test_npi_and_board_id_match_and_must_agree_with_the_name_and_birth_date(matcher: LearnerMatcher) -> None:
    assert matcher.match(q(npi=NPI_A)).learner_id == "a"
    assert matcher.match(q(board="abim", board_id="123-456")).learner_id == "a"
    assert matcher.match(q(npi=NPI_A, first_name="John", last_name="Smith")).status is MatchStatus.NO_MATCH
    assert (
        matcher.match(q(npi=NPI_A, first_name="Jose", last_name="Garcia Lopez", birth_date="03-09")).status
        is MatchStatus.NO_MATCH
    )
    # An unknown NPI with a full identity falls back to the identity.
    fallback = q(
        npi=npi_with_check_digit("222222222"), first_name="Mary", last_name="O Neil", birth_date="12-01", state="CA"
    )
    assert matcher.match(fallback).learner_id == "b"


def test_a_wrong_name_for_a_known_npi_is_answered_as_for_an_unknown_npi(matcher: LearnerMatcher) -> None:
    """Before: "the learner with NPI ... has another name" told any provider that the NPI is on file (and
    "has another birth date on record" that the name was right); now nothing tells the two apart."""
    unknown = npi_with_check_digit("222222222")
    for wrong in (
        {"first_name": "John", "last_name": "Smith"},
        {"first_name": "José", "last_name": "García-López", "birth_date": "03-09"},
        {"first_name": "José", "last_name": "García-López", "state": "CA"},
    ):
        known = matcher.match(q(npi=NPI_A, **wrong))
        assert known == matcher.match(q(npi=unknown, **wrong))
        assert known.as_dict() == {"status": "no_match", "msg": known.msg} and NPI_A not in known.msg


def test_batch_answers_in_order(matcher: LearnerMatcher) -> None:
    results = matcher.match_many(
        [
            q(npi=NPI_A),
            q(board="ABS", board_id="1"),
            q(first_name="Mary", last_name="O'Neil", birth_date="12-01", state="CA"),
        ]
    )
    assert [r.as_dict()["status"] for r in results] == ["matched", "no_match", "matched"]
    assert "msg" in results[1].as_dict() and "learner_id" not in results[1].as_dict()


DIRECTORY = directory_matcher()
# Directory values a reply must never show unless the caller gave them.
ON_RECORD = {
    "José",
    "García-López",
    "García",
    "Mary",
    "O'Neil",
    "John",
    "Smith",
    "03-07",
    "0307",
    "12-01",
    "05-05",
    "TN",
    "NC",
    "CA",
    "TX",
    "MD12345",
    "2009-01234",
    "A1",
    "K100",
    "K200",
    NPI_A,
    "123456",
    "ABIM",
}
NAMES = st.sampled_from(
    [("José", "García-López"), ("Mary", "O'Neil"), ("John", "Smith"), ("Zoe", "Nobody"), (None, None)]
)


@settings(max_examples=300, deadline=None)
@given(
    name=NAMES,
    md=st.sampled_from([None, "03-07", "12-01", "05-05", "01-01"]),
    state=st.sampled_from([None, "TN", "NC", "CA", "TX", "NY"]),
    licence=st.sampled_from([None, "MD12345", "K200", "A1", "ZZ9"]),
    npi=st.sampled_from([None, NPI_A, npi_with_check_digit("222222222")]),
    board=st.sampled_from([None, ("ABIM", "123456"), ("ABIM", "999"), ("ABS", "123456")]),
)
def test_a_reply_discloses_nothing_the_caller_did_not_give(
    name: tuple[str | None, str | None],
    md: str | None,
    state: str | None,
    licence: str | None,
    npi: str | None,
    board: tuple[str, str] | None,
) -> None:
    query = MatchQuery(
        first_name=name[0],
        last_name=name[1],
        birth_date=md,
        state=state,
        licence_number=licence if state else None,
        npi=npi,
        board=board[0] if board else None,
        board_id=board[1] if board else None,
    )
    try:
        query.validate()
    except InvalidValueError:
        assume(False)
    reply = DIRECTORY.match(query)
    empty = LearnerMatcher(FakeDirectory()).match(query)  # type: ignore[arg-type]
    # Not matched: the very reply an empty directory gives (so no identifier can be probed for what is on record).
    assert reply.status in (MatchStatus.MATCHED, MatchStatus.SEVERAL_CANDIDATES) or reply == empty
    given_text = " ".join(str(v) for v in vars(query).values() if v)
    assert not [v for v in ON_RECORD if v in reply.msg and v not in given_text]


def test_incomplete_records_are_invalid() -> None:
    with pytest.raises(InvalidValueError):
        q(first_name="A", last_name="B", birth_date="03-07").validate()
    with pytest.raises(InvalidValueError):
        q(first_name="A", last_name="B", birth_date="13-07", state="TN").validate()
    with pytest.raises(InvalidValueError):
        q(board="XYZ", board_id="1").validate()
    q(first_name="A", last_name="B", birth_date="03-07", state="TN").validate()


# --- properties ------------------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyzéèêëáàâäíìîïóòôöúùûüñçøåæœß"
names = st.text(alphabet=LETTERS, min_size=1, max_size=12)


@st.composite
def variant(draw: st.DrawFn, name: str) -> str:
    """The same name as someone else might type it: case, accents, hyphens, apostrophes, spacing."""
    out = []
    for ch in name:
        if draw(st.booleans()):
            ch = ch.upper() if ch != "ß" else ch  # "ß".upper() is "SS", a different spelling
        if draw(st.booleans()):
            ch = unicodedata.normalize("NFD", ch)  # decomposed accent
        elif draw(st.booleans()) and ch.isascii():
            ch = unicodedata.normalize(
                "NFC", ch + draw(st.sampled_from(["\u0301", "\u0308", "\u0300"]))
            )  # added accent
        out.append(ch)
        out.append(draw(st.sampled_from(["", "", "", " ", "-", "'", "\u2019", "  "])))
    return draw(st.sampled_from(["", " "])) + "".join(out) + draw(st.sampled_from(["", " ", "\t"]))


@settings(max_examples=200, deadline=None)
@given(st.data(), names, names)
def test_matching_is_invariant_under_case_accents_and_spacing(data: st.DataObject, first: str, last: str) -> None:
    d = FakeDirectory()
    d.add("x", first, last, "06-15", licences={"TN": "1"})
    typed_first, typed_last = data.draw(variant(first)), data.draw(variant(last))
    result = LearnerMatcher(d).match(q(first_name=typed_first, last_name=typed_last, birth_date="06-15", state="TN"))  # type: ignore[arg-type]
    assert result.learner_id == "x", (typed_first, typed_last)


@settings(max_examples=200, deadline=None)
@given(names, names, names, names)
def test_different_names_never_match(first: str, last: str, other_first: str, other_last: str) -> None:
    assume(name_key(first, last) != name_key(other_first, other_last))
    d = FakeDirectory()
    d.add("x", first, last, "06-15", licences={"TN": "1"}, npi=NPI_A)
    matcher = LearnerMatcher(d)  # type: ignore[arg-type]
    assert (
        matcher.match(q(first_name=other_first, last_name=other_last, birth_date="06-15", state="TN")).status
        is MatchStatus.NO_MATCH
    )
    assert not matcher.match(q(npi=NPI_A, first_name=other_first, last_name=other_last)).matched


def test_folding_keeps_every_letter() -> None:
    assert fold_name("Ann") != fold_name("Anne") and fold_name("Lee") != fold_name("Li")
    assert fold_name("Ørjan") != fold_name("Orjan")  # ø is a letter of its own, not o with an accent


def test_queries_from_accme_unique_ids(matcher: LearnerMatcher) -> None:
    by_state = MatchQuery.from_unique_ids("Jose", "Garcia Lopez", "1970-03-07", [{"value": "MD-12345", "domain": "TN"}])
    assert (by_state.state, by_state.licence_number) == ("TN", "MD-12345")
    assert matcher.match(by_state).learner_id == "a"
    by_board = MatchQuery.from_unique_ids("José", "García-López", "03-07", [{"value": "123456", "domain": "abim"}])
    assert matcher.match(by_board).learner_id == "a"
    by_npi = MatchQuery.from_unique_ids(None, None, None, [{"value": NPI_A, "domain": "NPI"}])
    assert matcher.match(by_npi).learner_id == "a"
