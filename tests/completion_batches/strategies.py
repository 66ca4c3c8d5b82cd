"""Hypothesis strategies: completion reports each batch format can carry."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from commands.completions import ReportCompletion
from commands.learners import MatchQuery
from domain.geography import US_STATES
from domain.learner import CERTIFYING_BOARDS
from domain.rems_learner import DEA_REGISTRATIONS, PRACTICE_AREAS, PROFESSIONS, TIMES_IN_PRACTICE

NAME_CHARS = st.characters(codec="utf-8", categories=("L",), exclude_characters="\x00")
names = st.text(NAME_CHARS, min_size=1, max_size=12).map(str.strip).filter(bool)
digits = lambda n: st.text("0123456789", min_size=n, max_size=n)  # noqa: E731
quarters = st.integers(0, 40).map(lambda q: q / 4)
month_days = st.dates(date(2000, 1, 1), date(2000, 12, 31)).map(lambda d: d.strftime("%m-%d"))
identifiers = st.text("ABCDEFGHJKMNPQRSTUVWXYZ0123456789-", min_size=1, max_size=10).filter(lambda s: s.strip("-") == s)


@st.composite
def queries(draw: st.DrawFn) -> MatchQuery:
    """Name + birth month/day + state and licence, with or without NPI and board ID (every format holds these)."""
    board = draw(st.none() | st.sampled_from(CERTIFYING_BOARDS))
    return MatchQuery(
        first_name=draw(names),
        last_name=draw(names),
        birth_date=draw(month_days),
        state=draw(st.sampled_from(sorted(US_STATES))),
        licence_number=draw(identifiers),
        npi=draw(st.none() | digits(10)),
        board=board,
        board_id=draw(identifiers) if board else None,
    )


@st.composite
def rems_fields(draw: st.DrawFn) -> dict[str, object]:
    """A learner's REMS fields as the domain keeps them (canonical spellings; any left out but the profession)."""
    maybe = lambda s: draw(st.none() | s)  # noqa: E731
    local = maybe(st.builds(lambda v, d: {"value": v, "domain": f"idd:{d}:staff"}, identifiers, identifiers))
    return {
        "local_id": local,
        "profession": draw(st.sampled_from(PROFESSIONS)),
        "state": maybe(st.sampled_from(sorted(US_STATES.values()))),
        "dea": maybe(st.sampled_from(DEA_REGISTRATIONS)),
        "practice_area": maybe(st.sampled_from(PRACTICE_AREAS)),
        "surgical": maybe(st.booleans()),
        "time_in_practice": maybe(st.sampled_from(TIMES_IN_PRACTICE)),
    }


@st.composite
def reports(draw: st.DrawFn) -> ReportCompletion:
    cme = draw(st.none() | quarters)
    boards = draw(
        st.lists(st.sampled_from(CERTIFYING_BOARDS), unique=True, max_size=3, min_size=0 if cme is not None else 1)
    )
    moc = [{"board": b, "type": f"{b} MOC", "credits": draw(quarters)} for b in CERTIFYING_BOARDS if b in boards]
    credit_id = f"ccid:{draw(digits(7))}:{draw(identifiers)}"
    action = draw(st.sampled_from(["add", "delete"]))
    return ReportCompletion(
        action=action,
        rems=draw(st.none() | rems_fields()) if action == "add" else None,  # a deletion names credit IDs only
        activity_id=draw(digits(9)),
        completion_date=draw(st.dates(date(2000, 1, 1), date(2099, 12, 31))),
        query=draw(queries()),
        credits={credit_id: ([{"type": "AMA PRA Category 1", "credits": cme}] if cme is not None else [], moc)},
    )
