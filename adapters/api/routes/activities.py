"""Activity search and summary for a provider, from the activity summary projection."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from adapters.api.as_of import AsOfQuery, read_models
from adapters.api.deps import PrincipalDep, SystemDep, require_editor
from adapters.api.openapi import COMMAND
from adapters.api.problems import Problem, domain_status, problem_response
from adapters.api.schemas import AccmeIdPath
from commands.activities import (
    CloseActivity,
    CorrectActivity,
    Instance,
    RegisterRepeatActivity,
    RepeatItem,
    ReportEnduringLearners,
)
from domain.activity import MAX_LEARNERS, canonical_format
from domain.base import Acting, Channel
from domain.errors import DomainError, InvalidValueError
from projections.activity_summary import ActivitySummaryProjection, missing_to_close, status_of
from projections.checklist import commercial_support_totals

router = APIRouter(prefix="/api/v1/providers", tags=["activities"])
PAGE_SIZE = 50
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
    system: SystemDep,
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
    with read_models(system, principal, accme_id, as_of, [ActivitySummaryProjection.name]) as (reads, _):
        today = reads.today()
        rows, total = reads.activities.search(
            accme_id,
            year=year,
            fmt=parse_format(format),
            status=status,
            q=q,
            moc=moc,
            rems=rems,
            mips=mips,
            today=today,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        data = [_shown(r, today) for r in rows]
    return {"data": data, "count": total, "page": page, "page_size": PAGE_SIZE}


ActivityIdPath = Annotated[str, Path(pattern=r"^[0-9]{9}$", description="the 9-digit ACCME activity ID")]


@router.get("/{accme_id}/activities/{activity_id}")
def get_activity(
    system: SystemDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    activity_id: ActivityIdPath,
    as_of: AsOfQuery = None,
) -> dict[str, Any]:
    """One activity's summary and status (as of an instant with `as_of`); 404 when the provider has no such activity."""
    with read_models(system, principal, accme_id, as_of, [ActivitySummaryProjection.name]) as (reads, _):
        summary = reads.activities.by_activity_id(accme_id, activity_id)
        if summary is None:
            raise Problem(
                404,
                f"provider {accme_id} has no activity {activity_id}",
                [{"loc": ["path", "activity_id"], "msg": "not found"}],
            )
        return _shown(summary, reads.today())


class ActivityCorrection(BaseModel):
    item: dict[str, Any] = Field(description="the activity's facts as one ACCME JSON MedicalEducationMetrics item")
    reason: str = Field(default="", max_length=1000, description="required once the activity is closed")


class LearnerCounts(BaseModel):
    physician: int = Field(ge=0, le=MAX_LEARNERS)
    other: int = Field(ge=0, le=MAX_LEARNERS)


def _summary(system: Any, accme_id: str, activity_id: str, position: int | None) -> dict[str, Any]:
    system.projections.wait(position, names=["activity_summary"])
    rows, _ = system.activity_summary.view.search(
        accme_id,
        year=None,
        fmt=None,
        status=None,
        q=activity_id,
        moc=None,
        rems=None,
        mips=None,
        today=system.activities.today(),
        limit=1,
        offset=0,
    )
    return _shown(rows[0], system.activities.today()) if rows else {"activity_id": activity_id}


class RepeatActivity(BaseModel):
    provider_activity_id: str = Field(min_length=1, max_length=90, description="instances become `<id>-1`, `<id>-2`, …")
    item: RepeatItem = Field(
        description="the activity's facts as one ACCME JSON MedicalEducationMetrics item (its identifier, dates and place come from the instances)"
    )
    instances: list[Instance] = Field(min_length=1, max_length=500, description="one activity per date + location")


class BulkClose(BaseModel):
    activity_ids: list[Annotated[str, Field(pattern=r"^[0-9]{9}$")]] = Field(min_length=1, max_length=1000)


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
    system: SystemDep, principal: PrincipalDep, accme_id: AccmeIdPath, body: RepeatActivity
) -> Any:
    """A repeat activity: one activity per date + location instance; 422 naming each refused instance's field."""
    require_editor(system, principal, accme_id)
    cmd = RegisterRepeatActivity(
        accme_id=accme_id, provider_activity_id=body.provider_activity_id, item=body.item, instances=body.instances
    )
    results = system.activities.register_repeat(cmd, Acting(principal.actor, Channel.WEB))
    positions = [r.position for r in results if r.position]
    if positions:
        system.projections.wait(max(positions), names=["activity_summary"])
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
    system: SystemDep, principal: PrincipalDep, accme_id: AccmeIdPath, body: BulkClose
) -> dict[str, Any]:
    """Closes several activities; each answers closed, unchanged (already closed) or rejected with what is missing."""
    require_editor(system, principal, accme_id)
    by = Acting(principal.actor, Channel.WEB)
    outcomes, position = system.activities.close_many(accme_id, body.activity_ids, by)
    answers: list[dict[str, Any]] = []
    for number, outcome in outcomes:
        if isinstance(outcome, DomainError):
            at = ["body", "activity_ids", str(body.activity_ids.index(number))]
            errors = [
                {"loc": at if loc == ("path", "activityId") else list(loc), "msg": msg}
                for loc, msg in outcome.problems()
            ]
            answers.append(
                {"activityId": number, "action": "rejected", "status": domain_status(outcome), "errors": errors}
            )
        else:
            answers.append({"activityId": number, "action": outcome, "errors": []})
    if position:
        system.projections.wait(position, names=["activity_summary"])
    counts = {a: sum(1 for x in answers if x["action"] == a) for a in ("closed", "unchanged", "rejected")}
    return {"activities": answers, "counts": counts}


@router.post("/{accme_id}/activities/{activity_id}/close", responses=COMMAND)
def close_activity(
    system: SystemDep, principal: PrincipalDep, accme_id: AccmeIdPath, activity_id: ActivityIdPath
) -> dict[str, Any]:
    """Closes an activity whose end date has passed; 409 naming what is still missing."""
    require_editor(system, principal, accme_id)
    position = system.activities.close(
        CloseActivity(accme_id=accme_id, activity_id=activity_id), Acting(principal.actor, Channel.WEB)
    )
    return _summary(system, accme_id, activity_id, position)


@router.put("/{accme_id}/activities/{activity_id}", responses=COMMAND)
def correct_activity(
    system: SystemDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    activity_id: ActivityIdPath,
    body: ActivityCorrection,
) -> dict[str, Any]:
    """Replaces an activity's facts; after closing, this is a correction and needs a reason."""
    require_editor(system, principal, accme_id)
    cmd = CorrectActivity(accme_id=accme_id, activity_id=activity_id, item=body.item, reason=body.reason)
    position = system.activities.correct(cmd, Acting(principal.actor, Channel.WEB))
    return _summary(system, accme_id, activity_id, position)


@router.put("/{accme_id}/activities/{activity_id}/learner-counts/{year}", responses=COMMAND)
def report_learner_counts(
    system: SystemDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    activity_id: ActivityIdPath,
    year: Annotated[int, Path(ge=1990, le=2100)],
    body: LearnerCounts,
) -> dict[str, Any]:
    """An enduring material's cumulative physician and other learners as of 31 December of the year."""
    require_editor(system, principal, accme_id)
    cmd = ReportEnduringLearners(accme_id=accme_id, activity_id=activity_id, year=year, counts=body.model_dump())
    position = system.activities.report_enduring_learners(cmd, Acting(principal.actor, Channel.WEB))
    return _summary(system, accme_id, activity_id, position)


def _public(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k not in ("complete", "deleted", "close_gaps")}


def _shown(summary: dict[str, Any], today: date) -> dict[str, Any]:
    """An activity as the API answers it: its summary, status, and every item it still needs to close."""
    return {
        **_public(summary),
        "status": status_of(summary, today),
        "missing_to_close": missing_to_close(summary, today),
    }


def activity_counts(rows: list[dict[str, Any]], today: date) -> dict[str, Any]:
    by_status = dict.fromkeys(("draft", "active", "ready_to_close", "closed"), 0)
    by_format: dict[str, int] = {}
    physicians = others = 0
    for r in rows:
        by_status[status_of(r, today)] += 1
        by_format[r["format"]] = by_format.get(r["format"], 0) + 1
        physicians += r["physician_learners"]
        others += r["other_learners"]
    # The same summary the program summary and the data report show, from the same supports.
    supports = [
        [{"source": m["source"], "monetary": True, "amount": m["amount"]} for m in r["monetary_support"]]
        + [{"source": s, "monetary": False, "amount": None} for s in r["in_kind_sources"]]
        for r in rows
    ]
    return {
        "activities": {"total": len(rows), "by_status": by_status, "by_format": dict(sorted(by_format.items()))},
        "learners": {"physicians": physicians, "other_learners": others},
        "commercial_support": commercial_support_totals(supports),
    }
