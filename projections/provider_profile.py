"""The provider profile: identity, accreditation and contacts by role, as GET /providers/{id} answers."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.provider import Provider, accreditation_status, accreditor_name
from projections.base import ParsProjection, ProjectionView, to_jsonable


def registered(e: Provider.Registered) -> dict[str, Any]:
    """A provider's identity as registered: what its profile and its directory entry both start from."""
    return {
        "accme_id": e.accme_id,
        "name": e.name,
        "accreditor": e.accreditor,
        "accreditor_name": accreditor_name(e.accreditor),
    }


class ProviderProfileView(ProjectionView):
    @abstractmethod
    def get_profile(self, accme_id: str) -> dict[str, Any] | None:
        """Returns the stored profile document of one provider, or None."""

    @abstractmethod
    def put_profile(self, accme_id: str, profile: dict[str, Any], tracking: Tracking) -> None:
        """Stores a provider's profile document and the position it reflects."""

    @abstractmethod
    def list_profiles(
        self, accme_ids: list[str] | None = None, accreditors: list[str] | None = None
    ) -> list[dict[str, Any]]:
        """Returns profiles, optionally only those named or overseen by the given accreditors."""

    @abstractmethod
    def accreditors_and_names(self, accreditors: list[str] | None = None) -> dict[str, tuple[str, str]]:
        """Each provider's (accreditor, name) by ACCME ID, of those the given accreditors oversee (None: all);
        from the columns, not the documents (the accreditor reports read it per request)."""


class ProviderProfileProjection(ParsProjection[ProviderProfileView]):
    name = "provider_profile"
    skips_unhandled = True

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: Provider.Registered, tracking: Tracking) -> None:
        profile = {
            **registered(e),
            "registered_at": e.timestamp.isoformat(),
            "decisions": [],
            "contacts": {"primary": e.primary_contact},
            "staff": [],
            "api_tokens": [],
        }
        self._store(profile, tracking)

    @process_event.register
    def _(self, e: Provider.ContactAssigned, tracking: Tracking) -> None:
        profile = self._load(e.accme_id)
        profile["contacts"][e.role] = e.contact
        self._store(profile, tracking)

    @process_event.register
    def _(self, e: Provider.ContactRemoved, tracking: Tracking) -> None:
        profile = self._load(e.accme_id)
        profile["contacts"].pop(e.role, None)
        self._store(profile, tracking)

    @process_event.register
    def _(self, e: Provider.StaffContactAdded, tracking: Tracking) -> None:
        profile = self._load(e.accme_id)
        profile["staff"].append({"contact_id": e.contact_id, **e.contact})
        self._store(profile, tracking)

    @process_event.register
    def _(self, e: Provider.StaffContactRemoved, tracking: Tracking) -> None:
        profile = self._load(e.accme_id)
        profile["staff"] = [s for s in profile["staff"] if s["contact_id"] != e.contact_id]
        self._store(profile, tracking)

    @process_event.register
    def _(self, e: Provider.AccreditationDecisionRecorded, tracking: Tracking) -> None:
        profile = self._load(e.accme_id)
        profile["decisions"].append(
            to_jsonable({"decision": e.decision, "decided_on": e.decided_on, "term_ends": e.term_ends})
        )
        self._store(profile, tracking)

    @process_event.register
    def _(self, e: Provider.ApiTokenIssued, tracking: Tracking) -> None:
        profile = self._load(e.accme_id)
        profile["api_tokens"].append(
            {
                "token_id": e.token_id,
                "label": e.label,
                "issued_at": e.timestamp.isoformat(),
                "issued_by": e.actor,
                "revoked_at": None,
            }
        )
        self._store(profile, tracking)

    @process_event.register
    def _(self, e: Provider.ApiTokenRevoked, tracking: Tracking) -> None:
        profile = self._load(e.accme_id)
        for token in profile["api_tokens"]:
            if token["token_id"] == e.token_id:
                token["revoked_at"] = e.timestamp.isoformat()
        self._store(profile, tracking)

    def _load(self, accme_id: str) -> dict[str, Any]:
        profile = self.view.get_profile(accme_id)
        if profile is None:  # an event for a provider never registered means a corrupt log
            raise LookupError(f"provider profile {accme_id} missing while projecting")
        return profile

    def _store(self, profile: dict[str, Any], tracking: Tracking) -> None:
        contacts = profile["contacts"]
        profile["accreditation_status"] = accreditation_status(profile["decisions"])
        profile["current_term_ends"] = profile["decisions"][-1]["term_ends"] if profile["decisions"] else None
        profile["invoice_recipient"] = contacts.get("billing") or contacts["primary"]
        profile["directory_contact"] = contacts.get("website") or contacts["primary"]
        self.view.put_profile(profile["accme_id"], profile, tracking)
