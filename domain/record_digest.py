"""A provider's digest of MOC records at risk and late (domain/credit_deadlines.py), mailed to the contacts it
chose: opt-in, per provider and contact role (none: no digest). Each digest sent is recorded on the provider's
history; a provider is not sent another within `RESEND_AFTER` unless someone insists (the daily run, run twice,
mails once).

One stream per provider, `uuid5("record-digest:" + ACCME ID)`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from eventsourcing.domain import event

from domain.base import Acting, ParsAggregate
from domain.errors import ConflictError, InvalidValueError
from domain.provider import SINGLE_ROLES

DIGEST_NAMESPACE = uuid.UUID("8f2a61d4-3c7e-4b1a-a9d0-5e6f7a8b9c01")
#: A digest is not sent again within this (a day, less a few hours' slack for a daily schedule that drifts).
RESEND_AFTER = timedelta(hours=20)
ROLES = tuple(str(r) for r in SINGLE_ROLES)


class DigestSentRecentlyError(ConflictError):
    """Raised when a digest was sent to the provider within RESEND_AFTER and nobody insists."""

    def __init__(self, message: str, last: datetime) -> None:
        super().__init__(message, loc=("force",))
        self.last = last


def check_roles(roles: Sequence[str]) -> list[str]:
    """The contact roles a digest goes to, each a single-holder contact role, in the order given, once each."""
    out: list[str] = []
    for i, role in enumerate(roles):
        if role not in ROLES:
            raise InvalidValueError(
                f"{role!r} is not a contact role; a digest goes to {', '.join(ROLES)}", loc=("roles", str(i))
            )
        if role not in out:
            out.append(role)
    return out


class RecordDigest(ParsAggregate):
    class Started(ParsAggregate.Created):
        roles: list[str]

    class RolesSet(ParsAggregate.Event):
        roles: list[str]

    class Sent(ParsAggregate.Event):
        at: datetime
        to: list[str]
        at_risk: int
        late: int
        forced: bool

    @staticmethod
    def create_id(accme_id: str) -> uuid.UUID:
        return uuid.uuid5(DIGEST_NAMESPACE, f"record-digest:{accme_id}")

    @classmethod
    def start(cls, accme_id: str, roles: Sequence[str], by: Acting) -> RecordDigest:
        return cls(accme_id=accme_id, roles=check_roles(roles), actor=by.actor, channel=str(by.channel))

    @event(Started)
    def __init__(self, accme_id: str, roles: list[str], actor: str, channel: str) -> None:
        self.accme_id = accme_id
        self.roles = roles
        self.last_sent: datetime | None = None

    def set_roles(self, roles: Sequence[str], by: Acting) -> bool:
        """Who gets the digest (no role: nobody); False when it already goes to exactly them."""
        roles = check_roles(roles)
        if roles == self.roles:
            return False
        self._set_roles(roles=roles, **self._meta(by))
        return True

    @event(RolesSet)
    def _set_roles(self, roles: list[str], accme_id: str, actor: str, channel: str) -> None:
        self.roles = roles

    def sent(self, at: datetime, to: Sequence[str], at_risk: int, late: int, force: bool, by: Acting) -> None:
        """Records a digest mailed to `to`; refused within RESEND_AFTER of the last one unless `force`."""
        if not self.roles:
            raise ConflictError("the provider has not asked for the digest", loc=("roles",))
        last = self.last_sent
        if last is not None and not force and at - last < RESEND_AFTER:
            raise DigestSentRecentlyError(
                f"a digest was sent at {last.isoformat(timespec='minutes')}; another is not sent within "
                f"{int(RESEND_AFTER.total_seconds() // 3600)} hours unless you insist (force)",
                last,
            )
        self._sent(at=at, to=list(to), at_risk=at_risk, late=late, forced=force, **self._meta(by))

    @event(Sent)
    def _sent(
        self,
        at: datetime,
        to: list[str],
        at_risk: int,
        late: int,
        forced: bool,
        accme_id: str,
        actor: str,
        channel: str,
    ) -> None:
        self.last_sent = at
