from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from adapters.api.deps import AccessDep, PrincipalDep, acting
from adapters.api.openapi import COMMAND
from adapters.api.routes.providers import settled_profile
from adapters.api.schemas import AccmeIdPath, ContactCreate, ContactUpdate, SingleRolePath, StaffContactPublic
from adapters.http.locations import placed
from adapters.http.reads import ProvidersDep
from adapters.http.services import ProviderRegistryDep, SettleDep
from commands.providers import (
    AddContact,
    AddStaffContact,
    AssignContact,
    ContactDetails,
    RemoveContact,
    RemoveStaffContact,
)
from domain.errors import ConflictError

router = APIRouter(prefix="/api/v1/providers/{accme_id}/contacts", tags=["contacts"])


@router.get("")
def list_contacts(access: AccessDep, principal: PrincipalDep, accme_id: AccmeIdPath) -> dict[str, Any]:
    """Contacts by role, staff, and who receives invoices and who the directory shows."""
    profile = access.visible(principal, accme_id)
    return {
        "contacts": profile["contacts"],
        "staff": profile["staff"],
        "invoice_recipient": profile["invoice_recipient"],
        "directory_contact": profile["directory_contact"],
    }


@router.post("", status_code=status.HTTP_201_CREATED, responses=COMMAND)
@placed("body", "role", "email", kind=ConflictError)
def add_contact(
    body: ContactCreate,
    registry: ProviderRegistryDep,
    providers: ProvidersDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
) -> dict[str, Any]:
    """Adds a contact to a vacant role or to staff; 409 if the role already has its one holder."""
    access.require_editor(principal, accme_id)
    details = ContactDetails(**body.model_dump(exclude={"role"}))
    outcome = registry.handle(AddContact(accme_id=accme_id, role=body.role, contact=details), acting(principal))
    profile = settled_profile(settle, providers, accme_id, outcome.position)
    if body.role == "staff":
        return next(s for s in profile["staff"] if s["contact_id"] == outcome.value)
    return profile["contacts"][body.role]


@router.post("/staff", status_code=status.HTTP_201_CREATED, response_model=StaffContactPublic, responses=COMMAND)
@placed("body", "email", kind=ConflictError)
def add_staff_contact(
    body: ContactUpdate,
    registry: ProviderRegistryDep,
    providers: ProvidersDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
) -> Any:
    """Adds a staff contact; staff have access to the provider's records."""
    access.require_editor(principal, accme_id)
    outcome = registry.handle(
        AddStaffContact(accme_id=accme_id, contact=ContactDetails(**body.model_dump())), acting(principal)
    )
    profile = settled_profile(settle, providers, accme_id, outcome.position)
    return next(s for s in profile["staff"] if s["contact_id"] == outcome.value)


@router.delete("/staff/{contact_id}", status_code=status.HTTP_204_NO_CONTENT, responses=COMMAND)
def remove_staff_contact(
    registry: ProviderRegistryDep,
    providers: ProvidersDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    contact_id: str,
    accme_id: AccmeIdPath,
) -> Response:
    """Removes a staff contact."""
    access.require_editor(principal, accme_id)
    outcome = registry.handle(RemoveStaffContact(accme_id=accme_id, contact_id=contact_id), acting(principal))
    settled_profile(settle, providers, accme_id, outcome.position)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/{role}", responses=COMMAND)
def set_contact(
    body: ContactUpdate,
    registry: ProviderRegistryDep,
    providers: ProvidersDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    role: SingleRolePath,
    accme_id: AccmeIdPath,
) -> dict[str, Any]:
    """Sets the single contact of a role, replacing any holder in one change."""
    access.require_editor(principal, accme_id)
    cmd = AssignContact(accme_id=accme_id, role=role, contact=ContactDetails(**body.model_dump()))
    outcome = registry.handle(cmd, acting(principal))
    return settled_profile(settle, providers, accme_id, outcome.position)["contacts"][role]


@router.delete("/{role}", status_code=status.HTTP_204_NO_CONTENT, responses=COMMAND)
def remove_contact(
    registry: ProviderRegistryDep,
    providers: ProvidersDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    role: SingleRolePath,
    accme_id: AccmeIdPath,
) -> Response:
    """Removes an optional role's contact; the primary contact can only be replaced (409)."""
    access.require_editor(principal, accme_id)
    outcome = registry.handle(RemoveContact(accme_id=accme_id, role=role), acting(principal))
    settled_profile(settle, providers, accme_id, outcome.position)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
