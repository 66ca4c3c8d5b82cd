"""The dates that decide whether a learner's MOC credit is lost (DOMAIN-FACTS 2.2, 3.1), per record and board:

- the activity's MOC credit-claim date for that board (`CreditClaimDate`, the last date learners can claim);
- ABP: learner data is due by 1 December of the completion year (accme.org/abp-moc). A completion after
  1 December cannot meet that year's date; the rule names no other, so such a record has no ABP year-end date
  (the 30-day expectation still applies) [our reading, not a published rule];
- ABIM: completions by 31 December, with the first week of January as grace for processing (the 2015 rule);
- PARS: MOC records are reported within 30 days of completion (for MOC, of the physician finishing the evaluation).

A record's date with a board is the earliest of these: by then the board should have accepted it. A record the
board has not accepted (pending, or rejected and not yet corrected) is **at risk** from `AT_RISK_DAYS` before that
date and **late** after it; ABIM's grace is shown, not counted as time to spare. Accepted records, and records not
sent for want of the learner's consent, are neither."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

AT_RISK_DAYS = 14
EXPECTED_WITHIN_DAYS = 30
ABIM_GRACE_DAYS = 7  # the first week of January

CLAIM_DATE, ABP_YEAR_END, ABIM_YEAR_END, PARS_30_DAYS = "claim_date", "abp_year_end", "abim_year_end", "pars_30_days"
#: Each rule in PARS's words, for pages, exports and mail.
RULES = {
    CLAIM_DATE: "the activity's MOC credit-claim date",
    ABP_YEAR_END: "ABP takes learner data until 1 December of the completion year",
    ABIM_YEAR_END: "ABIM needs completions by 31 December (first week of January to process them)",
    PARS_30_DAYS: "PARS expects MOC records within 30 days of completion",
}
AT_RISK, LATE = "at_risk", "late"
#: Board statuses whose credit can still be lost: not answered yet, or rejected and not yet corrected.
OPEN_STATUSES = ("pending", "rejected")


@dataclass(frozen=True, order=True)
class CreditDeadline:
    """One date by which a board should hold the record accepted; `grace_until` the last day it still takes it."""

    due: date
    rule: str
    board: str
    grace_until: date

    def public(self) -> dict[str, str]:
        return {
            "due": self.due.isoformat(),
            "rule": self.rule,
            "grace_until": self.grace_until.isoformat(),
            "says": RULES[self.rule],
        }


def board_deadlines(board: str, completion_date: date, claim_date: date | None = None) -> list[CreditDeadline]:
    """Every date that decides whether the record's credit with `board` is lost, earliest first."""
    expected = completion_date + timedelta(days=EXPECTED_WITHIN_DAYS)
    out = [CreditDeadline(expected, PARS_30_DAYS, board, expected)]
    if claim_date is not None:
        out.append(CreditDeadline(claim_date, CLAIM_DATE, board, claim_date))
    year = completion_date.year
    if board == "ABP" and completion_date <= date(year, 12, 1):
        out.append(CreditDeadline(date(year, 12, 1), ABP_YEAR_END, board, date(year, 12, 1)))
    if board == "ABIM":
        grace = date(year + 1, 1, ABIM_GRACE_DAYS)
        out.append(CreditDeadline(date(year, 12, 31), ABIM_YEAR_END, board, grace))
    return sorted(out)


def record_deadline(board: str, completion_date: date, claim_date: date | None = None) -> CreditDeadline:
    """The date that comes first: the one the roster shows and counts records at risk and late by."""
    return board_deadlines(board, completion_date, claim_date)[0]


def standing(status: str, due: date | None, today: date) -> str | None:
    """`late` when the board has not accepted the record by its date, `at_risk` in the AT_RISK_DAYS before it
    (the date itself included), None otherwise (accepted, not sent, or time to spare)."""
    if due is None or status not in OPEN_STATUSES:
        return None
    if today > due:
        return LATE
    if (due - today).days <= AT_RISK_DAYS:
        return AT_RISK
    return None


def at_risk_window(today: date) -> tuple[date, date]:
    """The dates a record at risk today is due between (both included)."""
    return today, today + timedelta(days=AT_RISK_DAYS)
