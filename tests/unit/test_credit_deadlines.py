"""The dates that decide whether MOC credit is lost (domain/credit_deadlines.py): examples from the boards' rules
and properties over every completion date, claim date, board and day."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.credit_deadlines import (
    ABIM_YEAR_END,
    ABP_YEAR_END,
    AT_RISK,
    AT_RISK_DAYS,
    CLAIM_DATE,
    LATE,
    PARS_30_DAYS,
    board_deadlines,
    record_deadline,
    standing,
)
from domain.learner import CERTIFYING_BOARDS

days = st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31))
boards = st.sampled_from(CERTIFYING_BOARDS)
statuses = st.sampled_from(["pending", "accepted", "rejected", "not_sent"])


def test_each_boards_rule_gives_its_date() -> None:
    assert [(d.rule, d.due) for d in board_deadlines("ABA", date(2026, 3, 2))] == [(PARS_30_DAYS, date(2026, 4, 1))]
    abp = board_deadlines("ABP", date(2026, 11, 20))
    assert [(d.rule, d.due) for d in abp] == [(ABP_YEAR_END, date(2026, 12, 1)), (PARS_30_DAYS, date(2026, 12, 20))]
    assert [d.rule for d in board_deadlines("ABP", date(2026, 12, 2))] == [PARS_30_DAYS]  # after 1 December
    abim = record_deadline("ABIM", date(2026, 12, 20))
    assert (abim.rule, abim.due, abim.grace_until) == (ABIM_YEAR_END, date(2026, 12, 31), date(2027, 1, 7))
    claim = record_deadline("ABS", date(2026, 5, 1), claim_date=date(2026, 5, 10))
    assert (claim.rule, claim.due) == (CLAIM_DATE, date(2026, 5, 10))


def test_at_risk_fourteen_days_before_and_late_after() -> None:
    due = date(2026, 12, 1)
    assert standing("pending", due, date(2026, 11, 16)) is None
    assert standing("pending", due, date(2026, 11, 17)) == AT_RISK
    assert standing("rejected", due, due) == AT_RISK
    assert standing("rejected", due, date(2026, 12, 2)) == LATE
    assert standing("accepted", due, date(2026, 12, 2)) is None
    assert standing("not_sent", due, date(2026, 12, 2)) is None


@given(boards, days, st.none() | days)
def test_the_records_date_is_the_earliest_and_never_after_the_30_day_expectation(
    board: str, completed: date, claim: date | None
) -> None:
    deadlines = board_deadlines(board, completed, claim)
    first = record_deadline(board, completed, claim)
    assert first == min(deadlines) and first.due == min(d.due for d in deadlines)
    assert first.due <= completed + timedelta(days=30)
    assert all(d.grace_until >= d.due and d.board == board for d in deadlines)
    if claim is not None:
        assert first.due <= claim
    if board == "ABIM":
        assert first.due <= date(completed.year, 12, 31)
    if board == "ABP" and completed <= date(completed.year, 12, 1):
        assert first.due <= date(completed.year, 12, 1)


@given(statuses, days, days, days)
def test_an_open_record_only_moves_towards_late_as_days_pass(status: str, due: date, a: date, b: date) -> None:
    earlier, later = sorted((a, b))
    order = {None: 0, AT_RISK: 1, LATE: 2}
    before, after = standing(status, due, earlier), standing(status, due, later)
    if status in ("accepted", "not_sent"):
        assert before is None and after is None
    elif before is not None:  # at risk or late stays so (time to spare only comes before)
        assert order[after] >= order[before]
    if before == AT_RISK:
        assert 0 <= (due - earlier).days <= AT_RISK_DAYS
    if after == LATE:
        assert later > due
