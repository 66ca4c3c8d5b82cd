from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from adapters.api.as_of import AsOfQuery, ReadsAtDep
from adapters.api.deps import AccessDep, PrincipalDep, acting
from adapters.api.openapi import COMMAND, documented
from adapters.api.problems import Problem
from adapters.api.schemas import AccmeIdPath, DecisionCreate, ProviderCreate, ProviderPublic, ProvidersPublic
from adapters.http.locations import placed
from adapters.http.reads import ProvidersDep
from adapters.http.services import ProviderRegistryDep, Settle, SettleDep
from commands.providers import ContactDetails, RecordAccreditationDecision, RegisterProvider
from domain.provider import normalise_accreditor
from services.access import Role
from services.queries.providers import ProviderQueries

router = APIRouter(prefix="/api/v1/providers", tags=["providers"])
READ_MODELS = ["provider_profile", "directory", "history"]


def settled_profile(settle: Settle, providers: ProviderQueries, accme_id: str, position: int | None) -> dict[str, Any]:
    """Read-your-writes: waits until the read models include the change just made."""
    settle(position, READ_MODELS)
    profile = providers.get_profile(accme_id)
    assert profile is not None
    return profile


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProviderPublic, responses=COMMAND)
@placed("body", "accme_id")
def create_provider(
    body: ProviderCreate,
    registry: ProviderRegistryDep,
    providers: ProvidersDep,
    settle: SettleDep,
    principal: PrincipalDep,
    response: Response,
) -> Any:
    """Registers a provider with its primary contact (accreditor staff)."""
    if principal.role is not Role.ACCREDITOR:
        raise Problem(403, "only accreditor staff register providers")
    accreditor = normalise_accreditor(body.accreditor)
    if not principal.can_register_provider(accreditor):
        raise Problem(403, f"this accreditor token does not oversee providers accredited by {accreditor}")
    cmd = RegisterProvider(
        accme_id=body.accme_id,
        name=body.name,
        accreditor=accreditor,
        primary=ContactDetails(**body.primary_contact.model_dump()),
    )
    outcome = registry.register(cmd, acting(principal))
    response.headers["Location"] = f"/api/v1/providers/{body.accme_id}"
    return settled_profile(settle, providers, body.accme_id, outcome.position)


@router.get("", response_model=ProvidersPublic, responses=documented(403))
def list_providers(providers: ProvidersDep, principal: PrincipalDep) -> Any:
    """Lists the providers this token may see: an accreditor's overseen providers, all for auditors, one's own."""
    profiles = providers.visible_to(principal)
    if profiles is None:
        raise Problem(403, f"a {principal.role.value} token cannot list providers")
    return {"data": profiles, "count": len(profiles)}


@router.get("/{accme_id}", response_model=ProviderPublic)
def get_provider(reads_at: ReadsAtDep, principal: PrincipalDep, accme_id: AccmeIdPath, as_of: AsOfQuery = None) -> Any:
    """The provider, its accreditation decisions and its contacts by role (as of an instant with `as_of`)."""
    with reads_at(accme_id, as_of, needs=()) as (_, profile):
        return profile


@router.post(
    "/{accme_id}/accreditation-decisions",
    status_code=status.HTTP_201_CREATED,
    response_model=ProviderPublic,
    responses=COMMAND,
)
@placed("body", "decision", "term_ends", "decided_on")
def record_decision(
    body: DecisionCreate,
    registry: ProviderRegistryDep,
    providers: ProvidersDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
) -> Any:
    """Records an accreditation decision (accreditor staff overseeing the provider)."""
    profile = access.visible(principal, accme_id)
    if not principal.can_decide_accreditation(profile):
        raise Problem(403, "only the provider's accreditor records accreditation decisions")
    cmd = RecordAccreditationDecision(accme_id=accme_id, **body.model_dump())
    outcome = registry.handle(cmd, acting(principal))
    return settled_profile(settle, providers, accme_id, outcome.position)
