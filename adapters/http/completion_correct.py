"""Correcting and resubmitting a provider's record by its credit ID: the API route's and the web page's one way."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from commands.completions import CorrectCompletion
from domain.base import Acting
from domain.completion import CompletionNotFoundError
from domain.errors import ConflictError

if TYPE_CHECKING:
    from adapters.http.services import Settle
    from services.completions import CompletionRegistry
    from services.queries.completions import CompletionQueries
    from services.queries.records import RecordStatusQueries


def correct_by_credit_id(
    completions: CompletionQueries,
    registry: CompletionRegistry,
    records: RecordStatusQueries,
    settle: Settle,
    accme_id: str,
    credit_id: str,
    completion_date: date,
    cme: list[dict[str, Any]],
    moc: list[dict[str, Any]],
    consent: bool | None,
    by: Acting,
) -> dict[str, Any]:
    """Deletes the provider's record with this credit ID and records it corrected (one request, two events), waits
    for the read models, and answers what the record is now (its boards pending again)."""
    rows = completions.by_credit_id(accme_id, credit_id)
    if not rows:
        raise CompletionNotFoundError(
            f"provider {accme_id} has no completion with credit ID {credit_id}", loc=("credit_id",)
        )
    if len(rows) > 1:
        raise ConflictError(
            f"{len(rows)} records have credit ID {credit_id}; delete them and report each again", loc=("credit_id",)
        )
    command = CorrectCompletion(
        accme_id=accme_id, key=rows[0]["key"], completion_date=completion_date, cme=cme, moc=moc, consent=consent
    )
    position = registry.handle(command, by)
    settle(position)
    return {
        "action": "corrected",
        "credit_id": credit_id,
        "activity_id": rows[0]["activity_id"],
        "completion_date": completion_date.isoformat(),
        "boards": records.board_statuses(accme_id, credit_id),
    }
