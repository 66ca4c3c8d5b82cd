"""Every recorded bearer token, of every role: the list `pars admin list-tokens` and the provider's
tokens route print, and the revocation list each request checks (so a revocation recorded by any
process is refused by every process that reads this table).

Provider tokens come from `Provider.ApiTokenIssued/ApiTokenRevoked` (the provider's history),
the others from their own `ApiToken` streams. The secret of a token is never recorded."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.api_token import ApiToken
from domain.provider import Provider
from projections.base import ParsProjection, ProjectionView


class TokenView(ProjectionView):
    @abstractmethod
    def get_token(self, token_id: str) -> dict[str, Any] | None:
        """One token's document, or None."""

    @abstractmethod
    def put_token(self, token_id: str, doc: dict[str, Any], tracking: Tracking) -> None:
        """Stores (or replaces) one token's document."""

    @abstractmethod
    def list_tokens(self, role: str | None = None, accme_id: str | None = None) -> list[dict[str, Any]]:
        """Tokens of this role and provider (any when None), in the order they were issued."""


class TokenProjection(ParsProjection[TokenView]):
    name = "tokens"
    skips_unhandled = True  # every other event only advances its position

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    def _issued(self, e: Any, tracking: Tracking, role: str, scope: str, accme_id: str | None) -> None:
        doc = {
            "token_id": e.token_id,
            "role": role,
            "scope": scope,
            "accme_id": accme_id,
            "label": e.label,
            "issued_at": e.timestamp.isoformat(),
            "issued_by": e.actor,
            "channel": e.channel,
            # None for a provider token recorded before tokens expired: its role's default from issued_at.
            "expires_at": e.expires_at.isoformat() if e.expires_at else None,
            "revoked_at": None,
            "revoked_by": None,
        }
        self.view.put_token(e.token_id, doc, tracking)

    def _revoked(self, e: Any, tracking: Tracking) -> None:
        doc = self.view.get_token(e.token_id)
        if (
            doc is None or doc["revoked_at"]
        ):  # pragma: no cover - Issued always comes first; revoking twice records once
            self.view.insert_tracking(tracking)
            return
        self.view.put_token(e.token_id, {**doc, "revoked_at": e.timestamp.isoformat(), "revoked_by": e.actor}, tracking)

    @process_event.register
    def _(self, e: Provider.ApiTokenIssued, tracking: Tracking) -> None:
        self._issued(e, tracking, "provider", f"provider:{e.accme_id}", e.accme_id)

    @process_event.register
    def _(self, e: Provider.ApiTokenRevoked, tracking: Tracking) -> None:
        self._revoked(e, tracking)

    @process_event.register
    def _(self, e: ApiToken.Issued, tracking: Tracking) -> None:
        self._issued(e, tracking, e.role, e.scope, None)

    @process_event.register
    def _(self, e: ApiToken.Revoked, tracking: Tracking) -> None:
        self._revoked(e, tracking)
