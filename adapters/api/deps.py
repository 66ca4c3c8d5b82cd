"""Dependencies shared by the routes: the system and the signed-in principal."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from adapters.api.audit_reads import read_record
from adapters.api.problems import Problem
from adapters.bootstrap import System
from adapters.http.services import Settle
from adapters.tokens import InvalidTokenError, TokenExpiredError, read_token
from domain.audit_log import AuditorRead
from domain.base import ACCME_ID_PATTERN, Acting, Channel
from services.access import Principal, Role
from services.providers import ProviderRegistry
from services.queries.providers import ProviderQueries

bearer = HTTPBearer(auto_error=False, description="A token from `pars admin issue-token`")


def get_system(request: Request) -> System:
    return request.app.state.system


SystemDep = Annotated[System, Depends(get_system)]


#: Where a request keeps its checked principal, so the token is read from the database once a request.
PRINCIPAL_KEY = "pars.principal"


def get_principal(
    request: Request, system: SystemDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    if (checked := request.scope.get(PRINCIPAL_KEY)) is not None:
        return checked  # the upload limit checked this request's token before its body was read
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None:
        raise Problem(401, "a bearer token is required (Authorization: Bearer TOKEN)", headers=challenge)
    try:
        principal = read_token(system.secret, credentials.credentials, lifetimes=system.tokens.lifetimes)
    except TokenExpiredError as expired:
        raise Problem(401, f"the bearer token has expired ({expired}); ask for a new one", headers=challenge) from None
    except InvalidTokenError:
        raise Problem(401, "the bearer token is not valid", headers=challenge) from None
    if refusal := system.tokens.refusal(principal):
        raise Problem(401, refusal, headers=challenge)
    if principal.role is Role.AUDITOR:
        if request.method not in ("GET", "HEAD"):
            raise Problem(403, "an auditor token is read-only")
        record_read(system, principal, request)
    request.scope[PRINCIPAL_KEY] = principal
    return principal


def record_read(system: System, principal: Principal, request: Request) -> None:
    """Every auditor read is itself an event, saved before the answer (no answer without its record)."""
    accme_id = request.path_params.get("accme_id")
    if not (isinstance(accme_id, str) and ACCME_ID_PATTERN.match(accme_id)):
        accme_id = None
    path, query, learner_ids = read_record(system, request)  # no personal data: learners by learner_id
    read = AuditorRead.record(acting(principal), path, query, accme_id, learner_ids)
    system.store.save(read)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def acting(principal: Principal) -> Acting:
    """API calls made with a bearer token come through the web-service channel."""
    return Acting(principal.actor, Channel.WEB_SERVICE)


@dataclass(frozen=True)
class ProviderAccess:
    """Who may see and who may change a provider's records (a dependency: `access: AccessDep`)."""

    profiles: ProviderQueries
    providers: ProviderRegistry
    settle: Settle

    def visible(self, principal: Principal, accme_id: str) -> dict[str, Any]:
        """The provider's profile if the principal may see it; otherwise the same 404 as for no provider."""
        profile = self.profiles.get_profile(accme_id)
        if profile is None and ACCME_ID_PATTERN.fullmatch(accme_id) and self.providers.exists(accme_id):
            # Stored but not yet in the read model (made a moment ago by the CLI or another process):
            # give the projection a moment rather than answer 404 for a provider that exists.
            with contextlib.suppress(TimeoutError):
                self.settle.to_head(names=["provider_profile"], timeout=2.0)
            profile = self.profiles.get_profile(accme_id)
        if profile is None or not principal.can_read_provider(profile):
            raise Problem(
                404,
                f"no provider with ACCME ID {accme_id} is visible to this token",
                [{"loc": ["path", "accme_id"], "msg": "not found"}],
            )
        return profile

    def require_editor(self, principal: Principal, accme_id: str) -> None:
        """Provider records change only by that provider's users; others who may read get 403, the rest 404."""
        if principal.can_edit_provider(accme_id):
            return
        self.visible(principal, accme_id)
        raise Problem(403, f"a {principal.role.value} token may read but not change provider {accme_id}'s records")


def access_of(system: System) -> ProviderAccess:
    return ProviderAccess(system.reads.profiles, system.providers, Settle(system.projections, system.store))


def provider_access(request: Request) -> ProviderAccess:
    return access_of(get_system(request))


AccessDep = Annotated[ProviderAccess, Depends(provider_access)]
