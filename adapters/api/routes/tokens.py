from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import Field

from adapters.api.deps import AccessDep, PrincipalDep, acting
from adapters.api.openapi import COMMAND
from adapters.api.problems import Problem
from adapters.api.schemas import AccmeIdPath, Strict
from adapters.http.services import SettleDep, TokenRegistryDep
from commands.tokens import IssueToken, RevokeToken
from services.tokens import MAX_DAYS

router = APIRouter(prefix="/api/v1/providers/{accme_id}/tokens", tags=["tokens"])

#: Read models a token change must reach before the route answers: then every process refuses a revoked token.
SETTLED = ["provider_profile", "tokens"]


class TokenCreate(Strict):
    label: str = Field(default="", max_length=200, description="what system will use it")
    days: int | None = Field(
        default=None, ge=1, le=MAX_DAYS, description="lifetime in days (default: PARS_SYSTEM_TOKEN_DAYS, 365)"
    )


def _shown(doc: dict[str, Any]) -> dict[str, Any]:
    keys = ("token_id", "label", "role", "scope", "issued_at", "issued_by", "expires_at", "revoked_at", "revoked_by")
    return {k: doc.get(k) for k in keys}


@router.get("")
def list_tokens(
    tokens: TokenRegistryDep, access: AccessDep, principal: PrincipalDep, accme_id: AccmeIdPath
) -> list[dict[str, Any]]:
    """The provider's web-service tokens (never the secrets): role, scope, who issued them, when they
    expire, and who revoked them."""
    access.visible(principal, accme_id)
    return [_shown(doc) for doc in tokens.list(role="provider", provider=accme_id)]


@router.post("", status_code=status.HTTP_201_CREATED, responses=COMMAND)
def create_token(
    body: TokenCreate,
    tokens: TokenRegistryDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
) -> dict[str, Any]:
    """Issues a web-service token for the provider's own systems; the token is shown once."""
    access.require_editor(principal, accme_id)
    issued = tokens.handle(
        IssueToken(role="provider", provider=accme_id, label=body.label, days=body.days), acting(principal)
    )
    settle(issued.position, SETTLED)
    return {
        "token_id": issued.token_id,
        "label": body.label,
        "scope": issued.scope,
        "expires_at": issued.expires_at.isoformat(),
        "token": issued.token,
    }


@router.delete("/{token_id}", status_code=status.HTTP_204_NO_CONTENT, responses=COMMAND)
def revoke_token(
    token_id: str,
    tokens: TokenRegistryDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
) -> Response:
    """Revokes a token at once: the provider's users, or its accreditor's staff."""
    profile = access.visible(principal, accme_id)
    if not (principal.can_edit_provider(accme_id) or principal.can_decide_accreditation(profile)):
        raise Problem(403, f"a {principal.role.value} token cannot revoke provider tokens")
    settle(tokens.handle(RevokeToken(token_id=token_id, accme_id=accme_id), acting(principal)), SETTLED)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
