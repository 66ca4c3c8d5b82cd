"""TokenRegistry: issues, records, lists and revokes bearer tokens of every role, and says at each
use whether a genuine, unexpired token must still be refused (revoked, or its learner erased).

Provider tokens are recorded on their provider (`Provider.ApiTokenIssued`), the others on their own
`ApiToken` stream. Signing is the adapter's (adapters/tokens.py), handed in as `sign`.
The revocation list is the `tokens` read model: every process reads the same table, and whoever
revokes waits until that table holds the revocation before saying it is done (the CLI catches the
projection up itself), so a revoked token is refused by every API process at once.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.utils import get_topic

from commands.providers import IssueApiToken, RevokeApiToken
from commands.tokens import IssueToken, RevokeToken, TokenCommand
from domain.api_token import ApiToken
from domain.base import Acting
from domain.errors import InvalidValueError, NotFoundError
from domain.learner import Learner, LearnerErasedError
from projections.provider_profile import ProviderProfileView
from projections.tokens import TokenView
from services.access import Principal, Role
from services.providers import ProviderRegistry
from services.store import ParsStore

#: Roles whose tokens are used by systems (a provider's LMS, a board's integration): a year by default.
SYSTEM_ROLES = (Role.PROVIDER, Role.BOARD)
MAX_DAYS = 3650


@dataclass(frozen=True)
class TokenLifetimes:
    """Default lifetimes: PARS_SYSTEM_TOKEN_DAYS for provider and board tokens, PARS_TOKEN_DAYS for the others."""

    system_days: int = 365
    other_days: int = 30

    def of(self, role: Role | str) -> timedelta:
        return timedelta(days=self.system_days if Role(role) in SYSTEM_ROLES else self.other_days)


class TokenNotFoundError(NotFoundError):
    """Raised when no recorded token has the given id."""


class Signer(Protocol):
    def __call__(
        self,
        role: str,
        *,
        provider: str | None,
        board: str | None,
        state: str | None,
        learner: str | None,
        token_id: str,
        expires_at: datetime,
    ) -> str: ...


@dataclass(frozen=True)
class IssuedToken:
    token: str = field(repr=False)
    token_id: str = ""
    role: str = ""
    scope: str = ""
    expires_at: datetime = datetime.min  # noqa: DTZ901 - a placeholder: issue() always gives the expiry
    position: int | None = None

    def as_json(self) -> dict[str, Any]:
        """What `pars admin issue-token --json` prints."""
        return {
            "token": self.token,
            "id": self.token_id,
            "role": self.role,
            "scope": self.scope,
            "expires_at": self.expires_at.isoformat(),
        }


def scope_of(
    role: str,
    provider: str | None = None,
    board: str | None = None,
    state: str | None = None,
    learner: str | None = None,
) -> str:
    """`provider:0001234`, `board:ABIM`, `state:TN`, `learner:<id>`, or `all` (ACCME staff, auditors)."""
    for kind, value in (("provider", provider), ("board", board), ("state", state), ("learner", learner)):
        if value:
            return f"{kind}:{value.upper() if kind in ('board', 'state') else value}"
    return "all"


def new_token_id() -> str:
    return secrets.token_hex(6)


class TokenRegistry:
    def __init__(
        self,
        store: ParsStore,
        providers: ProviderRegistry,
        view: TokenView,
        profiles: ProviderProfileView,
        sign: Signer,
        lifetimes: TokenLifetimes = TokenLifetimes(),
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.providers = providers
        self.view = view
        self.profiles = profiles
        self.sign = sign
        self.lifetimes = lifetimes
        self.now = now
        self._erased_topic = get_topic(Learner.Erased)

    # --- issuing and revoking ------------------------------------------------------------------

    def handle(self, cmd: TokenCommand, by: Acting) -> Any:
        """Hands the command to its handler below; what each returns is said there."""
        match cmd:
            case IssueToken():
                return self.issue(cmd, by)
            case RevokeToken():
                return self.revoke(cmd, by)
        raise TypeError(f"{type(cmd).__name__} is not a token command")

    def issue(self, cmd: IssueToken, by: Acting) -> IssuedToken:
        """Signs a token and records it (on its provider, or on its own stream), so that it is listed and revocable."""
        role, provider, board, state, learner = cmd.role, cmd.provider, cmd.board, cmd.state, cmd.learner
        label, days = cmd.label, cmd.days
        if days is not None and not 1 <= days <= MAX_DAYS:
            raise InvalidValueError(f"days must be between 1 and {MAX_DAYS} (got {days})", loc=("days",))
        if role == Role.LEARNER and learner and self._erased(learner):
            raise LearnerErasedError(
                f"learner {learner} has been erased; a token for them would be refused", loc=("learner",)
            )
        token_id = new_token_id()
        # Whole seconds: the token's `exp` claim and the record say the same instant.
        now = self.now().replace(microsecond=0)
        expires_at = now + (timedelta(days=days) if days is not None else self.lifetimes.of(_role(role)))
        token = self.sign(
            role, provider=provider, board=board, state=state, learner=learner, token_id=token_id, expires_at=expires_at
        )
        scope = scope_of(role, provider, board, state, learner)
        if role == Role.PROVIDER and provider is not None:  # (sign() refused a provider token without one)
            outcome = self.providers.handle(
                IssueApiToken(accme_id=provider, token_id=token_id, label=label, expires_at=expires_at), by
            )
            position = outcome.position
        else:
            recordings = self.store.save(ApiToken.issue(token_id, role, scope, label, expires_at, by))
            position = recordings[-1].notification.id
        return IssuedToken(token, token_id, str(role), scope, expires_at, position)

    def revoke(self, cmd: RevokeToken, by: Acting) -> int | None:
        """Records the revocation; the log position to wait for (None when it was revoked already).
        With `accme_id`, only a token of that provider is found (the provider's own route)."""
        token_id, accme_id = cmd.token_id, cmd.accme_id
        if accme_id is not None:
            return self.providers.handle(RevokeApiToken(accme_id=accme_id, token_id=token_id), by).position
        try:
            token: ApiToken = self.store.repository.get(ApiToken.create_id(token_id))
        except AggregateNotFoundError:
            doc = self.view.get_token(token_id)
            if doc is None or not doc.get("accme_id"):
                raise TokenNotFoundError(
                    f"no token with id {token_id!r} is recorded (pars admin list-tokens lists them)", loc=("token_id",)
                ) from None
            return self.providers.handle(RevokeApiToken(accme_id=doc["accme_id"], token_id=token_id), by).position
        if not token.revoke(by):
            return None
        return self.store.save(token)[-1].notification.id

    # --- reading ---------------------------------------------------------------------------------

    def get(self, token_id: str) -> dict[str, Any] | None:
        doc = self.view.get_token(token_id)
        return self._shown(doc) if doc else None

    def list(self, role: str | None = None, provider: str | None = None) -> list[dict[str, Any]]:
        return [self._shown(doc) for doc in self.view.list_tokens(role, provider)]

    def _shown(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The record with its expiry filled in for a token recorded before tokens expired."""
        if doc["expires_at"] is None:
            issued = datetime.fromisoformat(doc["issued_at"])
            doc = {**doc, "expires_at": (issued + self.lifetimes.of(doc["role"])).isoformat()}
        return doc

    # --- at each use -----------------------------------------------------------------------------

    def refusal(self, principal: Principal) -> str | None:
        """Why a genuine, unexpired token must be refused now, or None. Reads the database every time
        (never a cache), so a revocation or an erasure made by another process counts at once."""
        doc = self.view.get_token(principal.token_id)
        if doc is not None and doc["revoked_at"]:
            return "the bearer token has been revoked"
        if doc is None and principal.provider and self._revoked_on_profile(principal.provider, principal.token_id):
            return "the bearer token has been revoked"
        if principal.role is Role.LEARNER and principal.learner and self._erased(principal.learner):
            return "the bearer token's learner has been erased"
        return None

    def _revoked_on_profile(self, accme_id: str, token_id: str) -> bool:
        """A provider token the `tokens` read model does not hold yet (it is new, and catching up after
        an upgrade): the provider's profile has listed its tokens and their revocations all along."""
        profile = self.profiles.get_profile(accme_id) or {}
        return any(t["token_id"] == token_id and t["revoked_at"] for t in profile.get("api_tokens", []))

    def _erased(self, learner: str) -> bool:
        """Whether the learner's stream holds `Learner.Erased`: the stored topics only, nothing decrypted.
        (A token naming an NPI finds nobody once erased: the directory rows are gone.)"""
        try:
            stream_id = uuid.UUID(learner)
        except ValueError:
            return False
        return any(stored.topic == self._erased_topic for stored in self.store.recorder.select_events(stream_id))


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidValueError(
            f"role must be one of {', '.join(r.value for r in Role)} (got {role!r})", loc=("role",)
        ) from None
