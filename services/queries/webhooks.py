"""A provider's webhooks: its endpoints (never their secrets), each endpoint's deliveries and every attempt."""

from __future__ import annotations

from typing import Any, Protocol

from projections.webhooks import WebhookView

SHOWN = ("id", "url", "events", "created_at", "created_by", "channel", "removed_at", "removed_by")
DELIVERY_STATUSES = ("pending", "delivered", "failed", "cancelled")


class DeliveryLog(Protocol):
    def delivery(self, accme_id: str | None, delivery_id: str) -> dict[str, Any] | None: ...

    def deliveries(
        self, accme_id: str, endpoint_id: str, *, status: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]: ...

    def attempts(self, delivery_id: str) -> list[dict[str, Any]]: ...

    def body(self, event_id: str) -> str | None: ...


def shown(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc.get(k) for k in SHOWN}


class WebhookQueries:
    def __init__(self, view: WebhookView, log: DeliveryLog) -> None:
        self.view = view
        self.log = log

    def endpoints(self, accme_id: str) -> list[dict[str, Any]]:
        """The provider's standing endpoints, in the order registered."""
        return [shown(doc) for doc in self.view.endpoints(accme_id)]

    def endpoint(self, accme_id: str, webhook_id: str) -> dict[str, Any] | None:
        """One endpoint of the provider's (removed ones too: their deliveries stay visible), or None."""
        doc = self.view.get_endpoint(webhook_id)
        return shown(doc) if doc is not None and doc["accme_id"] == accme_id else None

    def deliveries(
        self, accme_id: str, webhook_id: str, *, status: str | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[dict[str, Any]], int]:
        return self.log.deliveries(accme_id, webhook_id, status=status, limit=limit, offset=offset)

    def delivery(self, accme_id: str, webhook_id: str, delivery_id: str) -> dict[str, Any] | None:
        """One delivery with its attempts and the body sent, or None."""
        found = self.log.delivery(accme_id, delivery_id)
        if found is None or found["webhook_id"] != webhook_id:
            return None
        return {**found, "body": self.log.body(found["event_id"]), "attempt_log": self.log.attempts(delivery_id)}
