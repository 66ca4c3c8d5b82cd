"""Deleting a provider's completion by its credit ID: the API route's and the web form's one way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.completions import DeleteCompletions
from domain.base import Acting
from domain.completion import CompletionNotFoundError

if TYPE_CHECKING:
    from adapters.http.services import Settle
    from services.completions import CompletionRegistry
    from services.queries.completions import CompletionQueries


def delete_by_credit_id(
    completions: CompletionQueries,
    registry: CompletionRegistry,
    settle: Settle,
    accme_id: str,
    credit_id: str,
    by: Acting,
) -> None:
    """Deletes the provider's completion(s) with this credit ID (records are deleted and resubmitted, never
    edited), and waits until the transcripts read model shows it."""
    rows = completions.by_credit_id(accme_id, credit_id)
    if not rows:
        raise CompletionNotFoundError(
            f"provider {accme_id} has no completion with credit ID {credit_id}", loc=("path", "credit_id")
        )
    position = registry.handle(DeleteCompletions(keys=[row["key"] for row in rows]), by)
    if position:
        settle(position, ["transcripts", "record_status"])
