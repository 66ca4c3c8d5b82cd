"""A provider's contacts by role, and its staff contacts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from adapters.http.services import ProviderRegistryDep, SettleDep
from adapters.http.statuses import domain_status
from adapters.web.forms import posted, see_other, settle
from adapters.web.render import field_errors, loc_errors, pydantic_errors, render
from adapters.web.routes.provider import editable, readable
from adapters.web.session import UserDep, WebUser
from adapters.web.words import in_sentence
from commands.providers import (
    AddStaffContact,
    AssignContact,
    ContactDetails,
    RemoveContact,
    RemoveStaffContact,
)
from domain.errors import DomainError

router = APIRouter()
ROLES = [
    ("primary", "Primary contact"),
    ("billing", "Billing contact"),
    ("ceo", "CEO"),
    ("website", "ACCME website contact"),
    ("technical", "Technical contact"),
    ("medical_director", "Medical director"),
]


@router.get("/provider/{accme_id}/contacts")
def contacts(request: Request, user: UserDep, accme_id: str) -> Response:
    profile = readable(request, user, accme_id)
    return _contacts_page(request, user, profile, {}, None, {})


def _contacts_page(
    request: Request,
    user: WebUser,
    profile: dict[str, Any],
    errors: dict[str, str],
    failed: str | None,
    form: dict[str, Any],
    status: int = 200,
) -> Response:
    return render(
        request,
        "provider/contacts.html",
        status,
        provider=profile,
        roles=ROLES,
        errors=errors,
        failed=failed,
        form=form,
        can_edit=user.principal.can_edit_provider(profile["accme_id"]),
    )


CONTACT_FIELDS = {"name": "name", "title": "title", "email": "email", "phone": "phone"}


@router.post("/provider/{accme_id}/contacts/{role}")
async def set_contact(
    request: Request, read_models: SettleDep, providers: ProviderRegistryDep, user: UserDep, accme_id: str, role: str
) -> Response:
    profile = editable(request, user, accme_id)
    form = await posted(request)
    try:
        details = ContactDetails(**{k: form.get(k, "") for k in ("name", "title", "email", "phone")})
        if role == "staff":
            cmd: Any = AddStaffContact(accme_id=accme_id, contact=details)
        elif role in dict(ROLES):
            cmd = AssignContact(accme_id=accme_id, role=role, contact=details)
        else:
            return render(
                request, "error.html", 404, heading="Page not found", message="There is no such contact role."
            )
        outcome = providers.handle(cmd, user.acting)
    except ValidationError as bad:
        return _contacts_page(
            request, user, profile, field_errors(pydantic_errors(bad), CONTACT_FIELDS, "name"), role, form, 422
        )
    except DomainError as bad:
        return _contacts_page(
            request,
            user,
            profile,
            field_errors(loc_errors(bad), CONTACT_FIELDS, "name"),
            role,
            form,
            domain_status(bad),
        )
    settle(read_models, outcome.position)
    return see_other(
        f"/provider/{accme_id}/contacts", f"The {in_sentence(dict(ROLES).get(role, 'staff contact'))} is saved."
    )


@router.post("/provider/{accme_id}/contacts/{role}/remove")
async def remove_contact(
    request: Request, read_models: SettleDep, providers: ProviderRegistryDep, user: UserDep, accme_id: str, role: str
) -> Response:
    profile = editable(request, user, accme_id)
    form = await posted(request)
    try:
        if role == "staff":
            cmd: Any = RemoveStaffContact(accme_id=accme_id, contact_id=form.get("contact_id", ""))
        else:
            cmd = RemoveContact(accme_id=accme_id, role=role)
        outcome = providers.handle(cmd, user.acting)
    except (DomainError, ValidationError) as bad:
        msg = bad.message if isinstance(bad, DomainError) else "there is no such contact role"
        # The refused role's form keeps showing who holds it (it is not a field's error: the summary says it).
        kept = dict(profile["contacts"].get(role) or {}) if role != "staff" else {}
        return _contacts_page(request, user, profile, {"_form": msg}, role, kept, 409)
    settle(read_models, outcome.position)
    return see_other(f"/provider/{accme_id}/contacts", "The contact is removed.")
