"""ACCME-compatible activity web service (`accme/accme-pars_activity_api.yaml`): save and get activities as ACCME JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query

from adapters.api.accme_bodies import accme_list
from adapters.api.deps import PrincipalDep, acting
from adapters.api.openapi import COMMAND, documented
from adapters.api.problems import Problem, problem_response
from adapters.api.schemas import IsoDate
from adapters.formats.accme.activities import activity_item, submit_items
from adapters.http.locations import placed
from adapters.http.services import ActivityRegistryDep, SettleDep
from domain.activity import canonical_format
from domain.errors import InvalidValueError, ProviderNotFoundError
from services.access import Principal, Role

router = APIRouter(
    prefix="/accme", tags=["ACCME activity web service"], responses=documented(403)
)  # a provider token only
ITEMS_LOC = ["body", "ACCMEActivities", "MedicalEducationMetrics"]
MAX_ITEMS = 5000


def _provider(principal: Principal) -> str:
    """The ACCME web service speaks for one provider: the token's."""
    if principal.role is not Role.PROVIDER or not principal.provider:
        raise Problem(403, "the ACCME activity web service takes a provider token")
    return principal.provider


def _items(body: Any) -> list[Any]:
    return accme_list(
        body,
        ("ACCMEActivities", "MedicalEducationMetrics"),
        noun="activities",
        missing="ACCMEActivities holds one or more MedicalEducationMetrics",
        limit=MAX_ITEMS,
        status=422,
        not_an_object="the body is an ACCMEActivities object",
    )


@router.post("/activities", status_code=201, responses=COMMAND)
# The token names the provider; its refusal (a provider not registered) has always been answered in "path".
@placed("path", "accme_id", kind=ProviderNotFoundError)
def save_activities(
    registry: ActivityRegistryDep, settle: SettleDep, principal: PrincipalDep, body: Annotated[Any, Body()] = None
) -> Any:
    """Adds, updates, closes or deletes one or many activities; 201 with each 9-digit ACCME activity ID, else 422 per activity."""
    accme_id = _provider(principal)
    items = _items(body)
    # An item naming another provider is refused, never applied to the token's provider.
    foreign = {
        i
        for i, item in enumerate(items)
        if isinstance(item, dict)
        and isinstance(item.get("XtensibleInfo"), dict)
        and item["XtensibleInfo"].get("ProviderID") not in (None, "", accme_id)
    }
    mine = [i for i in range(len(items)) if i not in foreign]
    results = submit_items(registry, accme_id, [items[i] for i in mine], acting(principal))
    answers: list[dict[str, Any]] = [{}] * len(items)
    errors: list[dict[str, Any]] = []
    for i in foreign:
        msg = "the ProviderID is not the provider this token speaks for"
        answers[i] = {
            "index": i,
            "action": "rejected",
            "activityId": None,
            "errors": [{"loc": ["XtensibleInfo", "ProviderID"], "msg": msg}],
        }
        errors.append({"loc": [*ITEMS_LOC, i, "XtensibleInfo", "ProviderID"], "msg": msg})
    for result in results:
        i = mine[result.index]
        answers[i] = {
            "index": i,
            "action": result.action,
            "activityId": result.activity_id,
            "errors": result.errors,
            **({"changed": result.changed} if result.changed else {}),
        }
        errors += [{"loc": [*ITEMS_LOC, i, *e["loc"]], "msg": e["msg"]} for e in result.errors]
    positions = [r.position for r in results if r.position]
    if positions:
        settle(max(positions), ["activity_summary"])
    if errors:
        rejected = sum(1 for a in answers if a["action"] == "rejected")
        detail = f"{rejected} of {len(items)} activities were rejected; the others were saved"
        return problem_response(422, detail, errors, activities=answers)
    return {"activities": answers}


@router.get("/activities")
def get_activities(
    registry: ActivityRegistryDep,
    principal: PrincipalDep,
    providerActivityId: Annotated[str | None, Query(max_length=100)] = None,
    activityStartDate: Annotated[IsoDate | None, Query(description="YYYY-MM-DD")] = None,
    activityTypeName: Annotated[
        str | None, Query(max_length=100, description="an activity format (old names accepted)")
    ] = None,
) -> Any:
    """The caller's activities as ACCMEActivities JSON, filtered by provider activity ID, start date and format."""
    accme_id = _provider(principal)
    fmt = None
    if activityTypeName:
        try:
            fmt, _ = canonical_format(activityTypeName, loc=("query", "activityTypeName"))
        except InvalidValueError as exc:
            raise Problem(422, exc.message, [{"loc": list(exc.loc), "msg": exc.message}]) from None
    items = [
        activity_item(a)
        for a in registry.list(accme_id)
        if (providerActivityId is None or a.provider_activity_id == providerActivityId)
        and (activityStartDate is None or a.data["start_date"] == activityStartDate.isoformat())
        and (fmt is None or a.data["format"] == fmt)
    ]
    return {"ACCMEActivities": {"MedicalEducationMetrics": items}}


@router.get("/activities/{activityId}")
def get_activity(
    registry: ActivityRegistryDep,
    principal: PrincipalDep,
    activityId: Annotated[str, Path(description="the 9-digit ACCME activity ID")],
) -> Any:
    """One of the caller's activities in the same shape; another provider's activity is simply not found."""
    accme_id = _provider(principal)
    activity = registry.get_by_number(activityId, accme_id)
    return {"ACCMEActivities": {"MedicalEducationMetrics": [activity_item(activity)]}}
