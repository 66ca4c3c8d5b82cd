"""Hypothesis strategies: completion reports each batch format can carry."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from commands.completions import ReportCompletion
from commands.learners import MatchQuery
from domain.geography import US_STATES
from domain.learner import CERTIFYING_BOARDS

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
def reports(draw: st.DrawFn) -> ReportCompletion:
    cme = draw(st.none() | quarters)
    boards = draw(
        st.lists(st.sampled_from(CERTIFYING_BOARDS), unique=True, max_size=3, min_size=0 if cme is not None else 1)
    )
    moc = [{"board": b, "type": f"{b} MOC", "credits": draw(quarters)} for b in CERTIFYING_BOARDS if b in boards]
    credit_id = f"ccid:{draw(digits(7))}:{draw(identifiers)}"
    return ReportCompletion(
        action=draw(st.sampled_from(["add", "delete"])),
        activity_id=draw(digits(9)),
        completion_date=draw(st.dates(date(2000, 1, 1), date(2099, 12, 31))),
        query=draw(queries()),
        credits={credit_id: ([{"type": "AMA PRA Category 1", "credits": cme}] if cme is not None else [], moc)},
    )
