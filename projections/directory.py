"""Find a CME Provider: the public directory of providers and their public contact."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.provider import Decision, Provider, accreditation_status, accreditor_name
from projections.base import ParsProjection, ProjectionView


class DirectoryView(ProjectionView):
    @abstractmethod
    def get_entry(self, accme_id: str) -> dict[str, Any] | None:
        """Returns one provider's directory entry (listed or not), or None."""

    @abstractmethod
    def put_entry(self, accme_id: str, entry: dict[str, Any], listed: bool, tracking: Tracking) -> None:
        """Stores an entry; only listed entries are found by search."""

    @abstractmethod
    def search(self, q: str, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        """Listed entries whose name, ACCME ID, accreditor or city match every word of q; and the total."""


class DirectoryProjection(ParsProjection[DirectoryView]):
    name = "directory"
    skips_unhandled = True

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: Provider.Registered, tracking: Tracking) -> None:
        entry: dict[str, Any] = {
            "accme_id": e.accme_id,
            "name": e.name,
            "accreditor": e.accreditor,
            "accreditor_name": accreditor_name(e.accreditor),
            "decisions": [],
            "primary": e.primary_contact,
            "website": None,
        }
        self._store(entry, tracking)

    @process_event.register
    def _(self, e: Provider.ContactAssigned, tracking: Tracking) -> None:
        if e.role not in ("primary", "website"):
            self.view.insert_tracking(tracking)
            return
        entry = self._load(e.accme_id)
        entry[e.role] = e.contact
        self._store(entry, tracking)

    @process_event.register
    def _(self, e: Provider.ContactRemoved, tracking: Tracking) -> None:
        if e.role != "website":
            self.view.insert_tracking(tracking)
            return
        entry = self._load(e.accme_id)
        entry["website"] = None
        self._store(entry, tracking)

    @process_event.register
    def _(self, e: Provider.AccreditationDecisionRecorded, tracking: Tracking) -> None:
        entry = self._load(e.accme_id)
        entry["decisions"] = [*entry["decisions"], e.decision]
        self._store(entry, tracking)

    def _load(self, accme_id: str) -> dict[str, Any]:
        entry = self.view.get_entry(accme_id)
        if entry is None:
            raise LookupError(f"directory entry {accme_id} missing while projecting")
        return entry

    def _store(self, entry: dict[str, Any], tracking: Tracking) -> None:
        status = accreditation_status([{"decision": d} for d in entry["decisions"]])
        entry["accreditation_status"] = status
        public = entry["website"] or entry["primary"]
        entry["contact"] = {"name": public["name"], "email": public["email"], "phone": public.get("phone", "")}
        # Nonaccredited providers leave the public directory; their history stays.
        self.view.put_entry(entry["accme_id"], entry, status != Decision.NONACCREDITATION.value, tracking)
