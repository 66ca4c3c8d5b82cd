"""The learner summary by activity: each record of an activity with the learner, the completion, its CME
credit and each board's MOC points and status (pending, accepted, rejected with the reason, not sent without
consent); paged, sorted, filtered, and as CSV or Excel."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from adapters.api.deps import AccessDep, PrincipalDep, acting
from adapters.api.openapi import COMMAND
from adapters.api.problems import Problem
from adapters.api.routes.records import STATUS_HELP, RecordStatus
from adapters.api.schemas import AccmeIdPath
from adapters.http.reads import ActivitiesDep, RecordsDep
from adapters.http.roster_export import DOWNLOADS, roster_download
from adapters.http.services import CompletionRegistryDep, SettleDep
from commands.completions import AttestActivityConsent
from domain.learner import CERTIFYING_BOARDS

router = APIRouter(prefix="/api/v1/providers", tags=["completions"])
ActivityIdPath = Annotated[str, Path(pattern=r"^[0-9]{9}$", description="the 9-digit ACCME activity ID")]


@router.get(
    "/{accme_id}/activities/{activity_id}/learners",
    responses=DOWNLOADS,
)
def activity_learners(
    access: AccessDep,
    registry: CompletionRegistryDep,
    principal: PrincipalDep,
    activities: ActivitiesDep,
    records: RecordsDep,
    accme_id: AccmeIdPath,
    activity_id: ActivityIdPath,
    status: Annotated[RecordStatus | None, Query(description=STATUS_HELP)] = None,
    board: Annotated[str | None, Query(pattern="^(" + "|".join(CERTIFYING_BOARDS) + ")$")] = None,
    sort: Literal["completion_date", "learner", "credit_id"] = "completion_date",
    order: Literal["asc", "desc"] = "asc",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    """The activity's records: learner name, completion date, CME credit, each board's MOC points and status."""
    access.visible(principal, accme_id)  # another provider's user: the same 404 as no provider
    if activities.by_activity_id(accme_id, activity_id) is None:
        raise Problem(
            404,
            f"provider {accme_id} has no activity {activity_id}",
            [{"loc": ["path", "activity_id"], "msg": "not found"}],
        )
    options: dict[str, Any] = {"status": status, "board": board, "sort": sort, "descending": order == "desc"}
    if format == "json":
        body = records.roster(accme_id, activity_id, page=page, **options)
        return {**body, "consent_attested": registry.activity_consented(activity_id)}
    return roster_download(records, accme_id, activity_id, options, format, f"learners-{activity_id}")


class ActivityConsentBody(BaseModel):
    attested: bool = Field(
        description="true: every learner of the activity consented to sharing with boards, so each record reported "
        "from now on goes to them; false withdraws it (records already reported keep what they carried)"
    )


@router.put("/{accme_id}/activities/{activity_id}/consent", responses=COMMAND)
def attest_activity_consent(
    registry: CompletionRegistryDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    activity_id: ActivityIdPath,
    body: ActivityConsentBody,
) -> Any:
    """The provider's attestation that every learner of the activity consented to sharing with boards (or its
    withdrawal), which each record of the activity reported from then on carries."""
    access.require_editor(principal, accme_id)
    position = registry.handle(
        AttestActivityConsent(accme_id=accme_id, activity_id=activity_id, attested=body.attested), acting(principal)
    )
    settle(position, names=["history"])
    return {"activity_id": activity_id, "consent_attested": body.attested}
