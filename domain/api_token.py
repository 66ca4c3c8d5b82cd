"""Bearer tokens of every role but `provider`: accreditor staff, boards, learners and auditors.

A provider's tokens are facts of the provider (`Provider.ApiTokenIssued` / `ApiTokenRevoked`, in
its history). The others belong to no provider, so each gets a stream of its own, derived from the
token id (`uuid5("api-token:" + id)`): `pars admin revoke-token ID` finds it without a search, and
an id issued twice collides instead of forking. The token's secret is never recorded, only its
id, role, scope and expiry.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from eventsourcing.domain import Aggregate, event

from domain.base import Acting
from domain.errors import InvalidValueError

TOKEN_NAMESPACE = uuid.UUID("2f0c9b4e-7a1d-4c36-8e5b-91d3a6f0c4e2")
ROLES = ("accreditor", "board", "learner", "auditor")
MAX_LABEL = 200


class ApiToken(Aggregate):
    """One non-provider token: who it was issued to (role and scope), until when, and whether it is revoked."""

    class Issued(Aggregate.Created):
        token_id: str
        role: str
        scope: str
        label: str
        expires_at: datetime
        actor: str
        channel: str

    class Revoked(Aggregate.Event):
        token_id: str
        actor: str
        channel: str

    @staticmethod
    def create_id(token_id: str) -> uuid.UUID:
        return uuid.uuid5(TOKEN_NAMESPACE, f"api-token:{token_id}")

    @classmethod
    def issue(cls, token_id: str, role: str, scope: str, label: str, expires_at: datetime, by: Acting) -> ApiToken:
        if role not in ROLES:
            # A provider token is recorded on its provider (Provider.issue_api_token), in its history.
            raise InvalidValueError(f"role must be one of {', '.join(ROLES)} (got {role!r})", loc=("role",))
        if not token_id:
            raise InvalidValueError("a token needs an id", loc=("token_id",))
        return cls(
            token_id=token_id,
            role=role,
            scope=scope,
            label=(label or "").strip()[:MAX_LABEL],
            expires_at=expires_at,
            actor=by.actor,
            channel=str(by.channel),
        )

    @event(Issued)
    def __init__(
        self, token_id: str, role: str, scope: str, label: str, expires_at: datetime, actor: str, channel: str
    ) -> None:
        self.token_id = token_id
        self.role = role
        self.scope = scope
        self.label = label
        self.expires_at = expires_at
        self.revoked = False

    def revoke(self, by: Acting) -> bool:
        """Revoking twice is the same as once (False: nothing recorded)."""
        if self.revoked:
            return False
        self._revoked(self.token_id, by.actor, str(by.channel))
        return True

    @event(Revoked)
    def _revoked(self, token_id: str, actor: str, channel: str) -> None:
        self.revoked = True
