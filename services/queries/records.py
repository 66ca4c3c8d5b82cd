"""Every record's status: the learner summary by activity (each record with each board's points and status,
paged, sorted, filtered), a credit ID's board statuses, and the dashboard's records per board and status
(the record_status read model; learners' names from the learner directory as the rows are read)."""

from __future__ import annotations

from typing import Any

from projections.record_status import RecordStatusView

PAGE_SIZE = 50


def record_item(row: dict[str, Any]) -> dict[str, Any]:
    """A record as the roster shows it: the learner (names from the directory; none once erased), the
    completion, its CME credit, and each board's points and status (with the reason of a rejection)."""
    learner = row.get("learner")
    doc = row["doc"]
    return {
        "credit_id": row["credit_id"],
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
        "boards": [
            {
                "board": board,
                "points": facts["points"],
                "status": facts["status"],
                "reason_code": facts.get("reason_code", ""),
                "reason": facts.get("reason", ""),
                "answered_at": facts.get("answered_at"),
            }
            for board, facts in doc["boards"].items()
        ],
        "states": [{"state": state, **answer} for state, answer in sorted(doc.get("states", {}).items())],
    }


class RecordStatusQueries:
    def __init__(self, view: RecordStatusView) -> None:
        self.view = view

    def roster(
        self,
        accme_id: str,
        activity_id: str,
        *,
        page: int = 1,
        status: str | None = None,
        board: str | None = None,
        sort: str = "completion_date",
        descending: bool = False,
        page_size: int | None = PAGE_SIZE,
    ) -> dict[str, Any]:
        """A page of the activity's records (every record when `page_size` is None: the exports)."""
        rows, total = self.view.roster(
            accme_id,
            activity_id,
            status=status,
            board=board,
            sort=sort,
            descending=descending,
            limit=page_size,
            offset=(page - 1) * (page_size or 0),
        )
        return {
            "data": [record_item(r) for r in rows],
            "count": total,
            "page": page,
            "page_size": page_size or total,
        }

    def record(self, accme_id: str, credit_id: str) -> dict[str, Any] | None:
        """The provider's standing record with this credit ID as the roster shows it (without the learner's names)."""
        rows = self.view.by_credit_id(accme_id, credit_id)
        return record_item(rows[0]) if rows else None

    def board_statuses(self, accme_id: str, credit_id: str) -> list[dict[str, Any]]:
        """Each board's status of the provider's standing record(s) with this credit ID."""
        return [b for row in self.view.by_credit_id(accme_id, credit_id) for b in record_item(row)["boards"]]

    def board_counts(self, accme_id: str, year: int) -> dict[str, dict[str, int]]:
        return self.view.board_counts(accme_id, year)
