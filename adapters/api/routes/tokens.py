from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import Field

from adapters.api.openapi import COMMAND
from adapters.api.deps import PrincipalDep, SystemDep, acting, require_editor, visible_profile
from adapters.api.problems import Problem
from adapters.api.routes.providers import settled_profile
from adapters.api.schemas import AccmeIdPath, Strict
from adapters.tokens import issue_token, new_token_id
from commands.providers import IssueApiToken, RevokeApiToken

router = APIRouter(prefix="/api/v1/providers/{accme_id}/tokens", tags=["tokens"])


class TokenCreate(Strict):
    label: str = Field(default="", max_length=200, description="what system will use it")


@router.get("")
def list_tokens(system: SystemDep, principal: PrincipalDep, accme_id: AccmeIdPath) -> list[dict[str, Any]]:
    """The provider's web-service tokens (never the secrets), with who issued and who revoked them."""
    return visible_profile(system, principal, accme_id).get("api_tokens", [])


@router.post("", status_code=status.HTTP_201_CREATED, responses=COMMAND)
def create_token(body: TokenCreate, system: SystemDep, principal: PrincipalDep, accme_id: AccmeIdPath) -> dict[str, Any]:
    """Issues a web-service token for the provider's own systems; the token is shown once."""
    require_editor(system, principal, accme_id)
    token_id = new_token_id()
    outcome = system.providers.handle(IssueApiToken(accme_id=accme_id, token_id=token_id, label=body.label), acting(principal))
    settled_profile(system, accme_id, outcome.position)
    return {"token_id": token_id, "label": body.label, "token": issue_token(system.secret, "provider", provider=accme_id, token_id=token_id)}


@router.delete("/{token_id}", status_code=status.HTTP_204_NO_CONTENT, responses=COMMAND)
def revoke_token(token_id: str, system: SystemDep, principal: PrincipalDep, accme_id: AccmeIdPath) -> Response:
    """Revokes a token: the provider's users, or its accreditor's staff."""
    profile = visible_profile(system, principal, accme_id)
    if not (principal.can_edit_provider(accme_id) or principal.can_decide_accreditation(profile)):
        raise Problem(403, f"a {principal.role.value} token cannot revoke provider tokens")
    outcome = system.providers.handle(RevokeApiToken(accme_id=accme_id, token_id=token_id), acting(principal))
    settled_profile(system, accme_id, outcome.position)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
