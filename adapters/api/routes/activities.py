"""Activity search and summary for a provider, from the activity summary projection."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from adapters.api.as_of import AsOfQuery, ReadsAtDep
from adapters.api.deps import AccessDep, PrincipalDep
from adapters.api.openapi import COMMAND
from adapters.api.problems import Problem, problem_response
from adapters.api.schemas import AccmeIdPath
from adapters.formats.accme.activities import correct_item, correction
from adapters.formats.accme.activity_repeats import Instance, RepeatItem, RepeatRequest, submit_repeat
from adapters.http.bulk_close import BulkClose, close_many
from adapters.http.reads import ActivitiesDep
from adapters.http.services import ActivityRegistryDep, Settle, SettleDep
from commands.activities import (
    CloseActivity,
    ReportEnduringLearners,
)
from domain.activity import MAX_LEARNERS, canonical_format
from domain.base import Acting, Channel
from domain.errors import InvalidValueError
from projections.activity_summary import ActivitySummaryProjection
from services.queries.activities import ActivityQueries

router = APIRouter(prefix="/api/v1/providers", tags=["activities"])
Status = Literal["draft", "active", "ready_to_close", "closed"]


def parse_format(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return canonical_format(value, loc=("query", "format"))[0]
    except InvalidValueError as exc:
        raise Problem(422, exc.message, [{"loc": list(exc.loc), "msg": exc.message}]) from None


@router.get("/{accme_id}/activities")
def search_activities(
    reads_at: ReadsAtDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    format: Annotated[str | None, Query(max_length=100, description="an activity format (old names accepted)")] = None,
    status: Status | None = None,
    q: Annotated[str | None, Query(max_length=200, description="words of the title or IDs")] = None,
    moc: Annotated[str | None, Query(pattern=r"^(any|none|ABA|ABIM|ABOHNS|ABOS|ABP|ABPATH|ABS|ABTS|ABPMR)$")] = None,
    rems: bool | None = None,
    mips: bool | None = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    as_of: AsOfQuery = None,
) -> dict[str, Any]:
    """Searches the provider's activities by year, format, status, keyword, MOC board, REMS and MIPS
    (as of an instant with `as_of`)."""
    with reads_at(accme_id, as_of, [ActivitySummaryProjection.name]) as (reads, _):
        return reads.activities.page(
            accme_id, page, year=year, fmt=parse_format(format), status=status, q=q, moc=moc, rems=rems, mips=mips
        )


ActivityIdPath = Annotated[str, Path(pattern=r"^[0-9]{9}$", description="the 9-digit ACCME activity ID")]


@router.get("/{accme_id}/activities/{activity_id}")
def get_activity(
    reads_at: ReadsAtDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    activity_id: ActivityIdPath,
    as_of: AsOfQuery = None,
) -> dict[str, Any]:
    """One activity's summary and status (as of an instant with `as_of`); 404 when the provider has no such activity."""
    with reads_at(accme_id, as_of, [ActivitySummaryProjection.name]) as (reads, _):
        summary = reads.activities.shown(accme_id, activity_id)
        if summary is None:
            raise Problem(
                404,
                f"provider {accme_id} has no activity {activity_id}",
                [{"loc": ["path", "activity_id"], "msg": "not found"}],
            )
        return summary


class ActivityCorrection(BaseModel):
    item: dict[str, Any] = Field(description="the activity's facts as one ACCME JSON MedicalEducationMetrics item")
    reason: str = Field(default="", max_length=1000, description="required once the activity is closed")


class LearnerCounts(BaseModel):
    physician: int = Field(ge=0, le=MAX_LEARNERS)
    other: int = Field(ge=0, le=MAX_LEARNERS)


def _summary(
    settle: Settle, activities: ActivityQueries, accme_id: str, activity_id: str, position: int | None
) -> dict[str, Any]:
    settle(position, ["activity_summary"])
    return activities.after_change(accme_id, activity_id)


class RepeatActivity(BaseModel):
    provider_activity_id: str = Field(min_length=1, max_length=90, description="instances become `<id>-1`, `<id>-2`, …")
    item: RepeatItem = Field(
        description="the activity's facts as one ACCME JSON MedicalEducationMetrics item (its identifier, dates and place come from the instances)"
    )
    instances: list[Instance] = Field(min_length=1, max_length=500, description="one activity per date + location")


#: What the repeat takes from each instance rather than from the item: errors about these name the instance.
INSTANCE_FIELDS = {"startDateTime": "start_date", "endDateTime": "end_date", "activityLocation": "city"}


def repeat_loc(index: int, loc: list[Any]) -> list[Any]:
    """The request path of an instance's error: its own date or place, else the template item's field."""
    if loc[:2] == ["healthcareMetadata", "healthcareEducation"] and len(loc) > 2 and loc[2] in INSTANCE_FIELDS:
        field = INSTANCE_FIELDS[loc[2]]
        if loc[2] == "activityLocation" and len(loc) > 3:
            field = {"stateOrProvince": "state", "country": "country"}.get(str(loc[3]), "city")
        return ["body", "instances", str(index), field]
    if loc[:3] == ["Lom", "general", "identifier"]:
        return ["body", "provider_activity_id"]
    return ["body", "item", *loc]


@router.post("/{accme_id}/activities/repeat", status_code=201, responses=COMMAND)
def register_repeat_activity(
    registry: ActivityRegistryDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    body: RepeatActivity,
) -> Any:
    """A repeat activity: one activity per date + location instance; 422 naming each refused instance's field."""
    access.require_editor(principal, accme_id)
    repeat = RepeatRequest(
        accme_id=accme_id, provider_activity_id=body.provider_activity_id, item=body.item, instances=body.instances
    )
    results = submit_repeat(registry, repeat, Acting(principal.actor, Channel.WEB))
    positions = [r.position for r in results if r.position]
    if positions:
        settle(max(positions), ["activity_summary"])
    answers = [
        {
            "index": r.index,
            "provider_activity_id": f"{body.provider_activity_id}-{r.index + 1}",
            "action": r.action,
            "activityId": r.activity_id,
            "errors": r.errors,
        }
        for r in results
    ]
    errors = [
        {"loc": repeat_loc(r.index, e["loc"]), "msg": f"instance {r.index}: {e['msg']}"}
        for r in results
        for e in r.errors
    ]
    if errors:
        rejected = sum(1 for r in results if not r.ok)
        detail = f"{rejected} of {len(results)} instances were rejected; the others were saved"
        return problem_response(422, detail, errors, activities=answers)
    return {"activities": answers}


@router.post("/{accme_id}/activities/close", responses=COMMAND)
def close_activities(
    registry: ActivityRegistryDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    body: BulkClose,
) -> dict[str, Any]:
    """Closes several activities; each answers closed, unchanged (already closed) or rejected with what is missing."""
    access.require_editor(principal, accme_id)
    return close_many(registry, settle, accme_id, body.activity_ids, Acting(principal.actor, Channel.WEB))


@router.post("/{accme_id}/activities/{activity_id}/close", responses=COMMAND)
def close_activity(
    registry: ActivityRegistryDep,
    activities: ActivitiesDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    activity_id: ActivityIdPath,
) -> dict[str, Any]:
    """Closes an activity whose end date has passed; 409 naming what is still missing."""
    access.require_editor(principal, accme_id)
    position = registry.handle(
        CloseActivity(accme_id=accme_id, activity_id=activity_id), Acting(principal.actor, Channel.WEB)
    )
    return _summary(settle, activities, accme_id, activity_id, position)


@router.put("/{accme_id}/activities/{activity_id}", responses=COMMAND)
def correct_activity(
    registry: ActivityRegistryDep,
    activities: ActivitiesDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    activity_id: ActivityIdPath,
    body: ActivityCorrection,
) -> dict[str, Any]:
    """Replaces an activity's facts; after closing, this is a correction and needs a reason."""
    access.require_editor(principal, accme_id)
    cmd = correction(accme_id, activity_id, body.item, body.reason)
    position = correct_item(registry, cmd, Acting(principal.actor, Channel.WEB))
    return _summary(settle, activities, accme_id, activity_id, position)


@router.put("/{accme_id}/activities/{activity_id}/learner-counts/{year}", responses=COMMAND)
def report_learner_counts(
    registry: ActivityRegistryDep,
    activities: ActivitiesDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    activity_id: ActivityIdPath,
    year: Annotated[int, Path(ge=1990, le=2100)],
    body: LearnerCounts,
) -> dict[str, Any]:
    """An enduring material's cumulative physician and other learners as of 31 December of the year."""
    access.require_editor(principal, accme_id)
    cmd = ReportEnduringLearners(accme_id=accme_id, activity_id=activity_id, year=year, counts=body.model_dump())
    position = registry.handle(cmd, Acting(principal.actor, Channel.WEB))
    return _summary(settle, activities, accme_id, activity_id, position)
