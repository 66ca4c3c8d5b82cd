"""The provider's attestation, for one activity, that every learner whose record it reports consented to sharing
it with boards (DOMAIN-FACTS 2.1: permission before a provider shares learner data with boards). Each record
reported while it stands carries the attestation (`Completion.Recorded.consent`), as a record's own would;
records reported before it keep what they carried (a correction that attests consent sends one).

One stream per activity, `uuid5("activity-consent:" + ACCME activity ID)`: found without a lookup."""

from __future__ import annotations

import uuid

from eventsourcing.domain import event

from domain.base import Acting, ParsAggregate

CONSENT_NAMESPACE = uuid.UUID("5b0f3c2e-8d1a-4f6b-9e27-c4a1d7e35b90")


class ActivityConsent(ParsAggregate):
    class Attested(ParsAggregate.Created):
        activity_id: str
        attested: bool

    class Changed(ParsAggregate.Event):
        attested: bool

    @staticmethod
    def create_id(activity_id: str) -> uuid.UUID:
        return uuid.uuid5(CONSENT_NAMESPACE, f"activity-consent:{activity_id}")

    @classmethod
    def start(cls, accme_id: str, activity_id: str, attested: bool, by: Acting) -> ActivityConsent:
        return cls(
            accme_id=accme_id, activity_id=activity_id, attested=attested, actor=by.actor, channel=str(by.channel)
        )

    @event(Attested)
    def __init__(self, accme_id: str, activity_id: str, attested: bool, actor: str, channel: str) -> None:
        self.accme_id = accme_id
        self.activity_id = activity_id
        self.attested = attested

    def attest(self, attested: bool, by: Acting) -> bool:
        """Attests (or withdraws) the activity's consent; False when it already stands so."""
        if attested == self.attested:
            return False
        self._change(attested=attested, **self._meta(by))
        return True

    @event(Changed)
    def _change(self, attested: bool, accme_id: str, actor: str, channel: str) -> None:
        self.attested = attested
