"""Each provider's webhook endpoints: URL, event types, who registered them and when, whether removed, and
the log positions between which an endpoint stands (the sender sends an event to the endpoints standing at
that event's position). Never the secret: it is not in the events."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.webhook import WebhookEndpoint
from projections.base import ParsProjection, ProjectionView


class WebhookView(ProjectionView):
    @abstractmethod
    def get_endpoint(self, endpoint_id: str) -> dict[str, Any] | None:
        """One endpoint's document (removed or not), or None."""

    @abstractmethod
    def put_endpoint(self, endpoint_id: str, doc: dict[str, Any], tracking: Tracking) -> None:
        """Stores (or replaces) one endpoint's document."""

    @abstractmethod
    def endpoints(self, accme_id: str, *, removed: bool = False) -> list[dict[str, Any]]:
        """The provider's endpoints in the order registered (removed ones too when `removed`)."""

    @abstractmethod
    def standing_at(self, accme_ids: set[str], after: int, upto: int) -> list[dict[str, Any]]:
        """The endpoints of these providers that stood at some position in (after, upto]: registered at or
        before `upto`, not removed before `after`; each with `registered_position` and `removed_position`."""


class WebhookProjection(ParsProjection[WebhookView]):
    name = "webhooks"
    skips_unhandled = True

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: WebhookEndpoint.Registered, tracking: Tracking) -> None:
        doc = {
            "id": e.endpoint_id,
            "accme_id": e.accme_id,
            "url": e.url,
            "events": list(e.events),
            "created_at": e.timestamp.isoformat(),
            "created_by": e.actor,
            "channel": e.channel,
            "registered_position": tracking.notification_id,
            "removed_at": None,
            "removed_by": None,
            "removed_position": None,
        }
        self.view.put_endpoint(e.endpoint_id, doc, tracking)

    @process_event.register
    def _(self, e: WebhookEndpoint.Removed, tracking: Tracking) -> None:
        doc = self.view.get_endpoint(e.endpoint_id)
        if doc is None:  # pragma: no cover - Registered always comes first
            self.view.insert_tracking(tracking)
            return
        removed = {
            **doc,
            "removed_at": e.timestamp.isoformat(),
            "removed_by": e.actor,
            "removed_position": tracking.notification_id,
        }
        self.view.put_endpoint(e.endpoint_id, removed, tracking)
