"""Every record's status: the learner summary by activity (each record with each board's points and status,
paged, sorted, filtered), a credit ID's board statuses, and the dashboard's records per board and status
(the record_status read model; learners' names from the learner directory as the rows are read)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from domain.credit_deadlines import AT_RISK, LATE, OPEN_STATUSES, RULES, at_risk_window, standing
from projections.record_status import RecordStatusView

PAGE_SIZE = 50
#: What the roster's `status` filter takes: a board's status, or a record's standing against its dates.
STANDINGS = (AT_RISK, LATE)


def record_item(row: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    """A record as the roster shows it: the learner (names from the directory; none once erased), the
    completion, its CME credit, and each board's points and status (with the reason of a rejection), the date by
    which the board should have accepted it and whether it is at risk or late today."""
    learner = row.get("learner")
    doc = row["doc"]
    boards = [
        {
            "board": board,
            "points": facts["points"],
            "status": facts["status"],
            "reason_code": facts.get("reason_code", ""),
            "reason": facts.get("reason", ""),
            "answered_at": facts.get("answered_at"),
            "due": facts.get("due"),
            "due_rule": RULES[facts["rule"]] if facts.get("rule") in RULES else None,
            "grace_until": facts.get("grace_until"),
            "standing": standing(facts["status"], _date(facts.get("due")), today) if today else None,
        }
        for board, facts in doc["boards"].items()
    ]
    marks = {b["standing"] for b in boards}
    return {
        "credit_id": row["credit_id"],
        "activity_id": row["activity_id"],
        "activity_title": doc.get("activity_title", ""),
        "learner": {
            "learner_id": row["learner_id"],
            "first_name": learner["first_name"] if learner else None,
            "last_name": learner["last_name"] if learner else None,
            "erased": learner is None,
        },
        "completion_date": row["completion_date"],
        "cme": doc["cme"],
        "cme_credits": doc["cme_credits"],
        "late": doc["late"],
        "consent": row["consent"],
        "standing": LATE if LATE in marks else AT_RISK if AT_RISK in marks else None,
        "boards": boards,
        "states": [{"state": state, **answer} for state, answer in sorted(doc.get("states", {}).items())],
    }


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class RecordStatusQueries:
    def __init__(self, view: RecordStatusView, today: Callable[[], date] = date.today) -> None:
        self.view = view
        self.today = today

    def roster(
        self,
        accme_id: str,
        activity_id: str | None,
        *,
        page: int = 1,
        status: str | None = None,
        board: str | None = None,
        year: int | None = None,
        sort: str = "completion_date",
        descending: bool = False,
        page_size: int | None = PAGE_SIZE,
    ) -> dict[str, Any]:
        """A page of the activity's records (every activity's when None: the provider's records), every record
        when `page_size` is None (the exports). `status` is a board's status, or `at_risk` / `late`: records a
        board has not accepted whose date with it is within 14 days, or past."""
        today = self.today()
        statuses: list[str] | None = [status] if status else None
        due_from = due_to = None
        if status == LATE:
            statuses, due_to = list(OPEN_STATUSES), (today - timedelta(days=1)).isoformat()
        elif status == AT_RISK:
            first, last = at_risk_window(today)
            statuses, due_from, due_to = list(OPEN_STATUSES), first.isoformat(), last.isoformat()
        rows, total = self.view.roster(
            accme_id,
            activity_id,
            statuses=statuses,
            board=board,
            due_from=due_from,
            due_to=due_to,
            year=year,
            sort=sort,
            descending=descending,
            limit=page_size,
            offset=(page - 1) * (page_size or 0),
        )
        return {
            "data": [record_item(r, today) for r in rows],
            "count": total,
            "page": page,
            "page_size": page_size or total,
        }

    def record(self, accme_id: str, credit_id: str) -> dict[str, Any] | None:
        """The provider's standing record with this credit ID as the roster shows it (without the learner's names)."""
        rows = self.view.by_credit_id(accme_id, credit_id)
        return record_item(rows[0], self.today()) if rows else None

    def board_statuses(self, accme_id: str, credit_id: str) -> list[dict[str, Any]]:
        """Each board's status of the provider's standing record(s) with this credit ID."""
        return [
            b for row in self.view.by_credit_id(accme_id, credit_id) for b in record_item(row, self.today())["boards"]
        ]

    def board_counts(self, accme_id: str, year: int) -> dict[str, dict[str, int]]:
        return self.view.board_counts(accme_id, year)

    def deadline_counts(self, accme_id: str) -> dict[str, dict[str, int]]:
        """{board: {"at_risk": n, "late": n}}: the provider's records (any year) a board has not accepted whose date
        with it is within 14 days (at risk), or past (late)."""
        first, last = at_risk_window(self.today())
        return self.view.deadline_counts(accme_id, first.isoformat(), last.isoformat())

    def providers_at_risk(self) -> list[str]:
        """The providers with records at risk or late today (whom a digest may concern)."""
        return self.view.providers_with_open_records(at_risk_window(self.today())[1].isoformat())
