"""Closing several activities at once: the API's bulk close route and the web list's "close the ticked"."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, Field

from adapters.http.statuses import domain_status
from commands.activities import CloseActivities
from domain.base import Acting
from domain.errors import DomainError

if TYPE_CHECKING:
    from adapters.http.services import Settle
    from services.activities import ActivityRegistry


class BulkClose(BaseModel):
    activity_ids: list[Annotated[str, Field(pattern=r"^[0-9]{9}$")]] = Field(min_length=1, max_length=1000)


def close_many(
    registry: ActivityRegistry, settle: Settle, accme_id: str, activity_ids: list[str], by: Acting
) -> dict[str, Any]:
    """Each activity closed, unchanged (already closed) or rejected with what is missing, and the counts."""
    outcomes, position = registry.handle(CloseActivities(accme_id=accme_id, activity_ids=activity_ids), by)
    answers: list[dict[str, Any]] = []
    for number, outcome in outcomes:
        if isinstance(outcome, DomainError):
            at = ["body", "activity_ids", str(activity_ids.index(number))]
            errors = [
                {"loc": at if loc == ("activityId",) else list(loc), "msg": msg} for loc, msg in outcome.problems()
            ]
            answers.append(
                {"activityId": number, "action": "rejected", "status": domain_status(outcome), "errors": errors}
            )
        else:
            answers.append({"activityId": number, "action": outcome, "errors": []})
    if position:
        settle(position, ["activity_summary"])
    counts = {a: sum(1 for x in answers if x["action"] == a) for a in ("closed", "unchanged", "rejected")}
    return {"activities": answers, "counts": counts}
